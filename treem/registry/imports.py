"""Bulk import of commune lists (Excel, CSV): read, map columns, clean, report row by row, apply atomically.

Steps: :func:`upload` reads the file and finds the header (lists start with titles, have two-row
headers and a "(1) (2) (3)" numbering row) and proposes a mapping (known headings, then what this
uploader chose last time); :func:`set_mapping` stores and remembers it; :func:`check` cleans every row
and writes the Vietnamese report; :func:`apply` writes the children in one transaction — all or
nothing. A file that cannot be read raises :class:`ImportFileError` and leaves no trace.
"""

from __future__ import annotations

import csv
import datetime
import functools
import gc
import hashlib
import io
import json
import operator
import os
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from treem.accounts.scoping import can_edit_unit
from treem.core.audit import record_change
from treem.core.text import fold, nfc

from . import bulk, policy
from .cleaning import (
    ERROR,
    FIXED,
    WARNING,
    Cleaned,
    Issue,
    check_birth_date,
    clean_bool,
    clean_ethnicity,
    clean_name,
    clean_sex,
    column_evidence,
    normalise_personal_id,
    province_codes_of_birth,
    resolve_date,
    split_date,
    validate_personal_id,
)
from .codes import (
    BIRTH_REGISTRATION_DAYS,
    Article10,
    BirthRegistration,
    ChildStatus,
    DatePrecision,
    DisabilityType,
    Relationship,
)
from .models import Child, ColumnMemory, ImportBatch, ImportIssue
from .places import UnitResolver

MAX_FILE_BYTES = 200 * 1024 * 1024
TOTAL_WORDS = ("tong cong", "tong so", "cong:", "tong:")
FOOTER_WORDS = (
    "nguoi lap",
    "xac nhan",
    "tm.",
    "t/m",
    "tm ubnd",
    "chu tich",
    "can bo lap",
    "ky ten",
    "ngay ",
    "(ky",
)
MAX_FIXED_NOTES = 20_000
MAX_NAME = Child._meta.get_field("full_name").max_length  # the same for caregivers


class ImportFileError(ValueError):
    """The file cannot be read as a list (Vietnamese message)."""


class ImportRefused(ValueError):
    """An import step refused (Vietnamese message)."""


class ImportWriteError(ImportRefused):
    """The database refused a row while writing: nothing was written; the message names the row and column."""


# Target fields of a mapping, with their Vietnamese labels (the order of the mapping form).
FIELDS = {
    "full_name": "Họ và tên",
    "family_name": "Họ (và tên đệm)",
    "given_name": "Tên",
    "birth_date": "Ngày sinh",
    "birth_year": "Năm sinh",
    "male_mark": "Cột “Nam” (đánh dấu hoặc năm sinh)",
    "female_mark": "Cột “Nữ” (đánh dấu hoặc năm sinh)",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "personal_id": "Số định danh cá nhân",
    "commune_code": "Mã xã",
    "commune": "Xã, phường",
    "district": "Huyện (cũ)",
    "village": "Thôn, tổ dân phố",
    "address": "Địa chỉ",
    "father_name": "Họ tên cha",
    "mother_name": "Họ tên mẹ",
    "caregiver_name": "Người chăm sóc, giám hộ",
    "caregiver_phone": "Điện thoại",
    "birth_registered": "Đã đăng ký khai sinh",
    "birth_registration_date": "Ngày đăng ký khai sinh",
    "birth_registration_place": "Nơi đăng ký khai sinh",
    "circumstance": "Hoàn cảnh đặc biệt (nhóm Điều 10)",
    "disability": "Dạng khuyết tật",
}
SENSITIVE_FIELDS = {
    "personal_id": policy.IDENTITY,
    "circumstance": policy.CIRCUMSTANCES,
    "disability": policy.DISABILITY,
}

# Folded headings people write → field.
SYNONYMS = {
    "full_name": [
        "ho va ten",
        "ho ten",
        "ho ten tre",
        "ho va ten tre",
        "ho va ten tre em",
        "ten tre",
        "ho ten tre em",
        "hoten",
    ],
    "family_name": ["ho", "ho va ten dem", "ho dem", "ho va dem", "ho, ten dem"],
    "given_name": ["ten"],
    "birth_date": [
        "ngay sinh",
        "ngay thang nam sinh",
        "ngay, thang, nam sinh",
        "sinh ngay",
        "ngay/thang/nam sinh",
        "ns",
        "ngay sinh (dd/mm/yyyy)",
    ],
    "birth_year": ["nam sinh"],
    "male_mark": ["nam"],
    "female_mark": ["nu"],
    "sex": ["gioi tinh", "gioi", "gt", "nam/nu", "nam, nu"],
    "ethnicity": ["dan toc", "dt", "ma dan toc"],
    "personal_id": [
        "so dinh danh",
        "so dinh danh ca nhan",
        "ma dinh danh",
        "ma so dinh danh",
        "so ddcn",
        "ma ddcn",
        "cccd",
        "so cccd",
        "so cccd/ddcn",
        "so dinh danh (12 so)",
    ],
    "commune_code": ["ma xa", "ma xa/phuong", "ma don vi", "ma xa, phuong"],
    "commune": [
        "xa",
        "xa/phuong",
        "phuong",
        "xa, phuong",
        "xa, phuong, thi tran",
        "xa/phuong/thi tran",
        "noi o",
        "don vi",
    ],
    "district": ["huyen", "quan/huyen", "huyen, quan", "huyen/thi xa/thanh pho", "quan, huyen"],
    "village": [
        "thon",
        "thon/ban",
        "thon, ban",
        "thon, to dan pho",
        "ban",
        "to dan pho",
        "xom",
        "thon/xom",
        "thon, xom",
        "thon/to",
    ],
    "address": ["dia chi", "noi o hien nay", "cho o hien nay", "dia chi thuong tru"],
    "father_name": ["ho ten cha", "ten cha", "cha", "ho va ten cha", "ho ten bo", "bo"],
    "mother_name": ["ho ten me", "ten me", "me", "ho va ten me"],
    "caregiver_name": [
        "nguoi cham soc",
        "nguoi giam ho",
        "ho ten nguoi cham soc",
        "nguoi nuoi duong",
        "ho ten cha/me hoac nguoi giam ho",
        "cha me/nguoi giam ho",
    ],
    "caregiver_phone": ["dien thoai", "sdt", "so dien thoai", "dt lien he"],
    "birth_registered": ["da khai sinh", "dang ky khai sinh", "khai sinh", "da dang ky khai sinh", "dkks"],
    "birth_registration_date": ["ngay dang ky khai sinh", "ngay dk khai sinh", "ngay khai sinh", "ngay dkks"],
    "birth_registration_place": ["noi dang ky khai sinh", "noi khai sinh", "noi dkks"],
    "circumstance": ["hoan canh dac biet", "nhom hcdb", "hcdb", "tre em co hcdb", "nhom hoan canh dac biet"],
    "disability": ["khuyet tat", "dang khuyet tat", "loai khuyet tat"],
}
_SYNONYM_INDEX = {syn: f for f, syns in SYNONYMS.items() for syn in syns}


def _head_key(text) -> str:
    return " ".join(fold("" if text is None else str(text)).replace(":", " ").replace("*", " ").split())


