"""Document metadata: type, number, place and date, issuer, title, signer, period, implemented documents."""

from __future__ import annotations

import re
from collections import Counter

from treem.core.text import fold, parse_vn_date

from .cleanup import CleanText
from .structure import TYPE_WORDS, Para, is_major_heading

NUMBER_RE = re.compile(
    r"^\s*Số\s*:?\s*(?P<n>\d{1,5}\s*(?:/\s*\d{4}\s*)?[-/]\s*[A-ZĐ][\wĐđ&]*(?:\s*[-/]\s*[\wĐđ&]+)*)",
    re.UNICODE,
)
PLACE_DATE_RE = re.compile(
    r"(?P<place>[^,\n]{2,40}),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
)
NATIONAL = (
    "cong hoa xa hoi chu nghia viet nam",
    "dang cong san viet nam",
    "doc lap - tu do - hanh phuc",
    "doc lap tu do hanh phuc",
)
DOC_NUMBER = r"\d{1,5}(?:/\d{4})?[-/][A-ZĐ][A-Za-zĐđ0-9&]*(?:[-/][A-Za-zĐđ0-9&]+)*"
REF_RE = re.compile(
    r"(?P<type>Chỉ thị|Kế hoạch|Nghị quyết|Quyết định|Chương trình|Thông tư|Nghị định|Kết luận|Công văn|"
    r"Hướng dẫn|Đề án|Luật|Thông báo)\s+(?:liên tịch\s+)?(?:số\s*:?\s*)?(?P<num>" + DOC_NUMBER + r")"
    r"(?P<date>,?\s*(?:ban hành\s+)?ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    r"(?:\s+của\s+(?P<issuer>[^,;:“\"(]{3,80}?)(?=\s+(?:về|khóa|khoá|thực hiện|ban hành|quy định|hướng dẫn|phê duyệt|và|ngày)\b|[,;:“\"(]|$))?",
)
RETROSPECTIVE = re.compile(r"(?:sau\s+\d+\s+năm|từ khi|những năm qua|qua\s+\d+\s+năm|kết quả)[^.;]*$", re.I)
PERIOD_RE = re.compile(
    r"giai đoạn\s+(?:từ\s+(?:năm\s+)?)?((?:19|20)\d{2})\s*(?:-|–|đến(?:\s+năm)?)\s*((?:19|20)\d{2})", re.I
)
TITLE_PERIOD_RE = re.compile(r"((?:19|20)\d{2})\s*(?:-|–|đến(?:\s+năm)?)\s*((?:19|20)\d{2})")
NAME_WORD = r"[A-ZĐÂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]+"
PERSON_RE = re.compile(rf"^(?:{NAME_WORD})(?:\s+{NAME_WORD}){{1,4}}$")
SURNAMES = set(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly mai trieu dinh truong lam doan ha cao "
    "luong ta chau quach thai to trinh luu ton kieu nong lo vi hua au mac khong la lai chu giang than diep phung "
    "tang ninh ong tu dam hau doan kim y thach son quan lang hoang bach banh chung cu dieu giap khuc tieu van "
    "phuong khuat nghiem ung ma sung danh kha an che han hinh lac lieu mong ngu sam thi tong uong vuong xa yen "
    "lu luc on tat".split()
)
SIGNATURE_TITLE = re.compile(
    r"^(?:T/M|TM\.|KT\.|Q\.|TL\.|TUQ\.)|^(?:PHÓ\s+)?(?:CHỦ TỊCH|BÍ THƯ|GIÁM ĐỐC|TRƯỞNG BAN|TRƯỞNG PHÒNG|BỘ TRƯỞNG|"
    r"THỨ TRƯỞNG|CHÁNH VĂN PHÒNG|PHÓ BÍ THƯ|THỦ TRƯỞNG)"
)
CAPITALISED = [
    "Lao động",
    "Thương binh",
    "Xã hội",
    "Giáo dục",
    "Đào tạo",
    "Y tế",
    "Tư pháp",
    "Văn hóa",
    "Thể thao",
    "Du lịch",
    "Thông tin",
    "Truyền thông",
    "Nội vụ",
    "Tài chính",
    "Kế hoạch",
    "Đầu tư",
    "Công an",
    "Dân tộc",
    "Mặt trận",
    "Tổ quốc",
    "Việt Nam",
    "Phụ nữ",
    "Hồ Chí Minh",
    "Tài nguyên",
    "Môi trường",
    "Công thương",
    "Xây dựng",
]
ADMIN = r"tỉnh|huyện|thị xã|thành phố|quận|xã|phường|thị trấn"


def _sentence_case(caps: str) -> str:
    """ "TỈNH ỦY KHÁNH HÒA" → "Tỉnh ủy Khánh Hòa"; "ỦY BAN NHÂN DÂN TỈNH X" → "UBND tỉnh X"."""
    s = re.sub(r"\s+", " ", caps.strip())
    low = s.lower()
    low = re.sub(r"^(?:ủy|uỷ) ban nhân dân\b", "UBND", low)
    low = re.sub(r"^hội đồng nhân dân\b", "HĐND", low)
    low = re.sub(r"^ubnd\b", "UBND", low)
    low = re.sub(r"^hđnd\b", "HĐND", low)
    low = low[0].upper() + low[1:] if low and not low.startswith(("UBND", "HĐND")) else low

    # capitalise the place name after an administrative word or a party committee
    def cap_words(m):
        return m.group(1) + " ".join(w[:1].upper() + w[1:] for w in m.group(2).split())

    low = re.sub(rf"((?:\b(?:{ADMIN})|ủy|uỷ)\s+)((?:\S+\s*){{1,4}})$", cap_words, low)
    for word in CAPITALISED:
        low = re.sub(rf"\b{word.lower()}\b", word, low)
    return low


def normalise_issuer(name: str) -> str:
    """Write an issuer the way plans are referred to: "UBND huyện X", "Tỉnh ủy X"."""
    s = re.sub(r"\s+", " ", name).strip(" ,.;:")
    s = re.sub(r"^(?:Ủy|Uỷ) ban nhân dân\b", "UBND", s)
    s = re.sub(r"^Hội đồng nhân dân\b", "HĐND", s)
    s = re.sub(r"^Ban Thường vụ\s+", "", s)
    s = re.sub(r"^Ban Chấp hành( Đảng bộ)?\s+", "", s)
    s = re.sub(r"\b(Tỉnh|Huyện|Thành|Thị|Đảng) uỷ\b", r"\1 ủy", s)
    s = re.sub(
        r"\bUBND (Tỉnh|Huyện|Thị xã|Thành phố|Xã|Phường|Thị trấn|Quận)\b",
        lambda m: "UBND " + m.group(1).lower(),
        s,
    )
    return s


def _place_candidates(text: str, level: str) -> list[str]:
    """Place names of the issuing unit found in the agencies a plan names ("Trung tâm Y tế X")."""
    name = rf"({NAME_WORD}(?:\s+{NAME_WORD}){{0,2}})"
    if level == "province":
        pats = [rf"\bBáo\s+{name}", rf"Đài Phát thanh\s*(?:và|-)\s*Truyền hình\s+{name}", rf"\btỉnh\s+{name}"]
    else:
        pats = [
            rf"Trung tâm Y tế\s+{name}",
            rf"Bệnh viện (?:đa khoa|Đa khoa)\s+{name}",
            rf"\b{level}\s+{name}",
        ]
    found = Counter()
    for p in pats:
        for m in re.finditer(p, text):
            cand = m.group(1)
            if fold(cand) in ("viet nam", "ho chi minh", "trung uong", "quoc gia"):
                continue
            found[cand] += 1
    return [c for c, _ in found.most_common()]


def extract_metadata(clean: CleanText, paras: list[Para]) -> tuple[dict, dict]:
    """Return (document fields, helper info: title/preamble paragraph indexes, spans, confidence)."""
    text = clean.text
    doc: dict = {
        "type": None,
        "number": None,
        "date": None,
        "place": None,
        "issuer": None,
        "title": None,
        "signer": None,
        "signer_title": None,
        "period": None,
        "implements": [],
    }
    spans: dict = {}
    conf: dict = {}
    # ---- type line
    type_idx = None
    for p in paras[:40]:
        f = fold(p.text).strip(" .:*")
        key = max((k for k in TYPE_WORDS if f == k or f.startswith(k + " ")), key=len, default=None)
        if key and (p.caps or f == key) and len(p.text) < 200 and not re.match(r"^\d", p.text):
            if f == key or (p.caps and len(f) <= len(key) + 40):
                type_idx = p.index
                doc["type"] = TYPE_WORDS[key]
                spans["type"] = [p.start, p.start + len(p.text)]
                conf["type"] = 0.95
                break
    header = _expand_tables(paras[:type_idx] if type_idx is not None else paras[:12])
    # ---- number, place and date
    for p in header if type_idx is not None else _expand_tables(paras[:15]):
        m = NUMBER_RE.match(p.text)
        if m and not doc["number"]:
            doc["number"] = re.sub(r"\s+", "", m.group("n"))
            spans["number"] = [p.start + m.start("n"), p.start + m.end("n")]
            conf["number"] = 0.95
        m = PLACE_DATE_RE.search(p.text)
        if m and not doc["date"]:
            d = parse_vn_date(m.group(0))
            if d:
                doc["date"] = d.isoformat()
                place = m.group("place").strip(" *")
                doc["place"] = place if not place.isupper() and len(place.split()) <= 5 else None
                spans["date"] = [p.start + m.start(), p.start + m.end()]
                conf["date"] = 0.95
    if (
        doc["number"]
        and not doc["type"]
        and re.match(r"^\d+/[A-ZĐ]+(?:-[A-ZĐ&]+)+$", doc["number"])
        and not re.search(r"/(?:KH|CT|NQ|QĐ|QD|CTr|TB|BC|HD|ĐA|DA|TTr)-", doc["number"])
    ):
        doc["type"] = "Công văn"  # "Số: 512/UBND-VX": no type abbreviation
        conf["type"] = 0.7
    if doc["number"] and not doc["type"]:
        sym = fold(doc["number"])
        for abbr, t in (
            ("-kh", "Kế hoạch"),
            ("-ct", "Chỉ thị"),
            ("-nq", "Nghị quyết"),
            ("-qd", "Quyết định"),
            ("kh-", "Kế hoạch"),
            ("ct-", "Chỉ thị"),
            ("nq-", "Nghị quyết"),
            ("qd-", "Quyết định"),
        ):
            if abbr in sym:
                doc["type"] = t
                conf["type"] = 0.7
                break
    # ---- issuer from the letterhead
    caps_lines = []
    for p in header:
        f = fold(p.text)
        if any(f.startswith(n) for n in NATIONAL):
            continue
        if NUMBER_RE.match(p.text) or PLACE_DATE_RE.search(p.text):
            if caps_lines:
                break
            continue
        if p.caps and len(p.text) <= 80 and re.search(r"[A-ZĐ]{2}", p.text):
            caps_lines.append(p)
    if caps_lines:
        names = [p.text for p in caps_lines]
        if len(names) >= 2 and re.match(rf"^(?:{ADMIN.upper()})\b", names[1]):
            issuer = names[0] + " " + names[1]
        else:
            issuer = names[-1]
        doc["issuer"] = normalise_issuer(_sentence_case(issuer))
        spans["issuer"] = [caps_lines[0].start, caps_lines[-1].end]
        conf["issuer"] = 0.9
    # ---- title
    title_idx = None
    if type_idx is not None:
        tp = paras[type_idx]
        rest = tp.text[len(doc["type"] or "") :].strip() if not tp.caps else ""
        if rest:
            doc["title"], title_idx = rest, type_idx
            spans["title"] = [tp.end - len(rest), tp.end]
        elif type_idx + 1 < len(paras):
            nxt = paras[type_idx + 1]
            if nxt.kind in ("plain",) and not is_major_heading(nxt) and len(nxt.text) < 700:
                doc["title"], title_idx = nxt.text.strip(), nxt.index
                spans["title"] = [nxt.start, nxt.end]
        conf["title"] = 0.9 if doc["title"] else 0.0
    if not doc["title"]:
        for p in paras[:20]:
            m = re.match(r"^V/v\s*:?\s*(.+)$", p.text.strip())
            if m:
                doc["title"], title_idx = m.group(1).strip(), p.index
                spans["title"] = [p.end - len(m.group(1)), p.end]
                conf["title"] = 0.8
                break
    # ---- preamble: from the title to the first heading or list item
    start = (title_idx if title_idx is not None else (type_idx if type_idx is not None else -1)) + 1
    preamble = []
    for p in paras[start:]:
        if is_major_heading(p) or p.kind in ("number", "multi", "roman", "label", "letter"):
            break
        if SIGNATURE_TITLE.match(p.text.strip()) or fold(p.text).startswith("noi nhan"):
            break
        preamble.append(p)
    # ---- implemented documents (title and preamble)
    seen = {}
    for p in ([paras[title_idx]] if title_idx is not None else []) + preamble:
        for m in REF_RE.finditer(p.text):
            before = p.text[max(0, m.start() - 120) : m.start()]
            sentence_start = max(before.rfind(". "), before.rfind(";"))
            if RETROSPECTIVE.search(before[sentence_start + 1 :] if sentence_start >= 0 else before):
                continue
            number = m.group("num")
            date = parse_vn_date(m.group("date")) if m.group("date") else None
            if number in seen:
                if date and not seen[number]["date"]:
                    seen[number]["date"] = date.isoformat()
                continue
            seen[number] = {
                "number": number,
                "date": date.isoformat() if date else None,
                "type": m.group("type"),
                "issuer": (m.group("issuer") or "").strip() or None,
                "span": [p.start + m.start(), p.start + m.end()],
            }
    doc["implements"] = list(seen.values())
    # ---- issuer from the text when there is no letterhead
    pre_text = "\n".join(p.text for p in preamble)
    if not doc["issuer"]:
        found = list(
            re.finditer(
                r"(?P<who>(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Ban Thường vụ|Ban Chấp hành|Thường trực|Hội đồng nhân dân|"
                r"HĐND|Sở|Phòng)\s[^,;:.]{0,60}?)\s+(?:ban hành|xây dựng|yêu cầu|triển khai)\b",
                pre_text,
            )
        )
        m = found[-1] if found else None
        if m:
            who = normalise_issuer(m.group("who"))
            level = None
            lm = re.search(rf"\b({ADMIN})\s*$", who) or re.search(r"\b(Tỉnh|Huyện|Thành|Thị) ủy$", who)
            if lm:
                word = lm.group(1).lower()
                level = {"tỉnh": "province", "thành": "province"}.get(word, "district")
                names = _place_candidates(text, "province" if level == "province" else word)
                if names:
                    who = f"{who} {names[0]}"
            doc["issuer"] = who
            conf["issuer"] = 0.6
    # ---- signer
    signer, title_lines = _signer(paras)
    if signer:
        doc["signer"] = signer[0]
        spans["signer"] = list(signer[1])
        conf["signer"] = 0.85
    if title_lines:
        doc["signer_title"] = " / ".join(title_lines)
    # ---- period
    m = (
        PERIOD_RE.search(doc["title"] or "")
        or TITLE_PERIOD_RE.search(doc["title"] or "")
        or PERIOD_RE.search(pre_text)
    )
    if m:
        doc["period"] = [int(m.group(1)), int(m.group(2))]
    return doc, {
        "type_idx": type_idx,
        "title_idx": title_idx,
        "preamble": preamble,
        "spans": spans,
        "confidence": conf,
    }


def _expand_tables(paras: list[Para]) -> list[Para]:
    """Letterheads laid out in a table: one pseudo-paragraph per cell, left column first."""
    from .cleanup import is_caps_line

    out, rows = [], []

    def flush():
        if not rows:
            return
        width = max(len(r[1]) for r in rows)
        for col in range(width):
            for p, cells in rows:
                if col < len(cells) and cells[col][1].strip():
                    start, text = cells[col]
                    out.append(
                        Para(
                            index=p.index,
                            start=start,
                            end=start + len(text),
                            text=text,
                            kind="plain",
                            label=None,
                            marker="",
                            caps=is_caps_line(text),
                        )
                    )
        rows.clear()

    for p in paras:
        if p.kind != "table":
            flush()
            out.append(p)
            continue
        cells, pos = [], 0
        for part in p.text.split("|"):
            stripped = part.strip()
            offset = p.text.find(stripped, pos) if stripped else pos
            cells.append((p.start + max(0, offset), stripped))
            pos += len(part) + 1
        rows.append((p, [c for c in cells[1:-1]] if p.text.strip().startswith("|") else cells))
    flush()
    return out


def _is_person(s: str) -> bool:
    """True for a Vietnamese personal name ("Nguyễn Tấn Tuân")."""
    s = s.strip(" .,*")
    if s.isupper():
        s = " ".join(w.capitalize() for w in s.split())
    return bool(PERSON_RE.match(s)) and fold(s.split()[0]) in SURNAMES


def _looks_like_name(s: str) -> bool:
    """2–5 capitalised words and nothing else (used right under a signature block)."""
    s = s.strip(" .,*")
    if s.isupper():
        s = " ".join(w.capitalize() for w in s.split())
    return bool(PERSON_RE.match(s))


def _signer(paras: list[Para]):
    """The signer's name (with span) and the signature title lines, from the end of the document."""
    tail = paras[-40:]
    titles = []
    for p in tail:
        t = p.text.strip()
        if SIGNATURE_TITLE.match(t) and p.caps and len(t) < 80:
            titles.append(t)
    # 1) a name after the signature block; 2) "Đã ký <name>" anywhere near the end
    last_title = max(
        (i for i, p in enumerate(tail) if SIGNATURE_TITLE.match(p.text.strip()) and p.caps), default=None
    )
    order = list(range(len(tail)))
    if last_title is not None:
        order = list(range(last_title + 1, len(tail))) + list(range(last_title, -1, -1))
    for i in order:
        p = tail[i]
        t = p.text.strip(" *")
        m = re.search(r"(?:Đã ký|đã ký|\(đã ký\))\s*:?\s*(.+)$", t)
        candidate = m.group(1).strip() if m else t
        candidate = re.sub(r"\(.*?\)", "", candidate).strip(" .,*")
        if "..." in candidate or "…" in candidate:
            continue
        after_title = last_title is not None and i > last_title
        if SIGNATURE_TITLE.match(candidate) or (p.caps and candidate.upper() in (t.upper() for t in titles)):
            continue
        if _is_person(candidate) or (
            after_title and (m or p.index == tail[-1].index) and _looks_like_name(candidate)
        ):
            name = (
                candidate if not candidate.isupper() else " ".join(w.capitalize() for w in candidate.split())
            )
            start = p.start + p.text.find(candidate) if candidate in p.text else p.start
            return (name, (start, start + len(candidate))), titles
    return None, titles
