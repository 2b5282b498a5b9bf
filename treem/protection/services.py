"""The protection process engine (Decree 56/2017/NĐ-CP, Art. 25–32): intake, steps and their deadlines,
plan, approval, referrals with consent, separation, review and closure, assignment and transfer, grants.

Every write is audited (`core.audit.record_change`, personal values never written to the log); every read
of a case goes through `get_case_for` (logged with `record_access`). Refusals raise `ValidationError`
with Vietnamese messages keyed by the field they concern, or `PermissionDenied`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from treem.accounts.models import Role, User
from treem.core import calendar as cal
from treem.core.audit import record_access, record_change
from treem.core.text import format_vn_date
from treem.geo.models import Level

from . import policy
from .codes import (
    CONSENT_CHILD_AGE,
    PROCESS,
    REFERRAL_NEXT,
    SEPARATION_MAX,
    SUBKINDS,
    CaseStatus,
    Channel,
    ClosureReason,
    ConsentParty,
    Finding,
    HarmKind,
    ReferralStatus,
    ReviewOutcome,
    ServiceKind,
    StepKind,
    StepStatus,
    TransferKind,
    TransferStatus,
    Urgency,
)
from .models import (
    Case,
    CaseAssignment,
    CaseGrant,
    CasePhoto,
    CaseStep,
    Consent,
    ConsentOverride,
    PlanItem,
    Referral,
    Separation,
    Transfer,
)

# Fields whose values may be written to the audit log (categorical, not identifying).
LOGGABLE = {
    "status",
    "channel",
    "harm_kind",
    "harm_subkind",
    "setting",
    "urgency",
    "finding",
    "risk_level",
    "commune_id",
    "emergency_needed",
    "cycle",
    "closure_reason",
    "kind",
    "service",
    "party",
    "given",
    "primary",
    "active",
    "sensitive",
    "role",
    "to_unit_id",
    "to_user_id",
    "to_agency_id",
    "user_id",
    "child_id",
    "budget_vnd",
    "done",
    "start",
    "end",
}
HIDDEN = "•••"
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg", "image/png"}


def _err(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _audit(
    user, action: str, obj, changes: dict | None = None, case: Case | None = None, reason: str = ""
) -> None:
    masked = {k: (v if k in LOGGABLE else HIDDEN) for k, v in (changes or {}).items()}
    unit = case.commune if case is not None else getattr(obj, "commune", None)
    record_change(user, action, obj, masked, unit=unit, reason=reason)


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def deadline(kind: str, start: datetime.datetime) -> datetime.datetime | None:
    """The due time of a step whose limit runs from `start` (data: codes.PROCESS)."""
    limit = PROCESS[kind]["limit"]
    if limit is None or start is None:
        return None
    amount, unit = limit
    if unit == "hours":
        return start + datetime.timedelta(hours=amount)
    return cal.end_of_day(cal.add_working_days(_local_date(start), amount))


def _fmt(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} {format_vn_date(local.date())}"


# ---------------------------------------------------------------------------------------- reads


def get_case_for(user, uid, purpose: str = "", channel: str = "web") -> policy.CaseAccess:
    """A case the user may read, with their access; logs the read. Http404 when not visible (existence not revealed)."""
    try:
        case = policy.visible_cases(user).select_related("commune", "child").get(uid=uid)
    except (Case.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404("Không tìm thấy hồ sơ.") from error
    record_access(user, case, channel=channel, purpose=purpose or "xem hồ sơ")
    return policy.CaseAccess(user, case)


def log_list(user, cases, channel: str = "web") -> None:
    """Log each case shown in a list (a list shows the child's name)."""
    for case in cases:
        record_access(user, case, channel=channel, purpose="danh sách hồ sơ")


def child_age(case: Case, at: datetime.date | None = None) -> int | None:
    """The child's completed years on a date (registry birth date first, else reported)."""
    at = at or cal.today()
    birth = case.child.birth_date if case.child_id and case.child.birth_date else case.child_birth_date
    if birth:
        return at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))
    if case.child_age is not None:
        return case.child_age + max(0, at.year - _local_date(case.received_at).year)
    return None


def case_view(access: policy.CaseAccess) -> dict:
    """The case as the user may see it: sensitive groups replaced by None when not allowed."""
    case = access.case
    content, reporter = access.sees(policy.CONTENT), access.sees(policy.REPORTER)
    return {
        "uid": str(case.uid),
        "number": case.number,
        "status": case.status,
        "status_display": case.get_status_display(),
        "commune_code": case.commune.code,
        "commune": case.commune.full_name,
        "channel": case.channel,
        "channel_display": case.get_channel_display(),
        "external_ref": case.external_ref,
        "received_at": case.received_at,
        "forwarded_at": case.forwarded_at,
        "child_uid": str(case.child.uid) if case.child_id else None,
        "child_name": case.child_label,
        "child_sex": case.child_sex,
        "child_age": case.child_age,
        "harm_kind": case.harm_kind,
        "harm_kind_display": case.get_harm_kind_display(),
        "harm_subkind": case.harm_subkind,
        "harm_subkind_display": case.get_harm_subkind_display(),
        "setting": case.setting,
        "occurred_on": case.occurred_on,
        "urgency": case.urgency,
        "emergency_needed": case.emergency_needed,
        "finding": case.finding,
        "risk_level": case.risk_level,
        "cycle": case.cycle,
        "closed_at": case.closed_at,
        "closure_reason": case.closure_reason,
        "place": case.place if content else None,
        "narrative": case.narrative if content else None,
        "sexual_abuse_details": case.sexual_abuse_details if content else None,
        "reported_child_details": case.reported_child_details if content else None,
        "reporter_anonymous": case.reporter_anonymous,
        "reporter_relation": case.reporter_relation,
        "reporter_name": case.reporter_name if reporter else None,
        "reporter_phone": case.reporter_phone if reporter else None,
        "reporter_address": case.reporter_address if reporter else None,
        "relations": sorted(access.relations),
        "relation_labels": [policy.RELATION_LABELS[r] for r in sorted(access.relations)],
    }


# ---------------------------------------------------------------------------------------- intake


INTAKE_FIELDS = [
    "received_at",
    "reporter_anonymous",
    "reporter_name",
    "reporter_phone",
    "reporter_address",
    "reporter_relation",
    "reported_child_name",
    "reported_child_details",
    "child_birth_date",
    "child_age",
    "child_sex",
    "harm_kind",
    "harm_subkind",
    "setting",
    "occurred_on",
    "place",
    "narrative",
    "sexual_abuse_details",
    "urgency",
]


