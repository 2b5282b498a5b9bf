"""The review screen's data: the extraction prepared for editing, the rows and fields of the form, the
posted form read back into the plan's JSON with Vietnamese messages naming each wrong field, and the
source text with every extracted item highlighted by its span."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from treem.accounts.models import Sector
from treem.core.text import fold, format_vn_number, parse_vn_number
from treem.indicators.models import Unit
from treem.plans.models import AssignmentRole, Comparator, DocumentType, Frequency, IssuerKind, Reporters

from .extract import LOW_CONFIDENCE

DOC_TYPES = [str(label) for _, label in DocumentType.choices]
YEAR_MIN, YEAR_MAX = 1945, 2100

# (field, label, max length) of each kind of row, in form order.
DOC_FIELDS = [
    ("type", "Loại văn bản", 40),
    ("number", "Số, ký hiệu", 60),
    ("date", "Ngày ban hành", 10),
    ("place", "Địa danh", 120),
    ("issuer", "Cơ quan ban hành", 250),
    ("issuer_kind", "Loại cơ quan ban hành", 30),
    ("title", "Trích yếu", 2000),
    ("signer", "Người ký", 150),
    ("signer_title", "Chức vụ người ký", 150),
    ("period_start", "Từ năm", 4),
    ("period_end", "Đến năm", 4),
]
ROW_FIELDS = {
    "implements": [
        ("number", "Số, ký hiệu", 60),
        ("date", "Ngày ban hành", 10),
        ("type", "Loại", 40),
        ("issuer", "Cơ quan", 250),
    ],
    "targets": [
        ("number", "Số chỉ tiêu", 20),
        ("group", "Nhóm", 300),
        ("text", "Nội dung chỉ tiêu", 4000),
        ("objective", "Mục tiêu", 20),
    ],
    "components": [
        ("indicator", "Chỉ số (theo văn bản)", 400),
        ("indicator_code", "Chỉ số trong danh mục", 60),
        ("comparator", "So sánh", 12),
        ("value", "Giá trị", 30),
        ("unit", "Đơn vị", 30),
        ("year", "Năm mốc", 4),
        ("qualifier", "Điều kiện", 120),
    ],
    "assignments": [
        ("agency", "Cơ quan", 300),
        ("role", "Vai trò", 12),
        ("targets", "Chỉ tiêu được giao", 500),
        ("sector", "Ngành", 30),
    ],
    "reporting": [
        ("frequency", "Kỳ báo cáo", 12),
        ("deadline", "Hạn báo cáo", 10),
        ("reporters", "Đơn vị báo cáo", 20),
        ("to", "Gửi đến", 250),
        ("through", "Qua", 250),
        ("text", "Trích văn bản", 4000),
    ],
    "tasks": [("number", "Số", 20), ("title", "Nhiệm vụ, giải pháp", 2000)],
}
KINDS = ("implements", "targets", "assignments", "reporting", "tasks")
REF_PREFIX = {"implements": "imp", "targets": "t", "assignments": "a", "reporting": "r", "tasks": "k"}
CHOICES = {
    "comparator": [(v, f"{v} – {label}") for v, label in Comparator.choices],
    "unit": list(Unit.choices),
    "role": list(AssignmentRole.choices),
    "frequency": list(Frequency.choices),
    "reporters": list(Reporters.choices),
    "issuer_kind": list(IssuerKind.choices),
    "sector": list(Sector.choices),
}

SECTOR_WORDS = [
    (r"lao dong|thuong binh", Sector.LABOUR_SOCIAL),
    (r"giao duc|truong hoc|\bgd", Sector.EDUCATION),
    (r"\by te\b|benh vien|dan so", Sector.HEALTH),
    (r"tu phap|toa an|vien kiem sat", Sector.JUSTICE),
    (r"cong an|quan su|bien phong", Sector.POLICE),
    (r"van hoa|thong tin|the thao|du lich|truyen thong|dai phat thanh|\bbao\b", Sector.CULTURE_INFORMATION),
    (r"tai chinh|ke hoach|kho bac|ngan hang|bao hiem", Sector.FINANCE),
    (r"noi vu", Sector.HOME_AFFAIRS),
    (r"tai nguyen|moi truong|nong nghiep", Sector.NATURAL_RESOURCES),
    (
        r"mat tran|doan thanh nien|hoi lien hiep|phu nu|hoi nong dan|cuu chien binh|lien doan lao dong|hoi ",
        Sector.FRONT_MASS_ORG,
    ),
    (r"uy ban nhan dan|ubnd|van phong hdnd", Sector.PEOPLE_COMMITTEE),
    (r"hoi dong nhan dan|hdnd", Sector.PEOPLE_COUNCIL),
    (r"\buy\b|dang uy|ban tuyen giao|ban dan van", Sector.PARTY_COMMITTEE),
]
ISSUER_WORDS = [
    (r"bo chinh tri|ban bi thu|trung uong|quoc hoi|chinh phu|thu tuong|^bo ", IssuerKind.CENTRAL),
    (r"hoi dong nhan dan|hdnd", IssuerKind.PEOPLE_COUNCIL),
    (r"uy ban nhan dan|ubnd", IssuerKind.PEOPLE_COMMITTEE),
    (r"tinh uy|huyen uy|thanh uy|thi uy|dang uy|ban thuong vu|ban chap hanh", IssuerKind.PARTY_COMMITTEE),
    (r"^(?:so|phong|trung tam|ban)\b", IssuerKind.AGENCY),
]


def guess(words, name: str | None) -> str:
    """The first category whose words occur in a name (folded), else ""."""
    f = fold(name or "")
    return next((str(value) for pattern, value in words if re.search(pattern, f)), "")


# ---------------------------------------------------------------- extraction → editable data


def prepare(extraction: dict, unit=None) -> dict:
    """The extraction in the shape `store_plan` takes, with spans and confidences kept for the screen."""
    doc = extraction.get("document") or {}
    implements = doc.get("implements_detail") or doc.get("implements") or []
    return {
        "document": {
            "type": doc.get("type")
            if doc.get("type") in DOC_TYPES
            else (str(DocumentType.KHAC.label) if doc.get("type") else None),
            "number": doc.get("number"),
            "date": doc.get("date"),
            "place": doc.get("place"),
            "issuer": doc.get("issuer"),
            "issuer_kind": guess(ISSUER_WORDS, doc.get("issuer")) or None,
            "title": doc.get("title"),
            "signer": doc.get("signer"),
            "signer_title": doc.get("signer_title"),
            "period": doc.get("period"),
            "implements": [
                {k: r.get(k) for k in ("number", "date", "type", "issuer", "span")} for r in implements
            ],
            "spans": doc.get("spans") or {},
            "confidence": doc.get("confidence") or {},
        },
        "objectives": [
            {k: o.get(k) for k in ("number", "kind", "title", "text")}
            for o in extraction.get("objectives") or []
        ],
        "targets": [
            {
                **{k: t.get(k) for k in ("number", "group", "objective", "text", "span", "confidence")},
                "components": [
                    {
                        k: c.get(k)
                        for k in (
                            "indicator",
                            "indicator_code",
                            "comparator",
                            "value",
                            "unit",
                            "year",
                            "qualifier",
                            "span",
                            "confidence",
                        )
                    }
                    for c in t.get("components") or []
                ],
            }
            for t in extraction.get("targets") or []
        ],
        "assignments": [
            {
                **{k: a.get(k) for k in ("agency", "role", "targets", "span", "confidence")},
                "sector": guess(SECTOR_WORDS, a.get("agency")) or None,
            }
            for a in extraction.get("assignments") or []
        ],
        "reporting": [
            {
                k: r.get(k)
                for k in ("frequency", "deadline", "reporters", "to", "through", "text", "span", "confidence")
            }
            for r in extraction.get("reporting") or []
        ],
        "tasks": [
            {k: t.get(k) for k in ("number", "title", "span", "confidence")}
            for t in extraction.get("tasks") or []
        ],
    }


# ---------------------------------------------------------------- data → form rows


@dataclass
class Field:
    """One input of the review form."""

    name: str
    value: str = ""
    error: str = ""
    ref: str = ""  # the highlighted item in the text this field belongs to (metadata fields)
    low: bool = False

    @property
    def id(self) -> str:
        return f"f-{self.name}"


@dataclass
class Row:
    """One editable item (a target, a component, an assignment …) and where its text is."""

    prefix: str
    ref: str
    f: dict
    span: str = ""
    confidence: str = ""
    low: bool = False
    children: list = field(default_factory=list)
    linked: object = None  # the plan in TreEm an implemented document links to


def shown(value) -> str:
    """A value as the form shows it: numbers the Vietnamese way, lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (int, float, Decimal)):
        return format_vn_number(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def shown_date(value) -> str:
    """An ISO date as dd/mm/yyyy (what officials write); anything else as it was typed."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value or ""))
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else shown(value)


def _span_text(span) -> str:
    if isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(x, int) for x in span):
        return f"{span[0]},{span[1]}"
    return ""


def _is_low(item: dict) -> bool:
    conf = item.get("confidence")
    return isinstance(conf, (int, float)) and conf < LOW_CONFIDENCE


def _row(kind: str, prefix: str, ref: str, item: dict, errors: dict, fields=None) -> Row:
    fields = fields or ROW_FIELDS[kind]
    f = {}
    for name, _label, _max in fields:
        value = item.get(name)
        if kind == "targets" and name == "number" and value is None:
            value = ""
        text = (
            shown_date(value)
            if name == "date"
            else shown(value)
            if name != "year"
            else str(value)
            if value not in (None, "")
            else ""
        )
        f[name] = Field(f"{prefix}-{name}", text, errors.get(f"{prefix}-{name}", ""))
    conf = item.get("confidence")
    return Row(
        prefix=prefix,
        ref=ref,
        f=f,
        span=_span_text(item.get("span")),
        confidence="" if conf is None else str(conf),
        low=_is_low(item),
    )


def form_rows(data: dict, errors: dict | None = None, parents=None) -> dict:
    """Every field of the review form, filled from the data (and the errors of a rejected post)."""
    errors = errors or {}
    doc = data.get("document") or {}
    period = doc.get("period") or [None, None]
    doc_values = {**doc, "period_start": period[0], "period_end": period[1]}
    low_meta = {
        k
        for k, v in (doc.get("confidence") or {}).items()
        if isinstance(v, (int, float)) and v < LOW_CONFIDENCE
    }
    spans = doc.get("spans") or {}
    meta = {
        name: Field(
            f"doc-{name}",
            str(doc_values.get(name) or "")
            if name.startswith("period")
            else shown_date(doc_values.get(name))
            if name == "date"
            else shown(doc_values.get(name)),
            errors.get(f"doc-{name}", ""),
            ref=f"doc-{name}" if _span_text(spans.get(name)) else "",
            low=name in low_meta,
        )
        for name, _l, _m in DOC_FIELDS
    }
    rows = {"meta": meta, "meta_low": low_meta}
    linked = dict(enumerate(p for _r, p in (parents or [])))
    for kind in KINDS:
        items = doc.get("implements") or [] if kind == "implements" else data.get(kind) or []
        out = []
        for i, item in enumerate(items):
            row = _row(kind, f"{kind}-{i}", f"{REF_PREFIX[kind]}{i}", item, errors)
            if kind == "targets":
                row.children = [
                    _row("components", f"{kind}-{i}-components-{j}", f"t{i}c{j}", c, errors)
                    for j, c in enumerate(item.get("components") or [])
                ]
            if kind == "implements":
                row.linked = linked.get(i)
            out.append(row)
        rows[kind] = out
    return rows


def blank_rows() -> dict:
    """Empty rows with placeholders (__T__, __C__) that the page's script numbers when it adds a row."""
    out = {kind: _row(kind, f"{kind}-__T__", f"{REF_PREFIX[kind]}__T__", {}, {}) for kind in KINDS}
    out["component"] = _row("components", "targets-__T__-components-__C__", "t__T__c__C__", {}, {})
    out["targets"].children = [out["component"]]
    return out


# ---------------------------------------------------------------- posted form → data


NAME_RE = re.compile(r"^(implements|targets|assignments|reporting|tasks)-(\d+)-(?:components-(\d+)-)?(\w+)$")


class Errors(dict):
    """Field name → problem; `summary` keeps the full messages ("Chỉ tiêu 9 › thành phần 1 › Giá trị: …") in order."""

    def __init__(self):
        super().__init__()
        self.summary: list[tuple[str, str]] = []

    def add(self, name: str, where: str, label: str, problem: str) -> None:
        if name not in self:
            self[name] = problem
            self.summary.append((name, f"{where} › {label}: {problem}" if where else f"{label}: {problem}"))


def collect(post) -> dict:
    """Group posted fields by kind and row index (in index order), components under their targets."""
    doc = {name: post.get(f"doc-{name}", "").strip() for name, _l, _m in DOC_FIELDS}
    rows: dict[str, dict[int, dict]] = {kind: {} for kind in KINDS}
    for key in post:
        m = NAME_RE.match(key)
        if not m:
            continue
        kind, i, j, name = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        row = rows[kind].setdefault(i, {"components": {}} if kind == "targets" else {})
        if j is not None:
            if kind == "targets":
                row["components"].setdefault(int(j), {})[name] = post.get(key, "").strip()
        else:
            row[name] = post.get(key, "").strip()
    out = {"doc": doc}
    for kind in KINDS:
        out[kind] = [rows[kind][i] for i in sorted(rows[kind])]
        if kind == "targets":
            for t in out[kind]:
                t["components"] = [t["components"][j] for j in sorted(t["components"])]
    return out


def _span(raw: str):
    m = re.fullmatch(r"(\d+),(\d+)", raw or "")
    return [int(m.group(1)), int(m.group(2))] if m and int(m.group(1)) < int(m.group(2)) else None


def _confidence(raw: str):
    try:
        return round(float(raw), 2)
    except (TypeError, ValueError):
        return None


def _date(raw: str):
    """An ISO date from "2013-02-20" or "20/02/2013"; None when empty; the raw text when invalid."""
    if not raw:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw) or None
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None:
        m = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", raw)
        parts = (m.group(3), m.group(2), m.group(1)) if m else None
    try:
        return datetime.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat() if parts else raw
    except ValueError:
        return raw


