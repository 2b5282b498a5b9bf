"""The working-day calendar (Monday–Friday less public holidays, plus weekends worked in lieu) and the clock.

The holidays are data (``core.Holiday``, loaded from ``data/holidays.yaml``): Tết and Giỗ Tổ Hùng Vương
follow the lunar calendar and are listed per year; days off in lieu and swapped days are listed too.
Every time-dependent rule reads the time through ``now()``, so a test can freeze the clock by patching it.
"""

import datetime
import logging
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays.yaml"
SOURCE = "Bộ luật Lao động 2019, Điều 112; lịch âm Việt Nam; thông báo nghỉ lễ hằng năm"
# Days fixed in the solar calendar (Labour Code 2019, Art. 112.1; 24/11 from 2026): used only for years the data lacks.
FIXED_DAYS = [
    ((1, 1), "Tết Dương lịch", 0),
    ((4, 30), "Ngày Chiến thắng (30/4)", 0),
    ((5, 1), "Ngày Quốc tế lao động (1/5)", 0),
    ((9, 2), "Quốc khánh", 0),
    ((11, 24), "Ngày Văn hóa Việt Nam (24/11)", 2026),
]

log = logging.getLogger(__name__)


def now() -> datetime.datetime:
    """The current time (aware); the one function tests patch to freeze the clock."""
    return timezone.now()


def today() -> datetime.date:
    """The current local date (Asia/Ho_Chi_Minh)."""
    return timezone.localtime(now()).date()


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of a local day (23:59:59), aware."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


@transaction.atomic
def load_holidays(path: Path = HOLIDAYS_FILE) -> int:
    """Create or update the holidays listed in the data file (idempotent); returns the number of days."""
    from .models import Holiday

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    n = 0
    for _year, spec in (data.get("years") or {}).items():
        for day in spec.get("days") or []:
            Holiday.objects.update_or_create(
                date=day["date"],
                defaults={"kind": day["kind"], "name": day["name"], "source": day.get("source", SOURCE)},
            )
            n += 1
    return n


def _exceptions(start: datetime.date, end: datetime.date) -> tuple[set, set]:
    """Days off on weekdays and weekend days worked between two dates (inclusive)."""
    from .models import Holiday

    off, worked = set(), set()
    for day, kind in Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"):
        (worked if kind == Holiday.Kind.WORKING else off).add(day)
    known = {
        d.year
        for d in Holiday.objects.filter(date__year__gte=start.year, date__year__lte=end.year).dates(
            "date", "year"
        )
    }
    for year in range(start.year, end.year + 1):
        if year not in known:
            log.warning("Lịch ngày nghỉ chưa có năm %s: chỉ tính các ngày lễ theo dương lịch", year)
            for (month, dom), _name, since in FIXED_DAYS:
                if year >= since:
                    off.add(datetime.date(year, month, dom))
    return off, worked


def _is_working(day: datetime.date, off: set, worked: set) -> bool:
    if day in worked:
        return True
    return day.weekday() < 5 and day not in off


def is_working_day(day: datetime.date) -> bool:
    """Whether a date is a working day of state offices."""
    off, worked = _exceptions(day, day)
    return _is_working(day, off, worked)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (the start day itself is not counted); n = 0 gives `start`."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day, count, window = start, 0, max(30, 3 * n + 30)
    off, worked = _exceptions(start, start + datetime.timedelta(days=window))
    horizon = start + datetime.timedelta(days=window)
    while count < n:
        day += datetime.timedelta(days=1)
        if day > horizon:
            more_off, more_worked = _exceptions(day, day + datetime.timedelta(days=window))
            off |= more_off
            worked |= more_worked
            horizon = day + datetime.timedelta(days=window)
        if _is_working(day, off, worked):
            count += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
    if end < start:
        return -working_days_between(end, start)
    off, worked = _exceptions(start, end)
    return sum(
        1
        for i in range(1, (end - start).days + 1)
        if _is_working(start + datetime.timedelta(days=i), off, worked)
    )