def validate_intake(commune, data: dict) -> None:
    """Check a notification; raise ValidationError naming the fields at fault."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if commune is None:
        add("commune", "Xã, phường nơi xảy ra: bắt buộc.")
    elif commune.level != Level.COMMUNE or not commune.is_current:
        add(
            "commune",
            f"Xã, phường nơi xảy ra: {commune.full_name} không phải xã, phường, đặc khu đang có hiệu lực.",
        )
    now = cal.now()
    received = data.get("received_at") or now
    if received > now + datetime.timedelta(minutes=5):
        add("received_at", f"Thời điểm tiếp nhận: {_fmt(received)} ở tương lai.")
    kind = data.get("harm_kind")
    if kind not in HarmKind.values:
        add("harm_kind", "Hình thức xâm hại, vấn đề: bắt buộc, chọn trong danh mục.")
    sub = data.get("harm_subkind") or ""
    if sub and sub not in SUBKINDS.get(kind, {}):
        add(
            "harm_subkind",
            f"Loại cụ thể «{sub}» không thuộc hình thức «{HarmKind(kind).label if kind in HarmKind.values else kind}».",
        )
    if data.get("sexual_abuse_details") and kind != HarmKind.SEXUAL_ABUSE:
        add("sexual_abuse_details", "Chi tiết về xâm hại tình dục chỉ ghi khi hình thức là xâm hại tình dục.")
    occurred = data.get("occurred_on")
    if occurred and occurred > _local_date(received):
        add("occurred_on", f"Ngày xảy ra {format_vn_date(occurred)} sau ngày tiếp nhận.")
    birth = data.get("child_birth_date")
    if birth and birth > _local_date(received):
        add("child_birth_date", f"Ngày sinh của trẻ em {format_vn_date(birth)} ở tương lai.")
    age = data.get("child_age")
    if age is not None and not 0 <= age < 16:
        add("child_age", "Tuổi của trẻ em: trẻ em là người dưới 16 tuổi (Luật Trẻ em, Điều 1).")
    if birth and age is None:
        r = _local_date(received)
        if r.year - birth.year - ((r.month, r.day) < (birth.month, birth.day)) >= 16:
            add(
                "child_birth_date",
                "Ngày sinh của trẻ em: trẻ em là người dưới 16 tuổi (Luật Trẻ em, Điều 1).",
            )
    if data.get("child_sex") not in ("", None, "m", "f"):
        add("child_sex", "Giới tính: «m» (nam) hoặc «f» (nữ).")
    if data.get("urgency", Urgency.NORMAL) not in Urgency.values:
        add("urgency", "Mức độ khẩn cấp: «urgent» hoặc «normal».")
    if data.get("reporter_anonymous") and (data.get("reporter_name") or data.get("reporter_phone")):
        add("reporter_anonymous", "Người báo tin giấu tên: không ghi họ tên, điện thoại.")
    if errors:
        raise ValidationError(errors)


def _next_number(commune, year: int) -> str:
    prefix = f"{commune.code}-{year}-"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _open_step(
    case: Case, kind: str, opened_at: datetime.datetime, due_from: datetime.datetime | None
) -> CaseStep:
    return CaseStep.objects.create(
        case=case, cycle=case.cycle, kind=kind, opened_at=opened_at, due_at=deadline(kind, due_from)
    )


def can_intake(user, commune) -> bool:
    """Whether a user may record a notification for a commune."""
    return policy.units_for_roles(user, policy.INTAKE_ROLES).filter(pk=commune.pk).exists()


def intake(
    user, commune, channel: str, data: dict, child=None, external_ref: str = "", channel_key=None
) -> tuple[Case, bool]:
    """Record a notification (Mẫu 01) and forward it at once to its commune; idempotent on (channel, external_ref)."""
    external_ref = (external_ref or "").strip()
    if external_ref:
        existing = Case.objects.filter(channel=channel, external_ref=external_ref).first()
        if existing is not None:
            return existing, False
    if user is not None and commune is not None and not can_intake(user, commune):
        raise PermissionDenied("Bạn không có quyền ghi nhận tin báo cho xã, phường này.")
    if channel not in Channel.values:
        raise _err("channel", "Kênh tiếp nhận: chọn trong danh mục.")
    validate_intake(commune, data)
    try:
        with transaction.atomic():
            case = _create_case(user, commune, channel, data, child, external_ref, channel_key)
    except IntegrityError:
        existing = (
            Case.objects.filter(channel=channel, external_ref=external_ref).first() if external_ref else None
        )
        if existing is None:
            raise
        return existing, False
    _notify_commune(case)
    return case, True


def _create_case(user, commune, channel, data, child, external_ref, channel_key) -> Case:
    now = cal.now()
    fields = {k: v for k, v in data.items() if k in INTAKE_FIELDS and v is not None}
    fields.setdefault("received_at", now)
    case = Case(
        commune=commune,
        channel=channel,
        external_ref=external_ref,
        channel_key=channel_key,
        received_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    if channel != Channel.COMMUNE:
        case.forwarded_at = now
    if child is not None:
        _link_child(user, case, child)
    elif case.child_age is None and case.child_birth_date:
        case.child_age = _age_on(case.child_birth_date, _local_date(case.received_at))
    for attempt in range(5):
        case.number = _next_number(commune, _local_date(case.received_at).year)
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            if attempt == 4 or (
                external_ref and Case.objects.filter(channel=channel, external_ref=external_ref).exists()
            ):
                raise
    _open_step(case, StepKind.INITIAL_ASSESSMENT, case.received_at, case.received_at)
    if case.urgency == Urgency.URGENT:
        _open_step(case, StepKind.EMERGENCY, case.received_at, case.received_at)
    if (
        user is not None
        and policy.units_for_roles(user, {Role.COMMUNE_OFFICER, Role.CASE_WORKER})
        .filter(pk=commune.pk)
        .exists()
    ):
        CaseAssignment.objects.create(case=case, user=user, primary=True, assigned_by=user, assigned_at=now)
    _audit(
        user,
        "create",
        case,
        {
            "status": [None, case.status],
            "channel": [None, channel],
            "harm_kind": [None, case.harm_kind],
            "urgency": [None, case.urgency],
            "commune_id": [None, commune.pk],
        },
        case,
        reason=f"tiếp nhận qua {case.get_channel_display()}",
    )
    return case


def _age_on(birth: datetime.date, at: datetime.date) -> int:
    return at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))


def _link_child(user, case: Case, child) -> None:
    case.child = child
    if child.sex:
        case.child_sex = child.sex
    if child.birth_date:
        case.child_age = _age_on(child.birth_date, _local_date(case.received_at or cal.now()))


def _notify_commune(case: Case) -> None:
    """E-mail the commune's child-protection officers that a case arrived (no personal data in the message)."""
    officers = _users_with_role_over(case.commune, {Role.COMMUNE_OFFICER})
    emails = [u.email for u in officers if u.email]
    if emails:
        step = case.steps.filter(kind=StepKind.INITIAL_ASSESSMENT).first()
        send_mail(
            f"[TreEm] Tin báo mới {case.number}",
            f"Hồ sơ {case.number} ({case.get_harm_kind_display()}, {case.get_urgency_display()}) vừa được chuyển về "
            f"{case.commune.full_name}. Hạn đánh giá nguy cơ ban đầu: {_fmt(step.due_at if step else None)}.",
            settings.DEFAULT_FROM_EMAIL,
            emails,
            fail_silently=True,
        )


