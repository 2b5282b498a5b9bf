"""Periods (DHIS2 identifiers), cut-off windows, rounds generated from the plans, who reports what."""

import datetime

import pytest

from treem.plans.models import Assignment, CutoffConvention
from treem.reporting.models import Responsibility, Round, Submission
from treem.reporting.periods import data_window, parse_period, period_label, previous_code, rounds_in_year
from treem.reporting.rounds import generate_rounds, owners

D = datetime.date


def test_period_identifiers():
    assert parse_period("2025").end == D(2025, 12, 31)
    assert (parse_period("2025S2").start, parse_period("2025S2").end) == (D(2025, 7, 1), D(2025, 12, 31))
    assert (parse_period("2025Q1").start, parse_period("2025Q1").end) == (D(2025, 1, 1), D(2025, 3, 31))
    assert parse_period("202402").end == D(2024, 2, 29)
    assert [previous_code(c) for c in ("2025", "2025S1", "2025Q1", "202501")] == [
        "2024",
        "2024S2",
        "2024Q4",
        "202412",
    ]
    assert period_label("2025S1") == "6 tháng đầu năm 2025" and period_label("2025Q3") == "Quý III/2025"
    for bad in ("2025S3", "25", "2025W1", "202513"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_cutoff_conventions():
    assert data_window("2025S1", CutoffConvention.CALENDAR) == (D(2025, 1, 1), D(2025, 6, 30))
    assert data_window("2025S1", CutoffConvention.STATISTICAL) == (D(2024, 12, 15), D(2025, 6, 14))
    assert data_window("2025S2", CutoffConvention.STATISTICAL) == (D(2025, 6, 15), D(2025, 12, 14))
    assert data_window("2025", CutoffConvention.STATISTICAL) == (D(2024, 12, 15), D(2025, 12, 14))
    assert data_window("2025Q2", CutoffConvention.STATISTICAL) == (D(2025, 3, 15), D(2025, 6, 14))


def test_deadlines_pick_the_period_they_report():
    assert rounds_in_year("semiannual", 2025, 15, 5) == [("2025S1", D(2025, 5, 15))]
    assert rounds_in_year("annual", 2025, 15, 11) == [("2025", D(2025, 11, 15))]
    assert rounds_in_year("annual", 2025, 15, 1) == [("2024", D(2025, 1, 15))]
    assert rounds_in_year("semiannual", 2026, 15, 1) == [("2025S2", D(2026, 1, 15))]
    assert len(rounds_in_year("quarterly", 2025, 10, None)) == 4
    assert rounds_in_year("monthly", 2025, 5, None)[0] == ("202501", D(2025, 2, 5))
    assert rounds_in_year("annual", 2025, None, None) == [("2025", D(2026, 1, 15))]


@pytest.mark.django_db
def test_van_quan_rounds(plan003):
    rounds = {r.period.code: r for r in Round.objects.filter(plan=plan003, active=True)}
    assert {"2024", "2025S1", "2025", "2026S1", "2026"} <= set(rounds)
    # The two yearly requirements (agencies; communes) make one round with both kinds of reporter.
    assert rounds["2024"].reporters == "all" and rounds["2025S1"].reporters == "communes"
    assert rounds["2025S1"].deadline == D(2025, 5, 15) and rounds["2024"].deadline == D(2024, 11, 15)
    # Before the reform: 15 communes and the four lead agencies; after: the 6 successor communes only.
    assert rounds["2024"].submissions.filter(agency__isnull=True).count() == 15
    assert set(
        rounds["2024"].submissions.filter(agency__isnull=False).values_list("agency__name", flat=True)
    ) == {
        "Phòng Lao động, Thương binh, Xã hội - Dân tộc",
        "Phòng Giáo dục và Đào tạo",
        "Trung tâm Y tế",
        "Trung tâm Văn hóa, Thể thao và Truyền thông",
    }
    after = rounds["2025"]
    assert sorted(after.submissions.values_list("unit__code", flat=True)) == [
        "06253",
        "06280",
        "06286",
        "06298",
        "06313",
        "06316",
    ]
    assert not after.submissions.filter(agency__isnull=False).exists()
    assert "Huyện Văn Quan không còn từ 01/07/2025" in after.area_note
    # The semiannual round is the communes' only: they report every element for themselves.
    s1 = rounds["2025S1"]
    assert not s1.submissions.filter(agency__isnull=False).exists()
    n_elements = len(owners(s1)[1])
    assert s1.responsibilities.count() == 15 * n_elements


@pytest.mark.django_db
def test_one_reporter_per_element_and_unit(round2024):
    # The database refuses a second reporter for the same (element, unit) in a round.
    r = Responsibility.objects.filter(round=round2024).first()
    other = Submission.objects.filter(round=round2024).exclude(pk=r.submission_id).first()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(
            round=round2024, submission=other, data_element=r.data_element, unit=r.unit
        )
    # Communes report the birth-registration numerator (target 14 is led by the communes' committees).
    communes = Responsibility.objects.filter(round=round2024, submission__agency__isnull=True)
    assert set(communes.values_list("data_element__code", flat=True)) == {"DE_TRE_DUOI_5_DA_KHAI_SINH"}


@pytest.mark.django_db
def test_regeneration_is_idempotent_and_follows_the_plan(plan003, round2024):
    before = (Round.objects.count(), Submission.objects.count(), Responsibility.objects.count())
    generate_rounds(plan003)
    assert (Round.objects.count(), Submission.objects.count(), Responsibility.objects.count()) == before
    # The education office now also leads target 14: its elements move from the communes to it.
    gd = Assignment.objects.get(plan=plan003, agency_name="Phòng Giáo dục và Đào tạo")
    gd.targets.add(plan003.targets.get(number="14"))
    generate_rounds(plan003)
    moved = Responsibility.objects.filter(round=round2024, data_element__code="DE_TRE_DUOI_5_DA_KHAI_SINH")
    assert set(moved.values_list("submission__agency__name", flat=True)) == {"Phòng Giáo dục và Đào tạo"}
    assert not round2024.submissions.filter(
        agency__isnull=True
    ).exists()  # communes had nothing left, no values: dropped


@pytest.mark.django_db
def test_huong_tra_reports_yearly_by_30_november():
    rounds = Round.objects.filter(plan__key="seed-004", active=True)
    assert rounds.exists() and {r.deadline.timetuple()[1:3] for r in rounds} == {(11, 30)}
