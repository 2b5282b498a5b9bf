"""Who may see, fill, approve a submission — built on treem.accounts.scoping (never re-implemented).

- A reporter sees only their own forms: an agency member the forms of their agency; a commune officer
  (a membership without agency) the forms of their commune (and of its successors).
- Managers (unit managers, chairmen) see, approve, return and reopen the forms of the units they manage;
  they may also enter values for them (one workbook for all their communes).
- Viewers read the forms of the units they see.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from treem.accounts import scoping
from treem.accounts.models import EDITOR_ROLES, MANAGER_ROLES, Role
from treem.geo.models import AdministrativeUnit

from .models import Submission


def _units_of(memberships: QuerySet) -> QuerySet:
    """Units covered by some of a user's memberships (the membership's unit, below it, and successors)."""
    return AdministrativeUnit.objects.filter(id__in=scoping.scope_ids(memberships.values("unit_id")))


def submissions_for(user) -> QuerySet:
    """The submissions a user may open."""
    qs = Submission.objects.all()
    if scoping.is_system_admin(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    ms = scoping.active_memberships(user)
    cond = Q(pk__in=[])
    agency_ids = list(ms.filter(agency__isnull=False).values_list("agency_id", flat=True))
    if agency_ids:
        cond |= Q(agency_id__in=agency_ids)
    own = ms.filter(agency__isnull=True).exclude(role__in=list(MANAGER_ROLES) + [Role.VIEWER])
    if own.exists():
        cond |= Q(agency__isnull=True, unit__in=_units_of(own))
    if ms.filter(agency__isnull=True, role__in=list(MANAGER_ROLES) + [Role.VIEWER]).exists():
        cond |= Q(unit__in=scoping.visible_units(user).values("id"))
    return qs.filter(cond)


def can_view(user, sub: Submission) -> bool:
    return submissions_for(user).filter(pk=sub.pk).exists()


def is_reporter(user, sub: Submission) -> bool:
    """The user fills this form as its reporter (agency member, or commune officer of its unit)."""
    if not getattr(user, "is_authenticated", False):
        return False
    ms = scoping.active_memberships(user).filter(role__in=list(EDITOR_ROLES))
    if sub.agency_id:
        return ms.filter(agency_id=sub.agency_id).exists()
    own = ms.filter(agency__isnull=True).exclude(role__in=list(MANAGER_ROLES))
    return own.exists() and _units_of(own).filter(pk=sub.unit_id).exists()


def can_manage(user, sub: Submission) -> bool:
    """The user manages the submission's unit (approve, return, reopen, enter on behalf)."""
    return scoping.can_manage_unit(user, sub.unit)


def can_edit(user, sub: Submission, today: datetime.date) -> tuple[bool, str]:
    """Whether the user may change the values now, and why not (Vietnamese)."""
    if not sub.is_editable_status:
        return (
            False,
            f"Báo cáo đang ở trạng thái «{sub.get_status_display()}»: không sửa được (cần được trả lại hoặc mở lại).",
        )
    rnd = sub.round
    manager = can_manage(user, sub)
    if not (manager or is_reporter(user, sub)):
        return False, "Bạn không có quyền nhập số liệu cho báo cáo này."
    if not rnd.active:
        return False, "Kỳ báo cáo này không còn hiệu lực."
    if today < rnd.opens_on:
        return False, f"Kỳ báo cáo mở nhập từ ngày {rnd.opens_on:%d/%m/%Y}."
    locked = today >= rnd.locks_on and not (sub.extended_until and today <= sub.extended_until)
    if locked and not manager:
        return False, f"Kỳ báo cáo đã khóa từ ngày {rnd.locks_on:%d/%m/%Y}; đề nghị lãnh đạo mở lại."
    return True, ""


def approval_level(user, sub: Submission) -> int | None:
    """The level at which the user approves this submission: the level of their nearest managing
    membership covering it (0 for system administrators; None when they manage nothing covering it)."""
    if scoping.is_system_admin(user):
        return 0
    levels = []
    for m in (
        scoping.active_memberships(user)
        .filter(role__in=list(MANAGER_ROLES), agency__isnull=True)
        .select_related("unit")
    ):
        if _units_of(scoping.active_memberships(user).filter(pk=m.pk)).filter(pk=sub.unit_id).exists():
            levels.append(m.unit.level)
    return max(levels) if levels else None


def own_submissions(user) -> QuerySet:
    """The submissions the user fills as reporter (their agency's, their commune's)."""
    if not getattr(user, "is_authenticated", False):
        return Submission.objects.none()
    ms = scoping.active_memberships(user).filter(role__in=list(EDITOR_ROLES))
    cond = Q(pk__in=[])
    agency_ids = list(ms.filter(agency__isnull=False).values_list("agency_id", flat=True))
    if agency_ids:
        cond |= Q(agency_id__in=agency_ids)
    own = ms.filter(agency__isnull=True).exclude(role__in=list(MANAGER_ROLES))
    if own.exists():
        cond |= Q(agency__isnull=True, unit__in=_units_of(own))
    return Submission.objects.filter(cond)


def managed_submissions(user) -> QuerySet:
    """The submissions of the units the user manages (to approve, return, reopen)."""
    if scoping.is_system_admin(user):
        return Submission.objects.all()
    return Submission.objects.filter(unit__in=scoping.managed_units(user).values("id"))
