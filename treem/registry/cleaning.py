"""Cleaning of what people type in commune lists: names, dates, sex, ethnic group, personal ID, units.

Every function returns the cleaned value and a list of :class:`Issue` (Vietnamese message, severity),
never raises on bad input, and never guesses silently: an ambiguous date is read the way the rest of
its column reads and flagged.
"""

from __future__ import annotations

import csv
import datetime
import functools
import re
from dataclasses import dataclass, field

from treem.core.text import fix_pdf_artefacts, fold, nfc

from .codes import DEFAULT_ETHNIC_LIST, DatePrecision, Sex, ethnic_groups

ERROR, WARNING, FIXED = "error", "warning", "fixed"
CHILD_MAX_AGE = 16


@dataclass(frozen=True)
class Issue:
    """A problem (error), a doubt (warning) or a correction (fixed) about one value."""

    severity: str
    code: str
    message: str


@dataclass
class Cleaned:
    """A cleaned value with what was found on the way."""

    value: object = None
    issues: list[Issue] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(i.severity == ERROR for i in self.issues)


# ---------------------------------------------------------------------------------------- names

_NAME_JUNK = re.compile(r"^[\s.,;:\-_*•'\"()]+|[\s.,;:\-_*•'\"()]+$")
_DIGITS = re.compile(r"\d")
# Characters of the TCVN3 (ABC) legacy fonts that never occur in Unicode Vietnamese names.
_TCVN3_HINT = re.compile(r"[¨©ª«®µ¸¹»¼½¾Æ×ØÞß÷øþ]")


def clean_name(raw) -> Cleaned:
    """NFC, single spaces, each word capitalised: "NGUYỄN  văn a" → "Nguyễn Văn A"."""
    text = fix_pdf_artefacts(nfc("" if raw is None else str(raw)))
    text = " ".join(text.split())
    text = _NAME_JUNK.sub("", text)
    out = Cleaned()
    if not text:
        out.issues.append(Issue(ERROR, "name_missing", "Thiếu họ và tên."))
        return out
    if _DIGITS.search(text):
        out.issues.append(Issue(ERROR, "name_digits", f"Họ tên “{text}” có chữ số."))
        return out
    if _TCVN3_HINT.search(text):
        out.issues.append(
            Issue(
                ERROR,
                "name_legacy_font",
                f"Họ tên “{text}” có vẻ gõ bằng bảng mã cũ (TCVN3/VNI): hãy chuyển sang Unicode.",
            )
        )
        return out
    proper = text.title()  # same rule as Arrow's utf8_title used for whole columns
    if proper != " ".join(nfc("" if raw is None else str(raw)).split()):
        out.issues.append(Issue(FIXED, "name_normalised", f"Họ tên chuẩn hóa thành “{proper}”."))
    if " " not in proper:
        out.issues.append(Issue(WARNING, "name_single_word", f"Họ tên “{proper}” chỉ có một từ."))
    out.value = proper
    return out


# ---------------------------------------------------------------------------------------- dates

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2}|\d{4})$")
_MY = re.compile(r"^(?:tháng\s*)?(\d{1,2})\s*[/.\-\s]\s*(?:năm\s*)?(\d{4})$", re.IGNORECASE)
_Y = re.compile(r"^(?:năm\s*)?(\d{4})$", re.IGNORECASE)
_WORDS = re.compile(r"^(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*,?\s*năm\s*(\d{2,4})$", re.IGNORECASE)
EXCEL_EPOCH = datetime.date(1899, 12, 30)


@dataclass
class DateParts:
    """A typed date split into parts before the day/month order is decided."""

    first: int | None = None
    second: int | None = None
    year: int | None = None
    precision: str = DatePrecision.DAY
    fixed_date: datetime.date | None = None
    two_digit_year: bool = False
    bad: str = ""

    @property
    def ambiguous(self) -> bool:
        """Day and month could be swapped (both ≤ 12 and different)."""
        return (
            self.fixed_date is None
            and self.first is not None
            and self.first <= 12
            and self.second <= 12
            and self.first != self.second
        )

    @property
    def order_evidence(self) -> str:
        """ "dmy" or "mdy" when the value itself shows the order, else ""."""
        if self.fixed_date is not None or self.first is None:
            return ""
        if self.first > 12 >= self.second:
            return "dmy"
        if self.second > 12 >= self.first:
            return "mdy"
        return ""


def _year4(y: str, today: datetime.date) -> tuple[int, bool]:
    if len(y) == 4:
        return int(y), False
    yy = int(y)
    return (2000 + yy if 2000 + yy <= today.year else 1900 + yy), True


