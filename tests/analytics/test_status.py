"""The status rule on every comparator, against cases computed by hand (see docs/monitoring.md).

Time line: a milestone "by 2025" sits at 2026.0 (end of 2025); a baseline of 2020 at 2021.0; the
yearly 2023 report at 2024.0. So in 2023 the share of the way that should be done is (2024 − 2021) /
(2026 − 2021) = 0,6.
"""

import math
import random

import numpy as np
import pandas as pd
import pytest

from treem.analytics import status as st
from treem.analytics.periods import milestone_time, parse_period, period_time
from treem.analytics.status import Status

TM = milestone_time(2025)  # 2026.0
TB = 2021.0  # baseline 2020
T2023 = period_time("2023")  # 2024.0


def test_period_times():
    assert period_time("2025") == 2026.0
    assert period_time("2025S1") == 2025.5
    assert period_time("2025Q3") == 2025.75
    assert period_time("202502") == pytest.approx(2025 + 2 / 12)
    assert parse_period("2025S2").label == "6 tháng cuối năm 2025"
    assert parse_period("2024S1").end.isoformat() == "2024-06-30"
    with pytest.raises(ValueError):
        parse_period("2025W1")


def a(comparator, value, actual, t=T2023, unit="%", direction="lower", baseline=None, baseline_t=TB, **kw):
    return st.assess(
        comparator, value, unit, direction, kw.pop("milestone_t", TM), actual, t, baseline, baseline_t, **kw
    )


@pytest.mark.parametrize(
    "actual,expected_status,expected_reason",
    [
        (9.4, Status.ACHIEVED, "met"),  # 9,4 < 9,5
        (9.5, Status.ON_TRACK, "ahead"),  # "dưới 9,5" is strict; ratio (9,5−12)/(10,5−12) = 1,67
        (10.5, Status.ON_TRACK, "ahead"),  # exactly on the path: E = 12 + (9,5 − 12)·0,6 = 10,5
        (11.0, Status.AT_RISK, "behind"),  # ratio (11 − 12)/(10,5 − 12) = 0,67
        (11.5, Status.OFF_TRACK, "far_behind"),  # ratio 0,33
        (12.5, Status.OFF_TRACK, "far_behind"),  # worse than the baseline
        (None, Status.NO_DATA, "no_data"),
    ],
)
def test_below_lt(actual, expected_status, expected_reason):
    result = a("lt", 9.5, actual, baseline=12.0)
    assert (result.status, result.reason) == (expected_status, expected_reason)


def test_below_expected_value_and_ratio():
    result = a("lt", 9.5, 11.0, baseline=12.0)
    assert result.expected == pytest.approx(10.5)
    assert result.ratio == pytest.approx(2 / 3)
    assert result.target == 9.5 and result.op == st.LT


def test_below_missed_at_milestone():
    assert a("lt", 9.5, 9.6, t=period_time("2025"), baseline=12.0).status == Status.OFF_TRACK
    assert a("lt", 9.5, 9.6, t=period_time("2025"), baseline=12.0).reason == "missed"
    # the six-month report of 2025 is still before the milestone: judged on the path (E = 12 − 2,5·0,9 = 9,75)
    assert a("lt", 9.5, 9.6, t=period_time("2025S1"), baseline=12.0).status == Status.ON_TRACK


def test_at_most_le():
    assert a("le", 10, 10.0, baseline=14.0).status == Status.ACHIEVED
    assert a("le", 10, 10.0 + 1e-12, baseline=14.0).status == Status.ACHIEVED  # float noise
    # E = 14 − 4·0,6 = 11,6; 12 → ratio 2/2,4 = 0,83
    assert a("le", 10, 12.0, baseline=14.0).status == Status.AT_RISK


@pytest.mark.parametrize(
    "actual,expected_status",
    [
        (98.0, Status.ACHIEVED),
        (95.0, Status.ON_TRACK),
        (93.0, Status.AT_RISK),
        (91.0, Status.OFF_TRACK),
        (89.0, Status.OFF_TRACK),
    ],
)
def test_at_least_ge(actual, expected_status):
    # baseline 90 (2020) → 98 (2025): E(2023) = 90 + 8·0,6 = 94,8; ratios 5/4,8, 3/4,8 = 0,625, 1/4,8 = 0,21
    assert a("ge", 98, actual, direction="higher", baseline=90.0).status == expected_status


