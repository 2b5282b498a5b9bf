"""Writing values: one path for the form, the Excel upload, the API and DHIS2 imports.

Everything is checked before anything is written; the write is one transaction; each value carries a
version and a write naming an older version is refused (optimistic locking) — the whole save is then
rolled back and the reporter told who changed what. Every change is audited (who, when, old, new).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from treem.core.audit import record_change
from treem.core.text import format_vn_number
from treem.geo.models import AdministrativeUnit
from treem.indicators.models import CategoryOptionCombo, DataElement, Indicator
from treem.indicators.rules import combos_by_element

from . import access
from .models import DataValue, Submission, SubmissionStatus, ValueSource, ValueStatus
from .rounds import elements_of_submission, plan_elements
from .validation import Checker, CheckResult, Issue, outliers, parse_value

VALUE_STATUS_OF = {
    SubmissionStatus.DRAFT: ValueStatus.DRAFT,
    SubmissionStatus.RETURNED: ValueStatus.DRAFT,
    SubmissionStatus.SUBMITTED: ValueStatus.SUBMITTED,
    SubmissionStatus.APPROVED: ValueStatus.APPROVED,
}


@dataclass
class Change:
    """One value being written. `version` is the version the writer saw (0 = the cell was empty)."""

    data_element: int
    combo: int
    unit: int
    raw: object
    comment: str | None = None
    version: int | None = 0
    where: str = ""  # "Trang Số liệu, dòng 12" for Excel messages


@dataclass
class SaveResult:
    saved: int = 0
    unchanged: int = 0
    warnings: list[Issue] = field(default_factory=list)
    outliers: dict = field(default_factory=dict)


class SaveRejected(Exception):
    """Nothing was written: the errors (and conflicts) say why, in Vietnamese."""

    def __init__(self, errors: list[Issue], conflict: bool = False):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors
        self.conflict = conflict


def today() -> datetime.date:
    """Today in Viet Nam — or the date set in settings.TREEM_TODAY (tests, demonstrations of a past round)."""
    fixed = getattr(settings, "TREEM_TODAY", None)
    return datetime.date.fromisoformat(fixed) if fixed else timezone.localdate()


def now() -> datetime.datetime:
    """The current time — on the day of settings.TREEM_TODAY when it is set (so "on time" follows the clock)."""
    current = timezone.localtime()
    fixed = getattr(settings, "TREEM_TODAY", None)
    if not fixed:
        return current
    return current.replace(*datetime.date.fromisoformat(fixed).timetuple()[:3])


class Names:
    """Vietnamese names for messages, cached."""

    def __init__(self, elements=(), combos=(), units=()):
        self.de = {e.pk: e.name_vi for e in elements}
        self.combo = {c.pk: c.name_vi for c in combos}
        self.unit_names = {u.pk: u.full_name for u in units}

    def unit(self, pk):
        if pk not in self.unit_names:
            self.unit_names[pk] = AdministrativeUnit.objects.filter(pk=pk).values_list(
                "full_name", flat=True
            ).first() or str(pk)
        return self.unit_names[pk]

    def element(self, pk):
        if pk not in self.de:
            self.de[pk] = DataElement.objects.filter(pk=pk).values_list("name_vi", flat=True).first() or str(
                pk
            )
        return self.de[pk]

    def as_dict(self):
        return {"unit": self.unit, "de": self.element}


def context_for(sub: Submission):
    """Elements, combos, plan indicators and the allowed (element, unit) pairs of a submission."""
    elements = elements_of_submission(sub)
    combos = combos_by_element(elements)
    de_ids = {e.pk for e in elements}
    plan_de = {de.pk for des in plan_elements(sub.round.plan).values() for de in des}
    indicators = list(Indicator.objects.filter(components__target__plan=sub.round.plan).distinct())
    indicators = [i for i in indicators if i.numerator_id in plan_de]
    allowed = set(sub.responsibilities.values_list("data_element_id", "unit_id"))
    return elements, combos, indicators, allowed, de_ids


def check_changes(
    sub: Submission, changes: list[Change], *, submit: bool = False, ctx=None
) -> tuple[CheckResult, dict, dict]:
    """Check changes against type rules, responsibilities and the plan's checks.

    Returns (result, parsed {(de, combo, unit): Decimal|None}, current {(de, combo, unit): DataValue}).
    """
    elements, combos, indicators, allowed, _ = ctx or context_for(sub)
    all_combos = {c.pk: c for cs in combos.values() for c in cs}
    names = Names(elements, all_combos.values())
    res = CheckResult()
    parsed: dict = {}
    el_by_id = {e.pk: e for e in elements}
    for ch in changes:
        prefix = f"{ch.where}: " if ch.where else ""
        if (ch.data_element, ch.unit) not in allowed:
            res.errors.append(
                Issue(
                    f"{prefix}«{names.element(ch.data_element)}» của {names.unit(ch.unit)} không thuộc báo cáo này "
                    f"(do đơn vị khác báo cáo hoặc ngoài địa bàn).",
                    ch.data_element,
                    ch.combo,
                    ch.unit,
                )
            )
            continue
        if ch.combo not in {c.pk for c in combos.get(ch.data_element, [])}:
            res.errors.append(
                Issue(
                    f"{prefix}«{names.element(ch.data_element)}» không có phân tổ này.",
                    ch.data_element,
                    ch.combo,
                    ch.unit,
                )
            )
            continue
        value, error = parse_value(ch.raw, el_by_id[ch.data_element])
        if error:
            res.errors.append(
                Issue(
                    f"{prefix}{names.unit(ch.unit)}, «{names.element(ch.data_element)}» "
                    f"({all_combos[ch.combo].name_vi}): {error}",
                    ch.data_element,
                    ch.combo,
                    ch.unit,
                )
            )
            continue
        parsed[(ch.data_element, ch.combo, ch.unit)] = value
    units = sorted({k[2] for k in parsed} | ({u for _, u in allowed} if submit else set()))
    current = {
        (v.data_element_id, v.combo_id, v.unit_id): v
        for v in DataValue.objects.filter(period=sub.round.period, unit_id__in=units)
    }
    merged = {k: v.value for k, v in current.items()}
    for k, v in parsed.items():
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = v
    checker = Checker(sub.round.period, elements, combos, indicators)
    result = checker.check(merged, units, submit, names.as_dict())
    res.errors += result.errors
    res.warnings += result.warnings
    return res, parsed, current


@transaction.atomic
def save_values(
    sub: Submission,
    user,
    changes: list[Change],
    *,
    source: str = ValueSource.FORM,
    on: datetime.date | None = None,
    check_permission: bool = True,
) -> SaveResult:
    """Check and write values of a submission, all or nothing."""
    on = on or today()
    if check_permission:
        ok, why = access.can_edit(user, sub, on)
        if not ok:
            raise SaveRejected([Issue(why)])
    ctx = context_for(sub)
    res, parsed, current = check_changes(sub, changes, ctx=ctx)
    if res.errors:
        raise SaveRejected(res.errors)
    comments = {(c.data_element, c.combo, c.unit): c for c in changes}
    flagged = outliers(
        sub.round.period,
        {k: v for k, v in parsed.items() if v is not None and (k not in current or current[k].value != v)},
    )
    result = SaveResult(warnings=res.warnings, outliers=flagged)
    for msg in flagged.values():
        result.warnings.append(Issue(msg, blocking=False))
    conflicts: list[Issue] = []
    names = Names(ctx[0], [c for cs in ctx[1].values() for c in cs])
    status = VALUE_STATUS_OF[sub.status]
    now = timezone.now()
    for key, value in parsed.items():
        de, combo, unit = key
        ch = comments[key]
        existing = current.get(key)
        comment = ch.comment if ch.comment is not None else (existing.comment if existing else "")
        expected = ch.version or 0
        if existing is not None and existing.value == value and existing.comment == comment:
            result.unchanged += 1
            continue
        if existing is None and value is None:
            result.unchanged += 1
            continue
        where = f"{ch.where}: " if ch.where else ""
        if existing is not None and existing.version != expected or existing is None and expected:
            conflicts.append(_conflict(where, names, key, existing))
            continue
        if existing is None:
            try:
                with transaction.atomic():
                    obj = DataValue.objects.create(
                        data_element_id=de,
                        combo_id=combo,
                        unit_id=unit,
                        period=sub.round.period,
                        value=value,
                        status=status,
                        source=source,
                        submission=sub,
                        comment=comment,
                        followup=key in flagged,
                        updated_by=user if getattr(user, "is_authenticated", False) else None,
                    )
            except IntegrityError:
                conflicts.append(
                    _conflict(
                        where,
                        names,
                        key,
                        DataValue.objects.filter(
                            data_element_id=de, combo_id=combo, unit_id=unit, period=sub.round.period
                        ).first(),
                    )
                )
                continue
            record_change(
                user,
                "create",
                obj,
                {"value": [None, str(value)], "comment": [None, comment]}
                if comment
                else {"value": [None, str(value)]},
                unit=obj.unit,
            )
        elif value is None:
            deleted = DataValue.objects.filter(pk=existing.pk, version=expected).delete()[0]
            if not deleted:
                conflicts.append(
                    _conflict(where, names, key, DataValue.objects.filter(pk=existing.pk).first())
                )
                continue
            record_change(
                user, "delete", existing, {"value": [str(existing.value), None]}, unit=existing.unit
            )
        else:
            n = DataValue.objects.filter(pk=existing.pk, version=expected).update(
                value=value,
                comment=comment,
                version=F("version") + 1,
                status=status,
                source=source,
                submission=sub,
                followup=key in flagged or (existing.followup and existing.value == value),
                updated_at=now,
                updated_by=user if getattr(user, "is_authenticated", False) else None,
            )
            if not n:
                conflicts.append(
                    _conflict(where, names, key, DataValue.objects.filter(pk=existing.pk).first())
                )
                continue
            changes_ = {}
            if existing.value != value:
                changes_["value"] = [str(existing.value), str(value)]
            if existing.comment != comment:
                changes_["comment"] = [existing.comment, comment]
            record_change(user, "update", existing, changes_, unit=existing.unit)
        result.saved += 1
    if conflicts:
        transaction.set_rollback(True)
        raise SaveRejected(conflicts, conflict=True)
    if result.saved and sub.status == SubmissionStatus.DRAFT:
        Submission.objects.filter(pk=sub.pk).update(version=F("version") + 1, updated_at=now)
    return result


def _conflict(where: str, names: Names, key, current: DataValue | None) -> Issue:
    de, combo, unit = key
    combo_name = CategoryOptionCombo.objects.filter(pk=combo).values_list("name_vi", flat=True).first() or ""
    if current is None:
        text = "đã bị người khác xóa"
    else:
        who = (
            (current.updated_by.get_full_name() or current.updated_by.username)
            if current.updated_by_id
            else "người khác"
        )
        when = timezone.localtime(current.updated_at).strftime("%H:%M %d/%m/%Y")
        text = f"đã được {who} sửa lúc {when} (giá trị hiện tại: {format_vn_number(current.value)})"
    return Issue(
        f"{where}{names.unit(unit)}, «{names.element(de)}» ({combo_name}) {text} sau khi bạn mở biểu mẫu. "
        f"Số liệu của bạn CHƯA được lưu: hãy tải lại biểu mẫu, xem giá trị mới rồi nhập lại.",
        de,
        combo,
        unit,
    )
