"""Monitoring fixtures: the Văn Quan plan (seed 003) with its rounds and generated figures."""

import datetime
import random
from decimal import Decimal

import pytest

from treem.geo.models import AdministrativeUnit, Generation, Level
from treem.plans.models import PlanDocument, TargetComponent

PERIODS_OLD = ["2023", "2024S1", "2024", "2025S1"]  # before 1/7/2025: the old communes of Văn Quan
PERIODS_NEW = ["2025"]  # after: the successor communes


@pytest.fixture
def plan(db):
    """Kế hoạch of UBND huyện Văn Quan (seed 003)."""
    return PlanDocument.objects.get(key="seed-003")


def old_communes(plan):
    return list(
        AdministrativeUnit.objects.filter(
            ancestor_links__ancestor=plan.issuing_unit, level=Level.COMMUNE, generation=Generation.PRE_2025
        ).order_by("code")
    )


def successor_communes(plan):
    from treem.reporting.rounds import area_communes

    return area_communes(plan, plan.issuing_unit.valid_to)[0]


def put_values(plan, units, periods, status="approved", seed=5, drift=0.0, only=None, combos=True):
    """Write plausible values for every data element of the plan's indicators (rates near their 2025 milestones)."""
    from treem.indicators.rules import ensure_combos, total_combo
    from treem.reporting.models import DataValue
    from treem.reporting.periods import get_period

    ensure_combos()
    total = total_combo()
    rng = random.Random(seed)
    comps = TargetComponent.objects.filter(
        target__plan=plan, indicator__isnull=False, year=2025
    ).select_related("indicator__numerator", "indicator__denominator")
    from treem.analytics.services import combo_for, qualifier_combos

    total_id, by_name = qualifier_combos()
    values: dict[tuple, int] = {}
    for i, period in enumerate(periods):
        p = get_period(period)
        for unit in units:
            for c in comps:
                ind = c.indicator
                if only and ind.code not in only:
                    continue
                combo_id, _ = combo_for(c.qualifier, total_id, by_name) if combos else (total.pk, True)
                m = float(c.value) * (
                    float(ind.multiplier)
                    / {"%": 100, "‰": 1000, "per_1000_live_births": 1000, "per_100000_children": 100000}.get(
                        c.unit, float(ind.multiplier)
                    )
                )
                rate = max(0.0, m * rng.uniform(0.85, 1.15) * (1 + drift * i))
                for cid in {combo_id, total.pk}:
                    den = None
                    if ind.denominator_id:
                        den = values.setdefault((ind.denominator_id, cid, unit.pk, p.pk), 1000)
                        rate = min(rate, float(ind.multiplier))
                        num = round(rate * den / float(ind.multiplier))
                    else:
                        num = round(rate)
                    values.setdefault((ind.numerator_id, cid, unit.pk, p.pk), num)
    rows = [
        DataValue(
            data_element_id=de,
            combo_id=cid,
            unit_id=u,
            period_id=pid,
            value=Decimal(v),
            status=status,
            source="bench",
        )
        for (de, cid, u, pid), v in values.items()
    ]
    DataValue.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@pytest.fixture
def plan_with_data(plan):
    """The Văn Quan plan with rounds and figures: old communes 2023–2025S1, successor communes for 2025."""
    from treem.reporting.rounds import generate_rounds

    generate_rounds(plan, until=datetime.date(2026, 1, 31))
    put_values(plan, old_communes(plan), PERIODS_OLD, drift=-0.02)
    put_values(plan, successor_communes(plan), PERIODS_NEW, seed=9)
    return plan


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Dashboards are cached per data version; each test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
