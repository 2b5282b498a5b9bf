"""Periods with DHIS2 identifiers, their Vietnamese labels, data windows (cut-off conventions) and the
rule that turns a plan's "report by dd/mm" into rounds."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from .models import Period, PeriodType

_YEARLY = re.compile(r"^(\d{4})$")
_SIX = re.compile(r"^(\d{4})S([12])$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")

FREQUENCY_TYPE = {
    "monthly": PeriodType.MONTHLY,
    "quarterly": PeriodType.QUARTERLY,
    "semiannual": PeriodType.SIX_MONTHLY,
    "annual": PeriodType.YEARLY,
}


class PeriodError(ValueError):
    """An identifier that is not a supported DHIS2 period, with a Vietnamese message."""


@dataclass(frozen=True)
class PeriodSpec:
    code: str
    type: str
    start: datetime.date
    end: datetime.date


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(code: str) -> PeriodSpec:
    """'2025' → the year, '2025S1' → Jan–Jun, '2025Q3' → Jul–Sep, '202501' → January."""
    code = (code or "").strip()
    if m := _YEARLY.match(code):
        y = int(m[1])
        return PeriodSpec(code, PeriodType.YEARLY, datetime.date(y, 1, 1), datetime.date(y, 12, 31))
    if m := _SIX.match(code):
        y, h = int(m[1]), int(m[2])
        start_month = 1 if h == 1 else 7
        return PeriodSpec(
            code, PeriodType.SIX_MONTHLY, datetime.date(y, start_month, 1), _month_end(y, start_month + 5)
        )
    if m := _QUARTER.match(code):
        y, q = int(m[1]), int(m[2])
        start_month = 3 * (q - 1) + 1
        return PeriodSpec(
            code, PeriodType.QUARTERLY, datetime.date(y, start_month, 1), _month_end(y, start_month + 2)
        )
    if m := _MONTH.match(code):
        y, mo = int(m[1]), int(m[2])
        return PeriodSpec(code, PeriodType.MONTHLY, datetime.date(y, mo, 1), _month_end(y, mo))
    raise PeriodError(f"Mã kỳ «{code}» không hợp lệ (dạng 2025, 2025S1, 2025Q1 hoặc 202501).")


def period_code(type: str, year: int, index: int = 1) -> str:
    """The DHIS2 identifier of the index-th period of a type in a year."""
    if type == PeriodType.YEARLY:
        return f"{year}"
    if type == PeriodType.SIX_MONTHLY:
        return f"{year}S{index}"
    if type == PeriodType.QUARTERLY:
        return f"{year}Q{index}"
    return f"{year}{index:02d}"


def periods_per_year(type: str) -> int:
    return {PeriodType.YEARLY: 1, PeriodType.SIX_MONTHLY: 2, PeriodType.QUARTERLY: 4, PeriodType.MONTHLY: 12}[
        type
    ]


def get_period(code: str) -> Period:
    """The Period row of an identifier, created on first use."""
    spec = parse_period(code)
    period, _ = Period.objects.get_or_create(
        code=spec.code, defaults={"type": spec.type, "start": spec.start, "end": spec.end}
    )
    return period


def period_label(code: str) -> str:
    """Vietnamese label: '6 tháng đầu năm 2025', 'Năm 2025', 'Quý I/2025', 'Tháng 01/2025'."""
    spec = parse_period(code)
    y = spec.start.year
    if spec.type == PeriodType.YEARLY:
        return f"Năm {y}"
    if spec.type == PeriodType.SIX_MONTHLY:
        return f"6 tháng {'đầu' if spec.start.month == 1 else 'cuối'} năm {y}"
    if spec.type == PeriodType.QUARTERLY:
        return f"Quý {['I', 'II', 'III', 'IV'][(spec.start.month - 1) // 3]}/{y}"
    return f"Tháng {spec.start.month:02d}/{y}"


def previous_code(code: str) -> str:
    """The period of the same type just before ('2025S1' → '2024S2', '2025' → '2024')."""
    spec = parse_period(code)
    day_before = spec.start - datetime.timedelta(days=1)
    per_year = periods_per_year(spec.type)
    index = (day_before.month - 1) // (12 // per_year) + 1
    return period_code(spec.type, day_before.year, index)


def same_period_last_year(code: str) -> str:
    spec = parse_period(code)
    per_year = periods_per_year(spec.type)
    index = (spec.start.month - 1) // (12 // per_year) + 1
    return period_code(spec.type, spec.start.year - 1, index)


def data_window(code: str, cutoff: str) -> tuple[datetime.date, datetime.date]:
    """The dates a round's figures cover.

    calendar: the period itself. statistical (closing rule of Decree 09/2019, as repeated by the
    ministries' circulars): month 15 of the previous month – 14; quarter 15th of the month before –
    14th of its last month; 6 months 15/12 – 14/6 and 15/6 – 14/12; year 15/12 of the previous year – 14/12.
    """
    spec = parse_period(code)
    if cutoff != "statistical":
        return spec.start, spec.end
    first = spec.start
    prev_month_end = first - datetime.timedelta(days=1)
    start = datetime.date(prev_month_end.year, prev_month_end.month, 15)
    end = datetime.date(spec.end.year, spec.end.month, 14)
    return start, end


def _half_of(month: int) -> int:
    return 1 if month <= 6 else 2


def rounds_in_year(
    frequency: str,
    year: int,
    deadline_day: int | None,
    deadline_month: int | None,
    default_deadline_days: int = 15,
) -> list[tuple[str, datetime.date]]:
    """The (period code, deadline) pairs a requirement asks for whose deadline falls in `year`.

    A requirement with a day and month ("6 tháng trước 15/5") asks for ONE period a year: the latest
    period that has started at least a month before the deadline and ended at most two months before
    it (15/5 → first half; 15/1 → second half of the previous year; 15/11 yearly → that year).
    Without a month the deadline is that day of the month after each period (or `default_deadline_days`
    after the period's end when no day is given either): every period of the year is asked for.
    """
    ptype = FREQUENCY_TYPE.get(frequency)
    if ptype is None:
        return []
    per_year = periods_per_year(ptype)
    out = []
    if deadline_day and deadline_month:
        deadline = datetime.date(
            year, deadline_month, min(deadline_day, calendar.monthrange(year, deadline_month)[1])
        )
        candidates = []
        for y in (year - 1, year):
            for i in range(1, per_year + 1):
                spec = parse_period(period_code(ptype, y, i))
                started_enough = spec.start + datetime.timedelta(days=28) <= deadline
                not_too_old = spec.end + datetime.timedelta(days=62) >= deadline
                if started_enough and not_too_old:
                    candidates.append(spec)
        if candidates:
            out.append((max(candidates, key=lambda s: s.start).code, deadline))
        return out
    for i in range(1, per_year + 1):
        spec = parse_period(period_code(ptype, year, i))
        if deadline_day:
            nm = spec.end + datetime.timedelta(days=1)
            deadline = datetime.date(
                nm.year, nm.month, min(deadline_day, calendar.monthrange(nm.year, nm.month)[1])
            )
        else:
            deadline = spec.end + datetime.timedelta(days=default_deadline_days)
        out.append((spec.code, deadline))
    return out
