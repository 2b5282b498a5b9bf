"""Split a target's wording into measurable components (indicator, comparator, value, unit, year).

Rules (see docs/parser.md): a value is a number with a unit ("25%", "6‰", "450/100.000 trẻ em",
"70.000 ngôi nhà") or a bare number in a per-1.000/100.000 context ("(p/1000) dưới 1"); ages,
years, dates, class numbers and denominators are not values. The comparator comes from the words
just before the value ("xuống dưới" → lt, "xuống" → le, "đạt" → ge/le by the indicator's
direction, "duy trì" → maintain, "giảm 20%" → reduce_by …) or after it ("trở lên" → ge); when they
are left out it carries over from the previous value of the same clause. Years come after the
values they belong to ("… 5% … và 10% … vào năm 2025 và năm 2030" gives both values both years) or
lead the clause ("Đến năm 2020, …"); "hằng năm" makes a yearly target (year null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from treem.core.text import fold, parse_vn_number

NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+\.\d{1,2}(?=\s*[%‰])|\d+"
NUM_RE = re.compile(rf"(?<![\w.,/])({NUM})(?![\w])")
YEAR_RE = re.compile(
    r"(?P<pre>(?:(?:vào|đến|tới|trong|từ|cho đến|đến hết|hết|vào cuối|cuối|đến cuối|trước|sau)\s+)*)"
    r"(?P<nam>năm\s+|giai đoạn\s+)?(?P<y>(?:19|20)\d{2})(?![\d/])"
    r"(?P<more>(?:\s*(?:,|và|-|–|đến|hoặc)\s*(?:năm\s+)?(?:19|20)\d{2}(?![\d/]))*)",
    re.IGNORECASE,
)
YEARLY_RE = re.compile(
    r"\b(?:hằng năm|hàng năm|mỗi năm|bình quân năm|bình quân mỗi năm|/năm|trung bình mỗi năm)\b|/năm", re.I
)
COUNT_NOUNS = (
    "ngôi nhà|căn nhà|nhà|trẻ em|trẻ|em|học sinh|em nhỏ|điểm|xã|phường|thị trấn|trường|trường học|cơ sở|lớp học|"
    "người|lượt người|lượt|ca|cuộc|vụ|mô hình|câu lạc bộ|nhóm|hộ|gia đình|công trình|sân chơi|thư viện|tủ sách|"
    "suất|phần quà|buổi|lớp|hội nghị|đợt|cán bộ|cộng tác viên|nhân viên|tình nguyện viên|tỷ đồng|triệu đồng|"
    "đồng|chiếc|bộ|phòng|khu vui chơi|nhà văn hóa|điểm vui chơi|bếp ăn|cặp|xe đạp|học bổng|thẻ bảo hiểm y tế|thẻ"
)
COUNT_RE = re.compile(rf"^\s*(?:{COUNT_NOUNS})\b", re.I)
NOT_VALUE_AFTER = re.compile(
    r"^\s*(?:tuổi|tháng tuổi|tháng|năm|ngày|giờ|tuần|lần|loại|lớp\b|cấp\b|giai đoạn|nhóm tuổi|mũi|liều|tiêu chí|"
    r"nội dung|chỉ tiêu|nhiệm vụ|mục tiêu|điều|khoản|giải pháp|bước)",
    re.I,
)
NOT_VALUE_BEFORE = re.compile(
    r"(?:năm|giai đoạn|lớp|số|chỉ tiêu|mục tiêu|khóa|khoá|điều|khoản|điểm|tháng|ngày|quý|đợt|kỳ|mục|phần|"
    r"nghị định|thông tư|quyết định|chỉ thị|kế hoạch|nghị quyết|luật|dưới|từ|đến|trên|tổng đài)\s*$",
    re.I,
)
VALUE_WORDS_BEFORE = re.compile(r"(?:dưới|trên|từ|đến)\s*$", re.I)
DENOMINATOR_AFTER = re.compile(
    r"^\s*(?:trẻ\s+(?:em\s+)?(?:đẻ|để|sinh)\s+(?:sống|ra)|trẻ\s+(?:em\s+)?sơ sinh|ca\s+(?:đẻ|sinh)|trẻ em\b|trẻ\b|dân\b|người dân\b)",
    re.I,
)
RATE1000_RE = re.compile(
    r"1\.?000\s+tre(?:\s+em)?\s+(?:de|sinh|so sinh)|p\s*/\s*1\.?000|/\s*1\.?000\s+tre|tren\s+1\.?000\s+(?:tre|ca)|\bphan nghin\s+tre"
)
RATE100K_RE = re.compile(r"100\.?000\s+tre|/\s*100\.?000")


@dataclass
class Mention:
    """A value written in the text: number, unit and where it sits."""

    start: int  # first char of the number (or of "từ" for a range)
    num_start: int
    end: int  # end of the unit
    value: Decimal
    unit: str | None
    unit_explicit: bool
    comparator: str | None = None
    comparator_source: str = "explicit"  # explicit, carried, default
    indicator: str | None = None
    indicator_span: tuple[int, int] | None = None
    years: list[int] = field(default_factory=list)
    year_source: str | None = None
    qualifier: str | None = None
    value_first: bool = False
    synthetic: bool = False
    zero: bool = False


@dataclass
class Component:
    """One component of a target, with a span into the text it was parsed from."""

    indicator: str
    comparator: str
    value: Decimal | None
    unit: str
    year: int | None
    qualifier: str | None
    span: tuple[int, int]
    confidence: float
    indicator_code: str | None = None
    indicator_score: float | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- clauses


def clauses(text: str) -> list[tuple[int, int]]:
    """Split a target's text into clauses at ";" and sentence ends, outside parentheses."""
    spans = []
    start = 0
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif depth == 0 and ch == ";":
            spans.append((start, i))
            start = i + 1
        elif depth == 0 and ch == "." and (i + 1 == n or text[i + 1] == " "):
            # a full stop followed by a capital (or the end), not after an abbreviation like "TP."
            nxt = text[i + 1 :].lstrip()[:1]
            word = re.search(r"(\w+)$", text[start:i])
            abbrev = word and word.group(1) in ("TP", "Tp", "tp", "TT", "TS", "ThS", "PGS", "GS", "Q", "P")
            if not abbrev and (not nxt or nxt.isupper() or nxt in '-+•"“('):
                spans.append((start, i))
                start = i + 1
        i += 1
    spans.append((start, n))
    return [(a, b) for a, b in spans if text[a:b].strip()]


