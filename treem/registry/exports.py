"""Exports of lists of children: only the fields the user's role may see, every export logged."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.utils import timezone

from treem.core.audit import record_change

from . import policy
from .codes import BirthRegistration, ChildStatus, DisabilityLevel, DisabilityType, Sex
from .models import ListExport

MAX_ROWS = 200_000
BASE_COLUMNS = [
    ("uid", "Mã hồ sơ"),
    ("full_name", "Họ và tên"),
    ("birth_date_display", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("ethnicity_code", "Mã dân tộc"),
    ("commune", "Xã, phường"),
    ("village", "Thôn, tổ dân phố"),
    ("birth_registration", "Đăng ký khai sinh"),
    ("status", "Trạng thái"),
]
SENSITIVE_COLUMNS = {
    policy.IDENTITY: [("personal_id", "Số định danh cá nhân")],
    policy.DISABILITY: [("disability_type", "Dạng khuyết tật"), ("disability_level", "Mức độ khuyết tật")],
    policy.CIRCUMSTANCES: [("circumstances", "Nhóm hoàn cảnh đặc biệt")],
}
LABELS = {
    "sex": dict(Sex.choices),
    "birth_registration": dict(BirthRegistration.choices),
    "status": dict(ChildStatus.choices),
    "disability_type": dict(DisabilityType.choices),
    "disability_level": dict(DisabilityLevel.choices),
}


class ExportTooLarge(ValueError):
    """More rows than an export may hold."""


def export_children(
    user, children: QuerySet, fmt: str, filters: dict | None = None
) -> tuple[bytes, str, str]:
    """The list as CSV or XLSX bytes, file name and content type; the export is logged."""
    access = policy.Access(user)
    groups = [g for g in policy.SENSITIVE_GROUPS if access.any_unit_ids(g)]
    columns = list(BASE_COLUMNS) + [c for g in groups for c in SENSITIVE_COLUMNS[g]]
    n = children.count()
    if n > MAX_ROWS:
        raise ExportTooLarge(f"Danh sách có {n} dòng, quá {MAX_ROWS}: hãy lọc bớt.")
    qs = (
        children.select_related("commune", "village")
        .prefetch_related("circumstances")
        .order_by("commune__code", "name_folded", "pk")
    )
    rows = []
    for c in qs.iterator(chunk_size=2000):
        seen = access.groups(c)
        row = []
        for key, _ in columns:
            group = next((g for g, cols in SENSITIVE_COLUMNS.items() if any(k == key for k, _ in cols)), None)
            if group and group not in seen:
                row.append("")
                continue
            if key == "uid":
                value = str(c.uid)
            elif key == "commune":
                value = c.commune.full_name
            elif key == "village":
                value = c.village.full_name if c.village_id else c.village_name
            elif key == "circumstances":
                value = ", ".join(sorted({ci.group for ci in c.circumstances.all()}))
            else:
                value = getattr(c, key)
                value = LABELS.get(key, {}).get(value, value)
            row.append("" if value is None else str(value))
        rows.append(row)
    headers = [label for _, label in columns]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        content = _xlsx(headers, rows)
        name, ctype = (
            f"tre-em-{stamp}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(headers)
        w.writerows(rows)
        content = ("\ufeff" + buf.getvalue()).encode("utf-8")
        name, ctype = f"tre-em-{stamp}.csv", "text/csv; charset=utf-8"
    log = ListExport.objects.create(
        user=user, format=fmt, filters=filters or {}, fields=[k for k, _ in columns], n_rows=len(rows)
    )
    record_change(
        user,
        "export",
        log,
        {"rows": [None, len(rows)], "fields": [None, ",".join(k for k, _ in columns)]},
        reason="xuất danh sách trẻ em",
    )
    return content, name, ctype


def _xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Trẻ em")
    bold = []
    for h in headers:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=h)
        cell.font = Font(bold=True)
        bold.append(cell)
    ws.append(bold)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
