"""Exchange with DHIS2: `dataValueSets` JSON and CSV, export and import, with code mapping.

Identifiers are codes (idScheme=code): a data element's DHIS2 code (`ExternalCode`, else its
`dhis2_code`, else its TreEm code), an org unit's mapped code (else its statistics-office code) and a
combo's mapped code (else `dhis2_code`, else TreEm code; the total is `default`). Unit codes are the
same in both generations for many communes, so an imported orgUnit code is read in the generation in
force during the period (before or after 1/7/2025) and at the level its length gives (2 province,
3 district, 5 commune).

Import follows DHIS2: references to unknown objects are ignored and reported as conflicts; valid
values are imported (CREATE_AND_UPDATE by default, DELETE removes); `dryRun` checks without writing.
Values of approved reports are locked and refused. Only units the importing user manages (or may edit)
are accepted. Every change is audited.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from treem.accounts import scoping
from treem.core.audit import record_change
from treem.geo.models import REFORM_DATE, AdministrativeUnit, Generation, Level
from treem.indicators.models import CategoryOptionCombo, DataElement
from treem.indicators.rules import combos_by_element

from .models import DataValue, ExternalCode, Period, Responsibility, ValueSource, ValueStatus
from .periods import PeriodError, get_period
from .validation import parse_value

CSV_HEADER = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
]
LEVEL_BY_LENGTH = {2: Level.PROVINCE, 3: Level.DISTRICT, 5: Level.COMMUNE}


class ExchangeError(ValueError):
    """A request that cannot be served, with a Vietnamese message."""


class Codes:
    """TreEm ↔ DHIS2 code mapping, loaded once per export or import."""

    def __init__(self, system: str = "dhis2"):
        maps = {k: {} for k in ExternalCode.Kind.values}
        back = {k: {} for k in ExternalCode.Kind.values}
        for m in ExternalCode.objects.filter(system=system):
            maps[m.kind][m.local] = m.external
            back[m.kind][m.external] = m.local
        self.maps, self.back = maps, back
        self.elements = {e.pk: e for e in DataElement.objects.all()}
        self.combos = {c.pk: c for c in CategoryOptionCombo.objects.all()}

    def de_out(self, de: DataElement) -> str:
        return self.maps["dataElement"].get(de.code) or de.dhis2_code or de.code

    def combo_out(self, combo: CategoryOptionCombo) -> str:
        return self.maps["categoryOptionCombo"].get(combo.code) or combo.dhis2_code or combo.code

    def unit_out(self, unit: AdministrativeUnit) -> str:
        return (
            self.maps["orgUnit"].get(f"{unit.generation}:{unit.code}")
            or self.maps["orgUnit"].get(unit.code)
            or unit.code
        )

    def de_in(self, code: str) -> DataElement | None:
        local = self.back["dataElement"].get(code)
        for e in self.elements.values():
            if e.code == (local or code) or (not local and e.dhis2_code and e.dhis2_code == code):
                return e
        return None

    def combo_in(self, code: str) -> CategoryOptionCombo | None:
        code = code or "default"
        local = self.back["categoryOptionCombo"].get(code)
        for c in self.combos.values():
            if c.code == (local or code) or (not local and c.dhis2_code and c.dhis2_code == code):
                return c
        return None

    def unit_in(self, code: str, period: Period) -> AdministrativeUnit | None:
        local = self.back["orgUnit"].get(code) or code
        generation = None
        if ":" in local:
            generation, local = local.split(":", 1)
        if generation is None:
            generation = Generation.Y2025 if period.start >= REFORM_DATE else Generation.PRE_2025
        level = LEVEL_BY_LENGTH.get(len(local))
        if level is None:
            return None
        return AdministrativeUnit.objects.filter(generation=generation, level=level, code=local).first()


def export_values(values, fmt: str = "json") -> tuple[bytes, str]:
    """Values as a dataValueSets payload: (content, content type)."""
    codes = Codes()
    rows = []
    for v in values.select_related("data_element", "combo", "unit", "period", "updated_by").order_by(
        "period__start", "unit__code", "data_element__code", "combo__code"
    ):
        rows.append(
            {
                "dataElement": codes.de_out(v.data_element),
                "period": v.period.code,
                "orgUnit": codes.unit_out(v.unit),
                "categoryOptionCombo": codes.combo_out(v.combo),
                "attributeOptionCombo": "default",
                "value": _plain(v.value),
                "storedBy": v.updated_by.username if v.updated_by_id else "treem",
                "created": v.created_at.isoformat(),
                "lastUpdated": v.updated_at.isoformat(),
                "comment": v.comment,
                "followup": v.followup,
            }
        )
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(CSV_HEADER)
        for r in rows:
            w.writerow(
                [
                    r["dataElement"],
                    r["period"],
                    r["orgUnit"],
                    r["categoryOptionCombo"],
                    r["attributeOptionCombo"],
                    r["value"],
                    r["storedBy"],
                    r["lastUpdated"],
                    r["comment"],
                    "true" if r["followup"] else "false",
                    "",
                ]
            )
        return out.getvalue().encode("utf-8"), "application/csv"
    payload = {
        "idScheme": "code",
        "dataElementIdScheme": "code",
        "orgUnitIdScheme": "code",
        "dataValues": rows,
    }
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"), "application/json"


def _plain(d) -> str:
    return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")


def export_for_user(
    user,
    period_code: str,
    unit_code: str = "",
    fmt: str = "json",
    children: bool = True,
    statuses=(ValueStatus.SUBMITTED, ValueStatus.APPROVED),
):
    """The values of a period in the user's scope (a unit, and below it), as a file."""
    try:
        period = get_period(period_code)
    except PeriodError as e:
        raise ExchangeError(str(e)) from None
    qs = scoping.scope(DataValue.objects.filter(period=period, status__in=list(statuses)), user)
    if unit_code:
        unit = (
            Codes().unit_in(unit_code, period)
            or AdministrativeUnit.objects.filter(code=unit_code).order_by("-generation").first()
        )
        if unit is None or not scoping.can_see_unit(user, unit):
            raise ExchangeError(f"Không có đơn vị mã «{unit_code}» trong phạm vi của bạn.")
        qs = qs.filter(unit__ancestor_links__ancestor=unit) if children else qs.filter(unit=unit)
    content, ctype = export_values(qs, fmt)
    name = f"dataValueSets-{period.code}{'-' + unit_code if unit_code else ''}.{'csv' if fmt == 'csv' else 'json'}"
    record_change(user, "export", period, {"format": fmt, "unit": unit_code, "values": qs.count()})
    return content, ctype, name