# ---------------------------------------------------------------- value mentions


def _rate_unit(folded_context: str) -> str | None:
    """The per-1.000/per-100.000 unit a clause speaks of, if any (last one mentioned wins)."""
    a = [m.end() for m in RATE1000_RE.finditer(folded_context)]
    b = [m.end() for m in RATE100K_RE.finditer(folded_context)]
    if not a and not b:
        return None
    if a and (not b or max(a) >= max(b)):
        return "per_1000_live_births"
    return "per_100000_children"


def find_mentions(text: str, start: int = 0, end: int | None = None, context: str = "") -> list[Mention]:
    """Find the values in text[start:end]; offsets are into `text`."""
    end = len(text) if end is None else end
    seg = text[start:end]
    rate_unit = _rate_unit(fold(seg)) or _rate_unit(fold(context))
    mentions: list[Mention] = []
    skip_until = -1
    depth_paren = _paren_depths(seg)
    for m in NUM_RE.finditer(seg):
        s, e = m.start(1), m.end(1)
        if s < skip_until:
            continue
        raw = m.group(1)
        before = seg[max(0, s - 40) : s]
        after = seg[e : e + 60]
        value = parse_vn_number(raw)
        if value is None:
            continue
        # dates "15/5", "05/11/2012" and denominators "/100.000"
        if re.search(r"\d/$", before) or re.search(r"/\s*$", before):
            continue
        unit, uend, explicit = _unit_after(after, rate_unit)
        # ranges "5-10%", "từ 2 đến 3%": take the lower bound, skip the upper one
        rng = re.match(rf"^\s*(?:%|‰)?\s*(?:-|–|đến|tới)\s*({NUM})(?![\w])", after)
        range_start = s
        if (
            rng
            and unit is None
            or (rng and unit in ("%", "‰") and re.match(r"^\s*[%‰]\s*(?:-|–|đến|tới)", after))
        ):
            unit2, uend2, explicit2 = _unit_after(after[rng.end() :], rate_unit)
            if unit2 and explicit2 and not NOT_VALUE_AFTER.match(after[rng.end() :]):
                unit, uend, explicit = unit2, rng.end() + uend2, explicit2
                skip_until = e + rng.end()
                tu = re.search(r"\btừ\s*$", before, re.I)
                if tu:
                    range_start = s - (len(before) - tu.start())
        if unit is None and re.match(r"^[/.-]\d", after):
            continue
        if not explicit and (re.fullmatch(r"(?:19|20)\d{2}", raw) or re.search(r"\bnăm\s*$", before, re.I)):
            continue
        if unit is None:
            if NOT_VALUE_AFTER.match(after):
                continue
            if re.fullmatch(r"(?:19|20)\d{2}", raw):
                continue
            count = COUNT_RE.match(after)
            if not count and _count_verb(before, strict=True):
                count = re.match(r"^\s*[^\W\d_]+(?:\s+[^\W\d_]+){0,2}", after)
            if count and (value >= 1000 and "." in raw or _count_verb(before)):
                if not (NOT_VALUE_BEFORE.search(before) and not VALUE_WORDS_BEFORE.search(before)):
                    unit, uend, explicit = "count", count.end(), True
            if unit is None:
                continue
        else:
            if NOT_VALUE_AFTER.match(after) and not explicit:
                continue
        if unit in ("per_1000_live_births", "per_100000_children") and not explicit:
            # a bare denominator "trên 1.000 trẻ đẻ sống", "(p/1000)"
            if raw.replace(".", "") in ("1000", "100000", "10000") and re.search(
                r"(?:trên|/|cho|mỗi)\s*$", before, re.I
            ):
                continue
        if (
            raw.replace(".", "") in ("1000", "100000")
            and DENOMINATOR_AFTER.match(after)
            and re.search(r"(?:trên|/|cho|mỗi|tổng số)\s*$", before, re.I)
        ):
            continue
        if depth_paren[s] and re.search(r"\bp\s*/\s*$", before, re.I):
            continue
        mentions.append(
            Mention(
                start=start + range_start,
                num_start=start + s,
                end=start + e + uend,
                value=value,
                unit=unit,
                unit_explicit=explicit,
            )
        )
    return mentions