# ---------------------------------------------------------------------------------------- reading


@dataclass
class Table:
    """A sheet as read: headings per column, data rows with their row numbers in the file."""

    headers: list[str]
    rows: list[tuple[int, list]]
    header_row: int
    sheet: str = ""
    notes: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(enc)
            if enc == "utf-16" and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
                continue
            return text
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise ImportFileError("Tệp CSV không đọc được: hãy lưu lại với bảng mã UTF-8.") from exc


def read_rows(name: str, data: bytes, sheet: str = "") -> tuple[list[list], str]:
    """All rows of a CSV or XLSX file as lists of cell values; raises ImportFileError."""
    suffix = Path(name).suffix.lower()
    if not data:
        raise ImportFileError("Tệp rỗng.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError("Tệp quá lớn (tối đa 200 MB): hãy chia nhỏ danh sách.")
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for damaged files
            raise ImportFileError("Tệp Excel bị hỏng hoặc không phải tệp .xlsx.") from exc
        try:
            ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            return rows, ws.title
        except Exception as exc:
            raise ImportFileError("Không đọc được trang tính trong tệp Excel.") from exc
        finally:
            wb.close()
    if suffix == ".xls":
        raise ImportFileError(
            "Tệp .xls (Excel 97–2003) chưa được hỗ trợ: hãy mở bằng Excel và lưu lại dạng .xlsx."
        )
    if suffix in (".csv", ".txt", ".tsv"):
        if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            raise ImportFileError("Tệp không phải là văn bản CSV.")
        text = _decode(data)
        sample = text[:20000]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        try:
            return list(csv.reader(io.StringIO(text), delimiter=delimiter)), ""
        except csv.Error as exc:
            raise ImportFileError(f"Tệp CSV sai cấu trúc: {exc}.") from exc
    raise ImportFileError("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv).")


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(nfc(str(v)).split())


def _is_numbering_row(cells: list) -> bool:
    texts = [_cell_text(c).strip("()[] ") for c in cells if _cell_text(c)]
    return len(texts) >= 3 and all(t.isdigit() or (len(t) == 1 and t.isalpha()) for t in texts)


def find_table(rows: list[list], sheet: str = "") -> Table:
    """Find the header among the first rows (titles above it, an optional second header row, a numbering row)."""
    if not rows:
        raise ImportFileError("Tệp không có dòng nào.")
    best, best_score = 0, 0
    for i, row in enumerate(rows[:20]):
        score = sum(1 for c in row if _head_key(c) in _SYNONYM_INDEX)
        if score > best_score:
            best, best_score = i, score
    if best_score < 2:
        raise ImportFileError(
            "Không tìm thấy dòng tiêu đề cột (ví dụ “Họ và tên”, “Ngày sinh”, “Giới tính”) trong 20 dòng đầu."
        )
    width = max(len(r) for r in rows[: best + 3])
    top = [_cell_text(c) for c in rows[best]] + [""] * (width - len(rows[best]))
    headers = list(top)
    start = best + 1
    if start < len(rows):
        below = [_cell_text(c) for c in rows[start]] + [""] * (width - len(rows[start]))
        sub = sum(1 for c in below if _head_key(c) in _SYNONYM_INDEX)
        header_like = all(not c or _head_key(c) in _SYNONYM_INDEX or not top[j] for j, c in enumerate(below))
        if sub and header_like and not _is_numbering_row(rows[start]):
            group = ""
            for j in range(width):
                if top[j]:
                    group = top[j]
                if below[j]:
                    headers[j] = (
                        below[j]
                        if not top[j] or _head_key(below[j]) in _SYNONYM_INDEX
                        else f"{top[j]} {below[j]}"
                    )
                elif not top[j] and group:
                    headers[j] = group
            start += 1
    if start < len(rows) and _is_numbering_row(rows[start]):
        start += 1
    for j, h in enumerate(headers):
        if not h:
            headers[j] = f"Cột {j + 1}"
    data = []
    for i in range(start, len(rows)):
        row = rows[i]
        if len(row) != width:
            row = (list(row) + [None] * (width - len(row)))[:width]
        if not any(row):
            continue  # blank (rows of spaces only are dropped by the cleaning step)
        data.append((i + 1, row))
    return Table(headers=headers, rows=data, header_row=best + 1, sheet=sheet)


def propose_mapping(user, headers: list[str]) -> dict[str, str]:
    """Heading → field: what this uploader chose before, else the known headings."""
    memory = dict(
        ColumnMemory.objects.filter(user=user, header_folded__in=[_head_key(h) for h in headers]).values_list(
            "header_folded", "field"
        )
    )
    mapping, used = {}, set()
    for h in headers:
        key = _head_key(h)
        f = memory.get(key, _SYNONYM_INDEX.get(key, ""))
        if f and f in used:
            f = ""
        mapping[h] = f
        if f:
            used.add(f)
    return mapping


# ---------------------------------------------------------------------------------------- steps

_gc_lock = threading.Lock()
_gc_state = {"steps": 0, "was_enabled": True}


def _without_gc(step):
    """Run a step with Python's cyclic garbage collector paused: reading and cleaning a list builds
    millions of small lists and tuples (cells, rows, keys), and the collector would walk all of them
    again and again (a fifth of the three steps' time at 1 M rows). Reference counting still frees them;
    cycles made meanwhile elsewhere in the process are collected when the last running step ends."""

    @functools.wraps(step)
    def run(*args, **kwargs):
        with _gc_lock:
            if _gc_state["steps"] == 0:
                _gc_state["was_enabled"] = gc.isenabled()
                gc.disable()
            _gc_state["steps"] += 1
        try:
            return step(*args, **kwargs)
        finally:
            with _gc_lock:
                _gc_state["steps"] -= 1
                if _gc_state["steps"] == 0 and _gc_state["was_enabled"]:
                    gc.enable()

    return run


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@_without_gc
def upload(user, unit, name: str, data: bytes, sheet: str = "", **options) -> ImportBatch:
    """Read a file and create a batch with its headings and a proposed mapping (nothing is applied)."""
    if not can_edit_unit(user, unit):
        raise PermissionDenied(f"Bạn không có quyền nhập danh sách trẻ em cho {unit.full_name}.")
    rows, sheet_name = read_rows(name, data, sheet)
    table = find_table(rows, sheet_name)
    if not table.rows:
        raise ImportFileError("Tệp có dòng tiêu đề nhưng không có dòng dữ liệu nào.")
    batch = ImportBatch(
        uploaded_by=user,
        unit=unit,
        file_name=Path(name).name[:250],
        file_sha256=_sha(data),
        sheet=sheet_name,
        header_row=table.header_row,
        headers=table.headers,
        total_rows=len(table.rows),
        mapping=propose_mapping(user, table.headers),
        **options,
    )
    batch.file.save(f"{uuid.uuid4().hex}{Path(name).suffix.lower()}", ContentFile(data), save=False)
    batch.save()
    batch._table = table  # reused by check/apply in the same process (the command, the benchmark)
    record_change(
        user, "create", batch, {"rows": [None, len(table.rows)]}, unit=unit, reason="tải lên danh sách trẻ em"
    )
    return batch


def set_mapping(user, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """Store the column mapping (validated) and remember it for this uploader."""
    _own(user, batch)
    fields = [f for f in mapping.values() if f]
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise ImportRefused(f"Trường không hợp lệ: {', '.join(unknown)}.")
    twice = [FIELDS[f] for f, n in Counter(fields).items() if n > 1]
    if twice:
        raise ImportRefused(f"Mỗi trường chỉ ghép với một cột; đang ghép nhiều cột vào: {', '.join(twice)}.")
    if "full_name" not in fields and not {"family_name", "given_name"} <= set(fields):
        raise ImportRefused("Cần ghép cột “Họ và tên” (hoặc cả hai cột “Họ” và “Tên”).")
    if not {"birth_date", "birth_year", "male_mark", "female_mark"} & set(fields):
        raise ImportRefused("Cần ghép cột “Ngày sinh” (hoặc “Năm sinh”, hoặc các cột “Nam”/“Nữ”).")
    access = policy.Access(user)
    for f, group in SENSITIVE_FIELDS.items():
        if f in fields and not (access.admin or batch.unit_id in access.unit_ids(group)):
            raise ImportRefused(
                f"Vai trò của bạn không được nhập {policy.GROUP_LABELS[group]}: hãy bỏ ghép cột “{FIELDS[f]}”."
            )
    clean = {h: (mapping.get(h) or "") for h in batch.headers}
    batch.mapping = clean
    batch.status = ImportBatch.Status.UPLOADED
    batch.save(update_fields=["mapping", "status"])
    for h, f in clean.items():
        ColumnMemory.objects.update_or_create(
            user=user, header_folded=_head_key(h)[:150], defaults={"field": f}
        )
    return batch


def _own(user, batch: ImportBatch) -> None:
    if batch.uploaded_by_id != user.pk or not can_edit_unit(user, batch.unit):
        raise PermissionDenied("Đây không phải danh sách bạn đã tải lên.")


def load_table(batch: ImportBatch) -> Table:
    """Read the batch's stored file again (or reuse the table read at upload in this process)."""
    if getattr(batch, "_table", None) is not None:
        return batch._table
    with batch.file.open("rb") as f:
        data = f.read()
    rows, sheet = read_rows(batch.file.name, data, batch.sheet)
    return find_table(rows, sheet)


# ---------------------------------------------------------------------------------------- cleaning


@dataclass
class CleanResult:
    """The cleaned table, column-wise: `ok` rows become children; `issues` is the row-by-row report."""

    rownums: np.ndarray
    ok: np.ndarray
    columns: dict
    caregivers: list
    issues: list[tuple[int, str, str, Issue]]
    counts: dict

    @property
    def n_written(self) -> int:
        return int(self.ok.sum())


# Words by which lists name the Article 10 groups (folded) → group letter.
_CIRC_WORDS = {
    "mo coi": "a",
    "bo roi": "b",
    "khong noi nuong tua": "c",
    "khuyet tat": "d",
    "hiv": "dd",
    "vi pham phap luat": "e",
    "nghien ma tuy": "g",
    "bo hoc": "h",
    "bao luc": "i",
    "boc lot": "k",
    "xam hai tinh duc": "l",
    "mua ban": "m",
    "benh hiem ngheo": "n",
    "dieu tri dai ngay": "n",
    "di cu": "o",
    "lanh nan": "o",
    "ti nan": "o",
}
_DISABILITY_TEXT = {
    fold(str(label)).replace("khuyet tat ", ""): code for code, label in DisabilityType.choices
}


def _circumstance(raw) -> tuple[str, list[Issue]]:
    text = fold(_cell_text(raw)).strip(" .)")
    if not text or text in ("khong", "0"):
        return "", []
    text = text.removeprefix("nhom ").strip(" .)")
    if text in Article10.values:
        return text, []
    for words, code in _CIRC_WORDS.items():
        if words in text:
            return code, []
    return "", [
        Issue(
            ERROR,
            "circumstance_unknown",
            f"Hoàn cảnh đặc biệt “{_cell_text(raw)}” không thuộc nhóm nào của Điều 10 Luật Trẻ em.",
        )
    ]


def _disability(raw) -> tuple[str, list[Issue]]:
    text = fold(_cell_text(raw)).strip(" .")
    if not text or text in ("khong", "0"):
        return "", []
    for key, code in _DISABILITY_TEXT.items():
        if (
            text == key
            or text.replace("khuyet tat ", "") == key
            or key.startswith(text.replace("khuyet tat ", ""))
        ):
            return code, []
    return DisabilityType.OTHER, [
        Issue(WARNING, "disability_other", f"Dạng khuyết tật “{_cell_text(raw)}” ghi là “khuyết tật khác”.")
    ]


def _txt(v) -> str:
    """A cell as stripped text (cheap; names and units are normalised later)."""
    if v is None:
        return ""
    return nfc(v.strip()) if isinstance(v, str) else _cell_text(v)


def _key(v):
    """A hashable, type-stable key for a cell value (Excel gives str, int, float, datetime or None)."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str):
        return v if v.strip() else None
    return v


def _keys(cells) -> list:
    """:func:`_key` of every cell, without a call for non-blank text (all a CSV gives)."""
    return [v if (v.__class__ is str and v and not v.isspace()) else _key(v) for v in cells]


def _all_text(values) -> bool:
    return all(v is None or v.__class__ is str for v in values)


def _factorize(values: list) -> tuple[np.ndarray, list]:
    """Codes per row and the unique values (first-seen order), so each distinct value is cleaned once."""
    index: dict = {}
    if _all_text(values):  # texts and blanks only: no values of two types to keep apart (1, 1.0, True)
        codes = np.fromiter(
            (index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values)
        )
        return codes, list(index)
    codes = np.empty(len(values), dtype=np.int64)
    uniques: list = []
    for i, v in enumerate(values):
        k = (type(v).__name__, v)
        c = index.get(k)
        if c is None:
            c = index[k] = len(uniques)
            uniques.append(v)
        codes[i] = c
    return codes, uniques


class _Report:
    """Issues by row index, built column by column; tracks which rows have an error."""

    def __init__(self, n: int, head: dict):
        self.items: list[tuple[int, str, Issue]] = []
        self.error = np.zeros(n, dtype=bool)
        self.head = head

    def per_value(self, field: str, codes: np.ndarray, results: list[list[Issue]]) -> None:
        """Rows get the issues of their value."""
        has = np.array([bool(r) for r in results], dtype=bool)
        if not has.any():
            return
        err = np.array([any(i.severity == ERROR for i in r) for r in results], dtype=bool)
        self.error |= err[codes]
        for r in np.flatnonzero(has[codes]):
            for i in results[codes[r]]:
                self.items.append((int(r), field, i))

    def rows(self, field: str, idx, issue_of) -> None:
        """Rows `idx` get `issue_of(row_index)`."""
        for r in np.asarray(idx, dtype=np.int64):
            i = issue_of(int(r))
            if i.severity == ERROR:
                self.error[r] = True
            self.items.append((int(r), field, i))


_NAME_SIMPLE = r"^[\p{L}'’ \-]+$"
_NAME_LEGACY = "[¨©ª«®µ¸¹»¼½¾Æ×ØÞß÷øþ]"


def clean_names(values: list) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
    """Names cleaned column-wise (Arrow kernels, once per distinct name); unusual ones through :func:`clean_name`.

    Returns (clean names or None, folded names, issues per row (an empty tuple when none), error mask).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = ["" if v is None else (v if v.__class__ is str else str(v)) for v in values]
    codes, uniq = _factorize(texts)
    arr = pc.utf8_normalize(pa.array(uniq, type=pa.string()), "NFC")
    spaced = pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"\s+", " "))
    simple = pc.and_(
        pc.match_substring_regex(spaced, _NAME_SIMPLE),
        pc.invert(pc.match_substring_regex(spaced, _NAME_LEGACY)),
    )
    proper = pc.utf8_title(spaced)
    folded = pc.replace_substring_regex(
        pc.utf8_normalize(pc.replace_substring(pc.utf8_lower(proper), "đ", "d"), "NFD"), r"\p{Mn}", ""
    )
    simple_np = simple.to_numpy(zero_copy_only=False).astype(bool)
    out = proper.to_pylist()
    fold_out = folded.to_pylist()
    changed = pc.not_equal(proper, arr).to_numpy(zero_copy_only=False).astype(bool)
    single = pc.invert(pc.match_substring(proper, " ")).to_numpy(zero_copy_only=False).astype(bool)
    issues: list = [()] * len(uniq)
    error = np.zeros(len(uniq), dtype=bool)
    for u in np.flatnonzero(simple_np & (changed | single)).tolist():
        found = []
        if changed[u]:
            found.append(Issue(FIXED, "name_normalised", f"Họ tên chuẩn hóa thành “{out[u]}”."))
        if single[u]:
            found.append(Issue(WARNING, "name_single_word", f"Họ tên “{out[u]}” chỉ có một từ."))
        issues[u] = found
    for u in np.flatnonzero(~simple_np).tolist():
        c = clean_name(uniq[u])
        out[u] = c.value
        fold_out[u] = fold(c.value) if c.value else ""
        issues[u] = list(c.issues)
        error[u] = not c.ok
    names = np.empty(len(uniq), dtype=object)
    names[:] = out
    folds = np.empty(len(uniq), dtype=object)
    folds[:] = fold_out
    return names[codes], folds[codes], [issues[c] for c in codes.tolist()], error[codes]