@dataclass
class Incoming:
    index: int
    data_element: str
    period: str
    org_unit: str
    combo: str
    value: object
    comment: str
    deleted: bool


def parse_payload(raw: bytes | str, fmt: str) -> tuple[list[Incoming], dict]:
    """Read a dataValueSets JSON or CSV payload into rows (period/orgUnit may sit on the set)."""
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    rows = []
    if fmt == "csv":
        reader = csv.reader(io.StringIO(text))
        for i, rec in enumerate(reader):
            if i == 0:
                continue  # firstRowIsHeader: only the order matters
            if not any(x.strip() for x in rec):
                continue
            rec = rec + [""] * (11 - len(rec))
            rows.append(
                Incoming(
                    i - 1,
                    rec[0].strip(),
                    rec[1].strip(),
                    rec[2].strip(),
                    rec[3].strip(),
                    rec[5].strip(),
                    rec[8],
                    rec[10].strip().lower() == "true",
                )
            )
        return rows, {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ExchangeError(f"Tệp JSON không hợp lệ: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("dataValues", []), list):
        raise ExchangeError("Tệp không có danh sách dataValues.")
    for i, v in enumerate(data.get("dataValues") or []):
        if not isinstance(v, dict):
            raise ExchangeError(f"dataValues[{i}] không phải một đối tượng.")
        rows.append(
            Incoming(
                i,
                str(v.get("dataElement") or ""),
                str(v.get("period") or data.get("period") or ""),
                str(v.get("orgUnit") or data.get("orgUnit") or ""),
                str(v.get("categoryOptionCombo") or ""),
                v.get("value"),
                str(v.get("comment") or ""),
                bool(v.get("deleted")),
            )
        )
    return rows, {k: data[k] for k in ("dryRun", "importStrategy", "strategy") if k in data}


def import_values(
    raw: bytes | str, fmt: str, user, *, dry_run: bool = False, strategy: str = "CREATE_AND_UPDATE"
) -> dict:
    """Import a dataValueSets payload; returns DHIS2's ImportSummary (status, importCount, conflicts…)."""
    rows, options = parse_payload(raw, fmt)
    dry_run = bool(options.get("dryRun", dry_run))
    strategy = str(options.get("importStrategy") or options.get("strategy") or strategy).upper()
    codes = Codes()
    allowed = (
        set(scoping.editable_units(user).values_list("id", flat=True))
        if not scoping.is_system_admin(user)
        else None
    )
    combos_of = combos_by_element(codes.elements.values())
    counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
    conflicts, rejected = [], []
    periods: dict[str, Period | None] = {}

    def conflict(row: Incoming, obj: str, message: str, code: str, prop: str):
        conflicts.append(
            {
                "object": obj,
                "objects": {prop: obj},
                "value": message,
                "errorCode": code,
                "property": prop,
                "indexes": [row.index],
            }
        )
        rejected.append(row.index)
        counts["ignored"] += 1

    with transaction.atomic():
        for row in rows:
            if row.period not in periods:
                try:
                    periods[row.period] = get_period(row.period)
                except PeriodError:
                    periods[row.period] = None
            period = periods[row.period]
            if period is None:
                conflict(row, row.period, f"Kỳ «{row.period}» không hợp lệ.", "E7600", "period")
                continue
            de = codes.de_in(row.data_element)
            if de is None:
                conflict(
                    row,
                    row.data_element,
                    "Phần tử dữ liệu không tồn tại (kiểm tra bảng ánh xạ mã).",
                    "E7610",
                    "dataElement",
                )
                continue
            unit = codes.unit_in(row.org_unit, period)
            if unit is None:
                conflict(
                    row,
                    row.org_unit,
                    "Đơn vị không tồn tại trong thế hệ đơn vị hành chính của kỳ này.",
                    "E7612",
                    "orgUnit",
                )
                continue
            if allowed is not None and unit.pk not in allowed:
                conflict(
                    row,
                    row.org_unit,
                    f"{unit.full_name} ngoài phạm vi được nhập của bạn.",
                    "E7613",
                    "orgUnit",
                )
                continue
            combo = codes.combo_in(row.combo)
            if combo is None or combo.pk not in {c.pk for c in combos_of.get(de.pk, [])}:
                conflict(
                    row,
                    row.combo or "default",
                    "Tổ hợp phân tổ không tồn tại hoặc không dùng cho phần tử này.",
                    "E7611",
                    "categoryOptionCombo",
                )
                continue
            existing = DataValue.objects.filter(
                data_element=de, combo=combo, unit=unit, period=period
            ).first()
            if existing is not None and existing.status == ValueStatus.APPROVED:
                conflict(
                    row,
                    row.data_element,
                    "Giá trị thuộc báo cáo đã duyệt (đã khóa): cần mở lại báo cáo trước.",
                    "E7641",
                    "value",
                )
                continue
            delete = row.deleted or strategy == "DELETE"
            if delete:
                if existing is not None:
                    if not dry_run:
                        record_change(
                            user,
                            "delete",
                            existing,
                            {"value": [str(existing.value), None]},
                            unit=unit,
                            reason="Nhập DHIS2",
                        )
                        existing.delete()
                    counts["deleted"] += 1
                else:
                    counts["ignored"] += 1
                continue
            value, error = parse_value(row.value, de)
            if error or value is None:
                conflict(row, str(row.value), error or "Thiếu giá trị.", "E7619", "value")
                continue
            if existing is None:
                if strategy == "UPDATE":
                    counts["ignored"] += 1
                    continue
                if not dry_run:
                    resp = (
                        Responsibility.objects.filter(round__period=period, data_element=de, unit=unit)
                        .select_related("submission")
                        .first()
                    )
                    status = ValueStatus.SUBMITTED
                    obj = DataValue.objects.create(
                        data_element=de,
                        combo=combo,
                        unit=unit,
                        period=period,
                        value=value,
                        status=status,
                        source=ValueSource.DHIS2,
                        submission=resp.submission if resp else None,
                        comment=row.comment,
                        updated_by=user,
                    )
                    record_change(
                        user, "create", obj, {"value": [None, str(value)]}, unit=unit, reason="Nhập DHIS2"
                    )
                counts["imported"] += 1
            else:
                if strategy == "CREATE":
                    counts["ignored"] += 1
                    continue
                if existing.value == value and existing.comment == row.comment:
                    counts["ignored"] += 1
                    continue
                if not dry_run:
                    DataValue.objects.filter(pk=existing.pk).update(
                        value=value,
                        comment=row.comment,
                        version=F("version") + 1,
                        source=ValueSource.DHIS2,
                        updated_by=user,
                        updated_at=timezone.now(),
                    )
                    record_change(
                        user,
                        "update",
                        existing,
                        {"value": [str(existing.value), str(value)]},
                        unit=unit,
                        reason="Nhập DHIS2",
                    )
                counts["updated"] += 1
        if dry_run:
            transaction.set_rollback(True)
    status = (
        "SUCCESS"
        if not conflicts
        else ("WARNING" if counts["imported"] + counts["updated"] + counts["deleted"] else "ERROR")
    )
    return {
        "responseType": "ImportSummary",
        "status": status,
        "description": ("Chỉ kiểm tra (dryRun), chưa ghi. " if dry_run else "")
        + f"{len(rows)} giá trị trong tệp, {len(conflicts)} xung đột.",
        "importCount": counts,
        "conflicts": conflicts,
        "rejectedIndexes": rejected,
        "dataSetComplete": "false",
    }


def web_message(summary: dict) -> tuple[dict, int]:
    """The summary wrapped as DHIS2's web message, with its HTTP status (200, or 409 on conflicts)."""
    ok = summary["status"] == "SUCCESS"
    return {
        "httpStatus": "OK" if ok else "Conflict",
        "httpStatusCode": 200 if ok else 409,
        "status": "OK" if ok else summary["status"],
        "message": "Import was successful."
        if ok
        else "One more conflicts encountered, please check import summary.",
        "response": summary,
    }, 200 if ok else 409