def _year(raw: str):
    if not raw:
        return None
    return int(raw) if re.fullmatch(r"\d{4}", raw) and YEAR_MIN <= int(raw) <= YEAR_MAX else raw


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class Reader:
    """Read the posted review form back into plan data, checking every field."""

    def __init__(self, post, base: dict, indicator_codes: set[str]):
        self.raw = collect(post)
        self.base = base
        self.codes = indicator_codes
        self.errors = Errors()

    def text(self, raw: dict, name: str, where: str, fields, required=False):
        label, limit = next((lab, mx) for n, lab, mx in fields if n == name)
        value = (raw.get(name) or "").strip()
        key = raw.get("_prefix", "doc") + "-" + name
        if required and not value:
            self.errors.add(key, where, label, "không được để trống.")
        elif len(value) > limit:
            self.errors.add(key, where, label, f"dài quá {limit} ký tự.")
        return value or None

    def choice(self, raw: dict, name: str, where: str, fields, choices, required=True, default=None):
        label = next(lab for n, lab, _m in fields if n == name)
        value = (raw.get(name) or "").strip()
        key = raw.get("_prefix", "doc") + "-" + name
        if not value:
            if required and default is None:
                self.errors.add(key, where, label, "hãy chọn một giá trị.")
            return default
        if value not in {str(c) for c in choices}:
            self.errors.add(key, where, label, f"“{value}” không phải là lựa chọn hợp lệ.")
            return value
        return value

    def read(self) -> dict:
        """The plan data; `self.errors` holds what is wrong (empty when it can be stored)."""
        doc = self.document()
        implements = self.implements()
        doc["implements"] = implements
        targets = self.targets()
        numbers = {t["number"] for t in targets if t.get("number")}
        return {
            "document": doc,
            "objectives": self.base.get("objectives") or [],
            "targets": targets,
            "assignments": self.assignments(numbers),
            "reporting": self.reporting(),
            "tasks": self.tasks(),
        }

    def document(self) -> dict:
        raw, where, fields = self.raw["doc"], "Thông tin văn bản", DOC_FIELDS
        base_doc = self.base.get("document") or {}
        doc = {
            "type": self.choice(raw, "type", where, fields, DOC_TYPES),
            "number": self.text(raw, "number", where, fields),
            "place": self.text(raw, "place", where, fields),
            "issuer": self.text(raw, "issuer", where, fields),
            "issuer_kind": self.choice(raw, "issuer_kind", where, fields, IssuerKind.values, required=False),
            "title": self.text(raw, "title", where, fields, required=True),
            "signer": self.text(raw, "signer", where, fields),
            "signer_title": self.text(raw, "signer_title", where, fields),
            "spans": base_doc.get("spans") or {},
            "confidence": base_doc.get("confidence") or {},
        }
        doc["date"] = _date(raw.get("date"))
        if doc["date"] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["date"]):
            self.errors.add(
                "doc-date",
                where,
                "Ngày ban hành",
                f"“{raw.get('date')}” không phải là ngày hợp lệ (ngày/tháng/năm).",
            )
        start, end = _year(raw.get("period_start")), _year(raw.get("period_end"))
        for name, value, label in (("period_start", start, "Từ năm"), ("period_end", end, "Đến năm")):
            if isinstance(value, str):
                self.errors.add(
                    f"doc-{name}",
                    where,
                    label,
                    f"“{value}” không phải là năm (từ {YEAR_MIN} đến {YEAR_MAX}).",
                )
        if isinstance(start, int) and isinstance(end, int) and start > end:
            self.errors.add(
                "doc-period_end", where, "Đến năm", f"năm kết thúc {end} trước năm bắt đầu {start}."
            )
        doc["period"] = [start, end] if (start or end) else None
        return doc

    def _rows(self, kind: str) -> list[dict]:
        rows = self.raw[kind]
        for i, row in enumerate(rows):
            row["_prefix"] = f"{kind}-{i}"
        return rows

    def implements(self) -> list[dict]:
        out, fields = [], ROW_FIELDS["implements"]
        for i, raw in enumerate(self._rows("implements")):
            where = f"Văn bản thực hiện {i + 1}"
            item = {
                "number": self.text(raw, "number", where, fields, required=True),
                "date": _date(raw.get("date")),
                "type": self.text(raw, "type", where, fields),
                "issuer": self.text(raw, "issuer", where, fields),
                "span": _span(raw.get("span")),
            }
            if item["date"] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", item["date"]):
                self.errors.add(
                    f"{raw['_prefix']}-date",
                    where,
                    "Ngày ban hành",
                    f"“{raw.get('date')}” không phải là ngày hợp lệ (ngày/tháng/năm).",
                )
            out.append(item)
        return out

    def targets(self) -> list[dict]:
        out, seen, fields = [], {}, ROW_FIELDS["targets"]
        for i, raw in enumerate(self._rows("targets")):
            number = (raw.get("number") or "").strip() or None
            where = f"Chỉ tiêu {number}" if number else f"Chỉ tiêu thứ {i + 1} (không đánh số)"
            item = {
                "number": self.text(raw, "number", where, fields),
                "group": self.text(raw, "group", where, fields),
                "objective": raw.get("objective") or None,
                "text": self.text(raw, "text", where, fields, required=True),
                "span": _span(raw.get("span")),
                "confidence": _confidence(raw.get("confidence")),
            }
            if number:
                if number in seen:
                    self.errors.add(
                        f"{raw['_prefix']}-number",
                        where,
                        "Số chỉ tiêu",
                        f"số “{number}” trùng với chỉ tiêu thứ {seen[number] + 1}.",
                    )
                seen.setdefault(number, i)
            comps = []
            for j, craw in enumerate(raw.get("components") or []):
                craw["_prefix"] = f"{raw['_prefix']}-components-{j}"
                comps.append(self.component(craw, f"{where} › thành phần {j + 1}"))
            item["components"] = comps
            out.append(item)
        return out

    def component(self, raw: dict, where: str) -> dict:
        fields, prefix = ROW_FIELDS["components"], raw["_prefix"]
        comparator = self.choice(raw, "comparator", where, fields, Comparator.values)
        item = {
            "indicator": self.text(raw, "indicator", where, fields, required=True),
            "indicator_code": raw.get("indicator_code") or None,
            "comparator": comparator,
            "unit": self.choice(raw, "unit", where, fields, Unit.values),
            "qualifier": self.text(raw, "qualifier", where, fields),
            "span": _span(raw.get("span")),
            "confidence": _confidence(raw.get("confidence")),
        }
        if item["indicator_code"] and item["indicator_code"] not in self.codes:
            self.errors.add(
                f"{prefix}-indicator_code",
                where,
                "Chỉ số trong danh mục",
                f"“{item['indicator_code']}” không có trong danh mục chỉ số.",
            )
        raw_value = (raw.get("value") or "").strip()
        value = parse_vn_number(raw_value) if raw_value else None
        if raw_value and value is None:
            self.errors.add(
                f"{prefix}-value",
                where,
                "Giá trị",
                f"“{raw_value}” không phải là số (viết như 0,01 hoặc 1.000).",
            )
            item["value"] = raw_value
        elif value is None and comparator != "maintain":
            self.errors.add(f"{prefix}-value", where, "Giá trị", "không được để trống.")
            item["value"] = None
        elif value is not None and value < 0:
            self.errors.add(f"{prefix}-value", where, "Giá trị", "không được âm.")
            item["value"] = _number(value)
        else:
            item["value"] = _number(value)
            if (
                value is not None
                and item["unit"] == "%"
                and value > 100
                and comparator not in ("increase_by", "reduce_by")
            ):
                self.errors.add(
                    f"{prefix}-value", where, "Giá trị", f"tỷ lệ {format_vn_number(value)}% lớn hơn 100%."
                )
        year = _year(raw.get("year"))
        if isinstance(year, str):
            self.errors.add(
                f"{prefix}-year",
                where,
                "Năm mốc",
                f"“{year}” không phải là năm (từ {YEAR_MIN} đến {YEAR_MAX}).",
            )
        item["year"] = year
        return item

    def assignments(self, numbers: set[str]) -> list[dict]:
        out, fields = [], ROW_FIELDS["assignments"]
        for i, raw in enumerate(self._rows("assignments")):
            name = (raw.get("agency") or "").strip()
            where = f"Phân công {i + 1}" + (f" ({name[:60]})" if name else "")
            refs = [x for x in re.split(r"[\s,;]+", raw.get("targets") or "") if x]
            missing = [x for x in refs if x not in numbers]
            if missing:
                self.errors.add(
                    f"{raw['_prefix']}-targets",
                    where,
                    "Chỉ tiêu được giao",
                    f"chỉ tiêu {', '.join(missing)} không có trong kế hoạch."
                    if len(missing) > 1
                    else f"chỉ tiêu {missing[0]} không có trong kế hoạch.",
                )
            out.append(
                {
                    "agency": self.text(raw, "agency", where, fields, required=True),
                    "role": self.choice(raw, "role", where, fields, AssignmentRole.values),
                    "targets": list(dict.fromkeys(refs)),
                    "sector": self.choice(raw, "sector", where, fields, Sector.values, required=False),
                    "span": _span(raw.get("span")),
                    "confidence": _confidence(raw.get("confidence")),
                }
            )
        return out

    def reporting(self) -> list[dict]:
        out, fields = [], ROW_FIELDS["reporting"]
        for i, raw in enumerate(self._rows("reporting")):
            where = f"Chế độ báo cáo {i + 1}"
            deadline = (raw.get("deadline") or "").strip()
            if deadline:
                m = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{1,2})", deadline)
                try:
                    datetime.date(2000, int(m.group(2)), int(m.group(1)))  # a leap year accepts 29/02
                    deadline = f"{int(m.group(1)):02d}/{int(m.group(2)):02d}"
                except (AttributeError, ValueError):
                    self.errors.add(
                        f"{raw['_prefix']}-deadline",
                        where,
                        "Hạn báo cáo",
                        f"“{deadline}” không phải là ngày/tháng hợp lệ (ví dụ 15/11).",
                    )
            out.append(
                {
                    "frequency": self.choice(raw, "frequency", where, fields, Frequency.values),
                    "deadline": deadline or None,
                    "reporters": self.choice(
                        raw, "reporters", where, fields, Reporters.values, required=False
                    ),
                    "to": self.text(raw, "to", where, fields),
                    "through": self.text(raw, "through", where, fields),
                    "text": self.text(raw, "text", where, fields),
                    "span": _span(raw.get("span")),
                    "confidence": _confidence(raw.get("confidence")),
                }
            )
        return out

    def tasks(self) -> list[dict]:
        out, fields = [], ROW_FIELDS["tasks"]
        for i, raw in enumerate(self._rows("tasks")):
            where = f"Nhiệm vụ {raw.get('number') or i + 1}"
            out.append(
                {
                    "number": self.text(raw, "number", where, fields),
                    "title": self.text(raw, "title", where, fields, required=True),
                    "span": _span(raw.get("span")),
                    "confidence": _confidence(raw.get("confidence")),
                }
            )
        return out


