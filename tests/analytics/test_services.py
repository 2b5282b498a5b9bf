"""Monitoring on the real seed plan: every target has a status, values submitted appear at every level at
once, ranking, the plan's area after 1/7/2025, the parent-plan comparison."""

import datetime
from decimal import Decimal

import numpy as np
import pytest

from treem.analytics import services
from treem.analytics.status import Status
from treem.geo.models import AdministrativeUnit, Generation, Level
from treem.plans.models import PlanDocument, Target, TargetComponent

from .conftest import old_communes, put_values, successor_communes

pytestmark = pytest.mark.django_db
STATUSES = {str(s) for s in Status}


def test_van_quan_dashboard_shows_all_24_targets_with_a_status(plan_with_data):
    dash = services.plan_dashboard(plan_with_data)
    assert dash.period == "2025"
    assert len(dash.targets) == 24
    assert [t.target.number for t in dash.targets] == [str(n) for n in range(1, 25)]
    for tv in dash.targets:
        assert tv.status in STATUSES
    measured = [c for c in dash.components if c.current and c.component.indicator_id]
    assert measured and sum(c.status != Status.NO_DATA for c in measured) >= len(measured) * 0.8
    # after the reform the plan's area is the successor communes taken together, and TreEm says so
    assert "không còn từ 01/07/2025" in dash.note
    # lead agencies come from the plan's assignments (target 7: Phòng Giáo dục và Đào tạo)
    t7 = next(t for t in dash.targets if t.target.number == "7")
    assert any("Giáo dục" in name for name in t7.leads)


def test_the_year_decides_which_milestone_is_current(plan_with_data):
    dash = services.plan_dashboard(plan_with_data, period="2024")
    t3 = next(t for t in dash.targets if t.target.number == "3")
    current_years = {c.component.year for c in t3.components if c.current}
    assert current_years == {2025}
    assert all(c.series for c in t3.components if c.current)


def test_qualified_components_use_the_rural_and_urban_values(plan_with_data):
    from treem.analytics.services import combo_for, qualifier_combos

    total, by_name = qualifier_combos()
    rural, ok = combo_for("nông thôn", total, by_name)
    assert ok and rural != total
    dash = services.plan_dashboard(plan_with_data, period="2024")
    t4 = next(t for t in dash.targets if t.target.number == "4")
    qualified = [c for c in t4.components if c.component.qualifier and c.current]
    assert {c.component.qualifier for c in qualified} == {"nông thôn", "thành thị"}
    assert all(c.actual is not None for c in qualified)


def test_submitted_value_appears_at_every_level_at_once(plan, make_user):
    """A value submitted at a commune is in the commune's, the district's and the province's status on the next call."""
    from treem.indicators.models import Indicator

    commune = old_communes(plan)[0]
    district = plan.issuing_unit
    province = AdministrativeUnit.objects.get(generation=Generation.PRE_2025, level=Level.PROVINCE, code="20")
    ind = Indicator.objects.get(code="YT_TV_SO_SINH")
    for unit in (commune, district, province):
        assert services.observations([ind], units=[unit.pk]).empty
    put_values(plan, [commune], ["2024"], status="submitted", only={"YT_TV_SO_SINH"})
    for unit in (commune, district, province):
        dash = services.plan_dashboard(plan, unit=unit, period="2024")
        comp = next(
            c for c in dash.components if c.component.indicator_id == ind.pk and c.component.year == 2025
        )
        assert comp.actual is not None and comp.status != Status.NO_DATA, unit
        assert comp.provisional  # submitted, not yet approved: marked
    country = AdministrativeUnit.objects.get(level=Level.COUNTRY)
    assert not services.observations([ind], units=[country.pk]).empty


def test_a_value_of_a_successor_commune_reaches_the_plan_of_the_abolished_district_at_once(plan):
    """The plan's own dashboard (its district gone since 1/7/2025) is cached too, and a successor's value renews it."""
    from treem.indicators.models import Indicator

    ind = Indicator.objects.get(code="YT_TV_SO_SINH")

    def comp():
        dash = services.plan_dashboard(plan, period="2025")
        assert dash.cache_key  # cached
        return next(
            c for c in dash.components if c.component.indicator_id == ind.pk and c.component.year == 2025
        )

    assert comp().status == Status.NO_DATA
    put_values(plan, successor_communes(plan)[:1], ["2025"], status="submitted", only={"YT_TV_SO_SINH"})
    after = comp()
    assert after.actual is not None and after.status != Status.NO_DATA


def test_approved_values_are_not_provisional_and_submitted_can_be_left_out(plan):
    commune = old_communes(plan)[0]
    put_values(plan, [commune], ["2024"], status="approved", only={"YT_TV_SO_SINH"})
    dash = services.plan_dashboard(plan, unit=commune, period="2024")
    comp = next(
        c
        for c in dash.components
        if c.component.indicator.code == "YT_TV_SO_SINH" and c.component.year == 2025
    )
    assert comp.actual is not None and not comp.provisional
    other = old_communes(plan)[1]
    put_values(plan, [other], ["2024"], status="submitted", only={"YT_TV_SO_SINH"})
    strict = services.plan_dashboard(plan, unit=other, period="2024", include_submitted=False)
    comp = next(
        c
        for c in strict.components
        if c.component.indicator.code == "YT_TV_SO_SINH" and c.component.year == 2025
    )
    assert comp.status == Status.NO_DATA


