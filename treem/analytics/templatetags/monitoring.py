"""Monitoring template helpers: status chips and server-side SVG sparklines (no JavaScript needed)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from treem.analytics.services import fmt_value
from treem.analytics.status import STATUS_COLOURS, Status

register = template.Library()


@register.simple_tag
def status_chip(status, label=None):
    """A coloured chip with the status label (the colour is never the only signal)."""
    s = Status(status)
    return format_html(
        '<span class="st st-{}" style="--st:{}">{}</span>', s.value, STATUS_COLOURS[s], label or s.label
    )


@register.simple_tag
def sparkline(series, milestone=None, width=120, height=30):
    """An inline SVG line of (period, value) points with the milestone as a dashed line."""
    values = [v for _, v in series]
    if not values:
        return mark_safe('<span class="muted small">—</span>')
    lo = min(values + ([milestone] if milestone is not None else []))
    hi = max(values + ([milestone] if milestone is not None else []))
    span = (hi - lo) or 1.0
    pad = 3

    def y(v):
        return pad + (height - 2 * pad) * (1 - (v - lo) / span)

    n = len(values)
    xs = [pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    points = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, values, strict=True))
    title = "; ".join(f"{p}: {v:.2f}".replace(".", ",") for p, v in series)
    label = _("Xu hướng: %(points)s") % {"points": title}
    parts = [
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{label}"><title>{title}</title>'
    ]
    if milestone is not None:
        my = y(milestone)
        parts.append(f'<line x1="0" x2="{width}" y1="{my:.1f}" y2="{my:.1f}" class="spark-goal"/>')
    parts.append(f'<polyline points="{points}" class="spark-line"/>')
    parts.append(f'<circle cx="{xs[-1]:.1f}" cy="{y(values[-1]):.1f}" r="2.6" class="spark-dot"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


@register.filter
def value_in(value, unit):
    """A value with the unit suffix in Vietnamese notation."""
    return fmt_value(value, unit)


@register.filter
def get_item(mapping, key):
    """mapping[key] or None."""
    return mapping.get(key) if mapping else None


@register.filter
def milestone(component):
    """'< 9,5‰ (2025)'."""
    from treem.analytics.services import short_milestone

    return short_milestone(component)
