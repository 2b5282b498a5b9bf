"""The target status engine: one rule, written once for a single case and once vectorised.

For one target component, one unit and one period, with the actual value A (the unit's value of the
component's indicator, disaggregated when the component has a qualifier such as "nông thôn"):

1. **Effective milestone** (operator `op`, value `M`):
   lt / le / eq / ge / gt → that operator and the stated value;
   maintain → `ge` when higher is better, `le` when lower is better (no direction: `le` for 0, else `ge`);
   reduce_by X → `le`, M = B × (1 − X/100) when the unit is "%" (relative to the baseline B), else B − X;
   increase_by X → `ge`, M = B × (1 + X/100) for "%", else B + X.
2. **No data**: no value for the unit and period → `no_data`.
3. **Achieved**: A satisfies `op M` → `achieved` (for `eq`, A is rounded to the decimals written in M).
   A small tolerance (1e-9 relative) absorbs floating-point noise.
4. **Milestone passed**: the period ends at or after the end of the milestone year and A does not
   satisfy it → `off_track`.
5. **Holding rule**: for `maintain`, for a milestone equal to the baseline, and whenever the
   baseline already satisfied the milestone, there is no path to walk: the value slipped. It is
   `at_risk` if the unit satisfied the milestone in its previous period (a first slip), else `off_track`.
6. **Straight path** from the baseline (B at time tB) to the milestone (M at the end of its year tM):
   expected value E(t) = B + (M − B)·(t − tB)/(tM − tB); progress ratio r = (A − B)/(E(t) − B), the share
   of the progress due by now that was made. r ≥ 1 → `on_track`; 0,5 ≤ r < 1 → `at_risk`; r < 0,5 (including
   moving the wrong way) → `off_track`. The 0,5 threshold follows the UN ESCAP SDG progress assessment,
   which also calls less than half the required pace insufficient.
7. **No path yet**: no baseline before this period (the first value a unit ever reported), or no
   milestone year → `at_risk`, with the reason said.

Baseline B: the component's stated baseline (value and year) for the plan's own unit; for every other
unit, and when none is stated, the unit's earliest value of the same period type. Period times: see
`periods` (end of period in decimal years; milestone year Y → Y + 1).

Projection: least squares line through the unit's values of the same period type up to this period,
evaluated at tM, when there are at least 3 values and the milestone is still ahead; otherwise none,
with the reason ("cần ít nhất 3 kỳ", "đã qua năm mốc"). The projection is shown beside the status and
does not change it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import models
from django.utils.translation import gettext_lazy as _

AT_RISK_RATIO = 0.5
MIN_PROJECTION_POINTS = 3
EPS = 1e-9


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("Đạt")
    ON_TRACK = "on_track", _("Đúng lộ trình")
    AT_RISK = "at_risk", _("Có nguy cơ không đạt")
    OFF_TRACK = "off_track", _("Chệch lộ trình")
    NO_DATA = "no_data", _("Chưa có số liệu")


STATUS_COLOURS = {
    Status.ACHIEVED: "#1b7837",
    Status.ON_TRACK: "#5aae61",
    Status.AT_RISK: "#e08214",
    Status.OFF_TRACK: "#c51b1b",
    Status.NO_DATA: "#9e9e9e",
}
STATUS_ORDER = [Status.ACHIEVED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_DATA]


class ShowsStatus:
    """The Vietnamese label and the colour of anything with a ``status`` (dashboard rows, rankings, computed values)."""

    status: str

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[Status(self.status)]


REASONS = {
    "no_data": "Chưa có số liệu của kỳ này.",
    "no_baseline_value": "Chỉ tiêu tăng/giảm theo tỷ lệ nhưng chưa có giá trị gốc.",
    "met": "Đã đạt mốc.",
    "missed": "Đã đến năm mốc mà chưa đạt.",
    "slipped": "Kỳ trước đạt, kỳ này chưa đạt mức phải duy trì.",
    "not_held": "Chưa đạt mức phải duy trì (kỳ trước cũng chưa đạt hoặc chưa có).",
    "ahead": "Tiến độ bằng hoặc nhanh hơn lộ trình từ giá trị gốc đến mốc.",
    "behind": "Chậm hơn lộ trình nhưng đã đi được ít nhất một nửa quãng đường phải đi.",
    "far_behind": "Đi được chưa đến một nửa quãng đường phải đi, hoặc đi ngược hướng.",
    "no_path": "Chưa đạt; chưa có giá trị gốc của kỳ trước để vẽ lộ trình.",
    "no_year": "Chưa đạt; chỉ tiêu không có năm mốc.",
}
PROJECTION_REASONS = {
    "ok": "Ngoại suy tuyến tính (bình phương tối thiểu) đến năm mốc.",
    "few_points": "Không dự báo: cần ít nhất 3 kỳ số liệu cùng loại kỳ.",
    "passed": "Không dự báo: đã đến năm mốc.",
    "no_year": "Không dự báo: chỉ tiêu không có năm mốc.",
    "no_target": "Không dự báo: chưa xác định được mức mốc.",
}

# Operators, as integer codes for the vectorised path.
LT, LE, EQ, GE, GT = 0, 1, 2, 3, 4
OPS = {"lt": LT, "le": LE, "eq": EQ, "ge": GE, "gt": GT}
OP_NAMES = {v: k for k, v in OPS.items()}
OP_SYMBOLS = {LT: "<", LE: "≤", EQ: "=", GE: "≥", GT: ">"}


def decimals_of(value) -> int:
    """Decimals written in a milestone value: Decimal("99.900000") → 1, 98 → 0."""
    if value is None:
        return 0
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return max(0, -d.normalize().as_tuple().exponent)


def effective_milestone(comparator: str, value, unit: str, direction: str | None, baseline: float | None):
    """The operator code and value a component asks for (None, None when it cannot be known yet)."""
    if value is None:
        return None, None
    v = float(value)
    if comparator in OPS:
        return OPS[comparator], v
    if comparator == "maintain":
        if direction == "lower" or (direction not in ("lower", "higher") and v == 0):
            return LE, v
        return GE, v
    if comparator in ("reduce_by", "increase_by"):
        if baseline is None or (isinstance(baseline, float) and math.isnan(baseline)):
            return None, None
        sign = -1 if comparator == "reduce_by" else 1
        m = baseline * (1 + sign * v / 100) if unit == "%" else baseline + sign * v
        return (LE if sign < 0 else GE), m
    raise ValueError(f"Unknown comparator {comparator!r}")


def meets(op: int, actual: float, target: float, decimals: int = 0) -> bool:
    """Whether an actual value satisfies `op target` (eq rounds the actual to the target's decimals)."""
    tol = EPS * max(1.0, abs(target))
    if op == LT:
        return actual < target - tol
    if op == LE:
        return actual <= target + tol
    if op == GE:
        return actual >= target - tol
    if op == GT:
        return actual > target + tol
    return abs(round(actual, decimals) - target) <= tol


def goal_sign(op: int, target: float, baseline: float | None) -> int:
    """+1 when the goal is to go up, −1 to go down, 0 when there is no way to go (eq at the baseline)."""
    if op in (GE, GT):
        return 1
    if op in (LE, LT):
        return -1
    if baseline is None or abs(target - baseline) <= EPS * max(1.0, abs(target)):
        return 0
    return 1 if target > baseline else -1


@dataclass(frozen=True)
class Assessment:
    """The status of one component × unit × period, with the numbers behind it."""

    status: str
    reason: str
    op: int | None = None
    target: float | None = None
    expected: float | None = None
    ratio: float | None = None

    @property
    def reason_text(self) -> str:
        return REASONS[self.reason]


def assess(
    comparator: str,
    value,
    unit: str,
    direction: str | None,
    milestone_t: float | None,
    actual: float | None,
    t: float,
    baseline: float | None = None,
    baseline_t: float | None = None,
    previous_met: bool | None = None,
    decimals: int | None = None,
) -> Assessment:
    """Status of one case by the rule in this module's docstring (the readable reference implementation)."""
    if actual is None or (isinstance(actual, float) and math.isnan(actual)):
        return Assessment(Status.NO_DATA, "no_data")
    op, m = effective_milestone(comparator, value, unit, direction, baseline)
    if op is None:
        return Assessment(Status.NO_DATA, "no_baseline_value")
    dec = decimals_of(value) if decimals is None else decimals
    if meets(op, actual, m, dec):
        return Assessment(Status.ACHIEVED, "met", op, m)
    if milestone_t is not None and t >= milestone_t - EPS:
        return Assessment(Status.OFF_TRACK, "missed", op, m)
    holding = comparator == "maintain" or (baseline is not None and meets(op, baseline, m, dec))
    if not holding and baseline is not None and goal_sign(EQ, m, baseline) == 0:
        holding = True  # milestone equal to the baseline: nothing to walk
    if not holding and goal_sign(op, m, baseline) == 0:
        holding = True
    if holding:
        if previous_met:
            return Assessment(Status.AT_RISK, "slipped", op, m)
        return Assessment(Status.OFF_TRACK, "not_held", op, m)
    if milestone_t is None:
        return Assessment(Status.AT_RISK, "no_year", op, m)
    if baseline is None or baseline_t is None or baseline_t >= t - EPS:
        return Assessment(Status.AT_RISK, "no_path", op, m)
    expected = baseline + (m - baseline) * (t - baseline_t) / (milestone_t - baseline_t)
    ratio = (actual - baseline) / (expected - baseline)
    if ratio >= 1 - EPS:
        return Assessment(Status.ON_TRACK, "ahead", op, m, expected, ratio)
    if ratio >= AT_RISK_RATIO:
        return Assessment(Status.AT_RISK, "behind", op, m, expected, ratio)
    return Assessment(Status.OFF_TRACK, "far_behind", op, m, expected, ratio)


@dataclass(frozen=True)
class Projection:
    """A least-squares projection to the milestone time, or the reason there is none."""

    value: float | None
    points: int
    reason: str
    meets: bool | None = None

    @property
    def reason_text(self) -> str:
        return PROJECTION_REASONS[self.reason]


def project(
    times, values, milestone_t: float | None, t_now: float, op: int | None = None, target: float | None = None
) -> Projection:
    """Least-squares line through (time, value) points, evaluated at the milestone (≥ 3 points)."""
    pts = [
        (float(x), float(y))
        for x, y in zip(times, values, strict=True)
        if y is not None and not math.isnan(float(y))
    ]
    if milestone_t is None:
        return Projection(None, len(pts), "no_year")
    if t_now >= milestone_t - EPS:
        return Projection(None, len(pts), "passed")
    if len(pts) < MIN_PROJECTION_POINTS:
        return Projection(None, len(pts), "few_points")
    n = len(pts)
    sx = sum(x for x, _ in pts)
    sy = sum(y for _, y in pts)
    mx, my = sx / n, sy / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    slope = sxy / sxx if sxx else 0.0
    value = my + slope * (milestone_t - mx)
    ok = meets(op, value, target) if op is not None and target is not None else None
    return Projection(value, n, "ok", ok)


# --------------------------------------------------------------------------------------------------
# Vectorised
# --------------------------------------------------------------------------------------------------

COMPONENT_COLUMNS = [
    "component_id",
    "indicator_id",
    "qualifier_key",
    "comparator",
    "value",
    "unit",
    "milestone_t",
    "direction",
    "baseline_value",
    "baseline_t",
    "plan_unit_id",
    "decimals",
]
OBSERVATION_COLUMNS = ["indicator_id", "qualifier_key", "unit_id", "period", "ptype", "t", "value"]


STATUS_CODES = [
    str(x) for x in (Status.NO_DATA, Status.ACHIEVED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
]
NO_DATA_C, ACHIEVED_C, ON_TRACK_C, AT_RISK_C, OFF_TRACK_C = range(5)
REASON_CODES = [
    "no_data",
    "no_baseline_value",
    "met",
    "missed",
    "slipped",
    "not_held",
    "no_year",
    "no_path",
    "ahead",
    "behind",
    "far_behind",
]
COMPARATOR_CODES = {
    "lt": 0,
    "le": 1,
    "eq": 2,
    "ge": 3,
    "gt": 4,
    "maintain": 5,
    "reduce_by": 6,
    "increase_by": 7,
}
DIRECTION_CODES = {"lower": -1, "higher": 1}


def _meets_vec(op, a, m, dec):
    """Vectorised `meets` (each operator computed on its own rows only)."""
    out = np.zeros(len(a), dtype=bool)
    with np.errstate(invalid="ignore"):
        for code in (LT, LE, EQ, GE, GT):
            rows = np.flatnonzero(op == code)
            if not len(rows):
                continue
            ar, mr = a[rows], m[rows]
            tol = EPS * np.maximum(1.0, np.abs(mr))
            if code == LT:
                out[rows] = ar < mr - tol
            elif code == LE:
                out[rows] = ar <= mr + tol
            elif code == GE:
                out[rows] = ar >= mr - tol
            elif code == GT:
                out[rows] = ar > mr + tol
            else:
                scale = np.power(10.0, dec[rows])
                out[rows] = np.abs(np.round(ar * scale) / scale - mr) <= tol
    return out


def _assess_core(comp, v, pct, direction, a, t, tm, b, tb, prev, dec):
    """The rule on NumPy arrays (comp: COMPARATOR_CODES, direction −1/0/1); returns op, target, expected, ratio, status, reason codes."""
    n = len(a)
    op = np.full(n, -1, dtype=np.int8)
    op[comp <= 4] = comp[comp <= 4]
    maintain = comp == 5
    op[maintain & ((direction == -1) | ((direction == 0) & (v == 0)))] = LE
    op[maintain & (op == -1)] = GE
    reduce_, increase = comp == 6, comp == 7
    op[reduce_] = LE
    op[increase] = GE
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(reduce_, np.where(pct, b * (1 - v / 100), b - v), v)
        m = np.where(increase, np.where(pct, b * (1 + v / 100), b + v), m)
    has_target = ~np.isnan(m) & (op >= 0)
    met = has_target & _meets_vec(op, a, m, dec)
    base_met = has_target & ~np.isnan(b) & _meets_vec(op, b, m, dec)
    same = ~np.isnan(b) & (np.abs(m - b) <= EPS * np.maximum(1.0, np.abs(m)))
    holding = maintain | base_met | same | ((op == EQ) & np.isnan(b))
    passed = ~np.isnan(tm) & (t >= tm - EPS)
    has_path = ~np.isnan(b) & ~np.isnan(tb) & (tb < t - EPS)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = b + (m - b) * (t - tb) / (tm - tb)
        ratio = (a - b) / (expected - b)
    no_a = np.isnan(a)
    conditions = [
        no_a,
        ~has_target,
        met,
        passed,
        holding & prev,
        holding,
        np.isnan(tm),
        ~has_path,
        ratio >= 1 - EPS,
        ratio >= AT_RISK_RATIO,
    ]
    status = np.select(
        conditions,
        [
            NO_DATA_C,
            NO_DATA_C,
            ACHIEVED_C,
            OFF_TRACK_C,
            AT_RISK_C,
            OFF_TRACK_C,
            AT_RISK_C,
            AT_RISK_C,
            ON_TRACK_C,
            AT_RISK_C,
        ],
        OFF_TRACK_C,
    ).astype(np.int8)
    reason = np.select(conditions, list(range(10)), 10).astype(np.int8)
    on_path = reason >= 8
    return (
        np.where(has_target, op, -1),
        np.where(has_target, m, np.nan),
        np.where(on_path, expected, np.nan),
        np.where(on_path, ratio, np.nan),
        status,
        reason,
        met,
    )


def assess_arrays(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised `assess` over a frame of cases (the columns of `assess`'s arguments); adds the results."""
    comp = frame["comparator"].map(COMPARATOR_CODES).to_numpy(dtype=np.int8)
    direction = frame["direction"].map(DIRECTION_CODES).fillna(0).to_numpy(dtype=np.int8)
    op, m, expected, ratio, status, reason, _ = _assess_core(
        comp,
        frame["value"].to_numpy(dtype=float),
        frame["unit"].to_numpy() == "%",
        direction,
        frame["actual"].to_numpy(dtype=float),
        frame["t"].to_numpy(dtype=float),
        frame["milestone_t"].to_numpy(dtype=float),
        frame["baseline"].to_numpy(dtype=float),
        frame["baseline_t"].to_numpy(dtype=float),
        frame["previous_met"].to_numpy(dtype=bool),
        frame["decimals"].to_numpy(dtype=float),
    )
    out = frame.copy()
    out["op"], out["target"], out["expected"], out["ratio"] = op, m, expected, ratio
    out["status"] = np.asarray(STATUS_CODES, dtype=object)[status]
    out["reason"] = np.asarray(REASON_CODES, dtype=object)[reason]
    return out


def compute(
    components: pd.DataFrame, observations: pd.DataFrame, with_projection: bool = True
) -> pd.DataFrame:
    """Status of every component × unit × period with a value (components: COMPONENT_COLUMNS [+ scale]; observations: OBSERVATION_COLUMNS)."""
    obs = observations[observations["value"].notna()]
    ptype_cat = pd.Categorical(obs["ptype"])
    ind = obs["indicator_id"].to_numpy(dtype=np.int64)
    comps = components.reset_index(drop=True)
    qual, cqual = _qualifier_codes(obs["qualifier_key"], comps["qualifier_key"])
    unit = obs["unit_id"].to_numpy(dtype=np.int64)
    pcode = ptype_cat.codes.astype(np.int64)
    tt = obs["t"].to_numpy(dtype=float)
    order = np.lexsort((tt, pcode, unit, qual, ind))
    ind, qual, unit, pcode, tt = ind[order], qual[order], unit[order], pcode[order], tt[order]
    val = obs["value"].to_numpy(dtype=float)[order]
    # rows of each (indicator, qualifier) block, for each component
    key = ind * 1_000_003 + qual
    ckey = comps["indicator_id"].to_numpy(dtype=np.int64) * 1_000_003 + cqual
    starts = np.searchsorted(key, ckey, side="left")
    ends = np.searchsorted(key, ckey, side="right")
    lengths = ends - starts
    ci = np.repeat(np.arange(len(comps)), lengths)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    ri = np.arange(len(ci)) + offsets  # row of obs for each output row
    if len(ri) == 0:
        return pd.DataFrame(
            columns=list(components.columns)
            + ["unit_id", "period", "ptype", "t", "actual", "status", "reason"]
        )
    c = {col: comps[col].to_numpy() for col in comps.columns}
    scale = c["scale"].astype(float)[ci] if "scale" in c else 1.0
    a = val[ri] * scale
    u, pc, t = unit[ri], pcode[ri], tt[ri]
    # groups: (component, unit, period type), contiguous by construction
    new_group = np.ones(len(ri), dtype=bool)
    new_group[1:] = (ci[1:] != ci[:-1]) | (u[1:] != u[:-1]) | (pc[1:] != pc[:-1])
    gstart = np.maximum.accumulate(np.where(new_group, np.arange(len(ri)), 0))
    stated = (
        ~pd.isna(c["baseline_value"]).astype(bool)[ci]
        & ~pd.isna(c["baseline_t"]).astype(bool)[ci]
        & (u == c["plan_unit_id"].astype(np.int64)[ci])
    )
    b = np.where(stated, c["baseline_value"].astype(float)[ci], a[gstart])
    tb = np.where(stated, c["baseline_t"].astype(float)[ci], t[gstart])
    comp_code = pd.Series(c["comparator"]).map(COMPARATOR_CODES).to_numpy(dtype=np.int8)[ci]
    direction = pd.Series(c["direction"]).map(DIRECTION_CODES).fillna(0).to_numpy(dtype=np.int8)[ci]
    v = c["value"].astype(float)[ci]
    pct = (c["unit"] == "%")[ci]
    tm = c["milestone_t"].astype(float)[ci]
    dec = c["decimals"].astype(float)[ci]
    args = (comp_code, v, pct, direction, a, t, tm, b, tb)
    prev = np.zeros(len(ri), dtype=bool)
    op, m, expected, ratio, status, reason, met = _assess_core(*args, prev, dec)
    prev[1:] = met[:-1] & ~new_group[1:]
    redo = prev & (reason == REASON_CODES.index("not_held"))
    if redo.any():
        r = _assess_core(*(x[redo] for x in args), prev[redo], dec[redo])
        status[redo], reason[redo] = r[4], r[5]
    out = {
        col: c[col][ci] for col in ("component_id", "target_id", "milestone_t") if col in c
    }  # the rest stays in `components`
    out.update(
        unit_id=u,
        actual=a,
        baseline=b,
        baseline_t=tb,
        previous_met=prev,
        op=op,
        target=m,
        expected=expected,
        ratio=ratio,
    )
    src = order[ri]  # row of `obs` for each output row
    for col in obs.columns:
        if col in ("indicator_id", "qualifier_key", "unit_id", "value", "t", "ptype"):
            continue
        series = obs[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[col] = pd.Categorical.from_codes(
                series.cat.codes.to_numpy()[src], categories=series.cat.categories
            )
        else:
            out[col] = series.to_numpy()[src]
    out["indicator_id"], out["qualifier_key"] = (
        obs["indicator_id"].to_numpy()[src],
        obs["qualifier_key"].to_numpy()[src],
    )
    out["t"] = t
    out["ptype"] = pd.Categorical.from_codes(pc, categories=ptype_cat.categories)
    out["status"] = pd.Categorical.from_codes(status, categories=STATUS_CODES)
    out["reason"] = pd.Categorical.from_codes(reason, categories=REASON_CODES)
    df = pd.DataFrame(out, copy=False)  # every array is new: no copy, no consolidation
    if with_projection:
        _add_projection(df, t, a, m, op, tm, dec, new_group)
    return df


def _qualifier_codes(obs_keys: pd.Series, comp_keys: pd.Series):
    """Integer codes for the qualifier keys of observations and components (combo ids, or any labels)."""
    if pd.api.types.is_integer_dtype(obs_keys) and pd.api.types.is_integer_dtype(comp_keys):
        return obs_keys.to_numpy(dtype=np.int64), comp_keys.to_numpy(dtype=np.int64)
    codes, _ = pd.factorize(pd.concat([comp_keys.astype(str), obs_keys.astype(str)], ignore_index=True))
    return codes[len(comp_keys) :].astype(np.int64), codes[: len(comp_keys)].astype(np.int64)


def _add_projection(df: pd.DataFrame, t, a, target, op, tm, dec, new_group) -> None:
    """Least-squares projection to the milestone per row, from the group's values up to that row (running sums)."""
    x = t - 2000.0
    idx = np.arange(len(x))
    gstart = np.maximum.accumulate(np.where(new_group, idx, 0))
    position = idx - gstart  # 0 for a group's first row
    n = (position + 1).astype(float)

    # sums over the group's rows up to each row, one lag at a time (groups hold a few periods): a running sum over
    # the whole array would carry the rounding of every earlier group into this one
    terms = (x, a, x * x, x * a)
    sx, sy, sxx, sxy = (arr.copy() for arr in terms)
    for lag in range(1, int(position.max(initial=0)) + 1):
        rows = np.flatnonzero(position >= lag)
        for total, arr in zip((sx, sy, sxx, sxy), terms, strict=True):
            total[rows] += arr[rows - lag]
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = n * sxx - sx * sx
        slope = np.where(np.abs(denom) > 1e-12, (n * sxy - sx * sy) / denom, 0.0)
        intercept = (sy - slope * sx) / n
    proj = intercept + slope * (tm - 2000.0)
    passed = ~np.isnan(tm) & (t >= tm - EPS)
    names = list(PROJECTION_REASONS)  # ok, few_points, passed, no_year, no_target
    reason = np.select(
        [np.isnan(tm), passed, n < MIN_PROJECTION_POINTS, np.isnan(target)],
        [names.index("no_year"), names.index("passed"), names.index("few_points"), names.index("no_target")],
        names.index("ok"),
    ).astype(np.int8)
    ok = reason == names.index("ok")
    df["projection"] = np.where(ok, proj, np.nan)
    df["projection_points"] = n.astype(int)
    df["projection_reason"] = pd.Categorical.from_codes(reason, categories=names)
    pm = _meets_vec(op, np.where(ok, proj, np.nan), target, dec)
    df["projection_meets"] = pd.arrays.BooleanArray(np.where(ok, pm, False), ~ok)
