"""Template tags of the registry pages."""

from django import template

from treem.registry import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def registry_can_link(context) -> bool:
    """Whether the signed-in user may look for duplicates and merge records (the nav shows the link only then)."""
    request = context.get("request")
    return bool(request and request.user.is_authenticated and policy.Access(request.user).can_link())
