"""The Excel workflow: a workbook pre-filled with the reporter's units and data elements (one sheet per
unit), filled offline and uploaded. An upload is checked as a whole and applied atomically, or rejected
with every error listed by sheet, row and column, in Vietnamese — nothing is ever half-written.

A hidden sheet `_meta` names the round and the sheets expected; the hidden column "Phiên bản" carries
each value's version, so a value changed by someone else after the download is refused (optimistic
locking), as in the form.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from treem.core.text import fold
from treem.geo.models import AdministrativeUnit, Level
from treem.indicators.models import CategoryOptionCombo, DataElement, ValueType
from treem.plans.models import Target

from . import access
from .entry import Change, SaveRejected, check_changes, context_for, save_values, today
from .models import Responsibility, Round, Submission, ValueSource
from .services import form_layout, form_units

META = "_meta"
GUIDE = "Hướng dẫn"
HEADER_ROW = 3
COLUMNS = [
    "Mã đơn vị",
    "Chỉ tiêu",
    "Mã phần tử",
    "Tên phần tử dữ liệu",
    "Mã phân tổ",
    "Phân tổ",
    "Kỳ trước",
    "Giá trị",
    "Ghi chú",
    "Phiên bản",
]
COL = {name: i + 1 for i, name in enumerate(COLUMNS)}
MAGIC = "TREEM-WORKBOOK-1"
MAX_ROWS = 50_000


@dataclass
class WorkbookError:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Trang «{self.sheet}»"] if self.sheet else []
        if self.row:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột {get_column_letter(COL[self.column])} ({self.column})")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class WorkbookRejected(Exception):
    def __init__(self, errors: list[WorkbookError]):
        super().__init__(f"{len(errors)} lỗi")
        self.errors = errors


@dataclass
class ApplyResult:
    saved: int = 0
    unchanged: int = 0
    warnings: list = field(default_factory=list)


def fillable_submissions(rnd: Round, user, on: datetime.date | None = None) -> list[Submission]:
    """The submissions of a round the user may fill now (their own, and those of the units they manage)."""
    on = on or today()
    subs = (
        access.submissions_for(user)
        .filter(round=rnd)
        .select_related("unit", "agency", "round__period", "round__plan")
    )
    return [s for s in subs.order_by("agency__name", "unit__code") if access.can_edit(user, s, on)[0]]


def filename(rnd: Round, sub: Submission | None = None) -> str:
    who = fold(sub.reporter_name).replace(" ", "-") if sub else "tong-hop"
    return f"treem-{rnd.period.code}-{who}-{rnd.pk}.xlsx"


def _sheet_name(unit: AdministrativeUnit, used: set) -> str:
    base = f"{unit.code} {unit.name}"
    for ch in "[]:*?/\\":
        base = base.replace(ch, " ")
    name = base[:31]
    i = 2
    while name in used:
        name = f"{base[:27]} ({i})"
        i += 1
    used.add(name)
    return name


def build_workbook(rnd: Round, user, submissions: list[Submission]) -> bytes:
    """The pre-filled workbook: a guide, one sheet per unit, a hidden _meta sheet."""
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE
    bold = Font(bold=True)
    guide["A1"] = f"TreEm – {rnd.period.label} – {rnd.plan}"
    guide["A1"].font = Font(bold=True, size=13)
    lines = [
        f"Kế hoạch: {rnd.plan.title[:250]}",
        f"Kỳ: {rnd.period.label} (mã {rnd.period.code}); số liệu từ {rnd.data_from:%d/%m/%Y} đến {rnd.data_to:%d/%m/%Y}.",
        f"Hạn nộp: {rnd.deadline:%d/%m/%Y}; khóa nhập từ {rnd.locks_on:%d/%m/%Y}.",
        "",
        "Cách điền:",
        "1. Mỗi trang tính là một đơn vị (xã). Chỉ điền cột «Giá trị» và «Ghi chú»; không sửa các cột khác, không xóa trang.",
        "2. Số đếm là số nguyên không âm (ví dụ 1250, không viết 1.250,5). Để trống ô chưa có số liệu.",
        "3. Các dòng phân tổ (Nam/Nữ, thành thị/nông thôn…) phải cộng bằng dòng tổng số.",
        "4. Ghi lý do vào «Ghi chú» khi số liệu khác nhiều so với kỳ trước.",
        "5. Tải tệp lên TreEm: tệp được kiểm tra toàn bộ; có lỗi thì không ghi giá trị nào và TreEm liệt kê mọi lỗi theo trang, dòng, cột.",
        "",
        f"Tệp tạo lúc {timezone.localtime():%H:%M %d/%m/%Y} cho {user.get_full_name() or user.username}.",
        "",
        "Các trang đơn vị:",
    ]
    for i, line in enumerate(lines, start=3):
        guide.cell(row=i, column=1, value=line)
    guide.column_dimensions["A"].width = 120
    meta = wb.create_sheet(META)
    meta.sheet_state = "veryHidden"
    meta.append([MAGIC, rnd.pk, rnd.plan_id, rnd.period.code, timezone.now().isoformat(), user.pk])
    used = {GUIDE, META}
    targets = {t.pk: t.number for t in Target.objects.filter(plan=rnd.plan)}
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    row_guide = len(lines) + 3
    for sub in submissions:
        for unit in form_units(sub):
            layout = form_layout(sub, unit)
            name = _sheet_name(unit, used)
            meta.append(["sheet", name, unit.code, sub.pk])
            guide.cell(row=row_guide, column=1, value=f"– {name}: {unit.full_name} ({sub.reporter_name})")
            row_guide += 1
            ws = wb.create_sheet(name)
            ws["A1"] = f"{unit.full_name} – {rnd.period.label} – {sub.reporter_name}"
            ws["A1"].font = Font(bold=True, size=12)
            ws["A2"] = "Chỉ điền các ô màu vàng (Giá trị, Ghi chú)."
            for c, title in enumerate(COLUMNS, start=1):
                cell = ws.cell(row=HEADER_ROW, column=c, value=title)
                cell.font = bold
                cell.fill = header_fill
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            r = HEADER_ROW + 1
            count_rows = []
            for block in layout:
                for row in block.rows:
                    if not row.owned:
                        continue
                    for cell in row.cells:
                        values = [
                            unit.code,
                            targets.get(block.target.pk, ""),
                            row.element.code,
                            row.element.name_vi if cell.combo.is_total else f"   {row.element.name_vi}",
                            cell.combo.code,
                            cell.combo.name_vi,
                            _num(cell.previous),
                            _num(cell.value),
                            cell.comment,
                            cell.version,
                        ]
                        for c, v in enumerate(values, start=1):
                            ws.cell(row=r, column=c, value=v)
                        ws.cell(row=r, column=COL["Giá trị"]).fill = input_fill
                        ws.cell(row=r, column=COL["Ghi chú"]).fill = input_fill
                        if cell.combo.is_total:
                            ws.cell(row=r, column=COL["Tên phần tử dữ liệu"]).font = bold
                        if row.element.value_type == ValueType.COUNT:
                            count_rows.append(r)
                        r += 1
            if count_rows:
                dv = DataValidation(
                    type="whole",
                    operator="greaterThanOrEqual",
                    formula1="0",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="warning",
                    errorTitle="Số đếm",
                    error="Số đếm phải là số nguyên không âm.",
                )
                col = get_column_letter(COL["Giá trị"])
                dv.add(f"{col}{HEADER_ROW + 1}:{col}{r}")
                ws.add_data_validation(dv)
            for c, width in zip(
                range(1, len(COLUMNS) + 1), (10, 8, 24, 60, 22, 28, 10, 12, 30, 8), strict=True
            ):
                ws.column_dimensions[get_column_letter(c)].width = width
            ws.column_dimensions[get_column_letter(COL["Phiên bản"])].hidden = True
            ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=COL["Giá trị"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _num(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_workbook(rnd: Round, user, file) -> tuple[dict[int, list[Change]], list[WorkbookError], dict]:
    """Read and check an uploaded workbook without writing anything.

    Returns ({submission id: changes}, errors, {(element, combo, unit): (sheet, row)}).
    """
    errors: list[WorkbookError] = []
    try:
        wb = load_workbook(file, data_only=True)
    except Exception:
        raise WorkbookRejected(
            [WorkbookError("", None, None, "Không đọc được tệp: không phải tệp Excel .xlsx hợp lệ.")]
        ) from None
    if META not in wb.sheetnames:
        raise WorkbookRejected(
            [
                WorkbookError(
                    META,
                    None,
                    None,
                    "Thiếu trang ẩn «_meta»: tệp không phải mẫu của TreEm "
                    "hoặc đã bị sửa cấu trúc. Hãy tải lại tệp mẫu.",
                )
            ]
        )
    meta_rows = list(wb[META].iter_rows(values_only=True))
    if not meta_rows or meta_rows[0][0] != MAGIC:
        raise WorkbookRejected([WorkbookError(META, 1, None, "Trang «_meta» bị sửa: hãy tải lại tệp mẫu.")])
    if meta_rows[0][1] != rnd.pk:
        other = Round.objects.filter(pk=meta_rows[0][1]).select_related("period").first()
        raise WorkbookRejected(
            [
                WorkbookError(
                    "",
                    None,
                    None,
                    f"Tệp mẫu là của kỳ khác ({other.period.label if other else meta_rows[0][3]}, "
                    f"{other.plan if other else ''}), không phải {rnd.period.label}.",
                )
            ]
        )
    expected = [(r[1], r[2], r[3]) for r in meta_rows[1:] if r and r[0] == "sheet"]
    fillable = {s.pk: s for s in fillable_submissions(rnd, user)}
    visible = {
        s.pk: s for s in access.submissions_for(user).filter(round=rnd).select_related("agency", "unit")
    }
    # Who reports what in this round: (element id, unit id) → submission id
    resp = {(r.data_element_id, r.unit_id): r.submission_id for r in Responsibility.objects.filter(round=rnd)}
    area_units = {u.code: u for u in AdministrativeUnit.objects.filter(pk__in={u for _, u in resp})}
    elements = {e.code: e for e in DataElement.objects.all()}
    combos = {c.code: c for c in CategoryOptionCombo.objects.all()}
    from treem.indicators.rules import combos_by_element

    allowed_combos = {de: {c.pk for c in cs} for de, cs in combos_by_element(elements.values()).items()}
    changes: dict[int, list[Change]] = defaultdict(list)
    seen: dict[tuple, tuple[str, int]] = {}
    where: dict[tuple, tuple[str, int]] = {}
    for sheet, unit_code, _sub in expected:
        if sheet not in wb.sheetnames:
            errors.append(
                WorkbookError(
                    sheet,
                    None,
                    None,
                    f"Thiếu trang tính của đơn vị {unit_code} (đã bị xóa hoặc đổi tên): "
                    f"không được xóa trang; để trống các ô nếu chưa có số liệu.",
                )
            )
    for sheet in [s for s, _, _ in expected if s in wb.sheetnames]:
        ws = wb[sheet]
        header = [
            _text(c) for c in next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())
        ]
        bad_header = False
        for name, col in COL.items():
            if col > len(header) or header[col - 1] != name:
                errors.append(
                    WorkbookError(
                        sheet,
                        HEADER_ROW,
                        name,
                        f"Tiêu đề cột phải là «{name}» (không đổi thứ tự, không xóa cột).",
                    )
                )
                bad_header = True
        if bad_header:
            continue
        if ws.max_row > MAX_ROWS:
            errors.append(WorkbookError(sheet, None, None, f"Quá nhiều dòng ({ws.max_row})."))
            continue
        for r, row in enumerate(
            ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(COLUMNS), values_only=True), start=HEADER_ROW + 1
        ):
            row = list(row) + [None] * (len(COLUMNS) - len(row))
            unit_code, de_code, combo_code = (
                _text(row[COL["Mã đơn vị"] - 1]),
                _text(row[COL["Mã phần tử"] - 1]),
                _text(row[COL["Mã phân tổ"] - 1]),
            )
            raw, comment, version = (
                row[COL["Giá trị"] - 1],
                _text(row[COL["Ghi chú"] - 1]),
                row[COL["Phiên bản"] - 1],
            )
            if not any([unit_code, de_code, combo_code, _text(raw), comment]):
                continue
            row_errors = []
            unit = area_units.get(unit_code)
            if unit is None:
                if AdministrativeUnit.objects.filter(code=unit_code, level=Level.COMMUNE).exists():
                    row_errors.append(
                        WorkbookError(
                            sheet,
                            r,
                            "Mã đơn vị",
                            f"Đơn vị {unit_code} ngoài phạm vi báo cáo của bạn trong kỳ này.",
                        )
                    )
                else:
                    row_errors.append(
                        WorkbookError(sheet, r, "Mã đơn vị", f"Mã đơn vị «{unit_code}» không tồn tại.")
                    )
            de = elements.get(de_code)
            if de is None:
                row_errors.append(
                    WorkbookError(
                        sheet, r, "Mã phần tử", f"Mã phần tử dữ liệu «{de_code}» không có trong danh mục."
                    )
                )
            combo = combos.get(combo_code or "default")
            if combo is None or (de is not None and combo.pk not in allowed_combos.get(de.pk, set())):
                row_errors.append(
                    WorkbookError(
                        sheet, r, "Mã phân tổ", f"Mã phân tổ «{combo_code}» không dùng cho phần tử này."
                    )
                )
            if row_errors:
                errors += row_errors
                continue
            sub_id = resp.get((de.pk, unit.pk))
            if sub_id is None:
                errors.append(
                    WorkbookError(
                        sheet,
                        r,
                        "Mã phần tử",
                        f"«{de.name_vi}» không phải báo cáo cho {unit.full_name} trong kỳ này.",
                    )
                )
                continue
            if sub_id not in fillable:
                owner = visible.get(sub_id)
                if owner is None:
                    errors.append(
                        WorkbookError(
                            sheet,
                            r,
                            "Mã đơn vị",
                            f"{unit.full_name}: «{de.name_vi}» ngoài phạm vi của bạn "
                            f"(do đơn vị khác báo cáo).",
                        )
                    )
                else:
                    ok, why = access.can_edit(user, owner, today())
                    errors.append(WorkbookError(sheet, r, "Giá trị", f"{owner.reporter_name}: {why}"))
                continue
            key = (de.pk, combo.pk, unit.pk)
            if key in seen:
                errors.append(
                    WorkbookError(
                        sheet,
                        r,
                        "Mã phần tử",
                        f"Dòng trùng: {unit.code} / {de.code} / {combo.code} đã có ở "
                        f"trang «{seen[key][0]}» dòng {seen[key][1]}.",
                    )
                )
                continue
            seen[key] = (sheet, r)
            try:
                ver = int(version) if version not in (None, "") else 0
            except (TypeError, ValueError):
                errors.append(
                    WorkbookError(sheet, r, "Phiên bản", "Cột ẩn «Phiên bản» bị sửa: hãy tải lại tệp mẫu.")
                )
                continue
            where[key] = (sheet, r)
            changes[sub_id].append(
                Change(de.pk, combo.pk, unit.pk, raw, comment, ver, where=f"Trang «{sheet}», dòng {r}")
            )
    # Plan checks (types, numerator ≤ denominator, breakdowns), per submission, mapped back to rows.
    for sub_id, chs in changes.items():
        res, _, _ = check_changes(fillable[sub_id], chs, ctx=context_for(fillable[sub_id]))
        for issue in res.errors:
            sheet, r = where.get((issue.data_element, issue.combo, issue.unit), ("", None))
            message = (
                issue.message.split(": ", 1)[1] if issue.message.startswith("Trang «") else issue.message
            )
            errors.append(WorkbookError(sheet, r, "Giá trị" if r else None, message))
    return dict(changes), errors, where


def apply_workbook(rnd: Round, user, file) -> ApplyResult:
    """Check the whole workbook, then write every value in one transaction — or nothing."""
    changes, errors, where = read_workbook(rnd, user, file)
    if errors:
        raise WorkbookRejected(_sorted(errors))
    result = ApplyResult()
    subs = {
        s.pk: s
        for s in Submission.objects.filter(pk__in=changes).select_related("round__period", "round__plan")
    }
    conflicts: list[WorkbookError] = []
    with transaction.atomic():
        for sub_id, chs in changes.items():
            try:
                with transaction.atomic():
                    r = save_values(subs[sub_id], user, chs, source=ValueSource.EXCEL)
            except SaveRejected as e:
                for issue in e.errors:
                    sheet, row = where.get((issue.data_element, issue.combo, issue.unit), ("", None))
                    message = (
                        issue.message.split(": ", 1)[1]
                        if issue.message.startswith("Trang «")
                        else issue.message
                    )
                    conflicts.append(WorkbookError(sheet, row, "Giá trị" if row else None, message))
                continue
            result.saved += r.saved
            result.unchanged += r.unchanged
            result.warnings += r.warnings
        if conflicts:
            transaction.set_rollback(True)
    if conflicts:
        raise WorkbookRejected(_sorted(conflicts))
    return result


def _sorted(errors: list[WorkbookError]) -> list[WorkbookError]:
    return sorted(errors, key=lambda e: (e.sheet or "", e.row or 0, COL.get(e.column or "", 0)))