def _users_with_role_over(unit, roles) -> QuerySet:
    """Active users holding one of the roles on the unit or a unit above it (or a predecessor of these)."""
    from treem.geo.models import UnitClosure, UnitSuccession

    above = UnitClosure.objects.filter(descendant=unit).values("ancestor_id")
    preds = UnitSuccession.objects.filter(successor__in=above).values("predecessor_id")
    above_preds = UnitClosure.objects.filter(descendant__in=preds).values("ancestor_id")
    today = cal.today()
    return (
        User.objects.filter(
            is_active=True,
            memberships__role__in=list(roles),
        )
        .filter(Q(memberships__unit__in=above) | Q(memberships__unit__in=above_preds))
        .filter(
            Q(memberships__valid_from__isnull=True) | Q(memberships__valid_from__lte=today),
            Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=today),
        )
        .distinct()
    )


# ---------------------------------------------------------------------------------------- steps


def open_step(case: Case, kind: str) -> CaseStep | None:
    """The open step of a kind in the current cycle."""
    return (
        case.steps.filter(kind=kind, cycle=case.cycle, status=StepStatus.OPEN).order_by("-opened_at").first()
    )


def _complete(
    user, case: Case, kind: str, data: dict | None = None, notes: str = "", late_reason: str = ""
) -> CaseStep:
    step = open_step(case, kind)
    if step is None:
        raise _err("__all__", f"Bước «{StepKind(kind).label}» không đang mở ở hồ sơ này.")
    now = cal.now()
    if step.due_at and now > step.due_at and not (late_reason or "").strip():
        raise _err(
            "late_reason",
            f"Đã quá hạn {_fmt(step.due_at)} của bước «{step.get_kind_display()}»: ghi lý do chậm.",
        )
    step.status, step.completed_at, step.completed_by = StepStatus.DONE, now, user
    step.data = {**step.data, **(data or {})}
    if notes:
        step.notes = notes
    step.late_reason = (late_reason or "").strip() if step.due_at and now > step.due_at else ""
    step.save()
    _audit(
        user,
        "update",
        step,
        {"status": [StepStatus.OPEN, StepStatus.DONE], "kind": [kind, kind]},
        case,
        reason=f"hoàn thành bước {step.get_kind_display()}",
    )
    return step


def _require(access: policy.CaseAccess, kind: str) -> None:
    if not access.can_do_step(kind):
        if not access.case.is_open:
            raise PermissionDenied("Hồ sơ đã đóng.")
        raise PermissionDenied(f"Bạn không có quyền thực hiện bước «{StepKind(kind).label}» của hồ sơ này.")


def _save_case(user, case: Case, before: dict, reason: str = "") -> None:
    case.save()
    after = {k: getattr(case, k) for k in before}
    changes = {
        k: [str(before[k]) if before[k] is not None else None, str(v) if v is not None else None]
        for k, v in after.items()
        if before[k] != v
    }
    if changes:
        _audit(user, "update", case, changes, case, reason=reason)


def _state(case: Case, *names) -> dict:
    return {n: getattr(case, n) for n in names}


@transaction.atomic
def complete_initial_assessment(
    user,
    access: policy.CaseAccess,
    *,
    finding: str,
    emergency_needed: bool,
    risk_level: str = "",
    notes: str = "",
    child=None,
    create_child: bool = False,
    child_name: str = "",
    data: dict | None = None,
    late_reason: str = "",
) -> Case:
    """Mẫu 02: the initial risk assessment; decides on emergency measures and opens the next steps."""
    _require(access, StepKind.INITIAL_ASSESSMENT)
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    if finding not in (Finding.HARMED, Finding.AT_RISK, Finding.UNFOUNDED):
        raise _err("finding", "Kết quả đánh giá ban đầu: chọn bị xâm hại, có nguy cơ hoặc không có căn cứ.")
    before = _state(case, "finding", "emergency_needed", "risk_level", "status", "child_id", "plan_start")
    if finding != Finding.UNFOUNDED and case.child_id is None:
        if child is not None:
            _link_child(user, case, child)
        elif create_child:
            _link_child(user, case, _provisional_child(user, case, child_name))
        else:
            raise _err("child", "Trẻ em: chọn hồ sơ trẻ em trong sổ theo dõi hoặc tạo hồ sơ tạm thời.")
    now = cal.now()
    _complete(
        user,
        case,
        StepKind.INITIAL_ASSESSMENT,
        {
            "finding": finding,
            "risk_level": risk_level,
            "emergency_needed": bool(emergency_needed),
            **(data or {}),
        },
        notes,
        late_reason,
    )
    case.finding, case.risk_level = finding, risk_level
    case.emergency_needed = bool(emergency_needed) and finding != Finding.UNFOUNDED
    emergency = open_step(case, StepKind.EMERGENCY)
    if finding == Finding.UNFOUNDED:
        if emergency:
            emergency.status = StepStatus.SKIPPED
            emergency.save()
        case.status, case.closed_at, case.closure_reason = CaseStatus.CLOSED, now, ClosureReason.UNFOUNDED
        _save_case(user, case, before, "đánh giá ban đầu: không có căn cứ")
        return case
    case.status = CaseStatus.ASSESSMENT
    if case.emergency_needed:
        if (
            emergency is None
            and not case.steps.filter(kind=StepKind.EMERGENCY, status=StepStatus.DONE).exists()
        ):
            _open_step(case, StepKind.EMERGENCY, now, case.received_at)
        _open_step(case, StepKind.INFO_GATHERING, now, None)
        _open_step(case, StepKind.PLAN, now, None)
    else:
        if emergency:
            emergency.status = StepStatus.SKIPPED
            emergency.save()
        case.plan_start = case.received_at
        _open_step(case, StepKind.INFO_GATHERING, now, case.plan_start)
        _open_step(case, StepKind.PLAN, now, case.plan_start)
    _save_case(user, case, before, "đánh giá nguy cơ ban đầu")
    return case


def _provisional_child(user, case: Case, name: str = ""):
    """A provisional registry record for the reported child, through the registry's own service."""
    from treem.registry.services import RegistryError, create_provisional_child

    full_name = (name or case.reported_child_name or "").strip() or "Trẻ Chưa Rõ Tên"
    try:
        return create_provisional_child(
            user, case.commune, full_name, birth_date=case.child_birth_date, sex=case.child_sex or ""
        )
    except RegistryError as error:
        raise _err(
            "child_name" if error.field == "full_name" else "child", f"Hồ sơ trẻ em tạm thời: {error.message}"
        ) from error


@transaction.atomic
def record_emergency(
    user, access: policy.CaseAccess, *, measures: list[str], notes: str = "", late_reason: str = ""
) -> Case:
    """Emergency intervention (within 12 hours of the information); the plan's 5 working days run from its end."""
    _require(access, StepKind.EMERGENCY)
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    if not measures:
        raise _err("measures", "Biện pháp can thiệp khẩn cấp: chọn ít nhất một biện pháp.")
    step = _complete(user, case, StepKind.EMERGENCY, {"measures": list(measures)}, notes, late_reason)
    before = _state(case, "plan_start")
    case.plan_start = step.completed_at
    for kind in (StepKind.INFO_GATHERING, StepKind.PLAN):
        s = open_step(case, kind)
        if s is not None:
            s.due_at = deadline(kind, case.plan_start)
            s.save()
    _save_case(user, case, before, "can thiệp khẩn cấp")
    return case


