"""Workflow of a submission: draft → submitted → approved (values locked) or returned with a comment.

Approval moves up the unit hierarchy: the first manager covering the reporter approves at their level
(a district manager for a commune or a district office); a manager higher up (the province) may then
approve further, which records another step. Only a manager at the level that last approved it, or
higher, may reopen an approved report, with a reason. Values follow their submission's status in one
UPDATE, so every aggregate sees the change at once.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from treem.accounts.models import EDITOR_ROLES, MANAGER_ROLES, Membership, User
from treem.core.audit import record_change
from treem.geo.models import Level, UnitClosure, UnitSuccession

from . import access
from .entry import VALUE_STATUS_OF, check_changes, now, today
from .models import ApprovalStep, DataValue, Notification, StepAction, Submission, SubmissionStatus
from .validation import Issue

LEVEL_NAMES = {
    Level.COUNTRY: "trung ương",
    Level.PROVINCE: "tỉnh",
    Level.DISTRICT: "huyện",
    Level.COMMUNE: "xã",
}


class WorkflowError(Exception):
    """A refused workflow action, with a Vietnamese message (and the blocking issues, if any)."""

    def __init__(self, message: str, issues: list[Issue] | None = None):
        super().__init__(message)
        self.issues = issues or []


def _set_status(
    sub: Submission, status: str, user, action: str, *, level=None, comment: str = "", **fields
) -> None:
    before = {"status": sub.status, "approved_level": sub.approved_level}
    sub.status = status
    for k, v in fields.items():
        setattr(sub, k, v)
    sub.version = F("version") + 1
    sub.save()
    sub.refresh_from_db()
    DataValue.objects.filter(submission=sub).update(status=VALUE_STATUS_OF[status], updated_at=timezone.now())
    ApprovalStep.objects.create(
        submission=sub,
        action=action,
        level=level,
        user=user if user.is_authenticated else None,
        unit=sub.unit,
        comment=comment,
    )
    record_change(
        user,
        "update",
        sub,
        {
            "status": [before["status"], status],
            "approved_level": [before["approved_level"], sub.approved_level],
        },
        unit=sub.unit,
        reason=comment,
    )


def missing_values(sub: Submission) -> int:
    """How many (element, unit) totals of the submission are still empty."""
    from treem.indicators.rules import total_combo

    total = total_combo()
    filled = set(
        DataValue.objects.filter(submission__round=sub.round, period=sub.round.period, combo=total)
        .filter(unit_id__in=sub.responsibilities.values("unit_id"))
        .values_list("data_element_id", "unit_id")
    )
    return sum(
        1 for pair in sub.responsibilities.values_list("data_element_id", "unit_id") if pair not in filled
    )


@transaction.atomic
def submit(sub: Submission, user, on: datetime.date | None = None) -> list[Issue]:
    """Submit a draft or returned report after the full check; returns the warnings."""
    on = on or today()
    sub = Submission.objects.select_for_update().get(pk=sub.pk)
    ok, why = access.can_edit(user, sub, on)
    if not ok:
        raise WorkflowError(why)
    res, _, _ = check_changes(sub, [], submit=True)
    if res.errors:
        raise WorkflowError("Báo cáo chưa nộp được: còn lỗi cần sửa.", res.errors)
    warnings = list(res.warnings)
    empty = missing_values(sub)
    if empty:
        warnings.append(
            Issue(f"Còn {empty} ô tổng số để trống: các ô này được coi là chưa có số liệu.", blocking=False)
        )
    at = now()
    _set_status(
        sub,
        SubmissionStatus.SUBMITTED,
        user,
        StepAction.SUBMIT,
        submitted_at=at,
        submitted_by=user,
        first_submitted_at=sub.first_submitted_at or at,
        return_comment="",
    )
    notify(
        managers_of(sub),
        f"{sub.reporter_name} đã nộp báo cáo {sub.round.period.label}: chờ duyệt.",
        sub.get_absolute_url(),
    )
    return warnings


@transaction.atomic
def approve(sub: Submission, user, comment: str = "") -> Submission:
    """Approve a submitted report (locks its values) or carry an approval one level up."""
    sub = Submission.objects.select_for_update().get(pk=sub.pk)
    level = access.approval_level(user, sub)
    if level is None:
        raise WorkflowError("Bạn không quản lý đơn vị của báo cáo này nên không duyệt được.")
    if sub.status == SubmissionStatus.SUBMITTED:
        _set_status(
            sub,
            SubmissionStatus.APPROVED,
            user,
            StepAction.APPROVE,
            level=level,
            comment=comment,
            approved_level=level,
            approved_at=now(),
            approved_by=user,
        )
        notify(
            reporters_of(sub),
            f"Báo cáo {sub.round.period.label} của {sub.reporter_name} đã được duyệt (cấp {LEVEL_NAMES.get(level, level)}).",
            sub.get_absolute_url(),
        )
        return sub
    if sub.status == SubmissionStatus.APPROVED:
        if sub.approved_level is not None and level >= sub.approved_level:
            raise WorkflowError(
                f"Báo cáo đã được duyệt ở cấp {LEVEL_NAMES.get(sub.approved_level, sub.approved_level)}; "
                f"chỉ cấp trên mới duyệt tiếp."
            )
        _set_status(
            sub,
            SubmissionStatus.APPROVED,
            user,
            StepAction.APPROVE,
            level=level,
            comment=comment,
            approved_level=level,
            approved_at=now(),
            approved_by=user,
        )
        return sub
    raise WorkflowError(f"Chỉ duyệt được báo cáo đã nộp (trạng thái hiện tại: {sub.get_status_display()}).")


@transaction.atomic
def return_for_correction(sub: Submission, user, comment: str) -> Submission:
    """Send a submitted report back to its reporter with a comment."""
    sub = Submission.objects.select_for_update().get(pk=sub.pk)
    if not (comment or "").strip():
        raise WorkflowError("Cần ghi rõ lý do trả lại.")
    if access.approval_level(user, sub) is None:
        raise WorkflowError("Bạn không quản lý đơn vị của báo cáo này.")
    if sub.status != SubmissionStatus.SUBMITTED:
        raise WorkflowError(
            f"Chỉ trả lại được báo cáo đã nộp (trạng thái hiện tại: {sub.get_status_display()})."
        )
    _set_status(
        sub, SubmissionStatus.RETURNED, user, StepAction.RETURN, comment=comment, return_comment=comment
    )
    notify(
        reporters_of(sub), f"Báo cáo {sub.round.period.label} bị trả lại: {comment}", sub.get_absolute_url()
    )
    return sub


@transaction.atomic
def reopen(
    sub: Submission, user, reason: str, on: datetime.date | None = None, extra_days: int = 7
) -> Submission:
    """Reopen an approved report (a manager at the level that approved it or above), with a reason."""
    on = on or today()
    sub = Submission.objects.select_for_update().get(pk=sub.pk)
    if not (reason or "").strip():
        raise WorkflowError("Cần ghi rõ lý do mở lại.")
    level = access.approval_level(user, sub)
    if level is None:
        raise WorkflowError("Bạn không quản lý đơn vị của báo cáo này.")
    if sub.status not in (SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED):
        raise WorkflowError("Báo cáo đang mở để nhập, không cần mở lại.")
    if (
        sub.status == SubmissionStatus.APPROVED
        and sub.approved_level is not None
        and level > sub.approved_level
    ):
        raise WorkflowError(
            f"Báo cáo đã được cấp {LEVEL_NAMES.get(sub.approved_level, sub.approved_level)} duyệt: "
            f"chỉ cấp đó hoặc cấp trên mới mở lại được."
        )
    extended = on + datetime.timedelta(days=extra_days) if on >= sub.round.locks_on else sub.extended_until
    _set_status(
        sub,
        SubmissionStatus.RETURNED,
        user,
        StepAction.REOPEN,
        level=level,
        comment=reason,
        return_comment=reason,
        approved_level=None,
        approved_at=None,
        approved_by=None,
        extended_until=extended,
    )
    notify(
        reporters_of(sub),
        f"Báo cáo {sub.round.period.label} được mở lại để sửa: {reason}",
        sub.get_absolute_url(),
    )
    return sub


# ---------------------------------------------------------------------------------------------
# Who to tell


def _units_around(unit_id: int) -> list[int]:
    """The unit, the units above it, its predecessors and the units above those (memberships that may cover it)."""
    preds = list(UnitSuccession.objects.filter(successor_id=unit_id).values_list("predecessor_id", flat=True))
    return list(
        UnitClosure.objects.filter(descendant_id__in=[unit_id, *preds])
        .values_list("ancestor_id", flat=True)
        .distinct()
    )


def reporters_of(sub: Submission) -> list[User]:
    """Users who fill this form."""
    if sub.agency_id:
        ids = Membership.objects.filter(agency_id=sub.agency_id, role__in=list(EDITOR_ROLES)).values_list(
            "user_id", flat=True
        )
        return list(User.objects.filter(pk__in=ids, is_active=True))
    ids = (
        Membership.objects.filter(
            unit_id__in=_units_around(sub.unit_id), agency__isnull=True, role__in=list(EDITOR_ROLES)
        )
        .exclude(role__in=list(MANAGER_ROLES))
        .values_list("user_id", flat=True)
    )
    return [u for u in User.objects.filter(pk__in=ids, is_active=True) if access.is_reporter(u, sub)]


def managers_of(sub: Submission) -> list[User]:
    """Managers who approve this form (the nearest level covering it)."""
    ids = Membership.objects.filter(
        unit_id__in=_units_around(sub.unit_id), agency__isnull=True, role__in=list(MANAGER_ROLES)
    ).values_list("user_id", flat=True)
    users = [u for u in User.objects.filter(pk__in=ids, is_active=True)]
    levels = {u.pk: access.approval_level(u, sub) for u in users}
    levels = {k: v for k, v in levels.items() if v is not None}
    if not levels:
        return []
    nearest = max(levels.values())
    return [u for u in users if levels.get(u.pk) == nearest]


def notify(users, text: str, url: str = "") -> int:
    Notification.objects.bulk_create([Notification(user=u, text=text[:500], url=url) for u in users])
    return len(users)
