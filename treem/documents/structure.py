"""Paragraphs, list markers and sections of a cleaned plan document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from treem.core.text import fold

from .cleanup import CleanText, is_caps_line

ROMAN = re.compile(r"^(?P<m>(?P<l>[IVXL]{1,6})\s*[.)\-–:]\s*)(?=\S)")
MULTI = re.compile(r"^(?P<m>(?P<l>\d{1,2}(?:\.\d{1,2}){1,3})\.?[)\-–:]?\s+)(?=\S)")
NUMBER = re.compile(r"^(?P<m>\(?(?P<l>\d{1,2})\s*[.)\-–:]\s*)(?=\S)(?!\d)")
PAREN_NUMBER = re.compile(r"^(?P<m>\((?P<l>\d{1,2})\)\s*)(?=\S)")
LETTER = re.compile(r"^(?P<m>\(?(?P<l>[a-zđ])[).]\s+)(?=\S)")
BULLET = re.compile(r"^(?P<m>[-–—+•·▪◦○●■□✓➢►❖*]\s*)(?=\S)")
LABEL = re.compile(
    r"^(?P<m>(?P<word>Chỉ tiêu|CHỈ TIÊU|Mục tiêu|MỤC TIÊU|Nhiệm vụ|NHIỆM VỤ|Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC|Điều|ĐIỀU)"
    r"\s+(?:số\s+)?(?P<l>\d{1,3}|[IVXL]{1,6})\s*(?:[.:)\-–]\s*|(?=\s))\s*)"
)

SECTION_KINDS = [
    ("reporting", ("che do bao cao", "che do thong tin bao cao", "thong tin, bao cao", "bao cao ket qua")),
    (
        "organisation",
        ("to chuc thuc hien", "phan cong", "trach nhiem thuc hien", "trach nhiem cua", "to chuc trien khai"),
    ),
    ("tasks", ("nhiem vu", "giai phap", "noi dung", "hoat dong")),
    ("objectives", ("muc tieu", "chi tieu")),
    ("purpose", ("muc dich", "yeu cau", "quan diem")),
    ("budget", ("kinh phi", "nguon luc", "tai chinh")),
]
TYPE_WORDS = {
    "ke hoach": "Kế hoạch",
    "chi thi": "Chỉ thị",
    "nghi quyet": "Nghị quyết",
    "quyet dinh": "Quyết định",
    "chuong trinh": "Chương trình",
    "chuong trinh hanh dong": "Chương trình hành động",
    "de an": "Đề án",
    "huong dan": "Hướng dẫn",
    "thong bao": "Thông báo",
    "bao cao": "Báo cáo",
    "ket luan": "Kết luận",
    "chien luoc": "Chiến lược",
    "cong van": "Công văn",
    "thong tu": "Thông tư",
    "nghi dinh": "Nghị định",
    "quy dinh": "Quy định",
}


@dataclass
class Para:
    """One paragraph (line) of the cleaned text with its list marker."""

    index: int
    start: int
    end: int
    text: str
    kind: str  # roman, multi, number, letter, bullet, label, table, plain
    label: str | None
    marker: str
    word: str | None = None  # for kind "label": Chỉ tiêu / Mục tiêu / …
    caps: bool = False
    bold: bool = False

    @property
    def body(self) -> str:
        """Text after the list marker."""
        return self.text[len(self.marker) :]

    @property
    def body_start(self) -> int:
        """Offset in the cleaned text where the body begins."""
        return self.start + len(self.marker)


@dataclass
class Section:
    """A top-level section ("II. MỤC TIÊU") and its paragraphs."""

    kind: str
    heading: Para | None
    paras: list[Para] = field(default_factory=list)


def parse_marker(text: str) -> tuple[str, str | None, str, str | None]:
    """Return (kind, label, marker text, label word) for the start of a paragraph."""
    if text.startswith("|"):
        return "table", None, "", None
    m = LABEL.match(text)
    if m:
        return "label", m.group("l"), m.group("m"), m.group("word")
    m = ROMAN.match(text)
    if m and not re.match(r"^[IVXL]{1,6}\s*[.)\-–:]\s*\d", text):
        return "roman", m.group("l"), m.group("m"), None
    m = MULTI.match(text)
    if m:
        return "multi", m.group("l"), m.group("m"), None
    m = PAREN_NUMBER.match(text)
    if m:
        return "number", m.group("l"), m.group("m"), None
    m = NUMBER.match(text)
    if m and not re.match(r"^\d{1,2}\s*[.)\-–:]\s*\d", text):
        return "number", m.group("l"), m.group("m"), None
    m = LETTER.match(text)
    if m:
        return "letter", m.group("l"), m.group("m"), None
    m = BULLET.match(text)
    if m:
        return "bullet", None, m.group("m"), None
    return "plain", None, "", None


def paragraphs(clean: CleanText) -> list[Para]:
    """Split the cleaned text into paragraphs with their markers."""
    out = []
    bold = clean.bold
    for i, (start, end, text) in enumerate(clean.paragraphs()):
        kind, label, marker, word = parse_marker(text)
        is_bold = any(a <= start < b or (start <= a < start + len(marker) + 2) for a, b in bold)
        out.append(
            Para(
                index=i,
                start=start,
                end=end,
                text=text,
                kind=kind,
                label=label,
                marker=marker,
                word=word,
                caps=is_caps_line(text),
                bold=is_bold,
            )
        )
    return out


def section_kind(text: str) -> str:
    """Classify a heading by its words ("MỤC TIÊU" → objectives)."""
    f = fold(text)
    best, pos = "other", 10**6
    for kind, keys in SECTION_KINDS:
        for k in keys:
            i = f.find(k)
            if 0 <= i < pos:
                best, pos = kind, i
    return best


def is_major_heading(p: Para) -> bool:
    """True for a top-level heading: roman numbered, "Phần"/"Chương", or a short line in capitals."""
    if p.kind == "roman":
        return True
    if p.kind == "label" and fold(p.word or "") in ("phan", "chuong", "dieu"):
        return True
    if (
        p.kind in ("plain", "number", "label")
        and p.caps
        and len(p.text) <= 120
        and section_kind(p.text) != "other"
    ):
        return p.kind == "plain" or p.text == p.text.upper()
    return False


def sections(paras: list[Para], body_start: int = 0) -> list[Section]:
    """Group paragraphs from `body_start` on into sections under their major headings."""
    out = [Section(kind="preamble", heading=None)]
    for p in paras[body_start:]:
        if is_major_heading(p):
            out.append(Section(kind=section_kind(p.body or p.text), heading=p))
        else:
            out[-1].paras.append(p)
    return out


def heading_text(p: Para) -> str:
    """A heading's text without its marker and trailing colon."""
    return p.body.strip().rstrip(":").strip()
