"""Who may see and change what in the registry: records by the units of the user's memberships
(through ``accounts.scoping``), sensitive fields by role.

Sensitive groups: ``identity`` (personal identification numbers of the child and caregivers),
``circumstances`` (Article 10 groups and the support received) and ``disability``. A user sees a
group on a child only through a membership with a role allowed it whose scope contains the child's
commune: a commune officer of commune A who is also a viewer of the province does not see the
sensitive fields of a child of commune B.
"""

from django.db.models import QuerySet

from treem.accounts import scoping
from treem.accounts.models import Role
from treem.geo.models import AdministrativeUnit

from .models import Child

IDENTITY = "identity"
CIRCUMSTANCES = "circumstances"
DISABILITY = "disability"
SENSITIVE_GROUPS = (IDENTITY, CIRCUMSTANCES, DISABILITY)
GROUP_LABELS = {
    IDENTITY: "số định danh cá nhân",
    CIRCUMSTANCES: "hoàn cảnh đặc biệt và trợ giúp",
    DISABILITY: "khuyết tật",
}

# Roles that need each sensitive group (need-to-know). Everyone with read scope sees the rest.
GROUP_ROLES: dict[str, set[str]] = {
    IDENTITY: {Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.SUPERVISOR},
    CIRCUMSTANCES: {Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.SUPERVISOR, Role.CHAIRMAN},
    DISABILITY: {Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.SUPERVISOR, Role.CHAIRMAN},
}
# Roles that may run linkage, review pairs and merge records.
LINKAGE_ROLES = {Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.SUPERVISOR}

# Fields of Child in each sensitive group (for forms, API and exports).
CHILD_FIELDS = {
    IDENTITY: ("personal_id",),
    DISABILITY: ("disability_type", "disability_level"),
    CIRCUMSTANCES: (),
}


def units_for_roles(user, roles) -> QuerySet:
    """Units (with everything below and their successors) where the user holds one of the roles."""
    # accounts.scoping decides the unit scope; it has no public per-role helper yet (see docs/registry.md).
    if scoping.is_system_admin(user):
        return AdministrativeUnit.objects.all()
    return scoping.units_for_roles(user, roles)


def visible_children(user) -> QuerySet:
    """Children the user may read (any role, within the units of their memberships)."""
    return scoping.scope(Child.objects.all(), user, "commune")


def editable_children(user) -> QuerySet:
    """Children the user may change (editor roles within their units)."""
    if scoping.is_system_admin(user):
        return Child.objects.all()
    return Child.objects.filter(commune__in=scoping.editable_units(user).values("id"))


def linkable_children(user) -> QuerySet:
    """Children the user may de-duplicate, link and merge."""
    return Child.objects.filter(commune__in=units_for_roles(user, LINKAGE_ROLES).values("id"))


class Access:
    """What one user may see of the registry, computed once per request."""

    def __init__(self, user):
        self.user = user
        self.admin = scoping.is_system_admin(user)
        self._units: dict[str, set[int]] = {}

    def unit_ids(self, group: str) -> set[int]:
        """Ids of the units where the user sees a sensitive group."""
        if group not in self._units:
            self._units[group] = set(
                units_for_roles(self.user, GROUP_ROLES[group]).values_list("id", flat=True)
            )
        return self._units[group]

    def sees(self, child: Child, group: str) -> bool:
        """Whether the user sees a sensitive group on a child."""
        return self.admin or child.commune_id in self.unit_ids(group)

    def groups(self, child: Child) -> set[str]:
        """The sensitive groups the user sees on a child."""
        return {g for g in SENSITIVE_GROUPS if self.sees(child, g)}

    def any_unit_ids(self, group: str) -> bool:
        """Whether the user sees a group anywhere (used to choose export columns)."""
        return self.admin or bool(self.unit_ids(group))

    def can_edit(self, child: Child) -> bool:
        """Whether the user may change a child's record."""
        return editable_children(self.user).filter(pk=child.pk).exists()

    def can_link(self) -> bool:
        """Whether the user may run linkage and merge records somewhere."""
        return (
            self.admin
            or linkable_children(self.user).exists()
            or units_for_roles(self.user, LINKAGE_ROLES).exists()
        )
