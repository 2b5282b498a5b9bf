"""The working-day calendar: Monday–Friday less public holidays (Tết and Giỗ Tổ by their lunar-derived dates,
listed per year as data), days off in lieu, and weekends worked in their place."""

import datetime

import pytest

from treem.core import calendar as cal
from treem.core.models import Holiday

D = datetime.date


@pytest.mark.django_db
def test_holiday_data_is_loaded_with_lunar_dates():
    assert Holiday.objects.get(date=D(2026, 2, 17)).name.startswith("Tết Nguyên đán")  # mùng 1 Tết Bính Ngọ
    assert Holiday.objects.get(date=D(2025, 1, 29)).name.startswith("Tết Nguyên đán")
    assert "Hùng Vương" in Holiday.objects.get(date=D(2026, 4, 26)).name  # 10/3 âm lịch, a Sunday
    assert (
        Holiday.objects.get(date=D(2026, 4, 27)).kind == Holiday.Kind.COMPENSATORY
    )  # … so Monday off in lieu
    assert (
        Holiday.objects.get(date=D(2025, 4, 26)).kind == Holiday.Kind.WORKING
    )  # Saturday worked for Friday 2/5/2025


@pytest.mark.django_db
def test_working_days():
    assert cal.is_working_day(D(2026, 4, 24))  # Friday
    assert not cal.is_working_day(D(2026, 4, 25))  # Saturday
    assert not cal.is_working_day(D(2026, 4, 27))  # day off in lieu of Giỗ Tổ
    assert not cal.is_working_day(D(2026, 4, 30)) and not cal.is_working_day(D(2026, 5, 1))
    assert cal.is_working_day(D(2025, 4, 26))  # a Saturday worked in lieu
    assert not cal.is_working_day(D(2025, 5, 2))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, n, expected",
    [
        (D(2026, 4, 23), 5, D(2026, 5, 5)),  # across Giỗ Tổ (in lieu), 30/4 and 1/5
        (D(2026, 4, 23), 0, D(2026, 4, 23)),
        (D(2026, 4, 24), 2, D(2026, 4, 29)),
        (D(2026, 2, 12), 5, D(2026, 2, 26)),  # Fri 13/2, then Tết Bính Ngọ (16–20/2), then 23–26/2
        (D(2025, 4, 24), 2, D(2025, 4, 26)),  # the Saturday worked counts
        (D(2026, 12, 30), 1, D(2026, 12, 31)),
        (D(2026, 12, 31), 1, D(2027, 1, 4)),  # New Year's Day, weekend
    ],
)
def test_add_working_days(start, n, expected):
    assert cal.add_working_days(start, n) == expected
    assert cal.working_days_between(start, expected) == n


@pytest.mark.django_db
def test_working_days_between_is_signed_and_excludes_the_start():
    assert cal.working_days_between(D(2026, 4, 23), D(2026, 4, 23)) == 0
    assert cal.working_days_between(D(2026, 4, 23), D(2026, 4, 24)) == 1
    assert cal.working_days_between(D(2026, 5, 5), D(2026, 4, 23)) == -5
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 4, 23), -1)


@pytest.mark.django_db
def test_years_without_data_use_the_solar_holidays(caplog):
    assert not cal.is_working_day(D(2040, 5, 1))  # a Tuesday, statutory
    assert cal.is_working_day(D(2040, 5, 2))
    assert "2040" in caplog.text


@pytest.mark.django_db
def test_calendar_is_data_editable_and_reloadable():
    Holiday.objects.create(date=D(2026, 6, 1), name="Nghỉ đột xuất (thử)", kind=Holiday.Kind.HOLIDAY)
    assert not cal.is_working_day(D(2026, 6, 1))
    assert cal.add_working_days(D(2026, 5, 29), 1) == D(2026, 6, 2)
    n = cal.load_holidays()
    assert n == cal.load_holidays()  # idempotent
    assert Holiday.objects.filter(date=D(2026, 2, 17)).count() == 1


def test_now_is_one_patchable_function(monkeypatch):
    moment = datetime.datetime(2026, 4, 23, 2, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(cal, "now", lambda: moment)
    assert cal.today() == D(2026, 4, 23)
    assert cal.end_of_day(D(2026, 4, 23)).isoformat().startswith("2026-04-23T23:59:59")