def split_date(raw, today: datetime.date | None = None) -> DateParts | None:
    """Split a typed date into parts; None for an empty cell."""
    today = today or datetime.date.today()
    if raw is None:
        return None
    if isinstance(raw, datetime.datetime):
        return DateParts(fixed_date=raw.date())
    if isinstance(raw, datetime.date):
        return DateParts(fixed_date=raw)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if raw != raw:  # NaN
            return None
        if float(raw).is_integer() and 1900 <= raw <= 2100:
            return DateParts(year=int(raw), precision=DatePrecision.YEAR)
        if 20000 < raw < 80000:  # an Excel serial day number
            return DateParts(fixed_date=EXCEL_EPOCH + datetime.timedelta(days=int(raw)))
        return DateParts(bad=str(raw))
    text = " ".join(nfc(str(raw)).split()).strip().rstrip(".")
    if not text or text.lower() in {"nan", "na", "none", "-", "không rõ", "khong ro", "?"}:
        return None
    if text.isdigit() and 20000 < int(text) < 80000 and len(text) == 5:
        return DateParts(fixed_date=EXCEL_EPOCH + datetime.timedelta(days=int(text)))
    if m := _ISO.match(text):
        y, mo, d = (int(g) for g in m.groups())
        try:
            return DateParts(fixed_date=datetime.date(y, mo, d))
        except ValueError:
            return DateParts(bad=text)
    if m := _WORDS.match(text):
        y, two = _year4(m.group(3), today)
        return DateParts(
            first=int(m.group(1)), second=int(m.group(2)), year=y, two_digit_year=two, precision="words"
        )
    if m := _DMY.match(text):
        y, two = _year4(m.group(3), today)
        return DateParts(first=int(m.group(1)), second=int(m.group(2)), year=y, two_digit_year=two)
    if m := _MY.match(text):
        return DateParts(first=1, second=int(m.group(1)), year=int(m.group(2)), precision=DatePrecision.MONTH)
    if m := _Y.match(text):
        return DateParts(year=int(m.group(1)), precision=DatePrecision.YEAR)
    return DateParts(bad=text)


def resolve_date(
    parts: DateParts | None,
    order: str = "dmy",
    label: str = "Ngày sinh",
    raw=None,
    flag_ambiguous: bool = True,
) -> Cleaned:
    """Turn parts into a date at its precision, reading ambiguous day/month in the column's order.

    An ambiguous value (both parts ≤ 12) is flagged unless ``flag_ambiguous`` is off — which callers do
    only when the rest of the column shows the order without contradiction (then one column note says so).
    """
    out = Cleaned(extra={"precision": DatePrecision.DAY})
    shown = "" if raw is None else " ".join(str(raw).split())
    if parts is None:
        return out
    if parts.bad:
        out.issues.append(
            Issue(
                ERROR,
                "date_unreadable",
                f"{label} “{shown}” không đọc được (ghi dạng 05/03/2019, 03/2019 hoặc 2019).",
            )
        )
        return out
    if parts.fixed_date is not None:
        out.value = parts.fixed_date
        return out
    if parts.precision == DatePrecision.YEAR:
        out.value = datetime.date(parts.year, 1, 1)
        out.extra["precision"] = DatePrecision.YEAR
        out.issues.append(
            Issue(FIXED, "date_year_only", f"{label} chỉ có năm {parts.year}: ghi độ chính xác “năm”.")
        )
        return out
    if parts.precision == DatePrecision.MONTH:
        try:
            out.value = datetime.date(parts.year, parts.second, 1)
        except ValueError:
            out.issues.append(
                Issue(ERROR, "date_invalid", f"{label} “{shown}”: tháng {parts.second} không có thật.")
            )
            return out
        out.extra["precision"] = DatePrecision.MONTH
        out.issues.append(
            Issue(FIXED, "date_month_only", f"{label} chỉ có tháng và năm: ghi độ chính xác “tháng”.")
        )
        return out
    day, month = (
        (parts.second, parts.first)
        if order == "mdy" and parts.precision != "words"
        else (parts.first, parts.second)
    )
    try:
        out.value = datetime.date(parts.year, month, day)
    except ValueError:
        out.issues.append(Issue(ERROR, "date_invalid", f"{label} “{shown}” không phải ngày có thật."))
        return out
    if parts.two_digit_year:
        out.issues.append(
            Issue(
                FIXED, "date_two_digit_year", f"{label} “{shown}” ghi năm 2 chữ số: hiểu là năm {parts.year}."
            )
        )
    if flag_ambiguous and parts.ambiguous and parts.precision != "words":
        how = "tháng/ngày" if order == "mdy" else "ngày/tháng"
        out.issues.append(
            Issue(
                WARNING,
                "date_ambiguous",
                f"{label} “{shown}” có thể đảo ngày và tháng; đã hiểu là {out.value:%d/%m/%Y} ({how}, theo các dòng khác của cột) — hãy kiểm tra.",
            )
        )
    return out