def _paren_depths(seg: str) -> list[int]:
    """Parenthesis depth at each index of seg."""
    depths, d = [], 0
    for ch in seg:
        if ch == "(":
            d += 1
        depths.append(d)
        if ch == ")" and d:
            d -= 1
    depths.append(d)
    return depths


def _count_verb(before: str, strict: bool = False) -> bool:
    """True when the words before a bare number make it a target count ("xây dựng 70.000 …").

    `strict` accepts only verbs that create or give things, for nouns outside the known list.
    """
    f = fold(before)
    if strict:
        return bool(
            re.search(
                r"(?:xay dung|xay moi|thanh lap|sua chua|nang cap|trao|trao tang|tang|lap dat|"
                r"mo moi|mo|trang bi|cap phat|ho tro|dao tao|tap huan)\s*(?:moi|them|it nhat)?\s*$",
                f,
            )
        )
    return bool(
        re.search(
            r"(dat|co|xay dung|xay moi|thanh lap|to chuc|ho tro|tang|giam|it nhat|toi thieu|tren|duoi|phan dau|"
            r"duy tri|them|moi|trao|tang them|van dong|cap|sua chua|nang cap|xuong|con|len|khoang)\s*$",
            f,
        )
    )


def _unit_after(after: str, rate_unit: str | None) -> tuple[str | None, int, bool]:
    """Unit right after a number: (unit, length consumed, explicit?)."""
    m = re.match(r"^\s*%", after)
    if m:
        return "%", m.end(), True
    m = re.match(r"^\s*(?:‰|phần nghìn|phần ngàn|o/oo)", after, re.I)
    if m:
        return "‰", m.end(), True
    m = re.match(r"^\s*/\s*100\.?000(?:\s+(?:trẻ em|trẻ|dân|người))?", after, re.I)
    if m:
        return "per_100000_children", m.end(), True
    m = re.match(
        r"^\s*/\s*1\.?000(?:\s+(?:trẻ em|trẻ|ca)(?:\s+(?:đẻ|để|sinh)\s+(?:sống|ra))?(?:\s+sống)?)?",
        after,
        re.I,
    )
    if m:
        return "per_1000_live_births", m.end(), True
    m = re.match(
        r"^\s*(?:trẻ em|trẻ|ca)?\s*(?:trên|/)\s*1\.?000\s+(?:trẻ em|trẻ|ca)\s+(?:đẻ|để|sinh)\s+(?:sống|ra sống)",
        after,
        re.I,
    )
    if m:
        return "per_1000_live_births", m.end(), True
    m = re.match(r"^\s*(?:trẻ em|trẻ|ca)?\s*trên\s+100\.?000\s+(?:trẻ em|trẻ)", after, re.I)
    if m:
        return "per_100000_children", m.end(), True
    if rate_unit:
        m = re.match(r"^\s*(?:trẻ em|trẻ|ca)\b(?!\s+(?:đẻ|để|sinh|dưới|từ|có|được|bị|trong))", after, re.I)
        if m:
            return rate_unit, m.end(), False
        if re.match(r"^\s*(?:[;,.)]|$|vào|và|đến|trong|năm|đối với|\()", after, re.I):
            return rate_unit, 0, False
    return None, 0, False


# ---------------------------------------------------------------- comparators

