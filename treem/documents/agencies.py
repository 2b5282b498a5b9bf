"""Agency names: clean-up, abbreviation expansion, comparison keys and matching to a registry."""

from __future__ import annotations

import re

from treem.core.text import fold

# Abbreviations expanded (on folded text) before names are compared.
ABBREVIATIONS = [
    (r"\bubnd\b", "uy ban nhan dan"),
    (r"\bhdnd\b", "hoi dong nhan dan"),
    (r"\bubmttq(?:\s*vn)?\b", "uy ban mat tran to quoc viet nam"),
    (r"\bmttq(?:\s*vn)?\b", "mat tran to quoc viet nam"),
    (r"\bld\s*-?\s*tb\s*(?:&|va)?\s*xh\b|\bldtbxh\b|\bld-tbxh\b", "lao dong thuong binh va xa hoi"),
    (r"\btb\s*&\s*xh\b", "thuong binh va xa hoi"),
    (r"\bgd\s*(?:&|va)\s*dt\b|\bgddt\b", "giao duc va dao tao"),
    (r"\bvh\s*,?\s*tt\s*(?:&|va)\s*dl\b|\bvhttdl\b", "van hoa the thao va du lich"),
    (r"\btt\s*(?:&|va)\s*tt\b|\btttt\b", "thong tin va truyen thong"),
    (r"\btncs\b", "thanh nien cong san"),
    (r"\blhpn\b", "lien hiep phu nu"),
    (r"\bbcs\b", "ban can su"),
    (r"\btw\b", "trung uong"),
    (r"\bct\s*-\s*xh\b", "chinh tri xa hoi"),
    (r"\bhcm\b", "ho chi minh"),
]
# Phrases that mean the same level of government.
LEVEL_SYNONYMS = [
    (
        r"\bcac xa,? (?:phuong,? )?(?:thi tran|phuong)\b|\bcac xa\b|\bcap xa\b|\bxa,? phuong,? thi tran\b",
        "cap xa",
    ),
    (r"\bcac huyen,? (?:thi xa,? )?(?:thanh pho|thi xa)\b|\bcap huyen\b", "cap huyen"),
]
HEAD_WORDS = (
    "Phòng|Sở|Ban|Ủy ban|Uỷ ban|UBND|Trung tâm|Công an|Hội|Đoàn|Đài|Báo|Văn phòng|Bệnh viện|Mặt trận|Liên đoàn|"
    "Tòa án|Viện kiểm sát|Bộ|Cục|Chi cục|Quỹ|Bảo hiểm|Ngân hàng|Thanh tra|Các|Cơ quan|Đảng đoàn|Đảng ủy|Huyện ủy|"
    "Tỉnh ủy|Thành ủy|Thị ủy|Tổng cục|Hạt|Kho bạc|Chi nhánh|Trường|Nhà văn hóa|Ban Chỉ huy|Bộ Chỉ huy|Cổng"
)
HEAD_RE = re.compile(rf"^(?:{HEAD_WORDS})\b")
GENERIC = re.compile(
    r"^(?:các|những)\s+(?:cơ quan|đơn vị|sở|ngành|phòng|ban|địa phương|tổ chức|cấp|ngành chức năng)\b[^;]*$|"
    r"^(?:cơ quan|đơn vị)\s+(?:liên quan|có liên quan|chức năng)$",
    re.I,
)


def clean_agency(name: str) -> str:
    """Tidy an agency name as written: drop "Đề nghị", leading "Giao", trailing punctuation."""
    s = re.sub(r"\s+", " ", name or "").strip(" .,;:-–")
    s = re.sub(r"^(?:Đề nghị|Giao|Yêu cầu|Đối với)\s+", "", s, flags=re.I)
    s = s.strip(" .,;:-–")
    if s and s[0].islower():
        s = s[0].upper() + s[1:]
    return s


def agency_key(name: str) -> str:
    """Folded comparison key: abbreviations expanded, punctuation and "đề nghị" removed."""
    f = fold(clean_agency(name)).replace("&", " va ")
    for pat, rep in ABBREVIATIONS:
        f = re.sub(pat, rep, f)
    for pat, rep in LEVEL_SYNONYMS:
        f = re.sub(pat, rep, f)
    f = re.sub(r"[^\w\s]", " ", f)
    f = re.sub(r"\b(?:va|cac)\b", " ", f)
    return re.sub(r"\s+", " ", f).strip()


def is_generic(name: str) -> bool:
    """True for "các cơ quan, đơn vị liên quan" and other phrases that name no one agency."""
    return bool(GENERIC.match(clean_agency(name)))


def split_agencies(heading: str) -> list[str]:
    """Split "Phòng Y tế, Trung tâm Y tế X" into agencies at commas followed by a head word."""
    heading = clean_agency(heading)
    parts = re.split(rf",\s*(?=(?:{HEAD_WORDS})\b)|\s+và\s+(?=(?:{HEAD_WORDS})\b)", heading)
    out = []
    for p in parts:
        p = clean_agency(p)
        if p:
            out.append(p)
    return out or [heading]


def match_agency(name: str, registry: list[str] | None) -> str:
    """The registry entry whose key equals (or contains) this name's key; else the cleaned name."""
    cleaned = clean_agency(name)
    if not registry:
        return cleaned
    key = agency_key(cleaned)
    best = None
    for entry in registry:
        k = agency_key(entry)
        if k == key:
            return entry
        if key and k and (key in k or k in key) and min(len(k), len(key)) >= 8:
            best = best or entry
    return best or cleaned
