"""The one place where what a user may see is decided: units of their memberships and below.

Every view and API endpoint filters through these helpers; nothing repeats the rule.
Across the 1/7/2025 reform a membership covers the units its unit became part of, and the old units
that went whole into it (a new province sees the old province's history); the plans of every old unit
that became part of a user's unit are readable as plans "from above" (a new commune reads the old
district's plan it must carry on).
"""

import contextvars
import datetime

from django.db.models import Q, QuerySet

from treem.geo.models import AdministrativeUnit, SuccessionKind, UnitClosure, UnitSuccession

from .models import EDITOR_ROLES, MANAGER_ROLES, Membership, Role

# Within one request (see ScopeMemoMiddleware) the answers below are asked several times over; they are
# remembered for the request only, so a membership changed in another request counts at once.
_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("treem_scope_memo", default=None)


class ScopeMemoMiddleware:
    """Remembers, for the length of one request, who the user is allowed to see (a few queries instead of dozens)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def _remembered(key: tuple, compute):
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def is_system_admin(user) -> bool:
    """Superusers and system administrators see everything."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return _remembered(
        ("admin", user.pk), lambda: active_memberships(user).filter(role=Role.SYSTEM_ADMIN).exists()
    )


def active_memberships(user, at: datetime.date | None = None) -> QuerySet:
    """The memberships of a user in force on a date (default today)."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    at = at or datetime.date.today()
    return Membership.objects.filter(user=user).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=at), Q(valid_to__isnull=True) | Q(valid_to__gte=at)
    )


def _root_unit_ids(user, roles=None) -> list[int]:
    """The units of the user's memberships in force (of some roles), as a list of ids."""

    def compute():
        qs = active_memberships(user)
        if roles is not None:
            qs = qs.filter(role__in=list(roles))
        return sorted(set(qs.values_list("unit_id", flat=True)))

    return _remembered(
        ("roots", getattr(user, "pk", None), tuple(sorted(roles)) if roles is not None else None), compute
    )


def scope_ids(root_ids) -> QuerySet:
    """Ids of the roots and everything under them, plus across the 2025 reform: the units they became
    part of, and the old units that went whole into them (with everything under those).

    One UNION of index lookups in the closure table (an OR of sub-selects made PostgreSQL scan every unit)."""
    under = UnitClosure.objects.filter(ancestor_id__in=root_ids).values("descendant_id")
    successors = UnitSuccession.objects.filter(predecessor_id__in=under).values("successor_id")
    whole_predecessors = UnitSuccession.objects.filter(
        successor_id__in=under, kind=SuccessionKind.WHOLE
    ).values("predecessor_id")
    return under.union(
        UnitClosure.objects.filter(ancestor_id__in=successors).values("descendant_id"),
        UnitClosure.objects.filter(ancestor_id__in=whole_predecessors).values("descendant_id"),
    )


def units_for_roles(user, roles) -> QuerySet:
    """Units covered by the user's memberships of the given roles (and everything below, and successors)."""
    return AdministrativeUnit.objects.filter(id__in=scope_ids(_root_unit_ids(user, roles)))


def visible_units(user) -> QuerySet:
    """Units whose data the user may read: their memberships' units and everything below."""
    if is_system_admin(user):
        return AdministrativeUnit.objects.all()
    return AdministrativeUnit.objects.filter(id__in=scope_ids(_root_unit_ids(user)))


def editable_units(user) -> QuerySet:
    """Units whose data the user may change (editor roles only)."""
    if is_system_admin(user):
        return AdministrativeUnit.objects.all()
    return AdministrativeUnit.objects.filter(id__in=scope_ids(_root_unit_ids(user, EDITOR_ROLES)))


def managed_units(user) -> QuerySet:
    """Units the user manages (approve, reopen, add villages)."""
    if is_system_admin(user):
        return AdministrativeUnit.objects.all()
    return AdministrativeUnit.objects.filter(id__in=scope_ids(_root_unit_ids(user, MANAGER_ROLES)))


def context_units(user) -> QuerySet:
    """Units the user may see the name of: visible units plus the chain above their memberships (breadcrumbs, plans from above)."""
    if is_system_admin(user):
        return AdministrativeUnit.objects.all()
    roots = _root_unit_ids(user)
    predecessors = UnitSuccession.objects.filter(successor_id__in=roots).values("predecessor_id")
    return AdministrativeUnit.objects.filter(
        id__in=scope_ids(roots).union(
            UnitClosure.objects.filter(descendant_id__in=roots).values("ancestor_id"),
            UnitClosure.objects.filter(descendant_id__in=predecessors).values("ancestor_id"),
        )
    )


def can_see_unit(user, unit) -> bool:
    """Whether the user may read a unit's data."""
    return _remembered(
        ("see", getattr(user, "pk", None), unit.pk), lambda: visible_units(user).filter(pk=unit.pk).exists()
    )


def can_edit_unit(user, unit) -> bool:
    """Whether the user may change a unit's data."""
    return _remembered(
        ("edit", getattr(user, "pk", None), unit.pk), lambda: editable_units(user).filter(pk=unit.pk).exists()
    )


def can_manage_unit(user, unit) -> bool:
    """Whether the user manages a unit."""
    return _remembered(
        ("manage", getattr(user, "pk", None), unit.pk),
        lambda: managed_units(user).filter(pk=unit.pk).exists(),
    )


def scope(queryset: QuerySet, user, field: str = "unit") -> QuerySet:
    """Restrict any queryset to the rows whose `field` unit the user may read."""
    if is_system_admin(user):
        return queryset
    return queryset.filter(**{f"{field}__in": visible_units(user).values("id")})