def _check_separation(start: datetime.datetime, end: datetime.datetime) -> None:
    if end <= start:
        raise _err("end", "Kết thúc cách ly phải sau thời điểm bắt đầu.")
    if end - start > SEPARATION_MAX:
        raise _err(
            "end",
            f"Kết thúc cách ly: tạm thời cách ly không quá 15 ngày (Nghị định 56/2017, Điều 31), "
            f"muộn nhất {_fmt(start + SEPARATION_MAX)}.",
        )


@transaction.atomic
def start_separation(
    user,
    access: policy.CaseAccess,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    place: str = "",
    carer: str = "",
    reason: str = "",
    decision_number: str = "",
) -> Separation:
    """Mẫu 07: a temporary separation of at most 15 days; one at a time."""
    if not (access.can_work or access.can_decide):
        raise PermissionDenied("Bạn không có quyền quyết định tạm thời cách ly trẻ em.")
    case = access.case
    _check_separation(start, end)
    if case.separations.filter(ended_at__isnull=True).exists():
        raise _err("start", "Trẻ em đang được tạm thời cách ly: kết thúc lần cách ly hiện tại trước.")
    sep = Separation.objects.create(
        case=case,
        start=start,
        end=end,
        place=place,
        carer=carer,
        reason=reason,
        decision_number=decision_number,
        decided_by=user,
    )
    _audit(
        user,
        "create",
        sep,
        {"start": [None, str(start)], "end": [None, str(end)]},
        case,
        reason="tạm thời cách ly",
    )
    return sep


@transaction.atomic
def extend_separation(user, access: policy.CaseAccess, sep: Separation, end: datetime.datetime) -> Separation:
    """Move the end of a separation, still within 15 days of its start."""
    if not (access.can_work or access.can_decide) or sep.case_id != access.case.pk:
        raise PermissionDenied("Bạn không có quyền sửa quyết định cách ly này.")
    _check_separation(sep.start, end)
    old = sep.end
    sep.end = end
    sep.save()
    _audit(
        user, "update", sep, {"end": [str(old), str(end)]}, access.case, reason="điều chỉnh thời hạn cách ly"
    )
    return sep


@transaction.atomic
def end_separation(user, access: policy.CaseAccess, sep: Separation, outcome: str) -> Separation:
    """End a separation: the child returns home or goes to alternative care."""
    if not (access.can_work or access.can_decide) or sep.case_id != access.case.pk:
        raise PermissionDenied("Bạn không có quyền kết thúc cách ly này.")
    if not outcome.strip():
        raise _err("outcome", "Kết quả: ghi trẻ em trở về gia đình hay được chăm sóc thay thế.")
    sep.ended_at, sep.outcome = cal.now(), outcome.strip()
    sep.save()
    _audit(
        user, "update", sep, {"ended_at": [None, str(sep.ended_at)]}, access.case, reason="kết thúc cách ly"
    )
    return sep


@transaction.atomic
def complete_info_gathering(
    user,
    access: policy.CaseAccess,
    *,
    meeting_date: datetime.date,
    participants: str = "",
    needs: str = "",
    risk_level: str = "",
    late_reason: str = "",
) -> Case:
    """Mẫu 03: information gathering, specific risk assessment and the needs meeting chaired by the chairman."""
    _require(access, StepKind.INFO_GATHERING)
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    if meeting_date is None:
        raise _err("meeting_date", "Ngày họp đánh giá nhu cầu: bắt buộc.")
    if meeting_date > cal.today():
        raise _err("meeting_date", f"Ngày họp đánh giá nhu cầu {format_vn_date(meeting_date)} ở tương lai.")
    before = _state(case, "risk_level", "status")
    _complete(
        user,
        case,
        StepKind.INFO_GATHERING,
        {"meeting_date": meeting_date.isoformat(), "participants": participants, "risk_level": risk_level},
        needs,
        late_reason,
    )
    if risk_level:
        case.risk_level = risk_level
    case.status = CaseStatus.PLANNING
    _save_case(user, case, before, "thu thập thông tin, đánh giá nhu cầu")
    return case


PLAN_ITEM_FIELDS = [
    "service",
    "service_kind",
    "start",
    "end",
    "agency",
    "agency_name",
    "responsible_person",
    "provider",
    "budget_vnd",
]


def _require_plan_editable(access: policy.CaseAccess) -> None:
    if not access.can_work:
        raise PermissionDenied("Bạn không có quyền lập kế hoạch của hồ sơ này.")
    if access.case.status not in (CaseStatus.ASSESSMENT, CaseStatus.PLANNING):
        raise _err("__all__", "Chỉ sửa kế hoạch khi hồ sơ đang ở bước xây dựng kế hoạch.")


@transaction.atomic
def add_plan_item(user, access: policy.CaseAccess, **fields) -> PlanItem:
    """Add a service or task to the current plan (Mẫu 04)."""
    _require_plan_editable(access)
    case = access.case
    item = PlanItem(case=case, cycle=case.cycle, **{k: v for k, v in fields.items() if k in PLAN_ITEM_FIELDS})
    if not (item.service or "").strip():
        raise _err("service", "Dịch vụ, hoạt động: bắt buộc.")
    if item.start is None:
        raise _err("start", "Ngày bắt đầu: bắt buộc.")
    if item.end is None:
        raise _err("end", "Ngày kết thúc: bắt buộc.")
    if item.end < item.start:
        raise _err(
            "end",
            f"Ngày kết thúc {format_vn_date(item.end)} trước ngày bắt đầu {format_vn_date(item.start)}.",
        )
    if item.budget_vnd is not None and item.budget_vnd < 0:
        raise _err("budget_vnd", "Kinh phí không được âm.")
    if not item.agency_id and not (item.agency_name or "").strip():
        raise _err("agency_name", "Cơ quan chịu trách nhiệm: chọn cơ quan hoặc ghi tên.")
    if item.agency_id and not item.agency_name:
        item.agency_name = item.agency.name
    item.order = (case.plan_items.filter(cycle=case.cycle).aggregate(m=Max("order"))["m"] or 0) + 1
    item.save()
    _audit(
        user,
        "create",
        item,
        {
            "start": [None, str(item.start)],
            "end": [None, str(item.end)],
            "budget_vnd": [None, item.budget_vnd],
        },
        case,
        reason="thêm hoạt động vào kế hoạch",
    )
    return item


@transaction.atomic
def delete_plan_item(user, access: policy.CaseAccess, item: PlanItem) -> None:
    """Remove a service from the plan being drafted."""
    _require_plan_editable(access)
    if item.case_id != access.case.pk:
        raise PermissionDenied("Hoạt động không thuộc hồ sơ này.")
    _audit(user, "delete", item, {}, access.case, reason="xóa hoạt động khỏi kế hoạch")
    item.delete()


@transaction.atomic
def submit_plan(user, access: policy.CaseAccess, *, objectives: str = "", late_reason: str = "") -> Case:
    """Mẫu 04 / draft Mẫu 05: submit the plan to the chairman, who has 2 working days to approve it."""
    _require(access, StepKind.PLAN)
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    if open_step(case, StepKind.INFO_GATHERING) is not None:
        raise _err(
            "__all__",
            "Hoàn thành bước thu thập thông tin, đánh giá nhu cầu (Mẫu 03) trước khi trình kế hoạch.",
        )
    if not case.plan_items.filter(cycle=case.cycle).exists():
        raise _err("plan_items", "Kế hoạch chưa có dịch vụ, hoạt động nào.")
    before = _state(case, "status")
    step = _complete(user, case, StepKind.PLAN, {"objectives": objectives}, "", late_reason)
    _open_step(case, StepKind.APPROVAL, step.completed_at, step.completed_at)
    case.status = CaseStatus.AWAITING_APPROVAL
    _save_case(user, case, before, "trình kế hoạch hỗ trợ, can thiệp")
    return case


