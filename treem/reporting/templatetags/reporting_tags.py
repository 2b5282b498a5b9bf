"""Filters of the reporting pages."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_number(value):
    """A stored value as typed in a field: 1250, 12.5 → "12,5" (no thousands separator)."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f").replace(".", ",")


@register.filter
def get(mapping, key):
    """mapping[key] in a template ("" when missing)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
