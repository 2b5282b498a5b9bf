"""Template tags of the child-protection pages."""

from django import template

from treem.protection import services

register = template.Library()


@register.simple_tag(takes_context=True)
def protection_can_intake(context) -> bool:
    """Whether the signed-in user may record a notification (the nav shows the link only then)."""
    if "can_intake" in context:
        return bool(context["can_intake"])
    request = context.get("request")
    return bool(request and request.user.is_authenticated and services.intake_communes(request.user).exists())
