"""Registry-computed indicators: SQL counts per unit and period, old units through their successors."""

import datetime

import pytest

from treem.registry import services
from treem.registry.indicators import COVERED, registry_values
from treem.registry.models import GrowthMeasurement, Schooling, SpecialCircumstance, Support

pytestmark = pytest.mark.django_db
END = datetime.date(2025, 12, 31)


def by(rows, unit, code):
    return next(r for r in rows if r["unit_id"] == unit.id and r["indicator"] == code)


@pytest.fixture
def population(officer, other_officer, make_child, xa_diem_he):
    kids = {}
    # Xã Văn Quan: two children under 5 measured, one stunted; one flagged implausible.
    kids["a"] = make_child(
        full_name="Trẻ A",
        birth_date=datetime.date(2023, 1, 1),
        sex="m",
        birth_registration_date=datetime.date(2023, 1, 20),
    )
    kids["b"] = make_child(
        full_name="Trẻ B",
        birth_date=datetime.date(2022, 6, 1),
        sex="f",
        birth_registration_date=datetime.date(2022, 12, 1),
    )
    kids["c"] = make_child(full_name="Trẻ C", birth_date=datetime.date(2022, 2, 1), sex="f")
    services.add_measurement(
        officer,
        GrowthMeasurement(
            child=kids["a"],
            measured_on=datetime.date(2025, 3, 1),
            weight_kg=10.0,
            lenhei_cm=80.0,
            measure="h",
        ),
    )
    services.add_measurement(
        officer,
        GrowthMeasurement(
            child=kids["a"], measured_on=datetime.date(2024, 3, 1), weight_kg=6.0, lenhei_cm=60.0, measure="l"
        ),
    )
    services.add_measurement(
        officer,
        GrowthMeasurement(
            child=kids["b"],
            measured_on=datetime.date(2025, 6, 1),
            weight_kg=12.0,
            lenhei_cm=90.0,
            measure="h",
        ),
    )
    services.add_measurement(
        officer,
        GrowthMeasurement(
            child=kids["c"],
            measured_on=datetime.date(2025, 6, 1),
            weight_kg=30.0,
            lenhei_cm=60.0,
            measure="h",
        ),
    )
    # Immunisation cohort: turned 1 in 2025.
    kids["d"] = make_child(full_name="Trẻ D", birth_date=datetime.date(2024, 4, 1))
    kids["e"] = make_child(full_name="Trẻ E", birth_date=datetime.date(2024, 5, 1))
    for antigen, dose in services.full_schedule():
        services.record_vaccination(officer, kids["d"], antigen, dose, datetime.date(2025, 2, 1))
    # Special circumstances, one supported.
    kids["f"] = make_child(full_name="Trẻ F", birth_date=datetime.date(2015, 1, 1))
    circ = SpecialCircumstance.objects.create(child=kids["f"], group="a", from_date=datetime.date(2020, 1, 1))
    Support.objects.create(
        circumstance=circ, kind="sponsorship", provider="Mẹ đỡ đầu", from_date=datetime.date(2025, 1, 1)
    )
    SpecialCircumstance.objects.create(child=kids["e"], group="d", from_date=datetime.date(2024, 5, 1))
    # Schooling 2024–2025: two primary pupils, one dropped out.
    kids["g"] = make_child(full_name="Trẻ G", birth_date=datetime.date(2016, 1, 1))
    Schooling.objects.create(child=kids["f"], school_year=2024, level="primary", status="dropped_out")
    Schooling.objects.create(child=kids["g"], school_year=2024, level="primary", status="enrolled")
    # Xã Điềm He (same former district): one child under 5, registered.
    kids["h"] = services.create_child(
        other_officer,
        {
            "full_name": "Trẻ H",
            "birth_date": datetime.date(2024, 1, 1),
            "sex": "m",
            "commune": xa_diem_he,
            "birth_registration_date": datetime.date(2024, 1, 5),
        },
    )
    return kids


def test_values_per_commune_and_for_the_old_district(population, xa_van_quan, xa_diem_he, van_quan):
    rows = registry_values(None, [xa_van_quan, xa_diem_he, van_quan], END)
    assert {r["indicator"] for r in rows} == set(COVERED)
    stunting = by(rows, xa_van_quan, "YT_SDD_THAP_COI")
    assert (stunting["numerator"], stunting["denominator"], stunting["n_records"]) == (1, 2, 3)
    imm = by(rows, xa_van_quan, "YT_TCDD_DUOI_1")
    assert (imm["numerator"], imm["denominator"]) == (1, 2)
    reg = by(rows, xa_van_quan, "TP_KHAI_SINH_DUOI_5")
    assert (reg["numerator"], reg["denominator"]) == (2, 5)
    assert (
        by(rows, xa_van_quan, "BV_HCDB")["numerator"],
        by(rows, xa_van_quan, "BV_HCDB")["denominator"],
    ) == (2, 7)
    helped = by(rows, xa_van_quan, "BV_HCDB_DUOC_TRO_GIUP")
    assert (helped["numerator"], helped["denominator"]) == (1, 2)
    drop = by(rows, xa_van_quan, "GD_BO_HOC_TH")
    assert (drop["numerator"], drop["denominator"]) == (1, 2)
    district = by(rows, van_quan, "TP_KHAI_SINH_DUOI_5")
    assert (district["numerator"], district["denominator"]) == (3, 6)
    assert all(r["source"] == "registry" for r in rows)


def test_period_bounds_matter(population, xa_van_quan):
    rows = registry_values(
        ["YT_SDD_THAP_COI", "TP_KHAI_SINH_DUNG_HAN"], [xa_van_quan], datetime.date(2024, 12, 31)
    )
    st = by(rows, xa_van_quan, "YT_SDD_THAP_COI")
    assert st["n_records"] == 1
    reg = by(rows, xa_van_quan, "TP_KHAI_SINH_DUNG_HAN")
    assert reg["n_records"] == 0


def test_merged_and_provisional_records_do_not_count(population, officer, xa_van_quan):
    from treem.registry import linkage

    before = by(
        registry_values(["TP_KHAI_SINH_DUOI_5"], [xa_van_quan], END), xa_van_quan, "TP_KHAI_SINH_DUOI_5"
    )["denominator"]
    services.create_provisional_child(
        officer, xa_van_quan, "Bé Chưa Rõ", birth_date=datetime.date(2024, 2, 2)
    )
    linkage.merge(officer, population["a"], population["b"])
    after = by(
        registry_values(["TP_KHAI_SINH_DUOI_5"], [xa_van_quan], END), xa_van_quan, "TP_KHAI_SINH_DUOI_5"
    )["denominator"]
    assert after == before - 1


def test_uncovered_indicators_are_left_out(xa_van_quan):
    assert registry_values(["BV_XAM_HAI", "YT_TV_DUOI_5"], [xa_van_quan], END) == []