COMPARATOR_TAILS: list[tuple[str, str]] = [
    (r"(?:<=|≤|=<)", "le"),
    (r"(?:>=|≥|=>)", "ge"),
    (r"<", "lt"),
    (r">", "gt"),
    (
        r"(?:xuong\s+|giam\s+|con\s+|o\s+muc\s+|muc\s+|dat\s+|ty le\s+|ty suat\s+)*(?:duoi|thap hon|it hon|nho hon)(?:\s+muc)?",
        "lt",
    ),
    (
        r"(?:khong|chua)\s+(?:qua|vuot qua|vuot|cao hon)(?:\s+muc)?|toi da(?:\s+(?:la|o muc|con))?|(?:xuong|giam)\s+(?:con\s+)?toi da",
        "le",
    ),
    (
        r"(?:giam\s+)?xuong(?:\s+(?:con|muc|con muc|o muc))?|(?:giam\s+)?(?<!\w)con(?:\s+(?:lai|khoang))?|giam con|ha xuong",
        "le",
    ),
    (
        r"(?:dat\s+|o\s+muc\s+|muc\s+|ty le\s+|la\s+|len\s+|tang len\s+|phan dau\s+)*(?:tren|cao hon|hon|vuot)(?:\s+muc)?",
        "gt",
    ),
    (r"(?:co\s+|dat\s+)?(?:it nhat|toi thieu|khong (?:it|thap|duoi) hon)(?:\s+(?:la|dat|co))?", "ge"),
    (r"duy tri(?:\s+(?:on dinh|o muc|muc|ty le|la|ket qua))*", "maintain"),
    (r"(?<!\w)giam(?:\s+(?:them|duoc|binh quan|it nhat|toi thieu|khoang|tu))*", "reduce_by"),
    (r"(?<!\w)(?:tang|nang)(?:\s+(?:them|duoc|binh quan|it nhat|toi thieu|khoang|tu))*", "increase_by"),
    (r"(?:tang\s+|nang\s+|dua\s+)?len(?:\s+(?:muc|den|toi))?", "ge"),
    (
        r"(?:phan dau\s+|duoc\s+)?(?:dat|la|bang|o muc|chiem|muc|co)(?:\s+(?:ty le|muc|ty suat|khoang))?|phan dau",
        "dir",
    ),
    (r"khoang|xap xi|gan", "eq"),
]
_TAIL_RES = [(re.compile(rf"(?:^|(?<=[\s,;:(]))(?:{pat})\s*$"), comp) for pat, comp in COMPARATOR_TAILS]
_CONJ_TAIL = re.compile(r"(?:^|\s)(?:va|,|hoac|va dat|con|trong do|trong do co|rieng)?\s*$")

LOWER_BETTER = re.compile(
    r"tu vong|suy dinh duong|thap coi|nhe can|gay com|beo phi|thua can|bo hoc|xam hai|bao luc|tai nan|thuong tich|"
    r"tao hon|lao dong tre em|hoan canh dac biet|lay truyen|mac |nhiem |vi pham|nghien|mua ban|bi bo roi|duoi chuan|"
    r"ket hon can huyet|sinh con thu ba|ty so gioi tinh|trem bi|tre em bi"
)


def guess_direction(indicator: str, clause: str = "") -> str:
    """'lower' or 'higher' is better, from the indicator's words and the clause's verb."""
    f = fold(indicator)
    c = fold(clause)
    m = LOWER_BETTER.search(f)
    if m:
        rest = f[m.end() :]
        beneficiary = re.search(
            r"\b(?:cho|doi voi|ho tro|giup do|tro giup|danh cho|phong chong|phong ngua|phong,? chong)\s+(?:\w+\s+){0,3}$",
            f[: m.start()],
        )
        if not re.search(r"\bduoc\b|\bco co hoi\b", rest) and not beneficiary:
            return "lower"
    if re.match(r"^\s*(?:phan dau\s+)?(?:giam|ha)\b", c):
        return "lower"
    return "higher"


# Words that fold to a comparator word but are not one ("tặng" → "tang", "con" (child) → "con").
_FALSE_FRIENDS = {
    "increase_by": re.compile(r"(?:tăng|nâng)(?:\s+\S+){0,3}\s*$", re.I),
    "le": re.compile(r"(?:xuống|còn|tối đa|không quá|không vượt|chưa vượt|hạ)(?:\s+\S+){0,3}\s*$", re.I),
}


def tail_comparator(window_folded: str, window: str | None = None) -> tuple[str | None, int]:
    """The comparator at the end of the (folded) words before a value, and where it starts.

    `window` (the same words with their diacritics) rules out false friends: "trao tặng" is not
    "tăng", "mẹ sang con" is not "còn".
    """
    w = window_folded.rstrip(" (:")
    for rx, comp in _TAIL_RES:
        m = rx.search(w)
        if m and m.group(0).strip():
            check = _FALSE_FRIENDS.get(comp)
            if window is not None and check is not None and not check.search(window.rstrip(" (:")):
                continue
            return comp, m.start()
    return None, len(w)


