"""Vietnamese formatting filters: numbers with a decimal comma, dates as dd/mm/yyyy."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

from treem.core.text import format_vn_date, format_vn_number

register = template.Library()


@register.filter
def vn_number(value, decimals=None):
    """1000 → "1.000", Decimal("0.800000") → "0,8"; "" for None or non-numbers."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    return format_vn_number(number, int(decimals) if decimals not in (None, "") else None)


@register.filter
def vn_date(value):
    """A date or datetime as dd/mm/yyyy (local time for datetimes)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, datetime.date):
        return ""
    return format_vn_date(value)


@register.filter
def vn_datetime(value):
    """A datetime as dd/mm/yyyy HH:MM in local time."""
    if not isinstance(value, datetime.datetime):
        return vn_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{format_vn_date(value.date())} {value:%H:%M}"


@register.filter
def day_month(day, month):
    """Two numbers as dd/mm ("15/05"); "" when either is missing."""
    if not day or not month:
        return ""
    return f"{int(day):02d}/{int(month):02d}"


@register.filter
def plain(value):
    """An integer without thousands separators (years, codes): 2025, not 2.025."""
    return "" if value is None else str(value)


@register.filter
def minutes(value):
    """A timedelta as a whole number of minutes (rounded up)."""
    if not isinstance(value, datetime.timedelta):
        return ""
    return str(-(-int(value.total_seconds()) // 60))


@register.filter
def vn_name(user):
    """A person's name in Vietnamese order (family name first), else the user name."""
    name = f"{getattr(user, 'last_name', '')} {getattr(user, 'first_name', '')}".strip()
    return name or getattr(user, "username", "")


@register.filter
def days_from(value, start):
    """Whole days from ``start`` to ``value`` (dates): 15/11 days_from 1/11 → 14; "" if either is missing."""
    if not isinstance(value, datetime.date) or not isinstance(start, datetime.date):
        return ""
    as_date = lambda d: d.date() if isinstance(d, datetime.datetime) else d  # noqa: E731
    return (as_date(value) - as_date(start)).days