@transaction.atomic
def approve_plan(
    user,
    access: policy.CaseAccess,
    *,
    decision_number: str = "",
    notify_implementers: bool = False,
    notify_family: bool = False,
    late_reason: str = "",
) -> Case:
    """Mẫu 05: the chairman approves the plan; implementers and parents are notified; implementation starts."""
    _require(access, StepKind.APPROVAL)
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    before = _state(case, "status", "plan_approved_at")
    step = _complete(
        user,
        case,
        StepKind.APPROVAL,
        {
            "decision": "approved",
            "decision_number": decision_number,
            "notified_implementers": bool(notify_implementers),
            "notified_family": bool(notify_family),
        },
        "",
        late_reason,
    )
    if case.plan_approved_at is None:
        case.plan_approved_at = step.completed_at
    case.status = CaseStatus.IMPLEMENTING
    _open_step(case, StepKind.IMPLEMENTATION, step.completed_at, None)
    last_end = case.plan_items.filter(cycle=case.cycle).aggregate(m=Max("end"))["m"]
    review = _open_step(case, StepKind.REVIEW, step.completed_at, None)
    review.due_at = cal.end_of_day(last_end) if last_end else None
    review.save()
    _save_case(user, case, before, "phê duyệt kế hoạch")
    return case


@transaction.atomic
def return_plan(user, access: policy.CaseAccess, *, reason: str) -> Case:
    """The chairman returns the plan for changes; the officer has 2 more working days."""
    _require(access, StepKind.APPROVAL)
    if not (reason or "").strip():
        raise _err("reason", "Lý do trả lại: bắt buộc.")
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    before = _state(case, "status")
    step = open_step(case, StepKind.APPROVAL)
    step.status, step.completed_at, step.completed_by = StepStatus.DONE, cal.now(), user
    step.data = {**step.data, "decision": "returned", "reason": reason}
    step.save()
    plan = CaseStep.objects.create(
        case=case,
        cycle=case.cycle,
        kind=StepKind.PLAN,
        opened_at=step.completed_at,
        due_at=cal.end_of_day(cal.add_working_days(_local_date(step.completed_at), 2)),
    )
    _audit(user, "create", plan, {"kind": [None, StepKind.PLAN]}, case, reason="trả lại kế hoạch")
    case.status = CaseStatus.PLANNING
    _save_case(user, case, before, "trả lại kế hoạch để sửa")
    return case


@transaction.atomic
def update_plan_item(
    user, access: policy.CaseAccess, item: PlanItem, *, done: bool, result: str = ""
) -> PlanItem:
    """Record that a service of the approved plan was delivered, with its result."""
    if not access.can_work or item.case_id != access.case.pk:
        raise PermissionDenied("Bạn không có quyền cập nhật hoạt động này.")
    item.done, item.result = done, result
    item.save()
    _audit(
        user, "update", item, {"done": [not done, done]}, access.case, reason="cập nhật thực hiện kế hoạch"
    )
    return item


@transaction.atomic
def review_case(
    user,
    access: policy.CaseAccess,
    *,
    outcome: str,
    notes: str = "",
    closure_reason: str = ClosureReason.STABLE,
    decided_on: datetime.date | None = None,
    late_reason: str = "",
) -> Case:
    """Mẫu 06: review the plan's results; close the case (the chairman's decision) or start a new plan cycle."""
    _require(access, StepKind.REVIEW)
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    if outcome not in ReviewOutcome.values:
        raise _err("outcome", "Kết luận: đóng hồ sơ hoặc xây dựng kế hoạch mới.")
    if outcome == ReviewOutcome.CLOSE and closure_reason not in ClosureReason.values:
        raise _err("closure_reason", "Lý do đóng hồ sơ: chọn trong danh mục.")
    before = _state(case, "status", "cycle", "closed_at", "closure_reason", "plan_start")
    step = _complete(
        user,
        case,
        StepKind.REVIEW,
        {
            "outcome": outcome,
            "closure_reason": closure_reason if outcome == "close" else "",
            "decided_on": decided_on.isoformat() if decided_on else "",
        },
        notes,
        late_reason,
    )
    impl = open_step(case, StepKind.IMPLEMENTATION)
    if impl is not None:
        impl.status, impl.completed_at, impl.completed_by = StepStatus.DONE, step.completed_at, user
        impl.save()
    if outcome == ReviewOutcome.CLOSE:
        case.status, case.closed_at, case.closure_reason = (
            CaseStatus.CLOSED,
            step.completed_at,
            closure_reason,
        )
        case.separations.filter(ended_at__isnull=True).update(
            ended_at=step.completed_at, outcome="đóng hồ sơ"
        )
    else:
        _new_cycle(case, step.completed_at)
    _save_case(
        user,
        case,
        before,
        "đánh giá kết quả, " + ("đóng hồ sơ" if outcome == ReviewOutcome.CLOSE else "chu kỳ mới"),
    )
    return case


def _new_cycle(case: Case, at: datetime.datetime) -> None:
    case.cycle += 1
    case.plan_start = at
    case.status = CaseStatus.ASSESSMENT
    case.save()
    _open_step(case, StepKind.INFO_GATHERING, at, at)
    _open_step(case, StepKind.PLAN, at, at)


@transaction.atomic
def reopen_case(user, access: policy.CaseAccess, *, reason: str) -> Case:
    """Re-open a closed case: a new cycle of information gathering and planning."""
    if not access.can_reopen():
        raise PermissionDenied("Bạn không có quyền mở lại hồ sơ này.")
    if not (reason or "").strip():
        raise _err("reason", "Lý do mở lại: bắt buộc.")
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    before = _state(case, "status", "cycle", "closed_at", "closure_reason")
    case.closed_at, case.closure_reason = None, ""
    case.reopened_count += 1
    _new_cycle(case, cal.now())
    _save_case(user, case, before, f"mở lại hồ sơ: {reason}")
    return case


# ---------------------------------------------------------------------------------------- consent and referrals


def consent_status(case: Case) -> dict:
    """Which consents are in force and whether information may be shared with another agency."""
    live = case.consents.filter(withdrawn_at__isnull=True).order_by("-recorded_at")
    latest = {}
    for c in live:
        latest.setdefault(c.party, c.given)
    age = child_age(case)
    child_needed = age is None or age >= CONSENT_CHILD_AGE
    parent_ok = latest.get(ConsentParty.PARENT) is True
    child_ok = latest.get(ConsentParty.CHILD) is True
    return {
        "parent": latest.get(ConsentParty.PARENT),
        "child": latest.get(ConsentParty.CHILD),
        "child_needed": child_needed,
        "child_age": age,
        "ok": parent_ok and (child_ok or not child_needed),
    }