# ---------------------------------------------------------------- words around values

LEAD_WORDS = re.compile(
    r"^(?:[-–+•:,;.\s]|và\b|trong đó(?: có)?\b|đồng thời\b|riêng\b|phấn đấu\b|phần đầu\b|từng bước\b|tiếp tục\b|"
    r"giảm\b|tăng\b|nâng(?: cao)?\b|duy trì\b|bảo đảm\b|đảm bảo\b|hạ\b|có\b|đạt\b|đưa\b|kéo giảm\b|"
    r"(?:vào|đến|tới|trong|từ|đến hết)?\s*năm\s+(?:19|20)\d{2}\s*,?)+",
    re.I,
)
TRAIL_WORDS = re.compile(
    r"(?:[\s,:;(]|\bvà\b|\bđạt\b|\bphấn đấu\b|\bphần đầu\b|\bduy trì\b|\bxuống\b|\blên\b|\bcòn\b|\bdưới\b|\btrên\b|"
    r"\bở mức\b|\bmức\b|\blà\b|\bbằng\b|\bít nhất\b|\btối thiểu\b|\btối đa\b|\bchiếm\b|\bkhoảng\b|\btăng\b|\bgiảm\b|"
    r"\bcó\b|\bđạt tỷ lệ\b|\bkhông quá\b|\btừ\b|\(p/1\.?000\)|\bthấp hơn\b|\bcao hơn\b|\bhơn\b|[<>≤≥=])+$",
    re.I,
)
MODIFIER_START = re.compile(r"^(?:ở|tại|đối với|cho|của|bậc|cấp|trong|khu vực|vùng)\b", re.I)
AFTER_STOP = re.compile(
    r"(?:[;.(]|,\s*trong đó|\s+(?:vào|đến|tới|trong|từ|cho đến|đến hết)\s+(?:năm\s+)?(?:19|20)\d{2}|"
    r"\s+(?:năm)\s+(?:19|20)\d{2}|\s+giai đoạn\b|\s+và\s+(?:duy trì|giảm|tăng|phấn đấu)\b|\s+(?:và\s+)?(?:hằng|hàng)\s+năm)",
    re.I,
)
QUALIFIER_RE = re.compile(
    r"(?:đối với|ở khu vực|tại khu vực|ở vùng|tại vùng)\s+([^,;.()]+?)(?=\s+(?:và|vào|đến|trong|đạt|là)\b|[,;.()]|$)",
    re.I,
)


RIENG_RE = re.compile(r"(?:^|[\s(,;])riêng\s+(.+?)\s*(?:\bđạt\b|\blà\b|:|$)", re.I)


COUNT_VERB_RE = re.compile(
    r"^(?:xây dựng|xây mới|sửa chữa|nâng cấp|hỗ trợ|vận động|tổ chức|thành lập|trao|tặng|mở|cấp|bố trí|"
    r"phát triển|nhân rộng|duy trì|đào tạo|tập huấn|bồi dưỡng)\b",
    re.I,
)


def _strip(s: str) -> str:
    """Trim spaces and punctuation around a phrase."""
    return s.strip(" ,;:.-–\t")


YEAR_PHRASE_RE = re.compile(
    r"(?:(?:vào|đến|tới|trong|từ|cho đến|đến hết|hết|vào cuối|cuối|giai đoạn)\s+)*(?:năm\s+)?(?:19|20)\d{2}"
    r"(?:\s*(?:-|–|đến)\s*(?:năm\s+)?(?:19|20)\d{2})?",
    re.I,
)


def _indicator_before(window: str) -> tuple[str, int]:
    """The indicator words in a window (comparator words removed) and their offset in the window."""
    window = YEAR_PHRASE_RE.sub(" ", window)
    window = re.sub(r"^\s*(?:trên|so với)?\s*tổng số\s+(?:trẻ em|trẻ|học sinh)\b", " ", window, flags=re.I)
    q = QUALIFIER_RE.match(window.strip())
    if q:
        window = window.strip()[q.end() :]
    verbs = list(
        re.finditer(
            r"[,;]\s*(?:và\s+)?(?:phấn đấu\s+)?(?:giảm|tăng|nâng|duy trì|hạ|kéo giảm)\b", window, re.I
        )
    )
    verb = verbs[-1] if verbs else None
    if verb:
        window = window[verb.start() :]
    m = LEAD_WORDS.match(window)
    lead = m.end() if m else 0
    body = window[lead:]
    t = TRAIL_WORDS.search(body)
    if t:
        body = body[: t.start()]
    # drop a trailing denominator phrase "trên tổng số trẻ em"
    body = re.sub(r"\s*(?:trên|so với)\s+tổng số\s+\S+(?:\s+\S+)?\s*$", "", body, flags=re.I)
    return _strip(body), lead + (len(window[lead:]) - len(window[lead:].lstrip(" ,;:.-–")))