def _ids(values: list, sex: np.ndarray, year: np.ndarray):
    """Personal IDs normalised and validated column-wise: (ids, issues per row index)."""
    found: dict[int, list[Issue]] = defaultdict(list)
    ids = [""] * len(values)
    for r, v in enumerate(values):
        if v is None or v == "":
            continue
        c = normalise_personal_id(v) if not (isinstance(v, str) and len(v) == 12 and v.isdigit()) else None
        if c is None:
            ids[r] = v
            continue
        if c.issues:
            found[r].extend(c.issues)
        ids[r] = c.value if c.ok else ""
    pid = np.array(ids, dtype="U12")
    present = pid != ""
    if not present.any():
        return ids, found
    digits = np.char.isdigit(pid) & (np.char.str_len(pid) == 12)
    for r in np.flatnonzero(present & ~digits):
        found[r].extend(validate_personal_id(ids[r]))
        ids[r] = ""
    ok = present & digits
    prov = np.isin(np.char.ljust(pid, 3).astype("U3"), np.array(sorted(province_codes_of_birth())))
    d4 = np.zeros(len(pid), dtype=np.int64)
    yy = np.zeros(len(pid), dtype=np.int64)
    idx = np.flatnonzero(ok)
    if len(idx):
        chars = pid[idx].view("U1").reshape(len(idx), 12)
        d4[idx] = chars[:, 3].astype(np.int64)
        yy[idx] = chars[:, 4].astype(np.int64) * 10 + chars[:, 5].astype(np.int64)
    id_year = 1900 + 100 * (d4 // 2) + yy
    id_sex = np.where(d4 % 2 == 1, "f", "m")
    bad_prov = ok & ~prov
    bad_sex = ok & (sex != "") & (sex != id_sex)
    bad_year = ok & (year > 0) & (year != id_year)
    for r in np.flatnonzero(bad_prov | bad_sex | bad_year):
        found[r].extend(validate_personal_id(ids[r], str(sex[r]), int(year[r]) if year[r] > 0 else None))
        ids[r] = ""
    return ids, found


def _date_order(pre: list, label: str, field: str, parts: list) -> tuple[str, bool]:
    """The column's day/month order; ambiguous values are flagged one by one only without clear evidence."""
    order, mixed, evidence = column_evidence(parts)
    if mixed:
        pre.append(
            (
                0,
                label,
                field,
                Issue(
                    WARNING,
                    "date_order_mixed",
                    f"Cột “{label}” có cả dạng ngày/tháng và tháng/ngày: từng ngày ≤ 12 được đánh dấu để kiểm tra.",
                ),
            )
        )
        return order, True
    if evidence == 0:
        return order, True
    if any(p is not None and p.ambiguous for p in parts):
        how = "tháng/ngày/năm" if order == "mdy" else "ngày/tháng/năm"
        severity = WARNING if order == "mdy" else FIXED
        pre.append(
            (
                0,
                label,
                field,
                Issue(
                    severity,
                    "date_order_inferred",
                    f"Cột “{label}” ghi theo {how} ({evidence} dòng cho thấy rõ): các ngày có ngày và tháng đều ≤ 12 được hiểu theo cách này.",
                ),
            )
        )
    return order, False


def clean_table(batch: ImportBatch, table: Table, progress=None) -> CleanResult:
    """Clean every row with the batch's mapping, column by column (each distinct value once); report per row."""
    today = datetime.date.today()
    col = {f: i for i, (h, f) in enumerate((h, batch.mapping.get(h, "")) for h in table.headers) if f}
    head = {f: table.headers[i] for f, i in col.items()}
    counts: Counter = Counter()
    pre: list[tuple[int, str, str, Issue]] = []
    mapped = sorted(col.values())
    rows_in = []
    i0, i1, i2 = (mapped + [0, 0, 0])[:3]
    for rownum, row in table.rows:
        if len(mapped) >= 3:  # the usual row: its first three mapped cells hold text
            a, b, c = row[i0], row[i1], row[i2]
            if (
                a.__class__ is str
                and b.__class__ is str
                and c.__class__ is str
                and a
                and b
                and c
                and not a.isspace()
                and not b.isspace()
                and not c.isspace()
            ):
                rows_in.append((rownum, row))
                continue
        cells = []
        for i in mapped:
            c = row[i]
            if c is not None and c != "" and (not isinstance(c, str) or not c.isspace()):
                cells.append(c)
                if len(cells) > 2:
                    break
        if not cells:
            continue  # a numbered but empty row
        if len(cells) > 2:  # totals and signature lines have one or two cells
            rows_in.append((rownum, row))
            continue
        first = fold(_cell_text(cells[0]))
        if first.startswith(TOTAL_WORDS):
            pre.append((rownum, "", "", Issue(FIXED, "total_row", "Dòng tổng cộng: bỏ qua.")))
            continue
        if first.startswith(FOOTER_WORDS):
            pre.append(
                (rownum, "", "", Issue(FIXED, "footer", "Phần ký tên cuối danh sách: dừng đọc từ dòng này."))
            )
            break
        rows_in.append((rownum, row))
    n = len(rows_in)
    rownums = np.array([r for r, _ in rows_in], dtype=np.int64)
    rows_only = [row for _, row in rows_in]
    rep = _Report(n, head)

    columns_cache: dict = {}

    def column(f):
        """The cells of a field (a fresh list: callers may change it)."""
        if f not in columns_cache:
            i = col.get(f)
            columns_cache[f] = _keys(map(operator.itemgetter(i), rows_only)) if i is not None else [None] * n
        return list(columns_cache[f])

    def per_unique(f, fn, values=None):
        values = column(f) if values is None else values
        codes, uniques = _factorize(values)
        results = [fn(u) for u in uniques]
        return codes, results

    if progress:
        progress(0, n)
    # Names.
    if "full_name" in col:
        raw_names = column("full_name")
        name_field = "full_name"
    else:
        fam, giv = column("family_name"), column("given_name")
        raw_names = [
            f"{_cell_text(a)} {_cell_text(b)}".strip() or None for a, b in zip(fam, giv, strict=True)
        ]
        name_field = "given_name"
    names, folded, name_issues, name_err = clean_names(raw_names)
    rep.error |= name_err
    too_long = np.array([v is not None and len(v) > MAX_NAME for v in names], dtype=bool)
    rep.rows(
        name_field,
        np.flatnonzero(too_long),
        lambda r: Issue(ERROR, "name_too_long", f"Họ tên dài quá {MAX_NAME} ký tự."),
    )
    for r in np.flatnonzero(np.array([bool(x) for x in name_issues], dtype=bool)):
        for i in name_issues[r]:
            rep.items.append((int(r), name_field, i))
    # Sex, from its column and from the "Nam"/"Nữ" columns (which may hold the date of birth).
    sex = np.full(n, "", dtype="U1")
    if "sex" in col:
        codes, res = per_unique("sex", clean_sex)
        vals = np.array([c.value or "" for c in res], dtype="U1")
        sex = vals[codes]
        rep.per_value("sex", codes, [c.issues for c in res])
    male, female = column("male_mark"), column("female_mark")
    has_m = np.array([v is not None for v in male], dtype=bool)
    has_f = np.array([v is not None for v in female], dtype=bool)
    both = has_m & has_f
    rep.rows(
        "male_mark",
        np.flatnonzero(both),
        lambda r: Issue(ERROR, "sex_both", "Đánh dấu cả hai cột Nam và Nữ."),
    )
    mark_sex = np.where(has_m & ~both, "m", np.where(has_f & ~both, "f", ""))
    conflict = (mark_sex != "") & (sex != "") & (mark_sex != sex)
    rep.rows(
        "male_mark",
        np.flatnonzero(conflict),
        lambda r: Issue(ERROR, "sex_conflict", "Giới tính ghi ở hai cột không khớp nhau."),
    )
    sex = np.where(mark_sex != "", mark_sex, sex)
    if ("male_mark" in col or "female_mark" in col) and "sex" not in col:
        rep.rows(
            "male_mark",
            np.flatnonzero(~has_m & ~has_f),
            lambda r: Issue(WARNING, "sex_missing", "Không đánh dấu cột Nam hay Nữ."),
        )
    # Date of birth: its column, else the mark column holding a date, else the year column.
    marks = {"x", "v", "1", "co", "✓", "✔"}
    birth_raw = column("birth_date")
    default_field = next(
        (f for f in ("birth_date", "male_mark", "female_mark", "birth_year") if f in col), "birth_date"
    )
    birth_field = np.full(n, default_field, dtype=object)
    year_col = column("birth_year")
    for r in range(n):
        if birth_raw[r] is None:
            m = male[r] if has_m[r] and not both[r] else (female[r] if has_f[r] and not both[r] else None)
            if both[r] and male[r] == female[r]:
                m = male[r]  # the same date under both: the sex is unknown (reported), the date is not
            if m is not None and fold(_cell_text(m)) not in marks:
                birth_raw[r] = m
                birth_field[r] = "male_mark" if has_m[r] else "female_mark"
            elif year_col[r] is not None:
                birth_raw[r] = year_col[r]
                birth_field[r] = "birth_year"
    bcodes, buniq = _factorize(birth_raw)
    bparts = [split_date(u, today) for u in buniq]
    label = head.get("birth_date") or head.get("male_mark") or head.get("birth_year") or "Ngày sinh"
    order, flag = _date_order(pre, label, "birth_date", [bparts[c] for c in bcodes])
    bres = [
        resolve_date(p, order, "Ngày sinh", u, flag_ambiguous=flag)
        for p, u in zip(bparts, buniq, strict=True)
    ]
    for res in bres:
        if res.ok:
            res.issues = list(res.issues) + check_birth_date(res.value, today)
    birth = np.array([res.value if res.ok else None for res in bres], dtype=object)[bcodes]
    precision = np.array([res.extra.get("precision", DatePrecision.DAY) for res in bres], dtype=object)[
        bcodes
    ]
    has_issue = np.array([bool(res.issues) for res in bres], dtype=bool)
    berr = np.array([not res.ok or any(i.severity == ERROR for i in res.issues) for res in bres], dtype=bool)
    rep.error |= berr[bcodes]
    for r in np.flatnonzero(has_issue[bcodes]):
        for i in bres[bcodes[r]].issues:
            rep.items.append((int(r), birth_field[r], i))
    year = np.array([d.year if d is not None else 0 for d in birth], dtype=np.int64)
    # Ethnic group.
    eth = np.full(n, "", dtype=object)
    if "ethnicity" in col:
        codes, res = per_unique("ethnicity", lambda v: clean_ethnicity(v, batch.ethnicity_list))
        eth = np.array([c.value or "" for c in res], dtype=object)[codes]
        rep.per_value("ethnicity", codes, [c.issues for c in res])
    # Personal ID.
    pid = [""] * n
    if "personal_id" in col:
        pid, found = _ids(column("personal_id"), sex, year)
        for r in sorted(found):
            for i in found[r]:
                if i.severity == ERROR:
                    rep.error[r] = True
                rep.items.append((r, "personal_id", i))
    pid = np.array(pid, dtype=object)
    # Residence.
    resolver = UnitResolver(batch.unit, batch.list_generation)
    place_cols = [column(f) for f in ("commune_code", "commune", "district", "village")]
    if all(_all_text(c) for c in place_cols):  # factorize the raw cells first: _txt once per distinct place
        raw_codes, raw_uniq = _factorize_tuples(list(zip(*place_cols, strict=True)))
        ucodes, puniq = _factorize_tuples([tuple(_txt(v) for v in key) for key in raw_uniq])
        pcodes = ucodes[raw_codes]
    else:
        pcodes, puniq = _factorize([tuple(_txt(v) for v in key) for key in zip(*place_cols, strict=True)])
    pres = []
    for key in puniq:
        res = resolver.resolve(*key)
        if res.value is not None and not _editable(batch, res.value):
            res = Cleaned(
                extra=res.extra,
                issues=[
                    *res.issues,
                    Issue(
                        ERROR, "commune_out_of_scope", f"{res.value.full_name} ngoài địa bàn bạn được nhập."
                    ),
                ],
            )
        pres.append(res)
    rep.per_value("commune" if "commune" in col else "commune_code", pcodes, [res.issues for res in pres])
    commune_id = np.array([res.value.id if res.value is not None else 0 for res in pres], dtype=np.int64)[
        pcodes
    ]
    source_unit = np.array(
        [res.extra.get("source_unit").id if res.extra.get("source_unit") else None for res in pres],
        dtype=object,
    )[pcodes]
    village_id = np.array(
        [res.extra.get("village").id if res.extra.get("village") else None for res in pres], dtype=object
    )[pcodes]
    village_name = np.array([(res.extra.get("village_name") or "")[:150] for res in pres], dtype=object)[
        pcodes
    ]
    # Birth registration.
    registered = np.full(n, None, dtype=object)
    if "birth_registered" in col:
        codes, res = per_unique("birth_registered", lambda v: clean_bool(v, "Đã đăng ký khai sinh"))
        registered = np.array([c.value for c in res], dtype=object)[codes]
        rep.per_value("birth_registered", codes, [c.issues for c in res])
    reg_date = np.full(n, None, dtype=object)
    if "birth_registration_date" in col:
        raw = column("birth_registration_date")
        codes, uniq = _factorize(raw)
        parts = [split_date(u, today) for u in uniq]
        rorder, rflag = _date_order(
            pre, head["birth_registration_date"], "birth_registration_date", [parts[c] for c in codes]
        )
        res = [
            resolve_date(p, rorder, "Ngày đăng ký khai sinh", u, flag_ambiguous=rflag)
            for p, u in zip(parts, uniq, strict=True)
        ]
        rep.per_value("birth_registration_date", codes, [c.issues for c in res])
        reg_date = np.array([c.value if c.ok else None for c in res], dtype=object)[codes]
        before = np.array(
            [rd is not None and b is not None and rd < b for rd, b in zip(reg_date, birth, strict=True)],
            dtype=bool,
        )
        rep.rows(
            "birth_registration_date",
            np.flatnonzero(before),
            lambda r: Issue(ERROR, "registration_before_birth", "Ngày đăng ký khai sinh trước ngày sinh."),
        )
        future = np.array([rd is not None and rd > today for rd in reg_date], dtype=bool)
        rep.rows(
            "birth_registration_date",
            np.flatnonzero(future),
            lambda r: Issue(ERROR, "registration_future", "Ngày đăng ký khai sinh ở tương lai."),
        )
        reg_date[before | future] = None
    status = np.full(n, "", dtype=object)
    for r in np.flatnonzero(np.not_equal(reg_date, None) | np.not_equal(registered, None)).tolist():
        rd, b = reg_date[r], birth[r]
        if rd is not None and b is not None and precision[r] == DatePrecision.DAY:
            status[r] = (
                BirthRegistration.ON_TIME
                if (rd - b).days <= BIRTH_REGISTRATION_DAYS
                else BirthRegistration.LATE
            )
        elif rd is not None or registered[r] is True:
            status[r] = BirthRegistration.REGISTERED
        elif registered[r] is False:
            status[r] = BirthRegistration.NOT_REGISTERED
    # Sensitive extras.
    circ = np.full(n, "", dtype=object)
    if "circumstance" in col:
        codes, res = per_unique("circumstance", _circumstance)
        circ = np.array([c for c, _ in res], dtype=object)[codes]
        rep.per_value("circumstance", codes, [i for _, i in res])
    dis = np.full(n, "", dtype=object)
    if "disability" in col:
        codes, res = per_unique("disability", _disability)
        dis = np.array([c for c, _ in res], dtype=object)[codes]
        rep.per_value("disability", codes, [i for _, i in res])
        circ = np.where(
            (dis != "") & (circ == ""), "d", circ
        )  # a child with a disability is in group d) of Article 10
    if progress:
        progress(n // 2, n)
    # Duplicates within the file (first occurrence kept).
    ok = ~rep.error
    skip = np.zeros(n, dtype=bool)
    seen_pid: dict[str, int] = {}
    seen_key: dict[tuple, int] = {}
    pid_l, folded_l, birth_l, commune_l = pid.tolist(), folded.tolist(), birth.tolist(), commune_id.tolist()
    for r in np.flatnonzero(ok).tolist():
        p = pid_l[r]
        if p:
            first = seen_pid.setdefault(p, r)
            if first != r:
                rep.items.append(
                    (
                        int(r),
                        "personal_id",
                        Issue(
                            WARNING,
                            "duplicate_in_file",
                            f"Trùng số định danh với dòng {rownums[first]}: bỏ qua dòng này.",
                        ),
                    )
                )
                skip[r] = True
                continue
        k = (folded_l[r], birth_l[r], commune_l[r])
        first = seen_key.setdefault(k, r)
        if first != r:
            rep.items.append(
                (
                    int(r),
                    name_field,
                    Issue(
                        WARNING,
                        "duplicate_in_file",
                        f"Trùng họ tên, ngày sinh và xã với dòng {rownums[first]}: bỏ qua dòng này.",
                    ),
                )
            )
            skip[r] = True
    # Already in the registry.
    known = _known(ok & ~skip, pid, folded, birth, commune_id)
    for r in np.flatnonzero(known):
        rep.items.append(
            (
                int(r),
                name_field,
                Issue(
                    WARNING,
                    "already_registered",
                    "Trẻ đã có trong sổ (trùng số định danh hoặc họ tên, ngày sinh, xã): bỏ qua.",
                ),
            )
        )
    skip |= known
    # Caregivers (names only when they read cleanly).
    caregivers = []
    for f, rel in (
        ("father_name", Relationship.FATHER),
        ("mother_name", Relationship.MOTHER),
        ("caregiver_name", Relationship.GUARDIAN),
    ):
        if f in col:
            cg, cg_fold, _, cg_err = clean_names(column(f))
            phone = (
                [(_cell_text(v))[:30] for v in column("caregiver_phone")]
                if rel == Relationship.GUARDIAN
                else [""] * n
            )
            caregivers.append(
                (
                    rel,
                    cg,
                    cg_fold,
                    ~cg_err & np.array([bool(x) and len(x) <= MAX_NAME for x in cg], dtype=bool),
                    phone,
                )
            )
    # Report and counts.
    issues = list(pre)
    for r, f, i in rep.items:
        issues.append((int(rownums[r]), head.get(f, ""), f, i))
        counts[i.severity] += 1
    for *_, i in pre:
        counts[i.severity] += 1
    issues.sort(key=lambda t: t[0])
    write = ok & ~skip
    counts["rows"] = n
    counts["rows_with_errors"] = int(rep.error.sum())
    counts["rows_skipped"] = int((ok & skip).sum())
    counts["rows_ok"] = int(write.sum())
    columns = {
        "full_name": np.array(names, dtype=object),
        "name_folded": folded,
        "birth_date": birth,
        "birth_date_precision": precision,
        "sex": sex.astype(object),
        "ethnicity_code": eth,
        "ethnicity_list": np.where(eth != "", batch.ethnicity_list, ""),
        "personal_id": pid,
        "birth_registration": status,
        "birth_registration_date": reg_date,
        "birth_registration_place": _texts(column, col, "birth_registration_place", n, 250),
        "commune_id": commune_id,
        "source_unit_id": source_unit,
        "village_id": village_id,
        "village_name": village_name,
        "address": _texts(column, col, "address", n, 250),
        "disability_type": dis,
        "circumstance": circ,
    }
    if progress:
        progress(n, n)
    return CleanResult(
        rownums=rownums, ok=write, columns=columns, caregivers=caregivers, issues=issues, counts=dict(counts)
    )


def _factorize_tuples(values: list[tuple]) -> tuple[np.ndarray, list]:
    """:func:`_factorize` for tuples of texts and blanks."""
    index: dict = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(index)


def _texts(column, col: dict, f: str, n: int, limit: int) -> np.ndarray:
    """A free-text field as stripped text, cut to the column's length (empty when not mapped)."""
    if f not in col:
        return np.full(n, "", dtype=object)
    return np.array([_txt(v)[:limit] for v in column(f)], dtype=object)


def _editable(batch: ImportBatch, commune) -> bool:
    cache = batch.__dict__.setdefault("_editable_cache", {})
    if commune.id not in cache:
        cache[commune.id] = can_edit_unit(batch.uploaded_by, commune)
    return cache[commune.id]


def _known(mask: np.ndarray, pid, folded, birth, commune_id) -> np.ndarray:
    """Rows already in the registry of these communes: same personal ID, or same folded name, date of birth and commune.

    (A child registered with the same ID in another commune is a move: linkage finds it.)"""
    out = np.zeros(len(mask), dtype=bool)
    idx = np.flatnonzero(mask)
    if not len(idx):
        return out
    communes = {int(commune_id[r]) for r in idx}
    live = Child.objects.exclude(status=ChildStatus.MERGED).filter(commune_id__in=communes)
    known_ids, known_keys = set(), set()
    for p, name, b, c in live.values_list("personal_id", "name_folded", "birth_date", "commune_id").iterator(
        chunk_size=20000
    ):
        if p:
            known_ids.add(p)
        known_keys.add((name, b, c))
    if not known_keys:
        return out
    for r in idx:
        if (pid[r] and pid[r] in known_ids) or (folded[r], birth[r], int(commune_id[r])) in known_keys:
            out[r] = True
    return out


def _chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


# ---------------------------------------------------------------------------------------- progress


def _progress_path(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / "registry" / "progress" / f"{batch.uid}.json"


def set_progress(batch: ImportBatch, phase: str, done: int, total: int) -> None:
    """Record progress outside the database (readable while the apply transaction is open)."""
    path = _progress_path(batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total, "at": time.time()}))
    tmp.replace(path)


def get_progress(batch: ImportBatch) -> dict:
    """The current phase and counts of a batch's running step."""
    try:
        data = json.loads(_progress_path(batch).read_text())
    except (OSError, ValueError):
        data = {"phase": batch.status, "done": batch.processed_rows, "total": batch.total_rows}
    data["status"] = batch.status
    data["percent"] = int(100 * data["done"] / data["total"]) if data.get("total") else 0
    return data


# ---------------------------------------------------------------------------------------- check and apply


def _store_issues(batch: ImportBatch, issues) -> None:
    """Replace the batch's report (errors and doubts in full; corrections up to MAX_FIXED_NOTES)."""
    ImportIssue.objects.filter(batch=batch).delete()
    fixed = 0
    rows = []
    for row, header, f, i in issues:
        if i.severity == FIXED:
            fixed += 1
            if fixed > MAX_FIXED_NOTES:
                continue
        rows.append((batch.pk, row, header[:150], f or "", i.severity, i.code, i.message[:500]))
    _insert(
        ImportIssue._meta.db_table,
        ["batch_id", "row", "column", "field", "severity", "code", "message"],
        rows,
    )


@_without_gc
def check(user, batch: ImportBatch) -> ImportBatch:
    """Clean every row and store the report (errors, doubts, corrections); nothing is written to the registry."""
    _own(user, batch)
    if batch.status in (ImportBatch.Status.APPLIED, ImportBatch.Status.APPLYING):
        raise ImportRefused("Danh sách này đã được ghi vào sổ.")
    if not batch.mapping or not any(batch.mapping.values()):
        raise ImportRefused("Hãy ghép cột trước khi kiểm tra.")
    batch.status = ImportBatch.Status.CHECKING
    batch.save(update_fields=["status"])
    table = load_table(batch)
    result = clean_table(batch, table, progress=lambda d, t: set_progress(batch, "check", d, t))
    batch._clean = (dict(batch.mapping), result)
    with transaction.atomic():
        _store_issues(batch, result.issues)
        batch.counts = result.counts
        batch.total_rows = len(table.rows)
        batch.processed_rows = len(table.rows)
        batch.status = ImportBatch.Status.CHECKED
        batch.save(update_fields=["counts", "total_rows", "processed_rows", "status"])
    set_progress(batch, "checked", len(table.rows), len(table.rows))
    return batch


@_without_gc
def apply(user, batch: ImportBatch) -> ImportBatch:
    """Write the clean rows in one transaction; any failure rolls everything back."""
    _own(user, batch)
    if batch.status == ImportBatch.Status.APPLIED:
        raise ImportRefused("Danh sách này đã được ghi vào sổ.")
    if batch.status not in (ImportBatch.Status.CHECKED, ImportBatch.Status.FAILED):
        raise ImportRefused("Hãy kiểm tra danh sách trước khi ghi vào sổ.")
    table = load_table(batch)
    cached = getattr(batch, "_clean", None)
    cached_ok = cached is not None and cached[0] == batch.mapping
    if cached_ok:
        result = cached[1]
    else:
        with batch.file.open("rb") as f:
            if _sha(f.read()) != batch.file_sha256:
                raise ImportRefused("Tệp đã thay đổi sau khi tải lên: hãy tải lên lại.")
        result = clean_table(batch, table)
    errors = result.counts.get("rows_with_errors", 0)
    if errors and not batch.skip_errors:
        raise ImportRefused(
            f"Danh sách còn {errors} dòng có lỗi: hãy sửa tệp và tải lên lại, hoặc chọn “bỏ qua các dòng có lỗi”."
        )
    batch.status = ImportBatch.Status.APPLYING
    batch.save(update_fields=["status"])
    total = len(table.rows)
    try:
        with transaction.atomic():
            stats = bulk.write(
                batch, result, progress=lambda d, t, phase="apply": set_progress(batch, phase, d, t)
            )
            written = stats.written
            if not cached_ok:
                _store_issues(batch, result.issues)
            batch.counts = dict(result.counts, written=written)
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
            batch.processed_rows = total
            batch.message = ""
            batch.save(update_fields=["counts", "status", "applied_at", "processed_rows", "message"])
            record_change(
                user,
                "create",
                batch,
                {"children": [None, written]},
                unit=batch.unit,
                reason="ghi danh sách trẻ em vào sổ",
            )
    except bulk.RowError as exc:
        message = _write_error_message(batch, exc)
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, message=message)
        batch.refresh_from_db()
        set_progress(batch, "failed", 0, total)
        raise ImportWriteError(message) from None  # the database's own message may quote the value
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            message="Ghi vào sổ không thành công; không có dữ liệu nào được ghi. Hãy thử lại hoặc báo quản trị.",
        )
        batch.refresh_from_db()
        set_progress(batch, "failed", 0, total)
        raise
    batch._write_stats = stats
    set_progress(batch, "applied", total, total)
    return batch