def column_order(parts_list) -> tuple[str, bool]:
    """The day/month order a column shows ("dmy" by Vietnamese default) and whether it is mixed."""
    order, mixed, _ = column_evidence(parts_list)
    return order, mixed


def column_evidence(parts_list) -> tuple[str, bool, int]:
    """(order, mixed, number of values that show the order by themselves)."""
    dmy = mdy = 0
    for p in parts_list:
        if p is None:
            continue
        ev = p.order_evidence
        dmy += ev == "dmy"
        mdy += ev == "mdy"
    if mdy > dmy:
        return "mdy", dmy > 0, mdy
    return "dmy", mdy > 0, dmy


def check_birth_date(value: datetime.date | None, today: datetime.date | None = None) -> list[Issue]:
    """Plausibility of a child's date of birth."""
    today = today or datetime.date.today()
    if value is None:
        return [Issue(ERROR, "birth_date_missing", "Thiếu ngày sinh.")]
    if value > today:
        return [Issue(ERROR, "birth_date_future", f"Ngày sinh {value:%d/%m/%Y} ở tương lai.")]
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age >= CHILD_MAX_AGE:
        return [
            Issue(
                WARNING,
                "over_age",
                f"Sinh {value:%d/%m/%Y}: đã {age} tuổi, không còn là trẻ em (dưới 16 tuổi).",
            )
        ]
    return []


# ---------------------------------------------------------------------------------------- sex, ethnicity

_SEX = {
    "nam": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "1": Sex.MALE,
    "trai": Sex.MALE,
    "be trai": Sex.MALE,
    "x nam": Sex.MALE,
    "nu": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "2": Sex.FEMALE,
    "0": Sex.FEMALE,
    "gai": Sex.FEMALE,
    "be gai": Sex.FEMALE,
    "n": Sex.FEMALE,
}


def clean_sex(raw) -> Cleaned:
    """Nam / Nữ in the ways people type them."""
    text = fold("" if raw is None else str(raw)).strip(". ")
    if text in ("", "nan"):
        return Cleaned(issues=[Issue(WARNING, "sex_missing", "Thiếu giới tính.")], value="")
    if text.endswith(".0"):
        text = text[:-2]
    if text in _SEX:
        return Cleaned(value=_SEX[text])
    return Cleaned(
        value="",
        issues=[Issue(ERROR, "sex_unknown", f"Giới tính “{raw}” không hiểu được (ghi Nam hoặc Nữ).")],
    )


def _ethnic_key(s: str) -> str:
    return re.sub(r"[\s\-'’]", "", fold(s))


_ETHNIC_ALIASES = {
    "mong": "08",
    "hmong": "08",
    "meo": "08",
    "khmer": "05",
    "khome": "05",
    "ede": "12",
    "rade": "12",
    "bahnar": "13",
    "jrai": "10",
    "giarai": "10",
    "tay": "02",
    "kinh": "01",
    "viet": "01",
    "hoa": "04",
    "chamm": "17",
    "muong": "06",
    "nung": "07",
    "thai": "03",
    "dao": "09",
    "man": "09",
}


@functools.cache
def _ethnic_index(list_version: str) -> dict[str, str]:
    idx = {_ethnic_key(name): code for code, name in ethnic_groups(list_version).items()}
    if list_version == DEFAULT_ETHNIC_LIST:
        for k, v in _ETHNIC_ALIASES.items():
            idx.setdefault(k, v)
    return idx


def clean_ethnicity(raw, list_version: str = DEFAULT_ETHNIC_LIST) -> Cleaned:
    """An ethnic group by name ("Tày", "H'Mông", "Mông") or by code of the given list → code of that list."""
    text = "" if raw is None else str(raw).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text or text.lower() == "nan":
        return Cleaned(value="")
    groups = ethnic_groups(list_version)
    if text.isdigit():
        code = f"{int(text):02d}"
        if code in groups:
            return Cleaned(value=code)
        return Cleaned(
            value="", issues=[Issue(ERROR, "ethnicity_code", f"Mã dân tộc “{text}” không có trong danh mục.")]
        )
    key = _ethnic_key(text)
    key = re.sub(r"^dantoc", "", key)
    if key in _ethnic_index(list_version):
        return Cleaned(value=_ethnic_index(list_version)[key])
    return Cleaned(
        value="",
        issues=[Issue(ERROR, "ethnicity_unknown", f"Dân tộc “{text}” không có trong danh mục 54 dân tộc.")],
    )