def _indicator_after(after: str) -> str:
    """The noun phrase after a value-first mention ("100% trạm y tế xã có …") up to a stop."""
    m = AFTER_STOP.search(after)
    phrase = after[: m.start()] if m else after
    phrase = re.sub(r"^\s*(?:trên|so với|của)?\s*tổng số\s+(?:trẻ em|trẻ|học sinh)\b", "", phrase, flags=re.I)
    phrase = re.sub(r"^\s*(?:trở lên|trở xuống)\b", "", phrase, flags=re.I)
    phrase = re.sub(
        r"(?:\s+(?:và|trong|vào|đến|tới|tại|ở|của|cho|trên))+\s*$", "", phrase.strip(), flags=re.I
    )
    phrase = (
        QUALIFIER_RE.sub("", phrase)
        if phrase.lower().startswith(("đối với", "ở khu vực", "riêng"))
        else phrase
    )
    return _strip(phrase)


def _substantive(phrase: str) -> bool:
    """True when a phrase has at least two words that are not connectives."""
    words = [
        w
        for w in re.findall(r"[^\W\d_]+", phrase)
        if fold(w) not in ("va", "hoac", "trong", "do", "co", "nam")
    ]
    return len(words) >= 2


# ---------------------------------------------------------------- years


@dataclass
class YearGroup:
    start: int
    end: int
    years: list[int]
    maintain: bool  # "(và) duy trì đến năm 2030"
    period: bool  # "giai đoạn 2021 - 2025"


def find_years(text: str, start: int, end: int) -> list[YearGroup]:
    """Milestone years in text[start:end] (years inside parentheses ignored)."""
    seg = text[start:end]
    depth = _paren_depths(seg)
    out = []
    for m in YEAR_RE.finditer(seg):
        if depth[m.start("y")]:
            continue
        if re.search(
            r"so\s+với\s*$|so với cùng kỳ\s*$|gốc\s*$|cơ sở\s*$",
            seg[max(0, m.start() - 12) : m.start()],
            re.I,
        ):
            continue  # a baseline ("giảm 10% so với năm 2021"), not a milestone
        pre = m.group("pre") or ""
        nam = (m.group("nam") or "").strip().lower()
        if not pre and not nam:
            # a bare year counts only right after "vào/đến" (handled by pre) — otherwise not a milestone
            continue
        years = [int(m.group("y"))] + [int(y) for y in re.findall(r"(?:19|20)\d{2}", m.group("more") or "")]
        more = (m.group("more") or "").lower()
        ranged = bool(re.search(r"[-–]|đến", more))
        if ranged and "từ" in pre.lower():
            years = [years[0], years[-1]]  # "từ năm 2025 đến năm 2030": both milestones
        elif ranged or nam == "giai đoạn":
            years = [years[-1]]  # "giai đoạn 2021 - 2025": the end of the period
        period = nam == "giai đoạn"
        before = fold(seg[max(0, m.start() - 25) : m.start()])
        maintain = bool(re.search(r"duy tri(?:\s+on dinh)?(?:\s+ket qua)?\s*$", before))
        out.append(YearGroup(start + m.start(), start + m.end(), years, maintain, period))
    return out


# ---------------------------------------------------------------- main entry


def parse_components(
    text: str,
    offset: int = 0,
    *,
    context: str = "",
    direction_of=None,
    default_year: int | None = None,
    maintain_comparator: str = "carry",
) -> list[Component]:
    """Parse the components of one target's text; spans are shifted by `offset`.

    `direction_of(indicator_wording) -> "lower" | "higher" | None` lets the catalogue decide how
    "đạt X" reads; `maintain_comparator` is how "… và duy trì đến năm 2030" is recorded: "carry"
    keeps the previous comparator, "maintain" records maintain.
    """
    components: list[Component] = []
    for cs, ce in clauses(text):
        components.extend(
            _parse_clause(
                text, cs, ce, offset, context or text, direction_of, default_year, maintain_comparator
            )
        )
    return components


