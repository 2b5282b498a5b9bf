"""Reporting periods by their DHIS2-compatible identifiers ("2025", "2025S1", "2025Q3", "202507").

The status engine places every period on a time line in decimal years at the *end* of the period
(exclusive): 2025S1 → 2025.5, 2025 → 2026.0. A milestone "by 2025" (vào năm 2025) is placed at the end
of that year, 2026.0, so the yearly 2025 report is the one that judges it. The statistical cut-off
convention (15/12 – 14/6) shifts real dates by two weeks; the engine ignores that shift on purpose,
since a period is still "the 2025 report" whatever its cut-off.
"""

import datetime
import re
from dataclasses import dataclass

ANNUAL, SEMIANNUAL, QUARTERLY, MONTHLY = "annual", "semiannual", "quarterly", "monthly"
_PATTERNS = [
    (re.compile(r"^(\d{4})$"), ANNUAL),
    (re.compile(r"^(\d{4})S([12])$"), SEMIANNUAL),
    (re.compile(r"^(\d{4})Q([1-4])$"), QUARTERLY),
    (re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"), MONTHLY),
]
TYPE_ORDER = {ANNUAL: 0, SEMIANNUAL: 1, QUARTERLY: 2, MONTHLY: 3}
MONTHS_PER = {ANNUAL: 12, SEMIANNUAL: 6, QUARTERLY: 3, MONTHLY: 1}


@dataclass(frozen=True)
class Period:
    """A period: its identifier, type, year, index within the year, first and last day."""

    id: str
    type: str
    year: int
    index: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, (self.index - 1) * MONTHS_PER[self.type] + 1, 1)

    @property
    def end(self) -> datetime.date:
        month = self.index * MONTHS_PER[self.type]
        nxt = datetime.date(self.year + (month // 12), month % 12 + 1, 1)
        return nxt - datetime.timedelta(days=1)

    @property
    def time(self) -> float:
        """The end of the period in decimal years (exclusive): 2025S1 → 2025.5."""
        return self.year + self.index * MONTHS_PER[self.type] / 12

    @property
    def label(self) -> str:
        """Vietnamese label: "6 tháng đầu năm 2025", "năm 2025"."""
        if self.type == ANNUAL:
            return f"năm {self.year}"
        if self.type == SEMIANNUAL:
            return f"6 tháng {'đầu' if self.index == 1 else 'cuối'} năm {self.year}"
        if self.type == QUARTERLY:
            return f"quý {'I II III IV'.split()[self.index - 1]} năm {self.year}"
        return f"tháng {self.index:02d}/{self.year}"


def parse_period(pid: str) -> Period:
    """Parse a DHIS2 period identifier; ValueError for anything else."""
    pid = str(pid).strip()
    for pattern, ptype in _PATTERNS:
        m = pattern.match(pid)
        if m:
            index = int(m.group(2)) if m.lastindex and m.lastindex > 1 else 1
            return Period(pid, ptype, int(m.group(1)), index)
    raise ValueError(f"Kỳ báo cáo không hợp lệ: {pid!r}")


def period_time(pid: str) -> float:
    """The end of a period in decimal years: "2025" → 2026.0, "2025S1" → 2025.5."""
    return parse_period(pid).time


def period_type(pid: str) -> str:
    """The type of a period identifier (annual, semiannual, quarterly, monthly)."""
    return parse_period(pid).type


def milestone_time(year: int | None) -> float | None:
    """A milestone year placed at the end of that year: 2025 → 2026.0."""
    return None if year is None else float(year) + 1.0


def sort_key(pid: str) -> tuple:
    """Order periods by end, then yearly before six-monthly ending on the same day."""
    p = parse_period(pid)
    return (p.time, TYPE_ORDER[p.type])
