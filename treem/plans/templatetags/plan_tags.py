"""Template helpers of the plan pages: role letters and colours, comparators in words."""

from django import template
from django.utils.html import format_html
from django.utils.translation import pgettext, pgettext_lazy

from treem.core.text import format_vn_number

from ..models import AssignmentRole

register = template.Library()

ROLE_LETTERS = {
    AssignmentRole.LEAD: pgettext_lazy("vai trò chủ trì, viết tắt", "C"),
    AssignmentRole.COORDINATE: pgettext_lazy("vai trò phối hợp, viết tắt", "P"),
    AssignmentRole.GUIDE: pgettext_lazy("vai trò hướng dẫn, viết tắt", "H"),
}


@register.simple_tag
def role_badge(role, long=False):
    """A coloured badge for an assignment role: the letter (C, P, H) or the full word."""
    role = AssignmentRole(role)
    text = role.label if long else ROLE_LETTERS[role]
    return format_html('<span class="role role-{}" title="{}">{}</span>', role.value, role.label, text)


@register.filter
def milestone(component):
    """A component in words: "dưới 0,01 % (2025)", "giảm 20 % so với năm 2015"."""
    parts = [str(component.get_comparator_display())]
    if component.value is not None:
        value = format_vn_number(component.value)
        unit = (
            ""
            if component.unit == "count"
            else (component.unit if component.unit in ("%", "‰") else f" {component.get_unit_display()}")
        )
        parts.append(f"{value}{unit}")
    text = " ".join(parts)
    if component.baseline_year or component.baseline_value is not None:
        base = pgettext("mốc so sánh", "so với")
        if component.baseline_value is not None:
            text += f" ({base} {format_vn_number(component.baseline_value)}"
            text += f", {component.baseline_year})" if component.baseline_year else ")"
        else:
            text += f" ({base} {component.baseline_year})"
    return text


@register.filter
def plan_label(plan):
    """ "Kế hoạch 48-KH/TU"; for a document without a number, its type and issuer."""
    label = plan.get_doc_type_display()
    if plan.number:
        return f"{label} {plan.number}"
    issuer = plan.issuer or plan.issuing_unit.full_name
    unnumbered = pgettext("văn bản không số", "không số")
    return f"{label} ({unnumbered}) – {issuer}"