def _parse_clause(text, cs, ce, offset, context, direction_of, default_year, maintain_comparator):
    """Components of one clause text[cs:ce]."""
    clause = text[cs:ce]
    mentions = find_mentions(text, cs, ce, context=context) + _zero_mentions(text, cs, ce)
    mentions.sort(key=lambda x: x.num_start)
    year_groups = [g for g in find_years(text, cs, ce) if not g.period or True]
    yearly = bool(YEARLY_RE.search(clause))
    if not mentions:
        return []
    # ---- indicator wording and comparators
    prev_end = cs
    prev: Mention | None = None
    for i, m in enumerate(mentions):
        if getattr(m, "zero", False):
            prev_end = max(m.end, m.indicator_span[1]) if m.indicator_span else m.end
            prev = m
            continue
        window = text[prev_end : m.start]
        # remove year phrases from the window for comparator detection
        wf = fold(window)
        comp, tail_pos = tail_comparator(wf, window)
        after_text = text[m.end : (mentions[i + 1].start if i + 1 < len(mentions) else ce)]
        suffix = fold(after_text[:20])
        if re.match(r"^\s*tro len", suffix):
            comp = "ge"
        elif re.match(r"^\s*tro xuong", suffix):
            comp = "le"
        if comp is None:
            if prev is not None and _CONJ_TAIL.search(_drop_years(wf)):
                m.comparator, m.comparator_source = prev.comparator, "carried"
            else:
                m.comparator, m.comparator_source = "dir", "default"
        else:
            m.comparator = comp
        # indicator wording
        if (
            prev is not None
            and prev.value_first
            and prev.indicator_span
            and prev.indicator_span[1] > prev_end
        ):
            window = text[min(prev.indicator_span[1], m.start) : m.start]
        rieng = RIENG_RE.search(window)
        if rieng and prev is not None:
            m.indicator, m.indicator_span = prev.indicator, prev.indicator_span
            m.qualifier = _strip(re.sub(r"^(?:trẻ em|trẻ)\s+", "", rieng.group(1)))
            prev_end = m.end
            prev = m
            continue
        ind, ind_off = _indicator_before(window)
        if m.unit == "count":
            num = NUM_RE.match(text, m.num_start)
            noun = _indicator_after(text[num.end() if num else m.num_start : ce])
            if _substantive(noun) and (not _substantive(ind) or COUNT_VERB_RE.match(ind)):
                m.indicator = "số " + noun
                pos = text.find(noun, m.num_start, ce)
                m.indicator_span = (pos, pos + len(noun)) if pos >= 0 else None
                m.value_first = True
                prev_end = max(m.end, m.indicator_span[1]) if m.indicator_span else m.end
                prev = m
                continue
        if _substantive(ind):
            if prev is not None and MODIFIER_START.match(ind) and prev.indicator:
                head = _head_of(prev.indicator, ind)
                m.indicator = f"{head} {ind}".strip()
            else:
                m.indicator = ind
            pos = text.find(ind, prev_end, m.start) if ind else -1
            m.indicator_span = (pos, pos + len(ind)) if pos >= 0 else None
        else:
            after_phrase = _indicator_after(after_text)
            if _substantive(after_phrase) and not re.match(r"^(?:trẻ em|trẻ)$", after_phrase):
                m.indicator = after_phrase
                m.value_first = True
                pos = text.find(after_phrase, m.end, ce)
                m.indicator_span = (pos, pos + len(after_phrase)) if pos >= 0 else None
            elif prev is not None:
                m.indicator = prev.indicator
                m.indicator_span = prev.indicator_span
            else:
                m.indicator = _strip(ind) or _strip(LEAD_WORDS.sub("", clause))[:200]
        q = QUALIFIER_RE.search(after_text)
        if q and not (i + 1 < len(mentions) and q.start() > len(after_text)):
            m.qualifier = _strip(q.group(1))
        prev_end = max(m.end, m.indicator_span[1]) if m.value_first and m.indicator_span else m.end
        prev = m
    # shared predicate for chained value-first mentions ("30% A và 85% B được chăm sóc …")
    _share_predicates(mentions)
    # ---- directions
    for m in mentions:
        if m.comparator == "dir":
            d = direction_of(m.indicator, m.unit) if direction_of else None
            d = d or guess_direction(m.indicator or "", clause)
            m.comparator = "le" if d == "lower" else "ge"
    # ---- years
    lead_year = None
    synth: list[Mention] = []
    pending: list[Mention] = []
    last_group: list[Mention] = []
    mi = 0
    events = sorted(
        [(m.num_start, "m", m) for m in mentions] + [(g.start, "y", g) for g in year_groups],
        key=lambda x: x[0],
    )
    for _, kind, obj in events:
        if kind == "m":
            pending.append(obj)
            mi += 1
            continue
        g: YearGroup = obj
        if not pending and not last_group and mi == 0:
            lead_year = g.years[-1]
            continue
        if pending:
            for m in pending:
                m.years = list(g.years)
                m.year_source = "explicit"
            last_group = pending
            pending = []
        elif g.maintain and last_group:
            for src in last_group:
                for y in g.years:
                    if y in src.years:
                        continue
                    s = Mention(
                        start=g.start,
                        num_start=g.start,
                        end=g.end,
                        value=src.value,
                        unit=src.unit,
                        unit_explicit=src.unit_explicit,
                        comparator=src.comparator if maintain_comparator == "carry" else "maintain",
                        comparator_source="carried",
                        indicator=src.indicator,
                        indicator_span=src.indicator_span,
                        years=[y],
                        year_source="maintain",
                        qualifier=src.qualifier,
                        synthetic=True,
                    )
                    synth.append(s)
    for m in pending:
        if yearly:
            m.years = []
            m.qualifier = m.qualifier or "hằng năm"
            m.year_source = "yearly"
        elif lead_year:
            m.years = [lead_year]
            m.year_source = "lead"
        elif default_year:
            m.years = [default_year]
            m.year_source = "heading"
    # ---- components
    out = []
    for m in sorted(mentions + synth, key=lambda x: x.num_start):
        years = m.years or [None]
        for y in years:
            conf = 0.95
            notes = []
            if m.comparator_source == "default":
                conf -= 0.15
                notes.append("so sánh suy ra theo chiều của chỉ số")
            elif m.comparator_source == "carried":
                conf -= 0.05
            if not m.unit_explicit:
                conf -= 0.1
                notes.append("đơn vị suy ra từ ngữ cảnh")
            if m.year_source in (None, "heading"):
                conf -= 0.1
                notes.append("không có năm mốc" if y is None else "năm lấy từ tiêu đề")
            if m.value_first:
                conf -= 0.05
            span = (
                offset + min(m.start, m.indicator_span[0])
                if m.indicator_span and m.indicator_span[0] >= 0
                else offset + m.start,
                offset + m.end,
            )
            out.append(
                Component(
                    indicator=m.indicator or "",
                    comparator=m.comparator,
                    value=m.value,
                    unit=m.unit,
                    year=y,
                    qualifier=m.qualifier,
                    span=span,
                    confidence=round(max(0.1, conf), 2),
                    notes=notes,
                )
            )
    return out