# ---------------------------------------------------------------------------------------- personal ID


@functools.cache
def province_codes_of_birth() -> frozenset[str]:
    """The 3-digit province codes of personal ID numbers (the 63 pre-2025 province codes, 0-padded)."""
    from treem.geo.services import DATA_DIR as GEO_DATA

    with open(GEO_DATA / "units_pre2025.csv", encoding="utf-8", newline="") as f:
        return frozenset(f"0{r['code']}" for r in csv.DictReader(f) if r["level"] == "province")


_ID_CLEAN = re.compile(r"[\s.\-]")


def normalise_personal_id(raw) -> Cleaned:
    """Strip spaces and dots; restore a leading zero that Excel dropped (flagged)."""
    out = Cleaned(value="")
    if raw is None:
        return out
    if isinstance(raw, float):
        if raw != raw:
            return out
        if not raw.is_integer() or raw >= 1e12:
            out.issues.append(
                Issue(
                    ERROR,
                    "id_number_mangled",
                    "Số định danh bị Excel đổi thành số thực; hãy định dạng cột là văn bản.",
                )
            )
            return out
        raw = int(raw)
    text = _ID_CLEAN.sub("", nfc(str(raw)))
    if not text or text.lower() == "nan":
        return out
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+\d+", text):
        out.issues.append(
            Issue(
                ERROR,
                "id_number_mangled",
                "Số định danh bị Excel đổi thành dạng 2,02E+11; hãy định dạng cột là văn bản.",
            )
        )
        return out
    if text.isdigit() and len(text) == 11 and isinstance(raw, int | str):
        text = "0" + text
        out.issues.append(
            Issue(FIXED, "id_leading_zero", "Số định danh thiếu số 0 đầu (Excel đã bỏ): đã thêm lại.")
        )
    out.value = text
    return out


def validate_personal_id(pid: str, sex: str = "", birth_year: int | None = None) -> list[Issue]:
    """Check a 12-digit personal ID: province of birth registration, century/sex digit, birth-year digits."""
    if not pid:
        return []
    if not pid.isdigit() or len(pid) != 12:
        return [
            Issue(ERROR, "id_length", f"Số định danh phải gồm đúng 12 chữ số (đang có {len(pid)} ký tự).")
        ]
    issues = []
    if pid[:3] not in province_codes_of_birth():
        issues.append(
            Issue(
                ERROR,
                "id_province",
                f"Số định danh: 3 số đầu “{pid[:3]}” không phải mã tỉnh nơi đăng ký khai sinh.",
            )
        )
    digit = int(pid[3])
    century = 1900 + 100 * (digit // 2)
    id_sex = Sex.FEMALE if digit % 2 else Sex.MALE
    id_year = century + int(pid[4:6])
    if sex and sex != id_sex:
        issues.append(
            Issue(
                ERROR,
                "id_sex",
                f"Số định danh: chữ số thứ 4 ({digit}) chỉ giới tính {Sex(id_sex).label.lower()}, không khớp giới tính đã ghi.",
            )
        )
    if birth_year is not None and birth_year != id_year:
        issues.append(
            Issue(
                ERROR,
                "id_birth_year",
                f"Số định danh: chữ số 4–6 chỉ năm sinh {id_year}, không khớp năm sinh {birth_year}.",
            )
        )
    return issues


def clean_personal_id(raw, sex: str = "", birth_year: int | None = None) -> Cleaned:
    """Normalise then validate a personal ID."""
    out = normalise_personal_id(raw)
    if out.ok and out.value:
        out.issues.extend(validate_personal_id(out.value, sex, birth_year))
        if not out.ok:
            out.value = ""
    return out


# ---------------------------------------------------------------------------------------- yes / no

_YES = {"x", "co", "yes", "y", "1", "da", "da dk", "da dang ky", "dung han", "true", "v", "✓", "✔"}
_NO = {"khong", "no", "n", "0", "chua", "chua dk", "chua dang ky", "false", "k"}


def clean_bool(raw, label: str) -> Cleaned:
    """Có / không, x, 1/0, đã / chưa."""
    text = fold("" if raw is None else str(raw)).strip(". ")
    if text.endswith(".0"):
        text = text[:-2]
    if text in ("", "nan"):
        return Cleaned(value=None)
    if text in _YES:
        return Cleaned(value=True)
    if text in _NO:
        return Cleaned(value=False)
    return Cleaned(
        value=None,
        issues=[Issue(WARNING, "bool_unknown", f"{label}: “{raw}” không rõ là có hay không; bỏ qua.")],
    )
