"""Clean raw document text: glyph artefacts, page furniture, split lines, Markdown, NFD.

The cleaned text is what the user sees on the review screen and what extraction runs on, so every
extracted span points into it. Paragraphs are separated by one "\\n"; table rows are lines that start
with "|".
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from treem.core.text import fix_pdf_artefacts, fold

PAGE_BREAK = "\f"

# A line that starts a new paragraph: bullets, numbering, legal/plan headings, signature block.
BULLET_RE = re.compile(r"^[-–—+•·▪◦○●■□✓➢►❖*]\s*(?=\S)")
NUMBER_RE = re.compile(
    r"^(?:\(?\d{1,2}(?:\.\d{1,2}){0,3}[.)\-–:]|\d{1,2}(?:\.\d{1,2}){1,3}\.?(?=\s)|\(\d{1,2}\))\s*(?=\S)"
)
LETTER_RE = re.compile(r"^(?:[a-zđ]|\([a-zđ]\))[).]\s+(?=\S)")
ROMAN_RE = re.compile(r"^(?:[IVXL]{1,6})\s*[.)\-–:]\s*(?=\S)")
LABEL_RE = re.compile(
    r"^(?:Chỉ tiêu|CHỈ TIÊU|Mục tiêu|MỤC TIÊU|Điều|ĐIỀU|Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC|Nhiệm vụ|NHIỆM VỤ)"
    r"\s+(?:số\s+)?(?:\d{1,3}|[IVXL]{1,6})\b"
)
SIGNATURE_RE = re.compile(
    r"^(?:Nơi nhận|NƠI NHẬN|T/M|TM\.|KT\.|Q\.|TL\.|TUQ\.|Kính gửi|KÍNH GỬI)", re.UNICODE
)
LONE_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-–]\s*)?\d{1,3}(?:\s*[-–])?$|^(?:Trang|trang|TRANG)\s+\d{1,3}(?:\s*/\s*\d{1,3})?$|^\d{1,3}\s*/\s*\d{1,3}$"
)
SEPARATOR_RE = re.compile(r"^\s*(?:[-_=*~]\s*){3,}$")
MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
MD_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>])")
MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
NATIONAL_HEADERS = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Độc lập – Tự do – Hạnh phúc",
)
PLACE_DATE_RE = re.compile(r",\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}")
PLACE_LOWER_WORDS = {"phố", "xã", "trấn", "thị"}
LOWER_START_RE = re.compile(r"^[a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")
UPPER_START_RE = re.compile(
    r"^[\"“'‘(\[A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ]"
)
SENTENCE_START_RE = re.compile(
    r"^(?:Trong phạm vi|Căn cứ|Phối hợp|Chủ trì|Hướng dẫn|Tham mưu|Theo dõi|Đồng thời|Ngoài ra|Tăng cường|"
    r"Đẩy mạnh|Tiếp tục|Chủ động|Định kỳ|Hằng năm|Hàng năm|Triển khai|Thường xuyên|Tổ chức thực hiện|"
    r"Xây dựng và|Nghiên cứu|Rà soát|Kịp thời|Quá trình|Thực hiện|Trên cơ sở|Để|Xét|Nhằm|Sau khi)\b"
)
TERMINAL = (".", ";", ":", "!", "?", "…", "./.", ".”", '."', ";”")


@dataclass
class CleanText:
    """Cleaned text plus what the clean-up found."""

    text: str
    bold: list[tuple[int, int]] = field(default_factory=list)  # spans that were **bold** in the source
    removed: list[str] = field(default_factory=list)  # page headers/footers and page numbers removed
    pages: int = 1

    def paragraphs(self):
        """Yield (start, end, text) for each non-empty line of the cleaned text."""
        pos = 0
        for line in self.text.split("\n"):
            if line.strip():
                yield pos, pos + len(line), line
            pos += len(line) + 1


@dataclass
class _Line:
    text: str
    gap: int = 0  # blank lines before it
    heading: bool = False  # a Markdown heading: never joined
    hard_break: bool = False  # a separator, page break or similar precedes it


def visible(line: str) -> str:
    """The line without leading Markdown emphasis markers, for classification."""
    return re.sub(r"^(?:\*{1,3}|_{1,3})(?=\S)", "", line.strip()).strip()


def is_list_start(line: str) -> bool:
    """True when a line begins a list item, a numbered heading or a signature element."""
    v = visible(line)
    if not v:
        return False
    return bool(
        BULLET_RE.match(v)
        or NUMBER_RE.match(v)
        or LETTER_RE.match(v)
        or ROMAN_RE.match(v)
        or LABEL_RE.match(v)
        or SIGNATURE_RE.match(v)
    )


def is_caps_line(line: str) -> bool:
    """True for a line written in capitals (a heading like "II. MỤC TIÊU" or "KẾ HOẠCH")."""
    letters = [ch for ch in visible(line) if ch.isalpha()]
    if len(letters) < 3:
        return False
    upper = sum(1 for ch in letters if ch.isupper())
    return upper / len(letters) >= 0.85


def clean_text(raw: str, *, paragraphs: bool | str | None = None) -> CleanText:
    """Clean raw text; `paragraphs=True` treats blank-line-separated blocks as given paragraphs.

    `paragraphs="soft"` (the default for Markdown) also breaks at blank lines, except before a line
    that starts in lower case; `False` (plain text and PDF) reflows wrapped lines by heuristics.
    """
    text = fix_pdf_artefacts(raw or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").replace("\v", "\n")
    removed: list[str] = []
    pages = text.split(PAGE_BREAK)
    if len(pages) > 1:
        pages = _strip_page_furniture(pages, removed)
    lines: list[_Line] = []
    for page_no, page in enumerate(pages):
        gap = 0
        for raw_line in page.split("\n"):
            line = raw_line.rstrip()
            if not line.strip():
                gap += 1
                continue
            item = _Line(line, gap=gap)
            lines.append(item)
            gap = 0
        if page_no < len(pages) - 1:
            gap = 0
    markdown = sum(1 for ln in lines if MD_HEADING_RE.match(ln.text) or "**" in ln.text) >= 3
    lines = _split_header_columns(lines)
    lines = _strip_markdown_blocks(lines)
    lines = _strip_lone_page_furniture(lines, removed)
    if paragraphs is None:
        paragraphs = "soft" if markdown else False
    paras = _reflow(lines, paragraphs=paragraphs)
    joined = "\n".join(paras)
    joined, bold = _strip_emphasis(joined)
    # Final tidy: collapse spaces, strip each line (keeping bold spans aligned).
    out_lines, new_bold = _tidy(joined, bold)
    return CleanText(text=out_lines, bold=new_bold, removed=removed, pages=len(pages))


# ---------------------------------------------------------------- page furniture


def _furniture_key(line: str) -> str:
    """Key for comparing header/footer lines across pages (digits ignored)."""
    return re.sub(r"\d+", "#", fold(line))


def _furniture_like(line: str) -> bool:
    """Short lines that are not sentences can be running headers or footers."""
    s = line.strip()
    return 0 < len(s) <= 80 and not s.endswith((".", ";", ":")) and len(s.split()) <= 10


def _strip_page_furniture(pages: list[str], removed: list[str]) -> list[str]:
    """Remove lines repeated at the top or bottom of most pages, and page numbers there."""
    edge: dict[str, int] = {}
    page_lines = [p.split("\n") for p in pages]
    for lines in page_lines:
        nonblank = [ln for ln in lines if ln.strip()]
        keys = {_furniture_key(ln) for ln in nonblank[:2] + nonblank[-2:] if _furniture_like(ln)}
        for k in keys:
            edge[k] = edge.get(k, 0) + 1
    threshold = max(2, (len(pages) + 1) // 2)
    repeated = {k for k, c in edge.items() if c >= threshold and k.strip()}
    out = []
    for lines in page_lines:
        nonblank_idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(nonblank_idx[:2] + nonblank_idx[-2:])
        kept = []
        for i, ln in enumerate(lines):
            s = ln.strip()
            if (
                i in edges
                and s
                and ((_furniture_key(ln) in repeated and _furniture_like(ln)) or LONE_PAGE_NUMBER_RE.match(s))
            ):
                removed.append(s)
                continue
            kept.append(ln)
        out.append("\n".join(kept))
    return out


def _strip_lone_page_furniture(lines: list[_Line], removed: list[str]) -> list[_Line]:
    """Remove lone page numbers and short lines repeated next to them (text dumps of PDFs)."""
    lone = [
        i
        for i, ln in enumerate(lines)
        if LONE_PAGE_NUMBER_RE.match(ln.text.strip()) and not ln.text.strip().startswith("|")
    ]
    if not lone:
        return lines
    drop = set(lone)
    counts: dict[str, int] = {}
    for ln in lines:
        s = ln.text.strip()
        if 2 <= len(s) <= 60:
            counts[_furniture_key(s)] = counts.get(_furniture_key(s), 0) + 1
    near = set()
    for i in lone:
        for j in (i - 2, i - 1, i + 1, i + 2):
            if 0 <= j < len(lines) and j not in drop:
                s = lines[j].text.strip()
                if 2 <= len(s) <= 60 and counts.get(_furniture_key(s), 0) >= 2 and not is_list_start(s):
                    near.add(_furniture_key(s))
    out = []
    pending_gap = 0
    for i, ln in enumerate(lines):
        if i in drop or _furniture_key(ln.text.strip()) in near:
            removed.append(ln.text.strip())
            pending_gap = max(pending_gap, ln.gap)
            continue
        if pending_gap:
            ln.gap = max(ln.gap, 1)
            pending_gap = 0
        out.append(ln)
    return out


# ---------------------------------------------------------------- header columns and Markdown blocks


def _split_header_columns(lines: list[_Line]) -> list[_Line]:
    """Split the two-column letterhead ("TỈNH ỦY X   ĐẢNG CỘNG SẢN VIỆT NAM") into separate lines."""
    out: list[_Line] = []
    for idx, ln in enumerate(lines):
        if idx >= 15:
            out.append(ln)
            continue
        parts = [ln.text]
        for phrase in NATIONAL_HEADERS:
            new = []
            for part in parts:
                pos = part.find(phrase)
                if pos >= 0:
                    new.extend([part[:pos], phrase, part[pos + len(phrase) :]])
                else:
                    new.append(part)
            parts = new
        new = []
        for part in parts:
            new.extend(re.split(r"\s{3,}", part))
        parts = []
        for part in new:
            parts.extend(_split_place_date(part))
        parts = [p for p in (x.strip() for x in parts) if p]
        if not parts:
            continue
        for k, part in enumerate(parts):
            out.append(
                _Line(
                    part,
                    gap=ln.gap if k == 0 else 1,
                    heading=len(parts) > 1 or ln.heading,
                    hard_break=ln.hard_break,
                )
            )
    return out


def _strip_markdown_blocks(lines: list[_Line]) -> list[_Line]:
    """Drop Markdown headings marks, separators, table rules, links and escapes; mark hard breaks."""
    out: list[_Line] = []
    force_break = False
    for ln in lines:
        t = ln.text
        if SEPARATOR_RE.match(t) and not BULLET_RE.match(t.strip() + " x"):
            force_break = True
            continue
        if SEPARATOR_RE.match(t):
            force_break = True
            continue
        if MD_TABLE_SEP_RE.match(t) and "|" in t:
            continue
        heading = False
        if MD_HEADING_RE.match(t):
            t = MD_HEADING_RE.sub("", t)
            heading = True
        t = MD_LINK_RE.sub(r"\1", t)
        t = MD_ESCAPE_RE.sub(r"\1", t)
        if t.rstrip().endswith("\\"):
            t = t.rstrip()[:-1]
        if not t.strip():
            continue
        out.append(
            _Line(
                t.strip() if not t.lstrip().startswith("|") else t.strip(),
                gap=ln.gap,
                heading=heading or ln.heading,
                hard_break=force_break or ln.hard_break,
            )
        )
        force_break = False
    return out


def _split_place_date(part: str) -> list[str]:
    """Split "* Nha Trang, ngày 20 tháng 02 năm 2013" into "*" and the place-and-date."""
    m = PLACE_DATE_RE.search(part)
    if not m:
        return [part]
    words = part[: m.start()].split(" ")
    k = len(words)
    while k > 0:
        w = words[k - 1].strip("*_")
        titled = w[:1].isupper() and (len(w) == 1 or not w[1:].isupper()) and w.isalpha()
        if titled or (w in PLACE_LOWER_WORDS and k < len(words)):
            k -= 1
        else:
            break
    if k == 0 or k == len(words):
        return [part]
    return [" ".join(words[:k]), " ".join(words[k:]) + part[m.start() :]]


# ---------------------------------------------------------------- reflow


def _reflow(lines: list[_Line], *, paragraphs: bool) -> list[str]:
    """Join physical lines into paragraphs."""
    if not lines:
        return []
    lengths = [len(ln.text) for ln in lines if len(ln.text) >= 20 and not ln.text.startswith("|")]
    typical = statistics.median(lengths) if lengths else 80
    gaps = [ln.gap for ln in lines[1:]]
    usual_gap = statistics.mode(gaps) if gaps else 0
    gaps_mean_something = usual_gap == 0 and sum(1 for g in gaps if g) > 0
    paras: list[str] = [lines[0].text]
    prev = lines[0]
    for ln in lines[1:]:
        mode = _continues(prev, ln, typical, usual_gap, gaps_mean_something, paragraphs)
        if mode is None:
            paras.append(ln.text)
        else:
            paras[-1] = paras[-1].rstrip() + mode + ln.text.lstrip()
        prev = _Line(paras[-1] if mode is not None else ln.text, heading=ln.heading)
        prev.text_last = ln.text  # type: ignore[attr-defined]
    return paras


_NUMBER_TAIL = re.compile(r"\d[.,]\d{0,2}$|\d[.,]$")
_NUMBER_HEAD = re.compile(r"^\d{1,3}(?![\d])")
_HYPHEN_TAIL = re.compile(r"[0-9A-Za-zÀ-ỹĐđ]-$")


def _continues(prev: _Line, ln: _Line, typical: float, usual_gap: int, gaps_mean: bool, paragraphs: bool):
    """Return the joiner ("" or " ") when `ln` continues the paragraph `prev`, else None."""
    last = getattr(prev, "text_last", prev.text)
    p = prev.text.rstrip()
    n = ln.text.strip()
    if p.startswith("|") or n.startswith("|"):
        return None
    if ln.heading or prev.heading or ln.hard_break:
        return None
    if paragraphs is True and ln.gap > 0:
        return None
    vn = visible(n)
    bold_line = last.startswith("**") and last.rstrip().endswith("**")
    # A number split across lines: "70.0" + "00 ngôi nhà".
    if _NUMBER_TAIL.search(p) and _NUMBER_HEAD.match(n):
        merged = re.search(r"[\d.,]+$", p).group(0) + _NUMBER_HEAD.match(n).group(0)
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", merged):
            return ""
    if is_list_start(n):
        # "20-" + "CT/TW" is caught below only when the next line is not a list item.
        return None
    if _HYPHEN_TAIL.search(p):
        return ""
    if is_caps_line(last) and not is_caps_line(n):
        return None
    if is_caps_line(last) and is_caps_line(n):
        return None
    if LOWER_START_RE.match(vn):
        return " "
    if bold_line or (paragraphs == "soft" and ln.gap > 0):
        return None
    if vn[:1].isdigit() and not p.endswith(TERMINAL) and not is_list_start(n):
        return " "  # "… vào năm 2025 và" + "10‰ vào năm 2030."
    big_gap = ln.gap > usual_gap or (gaps_mean and ln.gap > 0)
    if big_gap:
        return None
    if p.endswith(TERMINAL) or p.endswith(("**", "*")) and visible(p).rstrip("*").endswith(TERMINAL):
        return None
    if vn[:1].isdigit():
        return " "
    if SENTENCE_START_RE.match(vn):
        return None
    if len(visible(last)) < 0.7 * typical:
        return None
    return " "


# ---------------------------------------------------------------- emphasis and tidy

_EMPH_RE = re.compile(r"(\*\*\*|\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
_ITALIC_RE = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_LEFTOVER_RE = re.compile(r"\*\*\*|\*\*|(?<!\w)__|__(?!\w)")


def _strip_emphasis(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove Markdown emphasis markers, returning the new text and the spans that were bold."""
    bold: list[tuple[int, int]] = []
    out: list[str] = []
    pos = 0
    for m in _EMPH_RE.finditer(text):
        out.append(text[pos : m.start()])
        start = sum(len(x) for x in out)
        inner = m.group(2)
        out.append(inner)
        bold.append((start, start + len(inner)))
        pos = m.end()
    out.append(text[pos:])
    text = "".join(out)
    # Italic pairs: remove markers, shifting bold spans.
    text, bold = _remove_matches(text, _ITALIC_RE, bold, keep_group=2)
    text, bold = _remove_matches(text, _LEFTOVER_RE, bold, keep_group=None)
    return text, bold


