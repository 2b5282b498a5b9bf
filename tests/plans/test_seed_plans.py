"""The five seed plans load as exact data: targets, components, assignments, reporting, cascade."""

import datetime
from decimal import Decimal

import pytest

from treem.plans.models import Assignment, PlanDocument, PlanStatus, ReportingRequirement, TargetComponent
from treem.plans.services import cascade_above, cascade_below, load_seed_plans

pytestmark = pytest.mark.django_db


def plan(key):
    return PlanDocument.objects.get(key=key)


def lead_targets(p, agency_name):
    a = Assignment.objects.get(plan=p, agency_name=agency_name, role="lead")
    return sorted((t.number for t in a.targets.all()), key=int)


def test_seed_003_van_quan():
    p = plan("seed-003")
    assert p.issuing_unit.full_name == "Huyện Văn Quan"
    assert p.targets.count() == 24
    assert [t.number for t in p.targets.all()] == [str(n) for n in range(1, 25)]
    t3 = p.targets.get(number="3").components.all()
    assert t3.count() == 6
    assert {(c.indicator.code if c.indicator else c.indicator_text, c.year) for c in t3} >= set()
    assert sorted({c.year for c in t3}) == [2025, 2030]
    assert lead_targets(p, "Phòng Giáo dục và Đào tạo") == [
        "7",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "22",
        "23",
        "24",
    ]
    deadlines = {(r.frequency, r.deadline_day, r.deadline_month) for r in p.reporting_requirements.all()}
    assert ("semiannual", 15, 5) in deadlines and ("annual", 15, 11) in deadlines
    assert [d.number for d in p.references.order_by("order")] == ["28-CT/TW", "177-KH/TU", "194/KH-UBND"]


def test_seed_003_target_9_milestones():
    t9 = plan("seed-003").targets.get(number="9")
    comps = list(t9.components.order_by("order"))
    assert [(c.comparator, c.value, c.unit, c.year) for c in comps] == [
        ("lt", Decimal("0.01"), "%", 2025),
        ("maintain", Decimal("0.01"), "%", 2030),
    ]
    assert comps[0].milestone_label == "< 0,01% (2025)"


def test_seed_003_qualified_components_for_urban_and_rural():
    comps = plan("seed-003").targets.get(number="4").components.exclude(qualifier="")
    assert {c.qualifier for c in comps} == {"nông thôn", "thành thị"}


def test_seed_004_huong_tra():
    p = plan("seed-004")
    assert p.issuing_unit.full_name == "Thị xã Hương Trà"
    assert p.targets.count() == 18
    assert list(p.reporting_requirements.values_list("frequency", "deadline_day", "deadline_month")) == [
        ("annual", 30, 11)
    ]
    assert lead_targets(p, "Phòng Y tế") == ["2", "3", "4", "9"] or any(
        sorted((t.number for t in a.targets.all()), key=int) == ["2", "3", "4", "9"]
        for a in p.assignments.filter(role="lead")
    )
    units = {c.unit for c in TargetComponent.objects.filter(target__plan=p)}
    assert {"‰", "per_100000_children", "per_1000_live_births", "%"} <= units


def test_seed_000_khanh_hoa_unnumbered_targets():
    p = plan("seed-000")
    assert p.number == "48-KH/TU"
    assert p.issued_on == datetime.date(2013, 2, 20)
    assert p.place == "Nha Trang"
    assert p.targets.exclude(number="").count() == 0
    relative = TargetComponent.objects.filter(target__plan=p, comparator="reduce_by")
    assert {(c.value, c.year) for c in relative} == {(Decimal("20"), 2015), (Decimal("40"), 2020)}
    assert [r.number for r in p.references.all()] == ["20-CT/TW"]


def test_seed_001_directive_and_002_have_no_numeric_targets():
    assert plan("seed-001").doc_type == "chi_thi"
    assert plan("seed-001").targets.count() == 0
    assert plan("seed-002").targets.count() == 0
    assert plan("seed-002").tasks.count() > 0


def test_cascade_directive_province_district():
    p = plan("seed-003")
    above = [d.number for level in cascade_above(p) for d in level]
    assert {"28-CT/TW", "177-KH/TU", "194/KH-UBND"} <= set(above)
    directive = PlanDocument.objects.get(number="28-CT/TW")
    assert directive.status == PlanStatus.REFERENCE and directive.issuing_unit.code == "VN"
    below = {d.pk for level in cascade_below(directive) for d in level}
    assert {p.pk, plan("seed-002").pk} <= below
    provincial = PlanDocument.objects.get(number="177-KH/TU")
    assert provincial.issuing_unit.full_name == "Tỉnh Lạng Sơn"
    assert [r.referenced.number for r in provincial.references.all()] == ["28-CT/TW"]


def test_loading_again_replaces_instead_of_duplicating():
    before = (
        PlanDocument.objects.count(),
        TargetComponent.objects.count(),
        ReportingRequirement.objects.count(),
    )
    load_seed_plans()
    assert (
        PlanDocument.objects.count(),
        TargetComponent.objects.count(),
        ReportingRequirement.objects.count(),
    ) == before