# Staging columns of bulk.write → the field of the mapping they come from.
_COLUMN_FIELDS = {
    "full_name": "full_name",
    "name_folded": "full_name",
    "birth_date": "birth_date",
    "birth_date_precision": "birth_date",
    "sex": "sex",
    "ethnicity_code": "ethnicity",
    "ethnicity_list": "ethnicity",
    "personal_id": "personal_id",
    "birth_registration": "birth_registered",
    "birth_registration_date": "birth_registration_date",
    "birth_registration_place": "birth_registration_place",
    "commune_id": "commune",
    "source_unit_id": "commune",
    "village_id": "village",
    "village_name": "village",
    "address": "address",
    "disability_type": "disability",
    "circumstance": "circumstance",
}


def _write_error_message(batch: ImportBatch, exc: bulk.RowError) -> str:
    """Vietnamese: which rows and which column of the file the database refused (no value: it may be personal)."""
    fields = dict(_COLUMN_FIELDS)
    cg_fields = [f for f in ("father_name", "mother_name", "caregiver_name") if f in batch.mapping.values()]
    for k, f in enumerate(cg_fields):
        fields[f"cg{k}_name"] = fields[f"cg{k}_folded"] = f
        fields[f"cg{k}_phone"] = "caregiver_phone"
    f = fields.get(exc.column, "")
    if f == "full_name" and "full_name" not in batch.mapping.values():
        f = "given_name"
    if f == "commune" and "commune" not in batch.mapping.values():
        f = "commune_code"
    header = next((h for h, mapped in batch.mapping.items() if mapped == f), "") if f else ""
    label = header or FIELDS.get(f, "") or exc.column
    rows = ", ".join(str(r) for r in exc.rows)
    where = f"Dòng {rows}" if len(exc.rows) == 1 else f"Các dòng {rows}"
    return (
        f"{where}, cột “{label}”: {exc.reason} — cơ sở dữ liệu không nhận. Không có dữ liệu nào được ghi; "
        "hãy sửa tệp rồi tải lên, kiểm tra và ghi lại."
    )


