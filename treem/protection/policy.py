"""Need-to-know access to protection cases, beyond the unit scoping of `accounts.scoping`.

A case is visible to: its assigned workers; the commune child-protection officers and the chairman of its
commune; supervisors whose scope covers the commune; users (or a role in a unit) granted it explicitly; the
police of an agency or area a police referral was sent to (not refused). Nobody else — not managers,
viewers, reporters or system administrators — reads a case; they see only the suppressed aggregates.

Sensitive groups: `content` (narrative, place, sexual-abuse details, photos, step notes) and `reporter`
(the reporter's identity). Each relation sees the groups listed in RELATION_GROUPS.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from treem.accounts import scoping
from treem.accounts.models import Role
from treem.core import calendar as cal

from .codes import PROCESS, ReferralStatus, ServiceKind, StepKind
from .models import Case, CaseAssignment, CaseGrant, Referral

CONTENT = "content"
REPORTER = "reporter"
SENSITIVE_GROUPS = (CONTENT, REPORTER)
GROUP_LABELS = {
    CONTENT: "nội dung sự việc, nơi xảy ra, chi tiết xâm hại, ảnh",
    REPORTER: "danh tính người báo tin",
}

ASSIGNED, OFFICER, CHAIRMAN, SUPERVISOR, GRANTED, GRANTED_SENSITIVE, POLICE = (
    "assigned",
    "officer",
    "chairman",
    "supervisor",
    "granted",
    "granted_sensitive",
    "police",
)
RELATION_LABELS = {
    ASSIGNED: "người được phân công",
    OFFICER: "công chức phụ trách trẻ em của xã",
    CHAIRMAN: "Chủ tịch UBND xã",
    SUPERVISOR: "người giám sát",
    GRANTED: "được cấp quyền",
    GRANTED_SENSITIVE: "được cấp quyền (cả thông tin nhạy cảm)",
    POLICE: "công an nhận chuyển gửi",
}
RELATION_GROUPS = {
    ASSIGNED: {CONTENT, REPORTER},
    OFFICER: {CONTENT, REPORTER},
    SUPERVISOR: {CONTENT, REPORTER},
    CHAIRMAN: {CONTENT},
    POLICE: {CONTENT},
    GRANTED_SENSITIVE: {CONTENT},
    GRANTED: set(),
}
# Who may act on a case (beyond reading it).
WORK_RELATIONS = {ASSIGNED, OFFICER}
MANAGE_RELATIONS = {OFFICER, SUPERVISOR}
# Who may record a notification (Mẫu 01) for a commune they can see (hotline 111 comes through the API).
INTAKE_ROLES = {
    Role.COMMUNE_OFFICER,
    Role.CASE_WORKER,
    Role.SUPERVISOR,
    Role.CHAIRMAN,
    Role.POLICE,
    Role.AGENCY_REPORTER,
}


def units_for_roles(user, roles) -> QuerySet:
    """Units (with everything below and their successors) where the user holds one of the roles (admins included)."""
    return scoping.units_for_roles(user, roles)


def _grant_q(user, sensitive_only: bool = False) -> Q:
    now = cal.now()
    live = CaseGrant.objects.filter(case=OuterRef("pk"), revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    if sensitive_only:
        live = live.filter(sensitive=True)
    q = Q(user=user)
    for m in scoping.active_memberships(user):
        q |= Q(role=m.role, unit__in=scoping.scope_ids([m.unit_id]))
    return Exists(live.filter(q))


def _police_q(user) -> Q | None:
    memberships = list(scoping.active_memberships(user).filter(role=Role.POLICE))
    if not memberships:
        return None
    q = Q(pk__in=[])
    for m in memberships:
        if m.agency_id:
            q |= Q(to_agency_id=m.agency_id)
        else:
            q |= Q(to_unit__in=scoping.scope_ids([m.unit_id]))
    refs = (
        Referral.objects.filter(case=OuterRef("pk"), service=ServiceKind.POLICE)
        .exclude(status=ReferralStatus.REFUSED)
        .filter(q)
    )
    return Exists(refs)


def visible_cases(user) -> QuerySet:
    """Cases the user may read (need-to-know)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    assigned = Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), user=user, active=True))
    q = Q(assigned) | Q(
        commune__in=units_for_roles(user, {Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.SUPERVISOR}).values("id")
    )
    q |= Q(_grant_q(user))
    police = _police_q(user)
    if police is not None:
        q |= Q(police)
    return Case.objects.filter(q)


class CaseAccess:
    """What one user may see and do on one case."""

    def __init__(self, user, case: Case):
        self.user = user
        self.case = case
        self.relations = relations(user, case)

    @property
    def visible(self) -> bool:
        return bool(self.relations)

    def sees(self, group: str) -> bool:
        """Whether a sensitive group is shown to the user."""
        return any(group in RELATION_GROUPS[r] for r in self.relations)

    @property
    def can_work(self) -> bool:
        """Record steps, plan, referrals, consent, photos."""
        return bool(self.relations & WORK_RELATIONS) and self.case.is_open

    @property
    def can_manage(self) -> bool:
        """Assign workers, grant access, request transfers."""
        return bool(self.relations & (MANAGE_RELATIONS | WORK_RELATIONS))

    @property
    def can_decide(self) -> bool:
        """Approve the plan, decide separation and closure (the commune chairman)."""
        return CHAIRMAN in self.relations

    def can_do_step(self, kind: str) -> bool:
        """Whether the user may complete a step of this kind."""
        if not self.case.is_open:
            return False
        if kind == StepKind.APPROVAL:
            return self.can_decide
        if kind == StepKind.EMERGENCY:
            return self.can_work or self.can_decide
        return self.can_work

    def can_reopen(self) -> bool:
        return not self.case.is_open and bool(self.relations & (WORK_RELATIONS | {CHAIRMAN, SUPERVISOR}))


def relations(user, case: Case) -> set[str]:
    """The user's relations to a case (empty: no access)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    out = set()
    if case.assignments.filter(user=user, active=True).exists():
        out.add(ASSIGNED)
    for relation, role in (
        (OFFICER, Role.COMMUNE_OFFICER),
        (CHAIRMAN, Role.CHAIRMAN),
        (SUPERVISOR, Role.SUPERVISOR),
    ):
        if units_for_roles(user, {role}).filter(pk=case.commune_id).exists():
            out.add(relation)
    this = Case.objects.filter(pk=case.pk)
    if this.filter(_grant_q(user, sensitive_only=True)).exists():
        out.add(GRANTED_SENSITIVE)
    elif this.filter(_grant_q(user)).exists():
        out.add(GRANTED)
    police = _police_q(user)
    if police is not None and this.filter(police).exists():
        out.add(POLICE)
    return out


def step_actors(kind: str) -> set[str]:
    """Roles that act on a step (data in codes.PROCESS)."""
    return set(PROCESS[kind]["actors"])