def test_commune_ranking_before_and_after_the_reform(plan_with_data):
    comp = TargetComponent.objects.get(
        target__plan=plan_with_data, target__number="3", indicator__code="YT_TV_SO_SINH", year=2025
    )
    before = services.rank_units(comp, plan_with_data.issuing_unit, "2024")
    assert len(before) == len(old_communes(plan_with_data))
    values = [r.value for r in before if r.value is not None]
    assert values == sorted(values)  # lower is better: best first
    assert before[0].rank == 1
    after = services.rank_units(comp, plan_with_data.issuing_unit, "2025")
    assert {r.unit.pk for r in after} == {u.pk for u in successor_communes(plan_with_data)}


def test_agency_view_targets_and_overdue(plan_with_data):
    from treem.reporting.models import Submission

    agency = plan_with_data.assignments.get(agency_name__icontains="Giáo dục").agency
    numbers = sorted(int(t.number) for p, t in services.agency_targets(agency) if p == plan_with_data)
    assert numbers == [7, 15, 16, 17, 18, 19, 20, 22, 23, 24]
    overdue = services.overdue_submissions(agency, today=datetime.date(2026, 1, 1))
    assert all(s.agency_id == agency.pk for s in overdue)
    assert (
        overdue.count()
        == Submission.objects.filter(
            agency=agency, round__deadline__lt=datetime.date(2026, 1, 1), status__in=["draft", "returned"]
        ).count()
    )


def test_parent_plan_comparison_flags_a_weaker_district_target(plan, lang_son):
    """A provincial plan asking 'dưới 9' for 2025 where the district asks 'dưới 9,5' → the district is weaker."""
    parent = PlanDocument.objects.get(number="194/KH-UBND")
    target = Target.objects.create(
        plan=parent, number="1", text="tỷ suất tử vong trẻ sơ sinh dưới 9‰ vào năm 2025", order=0
    )
    child = TargetComponent.objects.get(target__plan=plan, indicator__code="YT_TV_SO_SINH", year=2025)
    TargetComponent.objects.create(
        target=target,
        indicator_text="tỷ suất tử vong trẻ sơ sinh",
        indicator=child.indicator,
        comparator="lt",
        value=Decimal("9"),
        unit="per_1000_live_births",
        year=2025,
    )
    TargetComponent.objects.create(
        target=target,
        indicator_text="tỷ suất tử vong trẻ sơ sinh",
        indicator=child.indicator,
        comparator="lt",
        value=Decimal("9"),
        unit="per_1000_live_births",
        year=2030,
    )
    rows = {r.component.pk: r for r in services.parent_comparison(plan)}
    row = rows[child.pk]
    assert row.verdict == "weaker" and "Thấp hơn yêu cầu" in row.text and "194/KH-UBND" in row.text
    c2030 = TargetComponent.objects.get(target__plan=plan, indicator__code="YT_TV_SO_SINH", year=2030)
    assert rows[c2030.pk].verdict == "same"
    other = next(r for r in rows.values() if r.component.indicator.code != "YT_TV_SO_SINH")
    assert other.verdict == "no_parent_milestone"


@pytest.mark.parametrize(
    "child,parent,verdict",
    [
        (("lt", 9.5), ("lt", 9), "weaker"),
        (("lt", 9), ("le", 9), "stronger"),
        (("ge", 95), ("ge", 98), "weaker"),
        (("gt", 98), ("ge", 98), "stronger"),
        (("ge", 98), ("ge", 98), "same"),
        (("reduce_by", 20), ("reduce_by", 40), "weaker"),
        (("reduce_by", 20), ("lt", 9), "not_comparable"),
        (("maintain", 100), ("ge", 100), "same"),
    ],
)
def test_compare_requirements(child, parent, verdict, plan):
    comp = TargetComponent.objects.filter(target__plan=plan, indicator__direction="higher").first()
    if child[0] in ("lt", "le", "reduce_by") or parent[0] in ("lt", "le"):
        comp = TargetComponent.objects.filter(target__plan=plan, indicator__direction="lower").first()
    a = TargetComponent(
        target=comp.target,
        indicator=comp.indicator,
        comparator=child[0],
        value=Decimal(str(child[1])),
        unit="%",
    )
    b = TargetComponent(
        target=comp.target,
        indicator=comp.indicator,
        comparator=parent[0],
        value=Decimal(str(parent[1])),
        unit="%",
    )
    assert services.compare_requirements(a, b) == verdict


def test_bulk_national_path_agrees_with_the_per_page_path(plan_with_data):
    """The vectorised national read (dense cubes) gives the same values as reporting's aggregation service."""
    comps = services.plan_components(plan_with_data)
    indicators = services.plan_indicators(comps)
    bulk = services.bulk_observations(indicators)
    units = [
        plan_with_data.issuing_unit,
        old_communes(plan_with_data)[0],
        AdministrativeUnit.objects.get(generation=Generation.PRE_2025, level=Level.PROVINCE, code="20"),
    ]
    page = services.observations(indicators, units=[u.pk for u in units])
    keys = ["indicator_id", "qualifier_key", "unit_id", "period"]
    page = page.assign(period=page["period"].astype(str)).set_index(keys).sort_index()
    bulk = bulk[bulk["unit_id"].isin([u.pk for u in units])]
    bulk = bulk.assign(period=bulk["period"].astype(str)).set_index(keys).sort_index()
    assert len(page) > 100 and list(page.index) == list(bulk.index)
    assert np.allclose(page["value"].astype(float), bulk["value"].astype(float), equal_nan=True)
    assert np.allclose(page["numerator"].astype(float), bulk["numerator"].astype(float))
    frame = services.components_frame(comps)
    a = (
        services.evaluate(frame, page.reset_index())
        .set_index(["component_id", "unit_id", "period"])
        .sort_index()
    )
    b = (
        services.evaluate(frame, bulk.reset_index())
        .set_index(["component_id", "unit_id", "period"])
        .sort_index()
    )
    assert (a["status"].astype(str) == b["status"].astype(str)).all()