def precheck_apply(user, batch: ImportBatch) -> None:
    """Refuse an apply that cannot succeed, before starting it (stored report: errors without skip)."""
    _own(user, batch)
    if batch.status == ImportBatch.Status.APPLIED:
        raise ImportRefused("Danh sách này đã được ghi vào sổ.")
    if batch.status not in (ImportBatch.Status.CHECKED, ImportBatch.Status.FAILED):
        raise ImportRefused("Hãy kiểm tra danh sách trước khi ghi vào sổ.")
    errors = (batch.counts or {}).get("rows_with_errors", 0)
    if errors and not batch.skip_errors:
        raise ImportRefused(
            f"Danh sách còn {errors} dòng có lỗi: hãy sửa tệp và tải lên lại, hoặc chọn “bỏ qua các dòng có lỗi”."
        )


def discard(user, batch: ImportBatch) -> None:
    """Drop an upload that was not applied (its file and report)."""
    _own(user, batch)
    if batch.status in (ImportBatch.Status.APPLIED, ImportBatch.Status.APPLYING):
        raise ImportRefused("Danh sách đã ghi vào sổ không hủy được.")
    batch.issues.all().delete()
    if batch.file:
        batch.file.delete(save=False)
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status", "file"])
    record_change(
        user, "update", batch, {"status": [None, "discarded"]}, unit=batch.unit, reason="hủy lần nhập"
    )