@transaction.atomic
def record_consent(
    user,
    access: policy.CaseAccess,
    *,
    party: str,
    given: bool,
    person_name: str = "",
    scope: str = "",
    method: str = "written",
) -> Consent:
    """Record the consent (or refusal) of the parent or of the child aged 7 and over."""
    if not access.can_work:
        raise PermissionDenied("Bạn không có quyền ghi nhận sự đồng ý của hồ sơ này.")
    if party not in ConsentParty.values:
        raise _err("party", "Người đồng ý: cha, mẹ, người giám hộ hoặc trẻ em.")
    consent = Consent.objects.create(
        case=access.case,
        party=party,
        given=given,
        person_name=person_name,
        scope=scope,
        method=method,
        recorded_at=cal.now(),
        recorded_by=user,
    )
    _audit(
        user,
        "create",
        consent,
        {"party": [None, party], "given": [None, given]},
        access.case,
        reason="ghi nhận sự đồng ý",
    )
    return consent


@transaction.atomic
def create_referral(
    user,
    access: policy.CaseAccess,
    *,
    service: str,
    purpose: str,
    to_agency=None,
    to_unit=None,
    to_name: str = "",
    override_reason: str = "",
) -> Referral:
    """Refer the child to a service; sharing needs consent (parent, and child aged 7+) or a logged emergency override."""
    if not access.can_work:
        raise PermissionDenied("Bạn không có quyền chuyển gửi hồ sơ này.")
    case = access.case
    if case.status not in (
        CaseStatus.ASSESSMENT,
        CaseStatus.PLANNING,
        CaseStatus.AWAITING_APPROVAL,
        CaseStatus.IMPLEMENTING,
    ):
        raise _err("__all__", "Chỉ chuyển gửi khi hồ sơ đã qua đánh giá ban đầu và chưa đóng.")
    if service not in ServiceKind.values:
        raise _err("service", "Dịch vụ: chọn trong danh mục.")
    if not (purpose or "").strip():
        raise _err("purpose", "Nội dung đề nghị: bắt buộc.")
    to_unit = to_unit or (to_agency.unit if to_agency is not None else None)
    if to_unit is None:
        raise _err("to_agency", "Cơ quan nhận: chọn cơ quan hoặc địa bàn nhận.")
    if to_agency is None and not to_name.strip():
        raise _err("to_name", "Nơi nhận: ghi tên cơ sở khi không chọn cơ quan trong danh mục.")
    override = None
    if not consent_status(case)["ok"]:
        if not (override_reason or "").strip():
            raise _err(
                "consent",
                "Chưa có sự đồng ý của cha, mẹ (người giám hộ) và của trẻ em từ đủ 7 tuổi: ghi nhận sự đồng ý, "
                "hoặc ghi lý do khẩn cấp để chia sẻ không cần đồng ý.",
            )
        override = ConsentOverride.objects.create(
            case=case, reason=override_reason.strip(), by=user, at=cal.now()
        )
        _audit(
            user,
            "other",
            override,
            {},
            case,
            reason=f"chia sẻ khẩn cấp không cần đồng ý: {override_reason.strip()}",
        )
    ref = Referral.objects.create(
        case=case,
        service=service,
        to_agency=to_agency,
        to_unit=to_unit,
        to_name=to_name,
        purpose=purpose,
        sent_at=cal.now(),
        sent_by=user,
        consent_override=override,
    )
    _audit(
        user,
        "create",
        ref,
        {
            "service": [None, service],
            "to_unit_id": [None, to_unit.pk],
            "to_agency_id": [None, getattr(to_agency, "pk", None)],
        },
        case,
        reason="chuyển gửi",
    )
    return ref


def can_respond_referral(user, ref: Referral) -> bool:
    """Case workers record any answer; police answer referrals sent to them."""
    access = policy.CaseAccess(user, ref.case)
    if access.can_work:
        return True
    return policy.POLICE in access.relations and ref.service == ServiceKind.POLICE


@transaction.atomic
def update_referral(user, ref: Referral, *, status: str, outcome: str = "") -> Referral:
    """Move a referral along sent → accepted / refused → done, with its outcome."""
    if not can_respond_referral(user, ref):
        raise PermissionDenied("Bạn không có quyền cập nhật chuyển gửi này.")
    if status not in REFERRAL_NEXT.get(ref.status, set()):
        raise _err(
            "status",
            f"Tình trạng: không chuyển được từ «{ref.get_status_display()}» sang «{ReferralStatus(status).label if status in ReferralStatus.values else status}».",
        )
    if status == ReferralStatus.DONE and not outcome.strip():
        raise _err("outcome", "Kết quả: bắt buộc khi hoàn thành.")
    old = ref.status
    now = cal.now()
    ref.status = status
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.REFUSED):
        ref.responded_at, ref.responded_by = now, user
    if status == ReferralStatus.DONE:
        ref.done_at = now
    if outcome:
        ref.outcome = outcome
    ref.save()
    _audit(user, "update", ref, {"status": [old, status]}, ref.case, reason="cập nhật chuyển gửi")
    return ref


# ---------------------------------------------------------------------------------------- assignment, transfer, grants


def _eligible_worker(user_obj, commune) -> bool:
    return (
        policy.units_for_roles(user_obj, {Role.CASE_WORKER, Role.COMMUNE_OFFICER})
        .filter(pk=commune.pk)
        .exists()
    )


@transaction.atomic
def assign(user, access: policy.CaseAccess, worker, primary: bool = False) -> CaseAssignment:
    """Assign a worker of the case's commune (by the commune officer or a supervisor)."""
    if not (access.relations & policy.MANAGE_RELATIONS):
        raise PermissionDenied("Chỉ công chức phụ trách trẻ em của xã hoặc người giám sát được phân công.")
    case = access.case
    if not _eligible_worker(worker, case.commune):
        raise _err(
            "worker",
            f"Người được phân công: {worker} không phải người làm công tác bảo vệ trẻ em của {case.commune.full_name}.",
        )
    if primary:
        case.assignments.filter(active=True, primary=True).update(primary=False)
    a, created = CaseAssignment.objects.get_or_create(
        case=case,
        user=worker,
        active=True,
        defaults={"primary": primary, "assigned_by": user, "assigned_at": cal.now()},
    )
    if not created and a.primary != primary:
        a.primary = primary
        a.save()
    _audit(
        user,
        "create" if created else "update",
        a,
        {"user_id": [None, worker.pk], "primary": [None, primary]},
        case,
        reason="phân công",
    )
    return a


@transaction.atomic
def unassign(user, access: policy.CaseAccess, assignment: CaseAssignment) -> None:
    """End an assignment."""
    if not (access.relations & policy.MANAGE_RELATIONS) or assignment.case_id != access.case.pk:
        raise PermissionDenied("Bạn không có quyền thôi phân công.")
    assignment.active, assignment.ended_at = False, cal.now()
    assignment.save()
    _audit(user, "update", assignment, {"active": [True, False]}, access.case, reason="thôi phân công")