def test_above_gt():
    assert (
        a("gt", 99, 99.0, direction="higher", baseline=95.0).status == Status.ON_TRACK
    )  # not above, but ahead of path
    assert a("gt", 99, 99.01, direction="higher", baseline=95.0).status == Status.ACHIEVED
    assert a("gt", 99, 99.0, t=TM, direction="higher", baseline=95.0).status == Status.OFF_TRACK


def test_equal_eq_rounds_to_written_decimals():
    assert a("eq", 50, 50.4, direction=None, baseline=40.0).status == Status.ACHIEVED  # rounds to 50
    # 50,6 rounds to 51; going up from 40: E = 46, ratio 10,6/6 → on track
    assert a("eq", 50, 50.6, direction=None, baseline=40.0).status == Status.ON_TRACK
    assert a("eq", 50, 44.0, direction=None, baseline=40.0).status == Status.AT_RISK  # ratio 4/6
    assert a("eq", 99.9, 99.86, direction=None, baseline=90.0, decimals=1).status == Status.ACHIEVED
    # baseline already equal to the milestone: nothing to walk, the holding rule applies
    assert a("eq", 50, 52.0, direction=None, baseline=50.0).status == Status.OFF_TRACK
    assert a("eq", 50, 52.0, direction=None, baseline=50.0, previous_met=True).status == Status.AT_RISK


def test_maintain_higher_is_better():
    # "duy trì 100% trẻ em dưới 5 tuổi được đăng ký khai sinh"
    assert a("maintain", 100, 100.0, direction="higher").status == Status.ACHIEVED
    slip = a("maintain", 100, 99.5, direction="higher", previous_met=True)
    assert (slip.status, slip.reason) == (Status.AT_RISK, "slipped")
    held_badly = a("maintain", 100, 99.5, direction="higher", previous_met=False)
    assert (held_badly.status, held_badly.reason) == (Status.OFF_TRACK, "not_held")
    assert a("maintain", 100, 99.5, direction="higher").status == Status.OFF_TRACK  # no previous period
    assert a("maintain", 100, 99.5, direction="higher", t=TM).status == Status.OFF_TRACK


def test_maintain_zero_lower_is_better():
    # "duy trì không có lao động trẻ em" → maintain 0, lower is better (also inferred without a direction)
    assert a("maintain", 0, 0.0, unit="count").status == Status.ACHIEVED
    assert a("maintain", 0, 1.0, unit="count", previous_met=True).status == Status.AT_RISK
    assert a("maintain", 0, 1.0, unit="count", direction=None).op == st.LE


@pytest.mark.parametrize(
    "actual,expected_status",
    [
        (40.0, Status.ACHIEVED),
        (44.0, Status.ON_TRACK),
        (46.0, Status.AT_RISK),
        (49.0, Status.OFF_TRACK),
        (52.0, Status.OFF_TRACK),
    ],
)
def test_reduce_by_relative(actual, expected_status):
    # "số trẻ em bị bạo lực giảm 20%" from 50 (2020): milestone 50·0,8 = 40; E(2023) = 50 − 10·0,6 = 44
    result = a("reduce_by", 20, actual, baseline=50.0)
    assert result.target == pytest.approx(40.0)
    assert result.status == expected_status


def test_reduce_by_absolute_and_without_baseline():
    assert a("reduce_by", 5, 45.0, unit="count", baseline=50.0).status == Status.ACHIEVED  # 50 − 5
    no_base = a("reduce_by", 20, 40.0, baseline=None)
    assert (no_base.status, no_base.reason) == (Status.NO_DATA, "no_baseline_value")


def test_increase_by():
    # +10% from 200 → 220; E(2023) = 212; 215 → ratio 15/12
    assert a("increase_by", 10, 215.0, direction="higher", baseline=200.0).status == Status.ON_TRACK
    assert a("increase_by", 10, 220.0, direction="higher", baseline=200.0).status == Status.ACHIEVED
    assert (
        a("increase_by", 5, 205.0, unit="count", direction="higher", baseline=200.0).status == Status.ACHIEVED
    )