ZERO_RE = re.compile(
    r"(?P<lead>duy trì\s+)?(?:không có|không còn|không để (?:xảy ra|phát sinh|có))\s+(?=\S)", re.I
)


def _zero_mentions(text: str, cs: int, ce: int) -> list[Mention]:
    """ "(duy trì) không có lao động trẻ em …" → value 0 (a rate of zero)."""
    out = []
    for m in ZERO_RE.finditer(text, cs, ce):
        after = text[m.end() : ce]
        phrase = _indicator_after(after)
        if not _substantive(phrase):
            continue
        mention = Mention(
            start=cs + (m.start() - cs),
            num_start=m.start(),
            end=m.end(),
            value=Decimal(0),
            unit="%",
            unit_explicit=False,
            comparator="maintain" if m.group("lead") else "le",
            comparator_source="explicit",
        )
        mention.indicator = phrase
        pos = text.find(phrase, m.end(), ce)
        mention.indicator_span = (pos, pos + len(phrase)) if pos >= 0 else None
        mention.value_first = True
        mention.zero = True
        out.append(mention)
    return out


def _drop_years(folded: str) -> str:
    """Remove year phrases from folded text."""
    return re.sub(r"(?:(?:vao|den|toi|trong|tu|den het|vao cuoi|cuoi)\s+)*nam\s+(?:19|20)\d{2}", " ", folded)


def _drop_years_keep(window: str) -> str:
    """Remove leading year phrases and conjunctions from a window (not folded)."""
    return re.sub(
        r"^(?:\s*(?:,|và|(?:(?:vào|đến|tới|trong|từ|đến hết|giai đoạn)\s+)*(?:năm\s+)?(?:19|20)\d{2})\s*)+",
        "",
        window,
        flags=re.I,
    )


def _head_of(previous: str, modifier: str) -> str:
    """The head of a previous indicator, to which a modifier ("ở bậc THCS") attaches."""
    first = modifier.split()[0].lower()
    pos = previous.lower().rfind(f" {first} ")
    return previous[:pos] if pos > 0 else previous


def _share_predicates(mentions: list[Mention]) -> None:
    """Give chained value-first indicators the predicate of the last one in the chain."""
    chain: list[Mention] = []
    for m in mentions + [None]:
        if m is not None and m.value_first:
            chain.append(m)
            continue
        if len(chain) > 1:
            last = chain[-1].indicator or ""
            pm = re.search(r"\s(được|có|tham gia|đi học|hoàn thành)\s", last)
            if pm:
                predicate = last[pm.start() :]
                for c in chain[:-1]:
                    if c.indicator and not re.search(
                        r"\s(được|có|tham gia|đi học|hoàn thành|đạt)\s", c.indicator
                    ):
                        c.indicator = c.indicator + predicate
        chain = [m] if m is not None and m.value_first else []