@transaction.atomic
def request_transfer(
    user, access: policy.CaseAccess, *, kind: str, reason: str, to_user=None, to_unit=None
) -> Transfer:
    """Ask to hand the case to another worker or commune; it moves when the receiver accepts."""
    if not access.can_manage or not access.case.is_open:
        raise PermissionDenied("Bạn không có quyền chuyển giao hồ sơ này.")
    case = access.case
    if not (reason or "").strip():
        raise _err("reason", "Lý do chuyển giao: bắt buộc.")
    if case.transfers.filter(status=TransferStatus.PENDING).exists():
        raise _err("__all__", "Hồ sơ đang chờ tiếp nhận một lần chuyển giao khác.")
    if kind == TransferKind.WORKER:
        if to_user is None:
            raise _err("to_user", "Người nhận: bắt buộc.")
        if not _eligible_worker(to_user, case.commune):
            raise _err(
                "to_user",
                f"Người nhận: {to_user} không làm công tác bảo vệ trẻ em ở {case.commune.full_name}.",
            )
        to_unit = None
    elif kind == TransferKind.COMMUNE:
        if to_unit is None:
            raise _err("to_unit", "Xã, phường nhận: bắt buộc.")
        if to_unit.level != Level.COMMUNE or not to_unit.is_current or to_unit.pk == case.commune_id:
            raise _err("to_unit", "Xã, phường nhận: chọn một xã, phường khác đang có hiệu lực.")
        to_user = None
    else:
        raise _err("kind", "Loại chuyển giao: người phụ trách hoặc xã, phường.")
    t = Transfer.objects.create(
        case=case,
        kind=kind,
        to_user=to_user,
        to_unit=to_unit,
        from_unit=case.commune,
        reason=reason,
        requested_by=user,
        requested_at=cal.now(),
    )
    _audit(
        user,
        "create",
        t,
        {
            "kind": [None, kind],
            "to_unit_id": [None, getattr(to_unit, "pk", None)],
            "to_user_id": [None, getattr(to_user, "pk", None)],
        },
        case,
        reason="đề nghị chuyển giao",
    )
    return t


def transfer_receivers(t: Transfer) -> QuerySet:
    """Users who may accept a transfer."""
    if t.kind == TransferKind.WORKER:
        return User.objects.filter(pk=t.to_user_id, is_active=True)
    return _users_with_role_over(t.to_unit, {Role.COMMUNE_OFFICER})


def incoming_transfers(user) -> QuerySet:
    """Pending transfers the user may accept (shown without opening the case)."""
    worker = Q(kind=TransferKind.WORKER, to_user=user)
    commune = Q(
        kind=TransferKind.COMMUNE,
        to_unit__in=policy.units_for_roles(user, {Role.COMMUNE_OFFICER}).values("id"),
    )
    return (
        Transfer.objects.filter(status=TransferStatus.PENDING)
        .filter(worker | commune)
        .select_related("case", "to_unit", "from_unit")
    )


@transaction.atomic
def respond_transfer(user, transfer: Transfer, *, accept: bool, note: str = "") -> Transfer:
    """Accept (the case moves) or refuse a transfer."""
    if not incoming_transfers(user).filter(pk=transfer.pk).exists():
        raise PermissionDenied("Bạn không phải người nhận lần chuyển giao này.")
    if not accept and not note.strip():
        raise _err("response_note", "Ý kiến: ghi lý do từ chối.")
    now = cal.now()
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REFUSED
    transfer.responded_by, transfer.responded_at, transfer.response_note = user, now, note
    transfer.save()
    if accept:
        if transfer.kind == TransferKind.WORKER:
            old = case.assignments.filter(active=True, primary=True).exclude(user=user)
            old.update(active=False, ended_at=now)
            CaseAssignment.objects.get_or_create(
                case=case,
                user=user,
                active=True,
                defaults={"primary": True, "assigned_by": transfer.requested_by, "assigned_at": now},
            )
            case.assignments.filter(active=True, user=user).update(primary=True)
        else:
            before = _state(case, "commune_id")
            case.assignments.filter(active=True).update(active=False, ended_at=now)
            case.commune = transfer.to_unit
            CaseAssignment.objects.create(
                case=case, user=user, primary=True, assigned_by=user, assigned_at=now
            )
            _save_case(user, case, before, "chuyển hồ sơ về xã, phường khác")
    _audit(
        user,
        "update",
        transfer,
        {"status": [TransferStatus.PENDING, transfer.status]},
        case,
        reason="trả lời chuyển giao",
    )
    return transfer


@transaction.atomic
def grant_access(
    user,
    access: policy.CaseAccess,
    *,
    reason: str,
    to_user=None,
    role: str = "",
    unit=None,
    sensitive: bool = False,
    expires_at: datetime.datetime | None = None,
) -> CaseGrant:
    """Grant a user, or a role in a unit, access to the case (need-to-know, with a reason)."""
    if not (access.relations & (policy.MANAGE_RELATIONS | {policy.CHAIRMAN})):
        raise PermissionDenied(
            "Chỉ công chức phụ trách, người giám sát hoặc Chủ tịch UBND xã được cấp quyền xem hồ sơ."
        )
    if not (reason or "").strip():
        raise _err("reason", "Lý do cấp quyền: bắt buộc.")
    if to_user is None and not (role and unit is not None):
        raise _err("to_user", "Người được cấp quyền: chọn người dùng, hoặc vai trò và đơn vị.")
    if role and role not in Role.values:
        raise _err("role", "Vai trò: chọn trong danh mục.")
    g = CaseGrant.objects.create(
        case=access.case,
        user=to_user,
        role=role if to_user is None else "",
        unit=unit if to_user is None else None,
        sensitive=sensitive,
        reason=reason,
        granted_by=user,
        granted_at=cal.now(),
        expires_at=expires_at,
    )
    _audit(
        user,
        "create",
        g,
        {
            "user_id": [None, getattr(to_user, "pk", None)],
            "role": [None, role],
            "sensitive": [None, sensitive],
        },
        access.case,
        reason=f"cấp quyền xem hồ sơ: {reason}",
    )
    return g


@transaction.atomic
def revoke_grant(user, access: policy.CaseAccess, grant: CaseGrant) -> None:
    """Revoke an explicit grant."""
    if (
        not (access.relations & (policy.MANAGE_RELATIONS | {policy.CHAIRMAN}))
        or grant.case_id != access.case.pk
    ):
        raise PermissionDenied("Bạn không có quyền thu hồi quyền này.")
    grant.revoked_at = cal.now()
    grant.save()
    _audit(user, "update", grant, {"revoked": [False, True]}, access.case, reason="thu hồi quyền xem hồ sơ")


@transaction.atomic
def add_photo(
    user, access: policy.CaseAccess, *, content: bytes, content_type: str, caption: str = ""
) -> CasePhoto:
    """Attach a photo (JPEG or PNG, at most 5 MB), stored encrypted."""
    if not access.can_work:
        raise PermissionDenied("Bạn không có quyền thêm ảnh vào hồ sơ này.")
    if content_type not in PHOTO_TYPES:
        raise _err("photo", "Ảnh: chỉ nhận tệp JPEG hoặc PNG.")
    if len(content) > PHOTO_MAX_BYTES:
        raise _err("photo", "Ảnh: tối đa 5 MB.")
    photo = CasePhoto.objects.create(
        case=access.case,
        content=content,
        content_type=content_type,
        caption=caption,
        uploaded_by=user,
        uploaded_at=cal.now(),
    )
    _audit(user, "create", photo, {}, access.case, reason="thêm ảnh")
    return photo