def unpack(post):
    """The form's fields: one JSON `payload` from the page's script (long plans pass Django's field limit), or as posted."""
    if "payload" not in post:
        return post
    try:
        fields = json.loads(post["payload"])
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}


def read_post(post, base: dict, indicator_codes: set[str]) -> tuple[dict, Errors]:
    """The plan data from a posted review form and the problems found (empty Errors: it may be stored)."""
    reader = Reader(unpack(post), base, indicator_codes)
    return reader.read(), reader.errors


# ---------------------------------------------------------------- the source text, highlighted


def spans_of(data: dict) -> list[tuple[int, int, str, str]]:
    """(start, end, ref, css class) of every item with a span, refs matching the form rows."""
    out = []
    doc = data.get("document") or {}
    low_meta = {
        k
        for k, v in (doc.get("confidence") or {}).items()
        if isinstance(v, (int, float)) and v < LOW_CONFIDENCE
    }
    for key, span in (doc.get("spans") or {}).items():
        if _span_text(span):
            out.append((span[0], span[1], f"doc-{key}", "hl-doc" + (" hl-low" if key in low_meta else "")))
    groups = [("implements", doc.get("implements") or [], "hl-doc")]
    groups += [
        (kind, data.get(kind) or [], f"hl-{kind}")
        for kind in ("targets", "assignments", "reporting", "tasks")
    ]
    for kind, items, css in groups:
        for i, item in enumerate(items):
            ref = f"{REF_PREFIX[kind]}{i}"
            if _span_text(item.get("span")):
                out.append(
                    (item["span"][0], item["span"][1], ref, css + (" hl-low" if _is_low(item) else ""))
                )
            for j, c in enumerate(item.get("components") or [] if kind == "targets" else []):
                if _span_text(c.get("span")):
                    out.append(
                        (
                            c["span"][0],
                            c["span"][1],
                            f"{ref}c{j}",
                            "hl-comp" + (" hl-low" if _is_low(c) else ""),
                        )
                    )
    return out