def test_no_path_and_no_year():
    r = a("ge", 98, 95.0, direction="higher", baseline=None, baseline_t=None)
    assert (r.status, r.reason) == (Status.AT_RISK, "no_path")
    r = a("ge", 98, 95.0, direction="higher", baseline=95.0, baseline_t=T2023)  # baseline is this very period
    assert (r.status, r.reason) == (Status.AT_RISK, "no_path")
    r = a("ge", 98, 95.0, direction="higher", baseline=90.0, milestone_t=None)
    assert (r.status, r.reason) == (Status.AT_RISK, "no_year")


def test_projection_least_squares():
    p = st.project([2022.0, 2023.0, 2024.0], [10, 11, 12], TM, 2024.0, st.GE, 15.0)
    assert p.value == pytest.approx(14.0) and p.points == 3 and p.meets is False and p.reason == "ok"
    p = st.project([2022.0, 2023.0, 2024.0], [10, 12, 11], TM, 2024.0)
    assert p.value == pytest.approx(12.5)  # slope Σ(dx·dy)/Σdx² = 1/2, mean 11 at 2023 → 11 + 0,5·3
    few = st.project([2023.0, 2024.0], [10, 11], TM, 2024.0)
    assert (few.value, few.reason) == (None, "few_points")
    assert "ít nhất 3" in few.reason_text
    assert (
        st.project([2022.0, 2023.0, 2024.0, 2025.0, 2026.0], [1, 2, 3, 4, 5], TM, 2026.0).reason == "passed"
    )


def test_vectorised_matches_reference_on_random_cases():
    rng = random.Random(20260205)
    rows, expected = [], []
    comparators = ["lt", "le", "eq", "ge", "gt", "maintain", "reduce_by", "increase_by"]
    for _ in range(3000):
        comp = rng.choice(comparators)
        value = rng.choice([0, 1, 2.5, 9.5, 20, 50, 98, 99.9, 100])
        unit = rng.choice(["%", "count"])
        direction = rng.choice(["lower", "higher", None])
        t = rng.choice([2024.5, 2025.0, 2025.5, 2026.0, 2027.0])
        actual = rng.choice(
            [None, 0.0, 1.0, 9.4, 9.5, 10.0, 40.0, 50.0, 95.0, 98.0, 99.9, 100.0, rng.uniform(0, 120)]
        )
        baseline = rng.choice([None, 0.0, 12.0, 50.0, 90.0, 100.0])
        baseline_t = rng.choice([None, 2021.0, 2024.5, 2025.0])
        milestone_t = rng.choice([None, 2026.0, 2031.0])
        prev = rng.choice([True, False])
        ref = st.assess(
            comp,
            value,
            unit,
            direction,
            milestone_t,
            actual,
            t,
            baseline,
            baseline_t if baseline is not None else None,
            prev,
        )
        expected.append(ref)
        rows.append(
            dict(
                comparator=comp,
                value=value,
                unit=unit,
                direction=direction,
                t=t,
                actual=np.nan if actual is None else actual,
                baseline=np.nan if baseline is None else baseline,
                baseline_t=np.nan if (baseline_t is None or baseline is None) else baseline_t,
                milestone_t=np.nan if milestone_t is None else milestone_t,
                previous_met=prev,
                decimals=st.decimals_of(value),
            )
        )
    out = st.assess_arrays(pd.DataFrame(rows))
    for ref, (_, row) in zip(expected, out.iterrows(), strict=True):
        assert (row["status"], row["reason"]) == (str(ref.status), ref.reason), (row.to_dict(), ref)
        if ref.ratio is not None:
            assert math.isclose(row["ratio"], ref.ratio, rel_tol=1e-9)


def _components(**overrides):
    base = dict(
        component_id=1,
        indicator_id=10,
        qualifier_key="",
        comparator="lt",
        value=9.5,
        unit="%",
        milestone_t=TM,
        direction="lower",
        baseline_value=np.nan,
        baseline_t=np.nan,
        plan_unit_id=100,
        decimals=1,
    )
    base.update(overrides)
    return base


