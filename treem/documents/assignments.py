"""Assignments: which agency leads, coordinates or guides which targets (the organisation section)."""

from __future__ import annotations

import re

from treem.core.text import fold

from .agencies import HEAD_RE, agency_key, clean_agency, is_generic, match_agency, split_agencies
from .structure import Para

# Lower-case verbs that end an agency name at the head of an item ("Ban Tuyên giáo Tỉnh ủy chủ trì …").
VERB_RE = re.compile(
    r"\s+(?:chủ trì|phối hợp|lãnh đạo|chỉ đạo|tổ chức|xây dựng|cụ thể hóa|cụ thể hoá|thực hiện|triển khai|"
    r"hướng dẫn|tăng cường|có trách nhiệm|chịu trách nhiệm|theo dõi|tham mưu|đẩy mạnh|phát huy|là cơ quan|"
    r"rà soát|nghiên cứu|bố trí|ban hành|giám sát|kiểm tra|tuyên truyền|quán triệt|chủ động|thường xuyên|"
    r"tiếp tục|nâng cao|bảo đảm|đảm bảo|vận động|hỗ trợ|cân đối|phân bổ|lồng ghép|căn cứ|đôn đốc|"
    r"phụ trách|giúp|trình|tập trung|quan tâm|cung cấp|làm|đưa|theo chức năng|theo nhiệm vụ|báo cáo)\b"
)
TARGET_REF_RE = re.compile(
    r"(?:các\s+)?(?:mục tiêu,?\s*)?chỉ tiêu\s+(?:số\s+)?(?P<list>\d{1,3}[a-z]?(?:\s*(?:,|;|và|-|–|đến|tới)\s*(?:chỉ tiêu\s+)?\d{1,3}[a-z]?)*)",
    re.I,
)
PARTNER_RE = re.compile(r"phối hợp\s+(?:chặt chẽ\s+)?(?:với|cùng)?\s*(?P<who>[^;.:()]+)", re.I)
GUIDE_OBJECT_RE = re.compile(
    r"(?:chỉ đạo|hướng dẫn)(?:\s*,\s*(?:chỉ đạo|hướng dẫn))?\s+(?P<who>(?:UBND|Ủy ban|Uỷ ban|Phòng|Sở|Trung tâm|Công an|"
    r"Hội|Đoàn|Ban|Trường|Các trường|các trường|Bệnh viện)[^;.:,]*?)\s+(?:thực hiện|triển khai)",
)