def highlight(text: str, spans: list[tuple[int, int, str, str]]) -> SafeString:
    """The text as HTML, a <mark> per item (nested, split where spans cross); each item's first piece has id src-<ref>."""
    n = len(text)
    items = [(s, e, ref, css) for s, e, ref, css in spans if 0 <= s < e <= n]
    items.sort(key=lambda x: (x[0], -x[1]))
    bounds = sorted({0, n, *(s for s, *_ in items), *(e for _s, e, *_ in items)})
    starts: dict[int, list] = {}
    for order, it in enumerate(items):
        starts.setdefault(it[0], []).append((order, it))
    active: dict[int, tuple] = {}
    seen: set[str] = set()
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        for order, it in starts.get(a, []):
            active[order] = it
        for order in [o for o, it in active.items() if it[1] <= a]:
            del active[order]
        piece = escape(text[a:b])
        opened = []
        for order in sorted(active):
            s, e, ref, css = active[order]
            attr = f' id="src-{escape(ref)}"' if ref not in seen else ""
            seen.add(ref)
            opened.append(f'<mark class="hl {css}" data-ref="{escape(ref)}"{attr}>')
        out.append("".join(opened) + piece + "</mark>" * len(opened))
    return mark_safe("".join(out))  # noqa: S308 — every piece of text is escaped above
