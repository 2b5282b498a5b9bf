"""Aggregation at query time over the closure table, across the 1/7/2025 reform, rates from sums."""

from decimal import Decimal

import pytest

from treem.geo.models import AdministrativeUnit, Generation, Level, UnitSuccession
from treem.indicators.models import DataElement, Indicator
from treem.indicators.rules import total_combo
from treem.reporting.aggregation import aggregate, area_totals, indicator_values
from treem.reporting.models import DataValue, ValueStatus
from treem.reporting.periods import get_period

from .conftest import unit


def put(de, u, period, value, status=ValueStatus.SUBMITTED, combo=None):
    return DataValue.objects.create(
        data_element=de,
        combo=combo or total_combo(),
        unit=u,
        period=get_period(period),
        value=Decimal(value),
        status=status,
    )


def sums(rows):
    return {r.unit_id: r.value for r in rows}


@pytest.fixture
def de(db):
    return DataElement.objects.get(code="DE_TRE_EM")


@pytest.mark.django_db
def test_values_sum_up_every_level_at_once(de, van_quan, lang_son):
    a, b = unit("06253", Level.COMMUNE), unit("06256", Level.COMMUNE)
    put(de, a, "2025S1", 100)
    put(de, b, "2025S1", 50)
    put(de, unit("06280", Level.COMMUNE), "2025S1", 7, status=ValueStatus.DRAFT)  # drafts do not count
    country = AdministrativeUnit.objects.get(level=Level.COUNTRY)
    got = sums(aggregate([de], ["2025S1"], [a, van_quan, lang_son, country], combos=[total_combo()]))
    assert got == {a.pk: 100, van_quan.pk: 150, lang_son.pk: 150, country.pk: 150}
    assert sums(aggregate([de], ["2025S1"], [van_quan], statuses=["draft", "submitted"]))[van_quan.pk] == 157
    # every district of the country in one query
    rows = aggregate([de], ["2025S1"], level=Level.DISTRICT, generation=Generation.PRE_2025)
    assert sums(rows) == {van_quan.pk: 150}


@pytest.mark.django_db
def test_old_communes_count_under_their_successors_without_double_counting(de, van_quan):
    tran_ninh_old = unit("06256", Level.COMMUNE)  # merged whole into Điềm He (06280)
    diem_he_old = unit("06280", Level.COMMUNE)  # merged whole into Điềm He (06280)
    diem_he = unit("06280", Level.COMMUNE, Generation.Y2025)
    new_province = unit("20", Level.PROVINCE, Generation.Y2025)
    put(de, tran_ninh_old, "2025S1", 40)
    put(de, diem_he_old, "2025S1", 60)
    got = sums(aggregate([de], ["2025S1"], [diem_he, new_province, van_quan]))
    assert got == {diem_he.pk: 100, new_province.pk: 100, van_quan.pk: 100}
    # The new commune's own figure for the same period wins over its predecessors' (nothing counted twice).
    put(de, diem_he, "2025S1", 95)
    got = sums(aggregate([de], ["2025S1"], [diem_he, new_province]))
    assert got == {diem_he.pk: 95, new_province.pk: 95}
    country = AdministrativeUnit.objects.get(level=Level.COUNTRY)
    assert (
        sums(aggregate([de], ["2025S1"], [country]))[country.pk] == 195
    )  # the country adds both generations as stored


@pytest.mark.django_db
def test_split_commune_counts_from_the_new_province_up(de):
    split = (
        AdministrativeUnit.objects.filter(
            level=Level.COMMUNE, generation=Generation.PRE_2025, successions__kind="partial"
        )
        .exclude(successions__kind="whole")
        .distinct()
        .first()
    )
    successors = [s.successor for s in UnitSuccession.objects.filter(predecessor=split)]
    assert len(successors) >= 2
    put(de, split, "2024", 30)
    province = AdministrativeUnit.objects.get(
        level=Level.PROVINCE, descendant_links__descendant=successors[0]
    )
    got = sums(aggregate([de], ["2024"], [*successors, province]))
    assert got == {province.pk: 30}


@pytest.mark.django_db
def test_rates_are_recomputed_from_sums_not_averaged(van_quan):
    ind = Indicator.objects.get(code="GD_BO_HOC_TH")
    a, b = unit("06253", Level.COMMUNE), unit("06256", Level.COMMUNE)
    put(ind.numerator, a, "2024", 1)
    put(ind.denominator, a, "2024", 10)
    put(ind.numerator, b, "2024", 90)
    put(ind.denominator, b, "2024", 100)
    rows = {r.unit_id: r for r in indicator_values([ind], ["2024"], [a, b, van_quan], combos=[total_combo()])}
    assert rows[a.pk].value == Decimal("10.0000") and rows[b.pk].value == Decimal("90.0000")
    assert rows[van_quan.pk].numerator == 91 and rows[van_quan.pk].denominator == 110
    assert rows[van_quan.pk].value == Decimal("82.7273")  # not (10 + 90) / 2


@pytest.mark.django_db
def test_area_total_of_a_plan_after_the_reform(de, round2025):
    from treem.reporting.rounds import area_communes

    communes, note = area_communes(round2025.plan, round2025.deadline)
    assert [c.code for c in communes] == ["06253", "06280", "06286", "06298", "06313", "06316"]
    assert "không còn từ 01/07/2025" in note and "Tỉnh Lạng Sơn" in note
    for i, c in enumerate(communes, start=1):
        put(de, c, "2025", i * 100)
    rows = area_totals([de], ["2025"], communes, combos=[total_combo()])
    assert rows[0].value == 2100 and rows[0].count == 6