CHILD_COLUMNS = [
    "full_name",
    "name_folded",
    "birth_date",
    "birth_date_precision",
    "sex",
    "ethnicity_code",
    "ethnicity_list",
    "personal_id",
    "birth_registration",
    "birth_registration_date",
    "birth_registration_place",
    "commune_id",
    "source_unit_id",
    "village_id",
    "village_name",
    "address",
    "disability_type",
]


def time_ordered_uuids(n: int) -> list[uuid.UUID]:
    """n UUIDs of version 7 (millisecond time, then a counter, then random bits): unique, unguessable,
    and inserted in index order — a random uuid4 index makes bulk inserts several times slower."""
    ms = int(time.time() * 1000) & ((1 << 48) - 1)
    head = (ms << 80) | (0x7 << 76) | (0b10 << 62)
    rand = (
        (np.frombuffer(os.urandom(8 * n), dtype=np.uint64) & np.uint64((1 << 42) - 1)).tolist() if n else []
    )
    return [
        uuid.UUID(int=head | (((i >> 20) & 0xFFF) << 64) | ((i & 0xFFFFF) << 42) | r)
        for i, r in enumerate(rand)
    ]


def write_rows(batch: ImportBatch, result: CleanResult, progress=None) -> int:
    """Insert the clean rows (children, caregivers, circumstances) set-based (:mod:`.bulk`); inside the caller's transaction."""
    return bulk.write(batch, result, progress=progress).written


