"""WHO z-scores against the oracle from WHO's R package ``anthro`` (every row), plus hand-checked rules.

Plain pytest functions: no database, no Django settings needed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from treem.registry.anthro import (
    FLAG_FIELDS,
    Z_FIELDS,
    classify,
    compute_zscores,
    load_tables,
    round_z,
)

GOLDEN = Path(__file__).parent / "data" / "zscores_grid1.csv"
TOL = 0.005


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    return pd.read_csv(
        GOLDEN,
        keep_default_na=False,
        na_values=["NA"],
        dtype={"measure": str, "oedema": str, "cmeasure": str},
    )


def _inputs(df: pd.DataFrame) -> dict:
    return {
        "sex": df["sex"].to_numpy(),
        "age": df["age"].to_numpy(dtype=float),
        "weight": df["weight"].to_numpy(dtype=float),
        "lenhei": df["lenhei"].to_numpy(dtype=float),
        "measure": df["measure"].to_numpy(dtype=object),
        "oedema": df["oedema"].to_numpy(dtype=object),
    }


@pytest.fixture(scope="module")
def ours(grid) -> dict:
    """As the oracle was made: one call per age unit (scalar is_age_in_month), back in row order."""
    out: dict[str, np.ndarray] = {}
    for unit in ("days", "months"):
        part = grid[grid["age_unit"] == unit]
        res = compute_zscores(**_inputs(part), is_age_in_month=(unit == "months"))
        for key, values in res.items():
            if key not in out:
                out[key] = np.empty(len(grid), dtype=values.dtype)
            out[key][part.index.to_numpy()] = values
    return out


def _assert_same_na(name, got, want):
    got_na, want_na = np.isnan(got), np.isnan(want)
    rows = np.flatnonzero(got_na != want_na)
    assert rows.size == 0, f"{name}: NA pattern differs on {rows.size} rows, e.g. ids {rows[:10] + 1}"


def test_grid_is_complete(grid):
    assert len(grid) == 3057
    assert grid["id"].tolist() == list(range(1, 3058))


@pytest.mark.parametrize("z", Z_FIELDS)
def test_raw_zscores_match_oracle_on_every_row(grid, ours, z):
    want = grid[f"{z}_raw"].to_numpy(dtype=float)
    got = ours[z]
    _assert_same_na(z, got, want)
    ok = ~np.isnan(want)
    diff = np.abs(got[ok] - want[ok])
    bad = np.flatnonzero(ok)[diff > TOL]
    assert bad.size == 0, f"{z}: {bad.size} rows differ by more than {TOL}, e.g. ids {bad[:10] + 1}"
    # In practice far closer than the tolerance (bit-identical with a libm pow).
    assert diff.max() < 1e-9


@pytest.mark.parametrize("flag", FLAG_FIELDS)
def test_flags_match_oracle_exactly(grid, ours, flag):
    want = grid[flag].to_numpy(dtype=float)
    got = ours[flag]
    _assert_same_na(flag, got, want)
    ok = ~np.isnan(want)
    bad = np.flatnonzero(ok)[got[ok] != want[ok]]
    assert bad.size == 0, f"{flag}: differs on ids {bad[:10] + 1}"


@pytest.mark.parametrize("z", Z_FIELDS)
def test_rounded_zscores_match_official_values(grid, ours, z):
    want = grid[z].to_numpy(dtype=float)
    got = round_z(ours[z])
    _assert_same_na(z, got, want)
    ok = ~np.isnan(want)
    bad = np.flatnonzero(ok)[got[ok] != want[ok]]
    assert bad.size == 0, f"{z}: rounded value differs on ids {bad[:10] + 1}"


@pytest.mark.parametrize("column", ["age_days", "age_months", "clenhei", "cbmi", "csex", "c9mo_flag"])
def test_helper_columns_match_oracle(grid, ours, column):
    want = grid[column].to_numpy(dtype=float)
    got = ours[column].astype(float)
    _assert_same_na(column, got, want)
    ok = ~np.isnan(want)
    np.testing.assert_allclose(got[ok], want[ok], rtol=0, atol=1e-9)


def test_cmeasure_matches_oracle(grid, ours):
    want = grid["cmeasure"].fillna("NA").to_numpy(dtype=str)
    got = np.where(ours["cmeasure"] == None, "NA", ours["cmeasure"]).astype(str)  # noqa: E711
    assert (got == want).all()


def test_per_row_age_unit_gives_the_same_result(grid, ours):
    res = compute_zscores(**_inputs(grid), age_unit=grid["age_unit"].to_numpy())
    for key in (*Z_FIELDS, *FLAG_FIELDS, "clenhei", "cbmi"):
        np.testing.assert_array_equal(res[key], ours[key], err_msg=key)


def test_chunks_and_threads_give_the_same_result(grid, ours):
    res = compute_zscores(**_inputs(grid), age_unit=grid["age_unit"].to_numpy(), chunk_size=97, workers=2)
    for key in (*Z_FIELDS, *FLAG_FIELDS, "clenhei", "cbmi", "c9mo_flag"):
        np.testing.assert_array_equal(res[key], ours[key], err_msg=key)
    assert (res["cmeasure"] == ours["cmeasure"]).all()


# --------------------------------------------------------------------------- hand-checked rules


def one(**kw) -> dict:
    """compute_zscores for a single child, values as Python scalars."""
    kw.setdefault("sex", 1)
    kw.setdefault("age", 400)
    res = compute_zscores(
        **{k: [v] for k, v in kw.items() if k not in ("is_age_in_month",)},
        is_age_in_month=kw.get("is_age_in_month"),
    )
    return {k: v[0] for k, v in res.items()}


def lms_z(y, L, M, S):
    return ((y / M) ** L - 1) / (S * L)


def test_who_sanity_example():
    # README: girl, 1522 days, 17 kg -> zwei 0.24; table row L -0.3387, M 16.433, S 0.14051.
    r = one(sex=2, age=1522, weight=17.0)
    assert r["zwei"] == pytest.approx(0.24003779455375895, abs=1e-12)
    assert r["zwei"] == pytest.approx(lms_z(17.0, -0.3387, 16.433, 0.14051), abs=1e-12)
    assert round_z(r["zwei"]) == 0.24
    assert r["fwei"] == 0


def test_oedema_removes_weight_based_zscores_only():
    for code in ("y", "Y", "1", 1):
        r = one(sex=1, age=642, weight=11.6, lenhei=85.2, measure="l", oedema=code)
        assert math.isnan(r["zwei"]) and math.isnan(r["zwfl"]) and math.isnan(r["zbmi"])
        assert math.isnan(r["fwei"]) and math.isnan(r["fwfl"]) and math.isnan(r["fbmi"])
        assert not math.isnan(r["zlen"]) and r["flen"] == 0
    for code in ("n", "N", "2", None, "", "x"):
        r = one(sex=1, age=642, weight=11.6, lenhei=85.2, measure="l", oedema=code)
        assert not any(math.isnan(r[z]) for z in Z_FIELDS)


def test_lying_standing_correction():
    # Height measured standing before 731 days: +0.7 cm; length lying from 731 days: -0.7 cm.
    assert one(age=700, lenhei=80.0, measure="h")["clenhei"] == 80.0 + 0.7
    assert one(age=700, lenhei=80.0, measure="l")["clenhei"] == 80.0
    assert one(age=731, lenhei=90.0, measure="l")["clenhei"] == 90.0 - 0.7
    assert one(age=731, lenhei=90.0, measure="h")["clenhei"] == 90.0
    # The threshold is on the rounded age in days.
    assert one(age=730.49, lenhei=90.0, measure="l")["clenhei"] == 90.0
    assert one(age=730.5, lenhei=90.0, measure="l")["clenhei"] == 90.0 - 0.7
    assert one(age=24, is_age_in_month=True, lenhei=90.0, measure="l")["clenhei"] == 90.0 - 0.7
    assert one(age=23.99, is_age_in_month=True, lenhei=90.0, measure="l")["clenhei"] == 90.0
    # Missing measure or age: no correction; upper case accepted.
    assert one(age=900, lenhei=90.0, measure=None)["clenhei"] == 90.0
    assert one(age=float("nan"), lenhei=90.0, measure="l")["clenhei"] == 90.0
    assert one(age=900, lenhei=90.0, measure="L")["clenhei"] == 90.0 - 0.7
    # zlen uses the corrected value.
    t = load_tables().len
    r = one(sex=2, age=400, lenhei=74.0, measure="h")
    i = 1827 + 400
    assert r["zlen"] == pytest.approx((74.7 / t.M[i] - 1) / t.S[i], abs=1e-12)


def test_nine_month_rule():
    # "h" under 9 months is discarded: no +0.7, c9mo_flag 1, cmeasure NA.
    r = one(age=8.99, is_age_in_month=True, lenhei=70.0, measure="h")
    assert (r["c9mo_flag"], r["cmeasure"], r["clenhei"]) == (1, None, 70.0)
    r = one(age=9, is_age_in_month=True, lenhei=70.0, measure="h")
    assert (r["c9mo_flag"], r["cmeasure"], r["clenhei"]) == (0, "h", 70.0 + 0.7)
    r = one(age=273.93, lenhei=70.0, measure="h")  # 8.9997 months
    assert r["c9mo_flag"] == 1 and r["clenhei"] == 70.0
    r = one(age=float("nan"), lenhei=70.0, measure="h")
    assert r["c9mo_flag"] == 0 and r["cmeasure"] == "h"


def test_restricted_tails_for_weight_but_not_length():
    t = load_tables()
    i = 500  # boy, 500 days
    L, M, S = t.wei.L[i], t.wei.M[i], t.wei.S[i]

    def sd(k):
        return M * (1 + L * S * k) ** (1 / L)

    heavy = 18.0
    assert lms_z(heavy, L, M, S) > 3
    r = one(sex=1, age=500, weight=heavy)
    assert r["zwei"] == pytest.approx(3 + (heavy - sd(3)) / (sd(3) - sd(2)), abs=1e-12)
    assert r["zwei"] != pytest.approx(lms_z(heavy, L, M, S), abs=0.01)
    light = 6.0
    assert lms_z(light, L, M, S) < -3
    r = one(sex=1, age=500, weight=light)
    assert r["zwei"] == pytest.approx(-3 + (light - sd(-3)) / (sd(-2) - sd(-3)), abs=1e-12)
    # Within +/-3 SD: the plain LMS value.
    assert one(sex=1, age=500, weight=10.0)["zwei"] == pytest.approx(lms_z(10.0, L, M, S), abs=1e-12)
    # Length-for-age: never restricted (plain LMS even at z = +8).
    tall = t.len.M[i] * (1 + 8 * t.len.S[i])
    assert one(sex=1, age=500, lenhei=tall)["zlen"] == pytest.approx(8.0, abs=1e-9)


def test_weight_for_length_interpolation_and_table_choice():
    t = load_tables()
    size = 751  # tenths 45.0 .. 120.0

    def row(sex, kind, tenth):
        i = ((sex - 1) * 2 + kind) * size + tenth - 450
        return t.wflh_L[i], t.wflh_M[i], t.wflh_S[i]

    # 87.35 cm lying, 400 days -> halfway between the 87.3 and 87.4 rows of wflanthro.
    lo, up = row(1, 0, 873), row(1, 0, 874)
    L, M, S = ((a + b) / 2 for a, b in zip(lo, up, strict=True))
    r = one(sex=1, age=400, weight=12.0, lenhei=87.35, measure="l")
    assert r["zwfl"] == pytest.approx(lms_z(12.0, L, M, S), abs=1e-6)
    # From 731 days the height table is used, even for a child measured lying (-0.7 cm).
    L, M, S = row(1, 1, 866)
    r = one(sex=1, age=800, weight=12.0, lenhei=87.3, measure="l")
    assert r["clenhei"] == pytest.approx(86.6)
    assert r["zwfl"] == pytest.approx(lms_z(12.0, L, M, S), abs=1e-6)
    # Table ends are inclusive; outside them zwfl is NA.
    assert not math.isnan(one(age=100, weight=3.0, lenhei=45.0, measure="l")["zwfl"])
    assert math.isnan(one(age=100, weight=3.0, lenhei=44.9, measure="l")["zwfl"])
    assert not math.isnan(one(age=100, weight=18.0, lenhei=110.0, measure="l")["zwfl"])
    assert math.isnan(one(age=100, weight=18.0, lenhei=110.05, measure="l")["zwfl"])
    assert math.isnan(one(age=1000, weight=7.0, lenhei=64.9, measure="h")["zwfl"])
    assert not math.isnan(one(age=1000, weight=7.0, lenhei=65.0, measure="h")["zwfl"])


def test_missing_age_still_gives_weight_for_length():
    nan = float("nan")
    r = one(age=nan, weight=9.1, lenhei=73.1, measure="l")
    assert math.isnan(r["zlen"]) and math.isnan(r["zwei"]) and math.isnan(r["zbmi"])
    assert r["zwfl"] == pytest.approx(-0.01, abs=0.005)
    # No measure either: length table below 87 cm, height table from 87 cm.
    t = load_tables()
    L, M, S = t.wflh_L[866 - 450], t.wflh_M[866 - 450], t.wflh_S[866 - 450]
    assert one(age=nan, weight=12.0, lenhei=86.6)["zwfl"] == pytest.approx(lms_z(12.0, L, M, S), abs=1e-9)
    i = 751 + 870 - 450
    L, M, S = t.wflh_L[i], t.wflh_M[i], t.wflh_S[i]
    assert one(age=nan, weight=12.0, lenhei=87.0)["zwfl"] == pytest.approx(lms_z(12.0, L, M, S), abs=1e-9)


def test_age_limits():
    assert not math.isnan(one(age=1826, weight=18.0)["zwei"])
    assert not math.isnan(one(age=1826.2, weight=18.0)["zwei"])
    assert math.isnan(one(age=1826.25, weight=18.0)["zwei"])  # exactly 60 months
    assert not math.isnan(one(age=59.99, is_age_in_month=True, weight=18.0)["zwei"])
    assert math.isnan(one(age=60, is_age_in_month=True, weight=18.0)["zwei"])
    assert math.isnan(one(age=1827, weight=18.0, lenhei=110.0, measure="h")["zwfl"])
    with pytest.raises(ValueError, match="negative"):
        compute_zscores([1, 1], [10, -1], [4, 4], [50, 50])


def test_weight_zero_and_missing_sex():
    r = one(sex=1, age=500, weight=0.0, lenhei=80.0, measure="l")
    assert math.isnan(r["zwei"]) and math.isnan(r["zbmi"])
    assert round_z(r["zwfl"]) == -15.42 and r["fwfl"] == 1
    r = one(sex=None, age=500, weight=10.0, lenhei=80.0, measure="l")
    assert all(math.isnan(r[z]) for z in Z_FIELDS)
    assert r["cbmi"] == pytest.approx(10.0 / 0.64)


def test_sex_codes():
    ref = one(sex=1, age=500, weight=10.0)["zwei"]
    for code in ("1", "m", "M", 1.0):
        assert one(sex=code, age=500, weight=10.0)["zwei"] == ref
    ref = one(sex=2, age=500, weight=10.0)["zwei"]
    for code in ("2", "f", "F"):
        assert one(sex=code, age=500, weight=10.0)["zwei"] == ref
    for code in ("3", "x", "", 0, None):
        assert math.isnan(one(sex=code, age=500, weight=10.0)["zwei"])


def test_round_z_follows_r():
    # R 4.x: round(x, 2) picks the nearer of the two 2-decimal candidates (as doubles).
    z = np.array([5.004, 5.006, 4.996, -6.004, -6.006, 0.125, 2.675, -0.001, 0.0, np.nan, np.inf])
    want = np.array([5.0, 5.01, 5.0, -6.0, -6.01, 0.12, 2.67, -0.0, 0.0, np.nan, np.inf])
    np.testing.assert_array_equal(round_z(z), want)
    assert math.copysign(1, round_z(-0.001)) == -1


def test_flags_are_on_rounded_values(grid, ours):
    # Rows whose raw z is just above the flag limit but rounds to it are not flagged.
    z = ours["zwei"]
    near = (z > 5) & (z < 5.005)
    assert near.any()
    assert (ours["fwei"][near] == 0).all()
    above = (z >= 5.005) & (z < 5.01)
    assert above.any() and (ours["fwei"][above] == 1).all()


def test_weight_for_age_flag_is_asymmetric():
    # fwei: z < -6 or z > 5 (the others are symmetric).
    t = load_tables().wei
    i = 500

    def weight_at(z):  # inverse of the restricted tails
        if z > 0:
            return t.sd3pos[i] + (z - 3) * t.sd23pos[i]
        return t.sd3neg[i] + (z + 3) * t.sd23neg[i]

    for z, flag in ((5.5, 1), (-5.5, 0), (-6.5, 1), (4.9, 0)):
        r = one(sex=1, age=500, weight=weight_at(z))
        assert r["zwei"] == pytest.approx(z, abs=1e-9)
        assert r["fwei"] == flag, z


def test_classify():
    z = {
        "zlen": np.array([-3.5, -2.5, -2.004, 0.0, np.nan, -6.5]),
        "zwei": np.array([-3.01, -2.01, -1.0, 0.0, np.nan, 0.0]),
        "zwfl": np.array([-3.5, -2.5, 2.5, 3.5, np.nan, 5.5]),
        "flen": np.array([0, 0, 0, 0, np.nan, 1.0]),
        "fwei": np.array([0, 0, 0, 0, np.nan, 0.0]),
        "fwfl": np.array([0, 0, 0, 0, np.nan, 1.0]),
    }
    c = classify(z)
    np.testing.assert_array_equal(c["stunting"], [1, 1, 0, 0, np.nan, np.nan])  # -2.004 -> -2.00
    np.testing.assert_array_equal(c["severe_stunting"], [1, 0, 0, 0, np.nan, np.nan])
    np.testing.assert_array_equal(c["underweight"], [1, 1, 0, 0, np.nan, 0])
    np.testing.assert_array_equal(c["severe_underweight"], [1, 0, 0, 0, np.nan, 0])
    np.testing.assert_array_equal(c["wasting"], [1, 1, 0, 0, np.nan, np.nan])
    np.testing.assert_array_equal(c["severe_wasting"], [1, 0, 0, 0, np.nan, np.nan])
    np.testing.assert_array_equal(c["overweight"], [0, 0, 1, 1, np.nan, np.nan])
    np.testing.assert_array_equal(c["obesity"], [0, 0, 0, 1, np.nan, np.nan])
    raw = classify(z, rounded=False, exclude_flagged=False)
    np.testing.assert_array_equal(raw["stunting"], [1, 1, 1, 0, np.nan, 1])
    np.testing.assert_array_equal(raw["obesity"], [0, 0, 0, 1, np.nan, 1])
    oed = classify(z, oedema=["n", "n", "n", "y", "y", "n"])
    np.testing.assert_array_equal(oed["severe_wasting"], [1, 0, 0, 1, 1, np.nan])
    np.testing.assert_array_equal(oed["obesity"], [0, 0, 0, 0, 0, np.nan])


def test_classify_on_computed_zscores(ours):
    c = classify(ours)
    assert set(c) >= {"stunting", "severe_stunting", "underweight", "wasting", "overweight", "obesity"}
    stunted = c["stunting"] == 1
    assert (round_z(ours["zlen"][stunted]) < -2).all()
    assert np.isnan(c["stunting"][ours["flen"] == 1]).all()


def test_inputs_from_pandas_scalars_and_empty():
    df = pd.DataFrame(
        {
            "sex": pd.Series([1, 2, None], dtype="Int64"),
            "age": pd.Series([500.0, None, 100.0], dtype="Float64"),
            "weight": [10.0, 11.0, 5.0],
            "lenhei": pd.Series([80.0, 85.0, None], dtype="Float64"),
            "measure": pd.Series(["l", None, "h"], dtype="string"),
            "oedema": pd.Series(["n", "y", pd.NA], dtype="string"),
        }
    )
    r = compute_zscores(df["sex"], df["age"], df["weight"], df["lenhei"], df["measure"], df["oedema"])
    scalar = compute_zscores(1, 500, 10.0, 80.0, "l", "n")
    for z in Z_FIELDS:
        assert r[z][0] == scalar[z][0]
        assert np.isnan(r[z][1:]).all()
    assert list(r["cmeasure"]) == ["l", None, None]  # "h" under 9 months dropped
    assert compute_zscores([], [], [], [])["zlen"].shape == (0,)
    with pytest.raises(ValueError, match="different lengths"):
        compute_zscores([1, 2], [1, 2, 3])
