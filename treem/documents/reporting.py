"""Reporting requirements: how often, by when, who reports to whom and through whom."""

from __future__ import annotations

import re

from treem.core.text import fold

from .structure import Para

DEADLINE_RE = re.compile(
    r"(?:trước|chậm nhất(?:\s+(?:là|vào))?|không muộn hơn|hạn chót(?:\s+là)?|hạn nộp(?:\s+là)?)\s+(?:ngày\s+)?"
    r"(?P<d>\d{1,2})\s*(?:/|-|\s+tháng\s+)\s*(?P<m>\d{1,2})(?:\s*(?:/|-|\s+năm\s+)\s*(?P<y>\d{4}))?",
    re.I,
)
MORE_DATES_RE = re.compile(r"\s*(?:,|và)\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?P<y>)(?!\s*/\s*\d)")
FREQUENCIES = [
    (r"\b(?:6|06|sau) thang\b|\bban nien\b|\bbao cao so ket\b", "semiannual"),
    (r"\b(?:hang|moi|tung) quy\b|\bbao cao quy\b|\bdinh ky quy\b", "quarterly"),
    (r"\b(?:hang|moi|tung) thang\b|\bbao cao thang\b", "monthly"),
    (
        r"\b(?:hang|moi|tung) nam\b|\bbao cao (?:ket qua )?nam\b|\bbao cao tong ket nam\b|\bcuoi nam\b|\bca nam\b|\bdinh ky nam\b",
        "annual",
    ),
]
REPORT_RE = re.compile(r"\bbao cao\b|\btong hop\b")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, split at ";" and ". " outside parentheses."""
    out, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0 and (ch == ";" or (ch == "." and (i + 1 == len(text) or text[i + 1] == " "))):
            out.append((start, i))
            start = i + 1
    out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _cues(folded: str) -> list[tuple[int, str]]:
    """(position, frequency) of every frequency word in a folded sentence."""
    out = []
    for pat, freq in FREQUENCIES:
        for m in re.finditer(pat, folded):
            out.append((m.start(), freq))
    return sorted(out)


def _reporters(folded: str) -> str:
    """Who reports: communes, agencies, all or the lead office."""
    communes = bool(
        re.search(r"ubnd (?:cac|cap) xa|uy ban nhan dan (?:cac|cap) xa|cac xa, (?:phuong|thi tran)", folded)
    )
    agencies = bool(re.search(r"cac (?:phong|so|co quan|don vi|ban, nganh)|co quan, don vi", folded))
    if communes and agencies:
        return "all"
    if communes:
        return "communes"
    if agencies:
        return "agencies"
    return "lead_office"


def extract_reporting(paras: list[Para], item_context: dict[int, str] | None = None) -> list[dict]:
    """Reporting requirements found in the paragraphs, in text order."""
    out: list[dict] = []
    for p in paras:
        text = p.text
        for a, b in _sentences(text):
            sent = text[a:b]
            f = fold(sent)
            if not REPORT_RE.search(f):
                continue
            deadlines = []
            for d in DEADLINE_RE.finditer(sent):
                deadlines.append(d)
                # "trước ngày 20/3, 20/6, 20/9, 20/12": one deadline each
                pos = d.end()
                while True:
                    extra = MORE_DATES_RE.match(sent, pos)
                    if not extra:
                        break
                    deadlines.append(extra)
                    pos = extra.end()
            cues = _cues(f)
            context = fold(item_context.get(p.index, "")) if item_context else ""
            reporters = _reporters(context + " " + f)
            to = _recipient(sent)
            through = _through(sent)
            used = set()
            prev_end = 0
            found = []
            for k, d in enumerate(deadlines):
                nxt = deadlines[k + 1].start() if k + 1 < len(deadlines) else len(sent)
                before = [c for c in cues if prev_end <= c[0] < d.start() and c[0] not in used]
                after = [c for c in cues if d.end() <= c[0] < nxt and c[0] not in used]
                freq = None
                if d.re is MORE_DATES_RE and found:
                    freq = found[-1][0]
                elif before:
                    pos, freq = before[-1]
                    used.add(pos)
                elif after:
                    pos, freq = after[0]
                    used.add(pos)
                elif d.group("y"):
                    freq = "once"
                prev_end = d.end()
                if not freq:
                    continue
                deadline = f"{int(d.group('d')):02d}/{int(d.group('m')):02d}"
                if freq == "once" and d.group("y"):
                    deadline += f"/{d.group('y')}"
                found.append((freq, deadline, a + d.start()))
            # frequencies without a deadline: only when the frequency word governs "báo cáo"
            for pos, freq in cues:
                if pos in used or any(fr == freq for fr, _, _ in found):
                    continue
                window = f[pos : pos + 60]
                if "bao cao" in window or "bao cao" in f[max(0, pos - 30) : pos]:
                    found.append((freq, None, a + pos))
                    if not deadlines:
                        break
            found.sort(key=lambda x: x[2])
            for freq, deadline, _start in found:
                out.append(
                    {
                        "frequency": freq,
                        "deadline": deadline,
                        "reporters": reporters,
                        "to": to,
                        "through": through,
                        "text": sent.strip(),
                        "span": [p.start + a, p.start + b],
                        "confidence": 0.9 if deadline else 0.75,
                    }
                )
    return out


def _recipient(sent: str) -> str | None:
    """ "báo cáo (về|cho|lên) X" → X."""
    m = re.search(
        r"báo cáo\s+(?:kết quả\s+(?:thực hiện\s+)?)?(?:về|cho|lên|gửi|với)\s+(?P<to>(?:UBND|Ủy ban|Uỷ ban|Ban|Sở|Phòng|Tỉnh|Huyện|Chủ tịch|Thường trực|Bộ)[^,;.()]*?)(?=\s*(?:\(|,|;|\.|$|để|biết|kết quả|theo|trước|định kỳ|hằng|hàng))",
        sent,
    )
    if not m:
        return None
    to = re.sub(r"^Ủy ban nhân dân|^Uỷ ban nhân dân", "UBND", m.group("to").strip())
    return to or None


def _through(sent: str) -> str | None:
    """ "(qua Phòng X tổng hợp …)" → Phòng X."""
    m = re.search(
        r"\(\s*qua\s+(?P<via>[^,;)]+?(?:,\s*[^,;)]+?)*?)(?=\s+(?:tổng hợp|để|báo cáo)\b|\)|;)", sent
    )
    return m.group("via").strip() if m else None
