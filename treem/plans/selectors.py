"""Which plans a user may read: those issued in their units or below, and those issued above them
(the plans they must implement), never a sibling's."""

from django.db.models import QuerySet

from treem.accounts.scoping import context_units, is_system_admin

from .models import PlanDocument


def plans_for_user(user) -> QuerySet:
    """Plans issued in the user's units, below them, or in the chain above them (including national directives)."""
    qs = PlanDocument.objects.all()
    if is_system_admin(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(issuing_unit__in=context_units(user).values("id"))


def can_read_plan(user, plan: PlanDocument) -> bool:
    """Whether the user may read a plan."""
    return plans_for_user(user).filter(pk=plan.pk).exists()