# ---------------------------------------------------------------------------------------- tasks and alerts


@dataclass
class Task:
    """Something a user has to do on a case, with its deadline."""

    case: Case
    kind: str
    title: str
    due_at: datetime.datetime | None
    overdue: bool


def _work_cases(user) -> QuerySet:
    assigned = CaseAssignment.objects.filter(user=user, active=True).values("case_id")
    officer = policy.units_for_roles(user, {Role.COMMUNE_OFFICER}).values("id")
    return Case.objects.filter(Q(id__in=assigned) | Q(commune__in=officer)).filter(
        status__in=[s for s in CaseStatus.values if s != "closed"]
    )


def my_cases(user) -> QuerySet:
    """Open cases the user works on, with the next deadline of their open steps (`next_due`), soonest first."""
    from django.db.models import Min

    nxt = Min("steps__due_at", filter=Q(steps__status=StepStatus.OPEN))
    return (
        _work_cases(user)
        .select_related("commune", "child")
        .annotate(next_due=nxt)
        .order_by(F("next_due").asc(nulls_last=True))
    )


def tasks_for(user) -> list[Task]:
    """The user's open tasks on cases, soonest deadline first; overdue ones flagged."""
    now = cal.now()
    tasks: list[Task] = []
    work = _work_cases(user)
    chair = policy.units_for_roles(user, {Role.CHAIRMAN}).values("id")
    steps = (
        CaseStep.objects.filter(status=StepStatus.OPEN)
        .filter(
            Q(case__in=work.values("id")) & ~Q(kind=StepKind.APPROVAL)
            | Q(kind=StepKind.APPROVAL, case__commune__in=chair)
        )
        .select_related("case", "case__commune", "case__child")
    )
    for s in steps:
        if s.kind == StepKind.IMPLEMENTATION:
            continue
        tasks.append(Task(s.case, s.kind, s.get_kind_display(), s.due_at, bool(s.due_at and s.due_at < now)))
    for sep in Separation.objects.filter(case__in=work.values("id"), ended_at__isnull=True).select_related(
        "case", "case__child"
    ):
        tasks.append(
            Task(sep.case, "separation", "Kết thúc tạm thời cách ly (tối đa 15 ngày)", sep.end, sep.end < now)
        )
    for item in PlanItem.objects.filter(
        case__in=work.values("id"), case__status=CaseStatus.IMPLEMENTING, done=False
    ).select_related("case"):
        if item.cycle == item.case.cycle:
            due = cal.end_of_day(item.end)
            tasks.append(Task(item.case, "plan_item", f"Thực hiện: {item.service}", due, due < now))
    for ref in Referral.objects.filter(
        status=ReferralStatus.SENT,
        service=ServiceKind.POLICE,
        case__in=policy.visible_cases(user).values("id"),
    ):
        if policy.POLICE in policy.relations(user, ref.case):
            tasks.append(Task(ref.case, "referral", f"Trả lời chuyển gửi: {ref.purpose}", None, False))
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    tasks.sort(key=lambda t: (not t.overdue, t.due_at or far))
    return tasks


def overdue_steps(user) -> QuerySet:
    """Open steps past their deadline on the cases the user works on or supervises."""
    supervised = policy.units_for_roles(user, {Role.SUPERVISOR, Role.CHAIRMAN}).values("id")
    cases = Case.objects.filter(Q(id__in=_work_cases(user).values("id")) | Q(commune__in=supervised))
    return (
        CaseStep.objects.filter(case__in=cases.values("id"), status=StepStatus.OPEN, due_at__lt=cal.now())
        .select_related("case", "case__commune")
        .order_by("due_at")
    )


def alert_recipients(case: Case, kind: str = "") -> list:
    """Who is alerted when a step of a case is overdue: assigned workers, the commune officers, supervisors (and the chairman for approval)."""
    users = {a.user for a in case.assignments.filter(active=True).select_related("user") if a.user.is_active}
    roles = {Role.COMMUNE_OFFICER, Role.SUPERVISOR} | (
        {Role.CHAIRMAN} if kind == StepKind.APPROVAL else set()
    )
    users |= set(_users_with_role_over(case.commune, roles))
    return sorted(users, key=lambda u: u.username)


def due_alerts() -> list[tuple[str, object, list]]:
    """Overdue steps and separations not yet alerted: (kind, object, recipients)."""
    now = cal.now()
    out = []
    for step in CaseStep.objects.filter(
        status=StepStatus.OPEN, due_at__lt=now, alerted_at__isnull=True
    ).select_related("case", "case__commune"):
        out.append(("step", step, alert_recipients(step.case, step.kind)))
    for sep in Separation.objects.filter(
        ended_at__isnull=True, end__lt=now, alerted_at__isnull=True
    ).select_related("case", "case__commune"):
        out.append(("separation", sep, alert_recipients(sep.case)))
    return out


def send_due_alerts() -> int:
    """E-mail the overdue alerts (no personal data) and mark them sent; returns how many."""
    n = 0
    now = cal.now()
    for kind, obj, recipients in due_alerts():
        case = obj.case
        what = obj.get_kind_display() if kind == "step" else "Tạm thời cách ly (quá 15 ngày)"
        due = obj.due_at if kind == "step" else obj.end
        emails = [u.email for u in recipients if u.email]
        if emails:
            send_mail(
                f"[TreEm] Quá hạn: {what} – hồ sơ {case.number}",
                f"Bước «{what}» của hồ sơ {case.number} ({case.commune.full_name}) đã quá hạn {_fmt(due)}.",
                settings.DEFAULT_FROM_EMAIL,
                emails,
                fail_silently=True,
            )
        obj.alerted_at = now
        obj.save(update_fields=["alerted_at"])
        n += 1
    return n


# ---------------------------------------------------------------------------------------- choices for forms


def eligible_workers(commune) -> QuerySet:
    """Case workers and commune officers whose scope covers the commune."""
    return _users_with_role_over(commune, {Role.CASE_WORKER, Role.COMMUNE_OFFICER}).order_by("username")


def agencies_for(commune) -> QuerySet:
    """Agencies of the commune and of the units above it (and of their predecessors)."""
    from treem.accounts.models import Agency
    from treem.geo.models import UnitClosure, UnitSuccession

    above = UnitClosure.objects.filter(descendant=commune).values("ancestor_id")
    preds = UnitSuccession.objects.filter(successor__in=above).values("predecessor_id")
    above_preds = UnitClosure.objects.filter(descendant__in=preds).values("ancestor_id")
    return (
        Agency.objects.filter(active=True)
        .filter(Q(unit__in=above) | Q(unit__in=above_preds))
        .select_related("unit")
        .order_by("unit__level", "name")
    )


def registry_children(user, case: Case) -> QuerySet:
    """Registry children of the case's commune the user may read (to link the case)."""
    from treem.registry.policy import visible_children

    return visible_children(user).filter(commune=case.commune).live()


def intake_communes(user) -> QuerySet:
    """Current communes a user may record notifications for."""
    from treem.geo.models import AdministrativeUnit

    return AdministrativeUnit.objects.current().filter(
        level=Level.COMMUNE, id__in=policy.units_for_roles(user, policy.INTAKE_ROLES).values("id")
    )