def _obs(unit_id, values, indicator_id=10, qualifier_key="", ptype="annual"):
    return [
        dict(
            indicator_id=indicator_id,
            qualifier_key=qualifier_key,
            unit_id=unit_id,
            period=str(year),
            ptype=ptype,
            t=period_time(str(year)),
            value=v,
        )
        for year, v in values
    ]


def test_compute_baseline_fallback_previous_and_projection():
    comps = pd.DataFrame(
        [
            _components(),
            _components(
                component_id=2,
                comparator="maintain",
                value=100,
                direction="higher",
                indicator_id=11,
                decimals=0,
            ),
        ]
    )
    obs = pd.DataFrame(
        _obs(101, [(2021, 12.0), (2022, 11.5), (2023, 11.0), (2025, 9.4)])
        + _obs(101, [(2022, 100.0), (2023, 99.0), (2024, 98.0)], indicator_id=11)
    )
    out = st.compute(comps, obs).set_index(["component_id", "period"])
    # component 1: baseline = first value 12 at 2022.0; 2021 itself has no path yet
    assert out.loc[(1, "2021"), "reason"] == "no_path"
    # 2022 (t = 2023): E = 12 + (9,5 − 12)·(1/4) = 11,375; ratio 0,5/0,625 = 0,8 → at risk
    assert out.loc[(1, "2022"), "status"] == Status.AT_RISK
    assert out.loc[(1, "2022"), "expected"] == pytest.approx(11.375)
    # 2023: E = 10,75, ratio 1/1,25 = 0,8 → at risk; projection from 3 points: slope −0,5 → 12,5 − 0,5·... at 2026
    assert out.loc[(1, "2023"), "status"] == Status.AT_RISK
    assert out.loc[(1, "2023"), "projection"] == pytest.approx(10.0)  # 12 − 0,5·(2026 − 2022)
    assert (
        out.loc[(1, "2023"), "projection_meets"] is np.False_ or not out.loc[(1, "2023"), "projection_meets"]
    )
    assert out.loc[(1, "2022"), "projection_reason"] == "few_points"
    assert out.loc[(1, "2025"), "status"] == Status.ACHIEVED
    assert out.loc[(1, "2025"), "projection_reason"] == "passed"
    # component 2 (maintain 100): met, first slip → at risk, second slip → off track
    assert [out.loc[(2, p), "status"] for p in ("2022", "2023", "2024")] == [
        Status.ACHIEVED,
        Status.AT_RISK,
        Status.OFF_TRACK,
    ]


def test_compute_uses_disaggregated_values_for_qualifiers():
    comps = pd.DataFrame(
        [
            _components(component_id=1, comparator="lt", value=5, qualifier_key="rural", decimals=0),
            _components(component_id=2, comparator="lt", value=10, qualifier_key="urban", decimals=0),
        ]
    )
    obs = pd.DataFrame(
        _obs(101, [(2025, 7.0)])
        + _obs(101, [(2025, 4.0)], qualifier_key="rural")
        + _obs(101, [(2025, 12.0)], qualifier_key="urban")
    )
    out = st.compute(comps, obs).set_index("component_id")
    assert out.loc[1, "actual"] == 4.0 and out.loc[1, "status"] == Status.ACHIEVED
    assert out.loc[2, "actual"] == 12.0 and out.loc[2, "status"] == Status.OFF_TRACK


def test_compute_stated_baseline_applies_to_the_plan_unit_only():
    comps = pd.DataFrame(
        [
            _components(
                comparator="reduce_by",
                value=20,
                unit="%",
                baseline_value=50.0,
                baseline_t=TB,
                plan_unit_id=100,
                decimals=0,
            )
        ]
    )
    obs = pd.DataFrame(_obs(100, [(2023, 44.0)]) + _obs(101, [(2022, 10.0), (2023, 9.0)]))
    out = st.compute(comps, obs).set_index(["unit_id", "period"])
    assert out.loc[(100, "2023"), "target"] == pytest.approx(40.0)
    assert out.loc[(100, "2023"), "status"] == Status.ON_TRACK  # the hand case above
    assert out.loc[(101, "2023"), "target"] == pytest.approx(8.0)  # the commune's own first value 10 − 20%