def _insert(table: str, columns: list[str], rows, total: int = 0, progress=None, chunk: int = 20000) -> None:
    """Fast set-based insert: COPY on PostgreSQL, executemany elsewhere."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            done = 0
            with raw.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if progress and done % chunk == 0:
                        progress(done, total)
            return
        sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
        buf, done = [], 0
        for row in rows:
            buf.append(row)
            if len(buf) >= chunk:
                cur.executemany(sql, buf)
                done += len(buf)
                buf = []
                if progress:
                    progress(done, total)
        if buf:
            cur.executemany(sql, buf)


def issues_by_row(
    batch: ImportBatch, severity: str | None = None, limit: int = 500
) -> dict[int, list[ImportIssue]]:
    """The report grouped by row (first rows first)."""
    qs = batch.issues.all()
    if severity:
        qs = qs.filter(severity=severity)
    grouped: dict[int, list[ImportIssue]] = defaultdict(list)
    for issue in qs[:limit]:
        grouped[issue.row].append(issue)
    return dict(grouped)


def report_csv(batch: ImportBatch) -> str:
    """The full report as CSV (dòng, cột, mức, nội dung) for download."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Dòng", "Cột", "Mức", "Nội dung"])
    labels = dict(ImportIssue.Severity.choices)
    for i in batch.issues.all().iterator(chunk_size=5000):
        w.writerow([i.row or "", i.column, labels.get(i.severity, i.severity), i.message])
    return buf.getvalue()


def run_import(user, unit, name: str, data: bytes, mapping: dict | None = None, **options) -> ImportBatch:
    """Upload, map (proposed mapping unless given), check and apply in one call (used by the command and the benchmark)."""
    batch = upload(user, unit, name, data, **options)
    set_mapping(user, batch, mapping or batch.mapping)
    check(user, batch)
    return apply(user, batch)


__all__ = [
    "FIELDS",
    "ImportFileError",
    "ImportRefused",
    "upload",
    "set_mapping",
    "check",
    "apply",
    "run_import",
    "get_progress",
    "issues_by_row",
    "report_csv",
    "WARNING",
    "ERROR",
    "FIXED",
]
