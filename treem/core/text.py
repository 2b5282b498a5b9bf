"""Vietnamese text helpers: normalisation, folding, numbers and dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "nfc",
    "fold",
    "fix_pdf_artefacts",
    "parse_vn_number",
    "format_vn_number",
    "parse_vn_date",
    "format_vn_date",
]

_SPACES = re.compile(r"\s+")

# Glyphs that PDF converters and legacy fonts put in place of Vietnamese letters or punctuation.
PDF_ARTEFACTS = {
    "\u01a3": "ư",  # ƣ (Latin small letter oi) for ư
    "\u01a2": "Ư",  # Ƣ for Ư
    "\u00d0": "Đ",  # Ð (Eth) for Đ
    "\u00f0": "đ",  # ð (eth) for đ
    "\u0189": "Đ",  # Ɖ (African D) for Đ
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",  # byte-order mark
    "\u00a0": " ",  # no-break space
    "\u2007": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\uf0b7": "•",  # Symbol-font bullets (private use area)
    "\uf0a7": "•",
    "\uf0d8": "•",
    "\uf076": "•",
    "\uf0fc": "•",
    "\uf02d": "-",
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2212": "-",  # minus sign
}
_ARTEFACT_TABLE = str.maketrans(PDF_ARTEFACTS)


def nfc(s: str) -> str:
    """Return s in Unicode NFC (composed) form; None becomes ""."""
    if s is None:
        return ""
    return unicodedata.normalize("NFC", s)


def fold(s: str) -> str:
    """Lower-case s, drop tone marks and diacritics, map đ to d and collapse spaces."""
    s = fix_pdf_artefacts(nfc(s)).lower().replace("đ", "d")
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _SPACES.sub(" ", s).strip()


def fix_pdf_artefacts(s: str) -> str:
    """Replace glyphs that PDFs and legacy fonts use in place of Vietnamese letters, then NFC."""
    if not s:
        return ""
    return unicodedata.normalize("NFC", s.translate(_ARTEFACT_TABLE))


_NUM_CHARS = re.compile(r"^[+-]?[\d.,\s]*\d[\d.,\s]*$")


def parse_vn_number(s) -> Decimal | None:
    """Parse a Vietnamese-formatted number ("1.234,5", "0,01", "1.000") into a Decimal, else None."""
    if s is None:
        return None
    if isinstance(s, (int, Decimal)):
        return Decimal(s)
    if isinstance(s, float):
        return Decimal(str(s))
    t = nfc(str(s)).strip().rstrip("%‰").strip()
    t = t.replace("\u00a0", " ").replace("\u202f", " ")
    if not t or not _NUM_CHARS.match(t):
        return None
    sign = ""
    if t[0] in "+-":
        sign, t = ("-" if t[0] == "-" else ""), t[1:].strip()
    if " " in t:
        groups = t.split()
        if (
            all(len(g) == 3 and g.isdigit() for g in groups[1:])
            and groups[0].isdigit()
            and len(groups[0]) <= 3
        ):
            t = "".join(groups)
        else:
            return None
    has_dot, has_comma = "." in t, "," in t
    if has_dot and has_comma:
        if t.rfind(",") > t.rfind("."):
            t = t.replace(".", "").replace(",", ".")  # 1.234,5
        else:
            t = t.replace(",", "")  # 1,234.5 (English style)
    elif has_comma:
        parts = t.split(",")
        if len(parts) > 2 and all(len(p) == 3 for p in parts[1:]):
            t = "".join(parts)  # 1,000,000
        elif len(parts) == 2:
            t = ".".join(parts)  # 0,01
        else:
            return None
    elif has_dot:
        parts = t.split(".")
        if len(parts) > 2:
            if all(len(p) == 3 for p in parts[1:]):
                t = "".join(parts)  # 1.000.000
            else:
                return None
        elif len(parts[1]) == 3 and parts[0] not in ("", "0"):
            t = "".join(parts)  # 1.000 → 1000
        # else "99.9" or "0.5": a decimal point typed English-style
    try:
        return Decimal(sign + t)
    except InvalidOperation:
        return None


def format_vn_number(x, decimals: int | None = None) -> str:
    """Format a number the Vietnamese way: "." between thousands and "," before decimals."""
    if x is None:
        return ""
    d = x if isinstance(x, Decimal) else Decimal(str(x))
    if decimals is not None:
        d = d.quantize(Decimal(1).scaleb(-decimals))
        text = f"{d:,.{decimals}f}"
    else:
        text = f"{d:,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.0"):
        text = text[1:]
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


_DATE_WORDS = re.compile(r"(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*(?:,\s*)?năm\s*(\d{4})", re.IGNORECASE)
_DATE_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})(?![\d])")


def _make_date(day: str, month: str, year: str) -> date | None:
    """Build a date from string parts, or None when they make no valid date."""
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_vn_date(s) -> date | None:
    """Return the first date written in s ("ngày 20 tháng 02 năm 2013", "05/11/2012"), else None."""
    if s is None:
        return None
    if isinstance(s, date):
        return s
    t = nfc(str(s))
    candidates = []
    m = _DATE_WORDS.search(t)
    if m:
        candidates.append((m.start(), m.group(1), m.group(2), m.group(3)))
    m = _DATE_NUMERIC.search(t)
    if m:
        candidates.append((m.start(), m.group(1), m.group(3), m.group(4)))
    for _, d, mth, y in sorted(candidates):
        result = _make_date(d, mth, y)
        if result:
            return result
    return None


def format_vn_date(d: date | None) -> str:
    """Format a date as dd/mm/yyyy ("" for None)."""
    if d is None:
        return ""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
