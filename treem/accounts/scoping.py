"""The one place where what a user may see is decided: units of their memberships and below.

Every view and API endpoint filters through these helpers; nothing repeats the rule.
A membership on a unit abolished on 1/7/2025 also covers the units that succeeded it,
so a district office's plan keeps working after the reform.
"""

import datetime

from django.db.models import Q, QuerySet

from treem.geo.models import AdministrativeUnit, UnitClosure, UnitSuccession

from .models import EDITOR_ROLES, MANAGER_ROLES, Membership, Role


def is_system_admin(user) -> bool:
    """Superusers and system administrators see everything."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return active_memberships(user).filter(role=Role.SYSTEM_ADMIN).exists()


def active_memberships(user, at: datetime.date | None = None) -> QuerySet:
    """The memberships of a user in force on a date (default today)."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    at = at or datetime.date.today()
    return Membership.objects.filter(user=user).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=at), Q(valid_to__isnull=True) | Q(valid_to__gte=at)
    )


def _root_unit_ids(user, roles=None) -> QuerySet:
    qs = active_memberships(user)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return qs.values("unit_id")


def scope_ids(root_ids) -> QuerySet:
    """Ids of the roots, everything under them, and the successors of all these (and what is under those)."""
    under = UnitClosure.objects.filter(ancestor_id__in=root_ids).values("descendant_id")
    succ = UnitSuccession.objects.filter(predecessor_id__in=under).values("successor_id")
    under_succ = UnitClosure.objects.filter(ancestor_id__in=succ).values("descendant_id")
    return AdministrativeUnit.objects.filter(Q(id__in=under) | Q(id__in=under_succ)).values("id")


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
    above = UnitClosure.objects.filter(descendant_id__in=_root_unit_ids(user)).values("ancestor_id")
    return AdministrativeUnit.objects.filter(Q(id__in=scope_ids(_root_unit_ids(user))) | Q(id__in=above))


def can_see_unit(user, unit) -> bool:
    """Whether the user may read a unit's data."""
    return visible_units(user).filter(pk=unit.pk).exists()


def can_edit_unit(user, unit) -> bool:
    """Whether the user may change a unit's data."""
    return editable_units(user).filter(pk=unit.pk).exists()


def can_manage_unit(user, unit) -> bool:
    """Whether the user manages a unit."""
    return managed_units(user).filter(pk=unit.pk).exists()


def scope(queryset: QuerySet, user, field: str = "unit") -> QuerySet:
    """Restrict any queryset to the rows whose `field` unit the user may read."""
    if is_system_admin(user):
        return queryset
    return queryset.filter(**{f"{field}__in": visible_units(user).values("id")})