def _remove_matches(text, regex, spans, keep_group):
    """Replace each regex match by its group `keep_group` (or nothing), shifting spans."""
    edits = []  # (start, end, replacement)
    for m in regex.finditer(text):
        edits.append((m.start(), m.end(), m.group(keep_group) if keep_group else ""))
    if not edits:
        return text, spans
    out, pos = [], 0
    for s, e, rep in edits:
        out.append(text[pos:s])
        out.append(rep)
        pos = e
    out.append(text[pos:])
    new_text = "".join(out)

    def shift(x):
        delta = 0
        for s, e, rep in edits:
            if s >= x:
                break
            if e <= x:
                delta += (e - s) - len(rep)
            else:  # x falls inside the match
                lead = len(text[s:e]) - len(rep)
                delta += min(x - s, lead // 2 if keep_group else x - s)
        return x - delta

    return new_text, [(shift(a), shift(b)) for a, b in spans]


def _tidy(text: str, spans: list[tuple[int, int]]):
    """Collapse runs of spaces and strip lines, keeping spans aligned."""
    keep = []  # for each output char, its source index
    out = []
    for line in text.split("\n"):
        base = len(keep) and None
        del base
        stripped_lead = len(line) - len(line.lstrip())
        # source offset of this line
        out_line = []
        idxs = []
        prev_space = False
        for k, ch in enumerate(line[stripped_lead:].rstrip()):
            if ch == " ":
                if prev_space:
                    continue
                prev_space = True
            else:
                prev_space = False
            out_line.append(ch)
            idxs.append(k + stripped_lead)
        out.append(("".join(out_line), idxs))
    # Build mapping from old offsets to new offsets
    new_text_parts = []
    mapping = {}
    old_pos = 0
    new_pos = 0
    for (line_text, idxs), raw_line in zip(out, text.split("\n"), strict=True):
        for j, src in enumerate(idxs):
            mapping[old_pos + src] = new_pos + j
        if line_text:
            new_text_parts.append(line_text)
            new_pos += len(line_text) + 1
        old_pos += len(raw_line) + 1
    new_text = "\n".join(new_text_parts)

    def conv(x, is_end):
        if is_end:
            y = x - 1
            while y >= 0 and y not in mapping:
                y -= 1
            return mapping[y] + 1 if y >= 0 else 0
        y = x
        while y < old_pos and y not in mapping:
            y += 1
        return mapping.get(y, len(new_text))

    new_spans = []
    for a, b in spans:
        na, nb = conv(a, False), conv(b, True)
        if nb > na:
            new_spans.append((na, nb))
    return new_text, new_spans