def expand_targets(ref: str) -> list[str]:
    """ "1, 2, 8" / "2,3,4,9" / "1-5" / "từ 1 đến 3" → numbers as strings."""
    out: list[str] = []
    parts = re.split(r"\s*(?:,|;|và)\s*", ref)
    for part in parts:
        part = re.sub(r"chỉ tiêu\s+", "", part, flags=re.I).strip()
        m = re.match(r"^(\d{1,3})\s*(?:-|–|đến|tới)\s*(\d{1,3})$", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a < b <= a + 60:
                out.extend(str(i) for i in range(a, b + 1))
                continue
        if re.fullmatch(r"\d{1,3}[a-z]?", part):
            out.append(part)
    return out


def _sentences(text: str) -> list[tuple[int, str]]:
    """Split a paragraph into sentences (offset, text) at ". " and ";"."""
    out, start = [], 0
    for m in re.finditer(r"(?<=[.;])\s+(?=\S)|(?<=\.)$", text):
        out.append((start, text[start : m.start()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return [(s, t) for s, t in out if t.strip()]


def _role_of(clause_before: str, paragraph_before: str) -> str:
    """lead / coordinate from the words before a target reference (its clause first, then its paragraph)."""
    f = fold(clause_before)
    if "chu tri" in f:
        return "lead"
    if re.search(r"(?:^|[\s,])phoi hop\b", f):
        return "coordinate"
    if re.match(r"^\W*phoi hop\b", fold(paragraph_before)):
        return "coordinate"
    return "lead"


def _item_role(text: str) -> str:
    """Role of an item without target references, from its first verb."""
    text = re.sub(r"^\W*(?:Căn cứ|Trên cơ sở|Trong phạm vi)[^,]{0,80},\s*", "", text)
    f = fold(text)
    for pat, role in (
        (r"\bchu tri\b", "lead"),
        (r"^\W*phoi hop\b", "coordinate"),
        (r"^\W*(?:lanh dao|chi dao|huong dan)\b", "guide"),
    ):
        if re.search(pat, f):
            return role
    return "lead"


def item_agencies(p: Para, bold: list[tuple[int, int]]) -> tuple[list[str], int]:
    """Agencies named at the head of an organisation item, and where the rest of its text begins."""
    body = p.body
    offset = 0
    lead = re.match(r"^(?:Căn cứ|Trên cơ sở)[^,]{0,80},\s*", body)
    if lead:
        offset = lead.end()
    for a, b in bold:
        if a <= p.body_start + offset + 1 and b > p.body_start + offset + 3 and b < p.end + 1:
            name = p.text[max(0, a - p.start) : b - p.start]
            name = re.sub(r"^\s*\d{1,2}(?:\.\d{1,2})*[.)\-–]\s*", "", name)
            if name.strip() and len(name) < 250:
                return split_agencies(name), b - p.body_start
    rest = body[offset:]
    m = VERB_RE.search(rest)
    if m:
        name = rest[: m.start()]
        cut = offset + m.start()
    else:
        name = rest
        cut = len(body)
    name = re.sub(r"\s*:\s*$", "", name)
    if not name.strip() or len(name) > 250:
        return [], 0
    return split_agencies(name), cut


def extract_assignments(section_paras: list[Para], bold, targets_known: set[str]) -> list[dict]:
    """Assignments from the paragraphs of the organisation section."""
    if not section_paras:
        return []
    item_kind = next(
        (p.kind for p in section_paras if p.kind in ("number", "multi", "letter", "label")), None
    )
    items: list[tuple[Para, list[Para]]] = []
    for p in section_paras:
        if item_kind and p.kind == item_kind:
            items.append((p, []))
        elif items:
            items[-1][1].append(p)
    rows: list[dict] = []
    registry = []
    parsed = []
    for head, children in items:
        agencies, cut = item_agencies(head, bold)
        agencies = [a for a in agencies if a and not is_generic(a) or a.lower().startswith("các phòng")]
        parsed.append((head, children, agencies, cut))
        registry.extend(agencies)
    for head, children, agencies, cut in parsed:
        if not agencies:
            continue
        texts = []
        rest = head.body[cut:].strip()
        if rest:
            texts.append(
                (head.body_start + cut + (len(head.body[cut:]) - len(head.body[cut:].lstrip())), rest)
            )
        for c in children:
            texts.append((c.body_start, c.body))
        by_role: dict[str, list[str]] = {}
        spans: dict[str, list[int]] = {}
        extra: list[tuple[str, str, list[str], list[int]]] = []
        partners = []
        for base, t in texts:
            for soff, sent in _sentences(t):
                for m in TARGET_REF_RE.finditer(sent):
                    nums = [
                        n for n in expand_targets(m.group("list")) if not targets_known or n in targets_known
                    ]
                    if not nums:
                        continue
                    before = sent[: m.start()]
                    g = GUIDE_OBJECT_RE.search(
                        before + " thực hiện"
                        if not re.search(r"(?:thực hiện|triển khai)\s*$", before)
                        else before
                    )
                    if g and HEAD_RE.match(g.group("who")) and not is_generic(g.group("who")):
                        role = "guide"
                        who = match_agency(g.group("who"), registry)
                        extra.append((who, "lead", nums, [base + soff + m.start(), base + soff + m.end()]))
                    else:
                        role = _role_of(before, t[: soff + m.start()])
                    lst = by_role.setdefault(role, [])
                    lst.extend(n for n in nums if n not in lst)
                    spans.setdefault(role, [base + soff, base + soff + len(sent)])
                for pm in PARTNER_RE.finditer(sent):
                    for who in split_agencies(
                        re.split(
                            r"\s+(?:trong|để|thực hiện|triển khai|tham mưu|xây dựng|theo dõi|tổ chức|có trách nhiệm)\b",
                            pm.group("who"),
                        )[0]
                    ):
                        who = re.split(r"\s+và\s+(?:các|những)\b", who)[0]
                        if HEAD_RE.match(who) and not is_generic(who) and not who.lower().startswith("các"):
                            partners.append(clean_agency(who))
        if not by_role:
            by_role[_item_role(head.body[cut:] + " " + " ".join(c.body for c in children[:1]))] = []
        for agency in agencies:
            name = match_agency(agency, registry)
            for role, nums in by_role.items():
                rows.append(
                    {
                        "agency": name,
                        "role": role,
                        "targets": list(nums),
                        "span": spans.get(role, [head.start, head.end]),
                        "confidence": 0.85 if nums else 0.7,
                    }
                )
        for who, role, nums, span in extra:
            rows.append({"agency": who, "role": role, "targets": nums, "span": span, "confidence": 0.7})
        for who in partners:
            rows.append(
                {
                    "agency": match_agency(who, registry),
                    "role": "coordinate",
                    "targets": [],
                    "span": [head.start, head.end],
                    "confidence": 0.6,
                }
            )
    return _merge(rows)


def merge_assignments(rows: list[dict]) -> list[dict]:
    """Merge rows of the same agency and role (from the text and from target tables)."""
    return _merge(rows)


def _merge(rows: list[dict]) -> list[dict]:
    """Merge rows of the same agency and role; drop partner rows of agencies that have their own."""
    out: list[dict] = []
    index: dict[tuple[str, str], dict] = {}
    owners = {agency_key(r["agency"]) for r in rows if r["targets"] or r["confidence"] >= 0.7}
    for r in rows:
        key = (agency_key(r["agency"]), r["role"])
        if r["confidence"] < 0.7 and key[0] in owners:
            continue
        if key in index:
            for n in r["targets"]:
                if n not in index[key]["targets"]:
                    index[key]["targets"].append(n)
            continue
        index[key] = r
        out.append(r)
    return out
