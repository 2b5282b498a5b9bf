"""Monitoring services: actual values from reporting's aggregation, target status for plans and units,
comparisons between units, parent-plan comparison, agency views, completeness.

Actual values come from `treem.reporting.aggregation` (SQL GROUP BY over the closure table at query
time), so a value submitted a second ago is in every level's status on the next request. Approved values
count; submitted values count too, marked provisional ("tạm tính"): a row is provisional when the sum
with submitted values differs from the sum of approved values alone.

A plan whose unit was abolished (Văn Quan district, 1/7/2025) is measured, for the periods after the
reform, on its area: the successor communes taken together (reporting's `area_communes`/`area_totals`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db.models import Prefetch

from treem.core.text import fold, format_vn_number
from treem.geo.models import AdministrativeUnit, Level, UnitClosure
from treem.indicators.models import MULTIPLIER, CategoryOptionCombo, Indicator
from treem.plans.models import AssignmentRole, PlanDocument, Target, TargetComponent

from . import computed
from . import status as st
from .periods import milestone_time, parse_period, sort_key

APPROVED = ("approved",)
SUBMITTED_AND_APPROVED = ("submitted", "approved")
RATE_UNITS = {"%", "‰", "per_1000_live_births", "per_100000_children"}
UNIT_SUFFIX = {
    "%": "%",
    "‰": "‰",
    "per_1000_live_births": "‰",
    "per_100000_children": "/100.000",
    "count": "",
}
STATUS_RANK = {"off_track": 0, "at_risk": 1, "no_data": 2, "on_track": 3, "achieved": 4}


# --------------------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------------------


def qualifier_combos() -> tuple[int | None, dict[str, int]]:
    """(total combo id, {folded option name: combo id}) for single-option combos ("nong thon" → area.RURAL)."""
    total, by_name = None, {}
    for combo in CategoryOptionCombo.objects.prefetch_related("options"):
        opts = list(combo.options.all())
        if combo.category_id is None:
            total = combo.pk
        elif len(opts) == 1:
            by_name[fold(opts[0].name_vi)] = combo.pk
    return total, by_name


def combo_for(qualifier: str, total: int | None, by_name: dict[str, int]) -> tuple[int | None, bool]:
    """The combo a component's qualifier is measured in, and whether the qualifier was recognised."""
    q = fold(qualifier or "")
    if not q:
        return total, True
    if q in by_name:
        return by_name[q], True
    for name, combo in sorted(by_name.items(), key=lambda kv: -len(kv[0])):
        if name and name in q:
            return combo, True
    return total, False


def scale_of(component: TargetComponent) -> float:
    """Factor from the indicator's unit to the unit the plan states (a rate in ‰ where the indicator is in %)."""
    ind = component.indicator
    if ind is None or component.comparator in ("reduce_by", "increase_by") and component.unit == "%":
        return 1.0
    if component.unit in RATE_UNITS and ind.unit in RATE_UNITS and ind.denominator_id:
        return MULTIPLIER[component.unit] / float(ind.multiplier or 1)
    return 1.0


def components_frame(components: Iterable[TargetComponent]) -> pd.DataFrame:
    """The status engine's component table (st.COMPONENT_COLUMNS + scale, target_id, recognised qualifier)."""
    total, by_name = qualifier_combos()
    rows = []
    for c in components:
        if c.indicator_id is None:
            continue
        plan = c.target.plan
        year = c.year or plan.period_end
        combo, recognised = combo_for(c.qualifier, total, by_name)
        rows.append(
            dict(
                component_id=c.pk,
                target_id=c.target_id,
                indicator_id=c.indicator_id,
                qualifier_key=combo or 0,
                comparator=c.comparator,
                value=float(c.value) if c.value is not None else np.nan,
                unit=c.unit,
                milestone_t=milestone_time(year) if year else np.nan,
                direction=c.indicator.direction,
                baseline_value=float(c.baseline_value) if c.baseline_value is not None else np.nan,
                baseline_t=milestone_time(c.baseline_year) if c.baseline_year else np.nan,
                plan_unit_id=plan.issuing_unit_id,
                decimals=st.decimals_of(c.value),
                scale=scale_of(c),
                qualifier_recognised=recognised,
            )
        )
    columns = st.COMPONENT_COLUMNS + ["target_id", "scale", "qualifier_recognised"]
    return pd.DataFrame(rows, columns=columns)


def plan_components(plan: PlanDocument) -> list[TargetComponent]:
    """A plan's components in plan order, with what the dashboard shows."""
    return list(
        TargetComponent.objects.filter(target__plan=plan)
        .select_related("indicator", "target__plan__issuing_unit")
        .order_by("target__order", "order")
    )


# --------------------------------------------------------------------------------------------------
# Observations (actual values)
# --------------------------------------------------------------------------------------------------


def _period_codes(period_ids: Iterable[int]) -> dict[int, str]:
    from treem.reporting.models import Period

    return dict(Period.objects.filter(pk__in=set(period_ids)).values_list("pk", "code"))


def _rows_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [(r.unit_id, r.period_id, r.data_element_id, r.combo_id, float(r.value)) for r in rows],
        columns=["unit_id", "period_id", "de", "combo", "x"],
    )


def indicator_frame(indicators: list[Indicator], sums: pd.DataFrame) -> pd.DataFrame:
    """Indicator values from summed counts (numerator × multiplier / denominator, never averaged), vectorised."""
    if sums.empty or not indicators:
        return pd.DataFrame(
            columns=["indicator_id", "unit_id", "period_id", "combo", "numerator", "denominator", "value"]
        )
    meta = pd.DataFrame(
        [(i.pk, i.numerator_id, i.denominator_id or -1, float(i.multiplier or 1)) for i in indicators],
        columns=["indicator_id", "num_de", "den_de", "mult"],
    )
    num = meta.merge(sums, left_on="num_de", right_on="de").rename(columns={"x": "numerator"})
    den = sums.rename(columns={"de": "den_de", "x": "denominator"})
    out = num.merge(den, on=["den_de", "unit_id", "period_id", "combo"], how="left")
    has_den = out["den_de"] >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = out["numerator"] * out["mult"] / out["denominator"]
    out["value"] = np.where(has_den, np.where(out["denominator"] > 0, rate, np.nan), out["numerator"])
    out.loc[~has_den, "denominator"] = np.nan
    return out[["indicator_id", "unit_id", "period_id", "combo", "numerator", "denominator", "value"]]


def carries_predecessors(unit: AdministrativeUnit) -> bool:
    """Whether values of abolished units count under this unit (old communes merged into it or into units below it)."""
    from treem.geo.models import Generation, UnitSuccession
    from treem.reporting.models import DataValue

    if unit.generation != Generation.Y2025:
        return False
    # explicit id lists: the value table is only ever reached through its (unit, period) index
    under = list(UnitClosure.objects.filter(ancestor=unit).values_list("descendant_id", flat=True))
    old = list(UnitSuccession.objects.filter(successor_id__in=under).values_list("predecessor_id", flat=True))
    if not old:
        return False
    old_under = list(UnitClosure.objects.filter(ancestor_id__in=old).values_list("descendant_id", flat=True))
    from django.db import connection

    with connection.cursor() as cur:  # one index probe per unit (a plain IN lets PostgreSQL pick a full scan)
        cur.execute(
            f"SELECT 1 FROM {AdministrativeUnit._meta.db_table} a WHERE a.id IN ({', '.join(['%s'] * len(old_under))}) "
            f"AND EXISTS (SELECT 1 FROM {DataValue._meta.db_table} v WHERE v.unit_id = a.id) LIMIT 1",
            old_under,
        )
        return cur.fetchone() is not None


def observations_for(
    indicators: list[Indicator],
    units: list[AdministrativeUnit],
    root: AdministrativeUnit | None = None,
    include_submitted: bool = True,
) -> pd.DataFrame:
    """Actual values for some units: read through `root`'s subtree when they are all under it, else reporting's service."""
    ids = [u.pk for u in units]
    if root is not None and not carries_predecessors(root):
        under = set(UnitClosure.objects.filter(ancestor=root).values_list("descendant_id", flat=True))
        if set(ids) <= under:
            out = bulk_observations(indicators, include_submitted, root_id=root.pk)
            return out[out["unit_id"].isin(ids)].reset_index(drop=True)
    return observations(indicators, units=ids, include_submitted=include_submitted)


def observations(
    indicators: list[Indicator],
    units=None,
    periods=None,
    *,
    level=None,
    generation=None,
    include_submitted: bool = True,
) -> pd.DataFrame:
    """Actual indicator values for units × periods × combos: st.OBSERVATION_COLUMNS + numerator, denominator, provisional."""
    from treem.reporting import aggregation

    elements = {i.numerator_id for i in indicators} | {
        i.denominator_id for i in indicators if i.denominator_id
    }
    if not elements:
        return _empty_obs()
    kw = dict(level=level, generation=generation)
    approved = indicator_frame(
        indicators, _rows_frame(aggregation.aggregate(elements, periods, units, statuses=APPROVED, **kw))
    )
    if include_submitted:
        both = indicator_frame(
            indicators,
            _rows_frame(
                aggregation.aggregate(elements, periods, units, statuses=SUBMITTED_AND_APPROVED, **kw)
            ),
        )
    else:
        both = approved
    return _finish_obs(approved, both)


def component_combos(frame: pd.DataFrame) -> dict[int, list[int]]:
    """{indicator id: the disaggregations its components are measured in}, from `components_frame`."""
    return {
        int(i): sorted({int(k) for k in keys}) for i, keys in frame.groupby("indicator_id")["qualifier_key"]
    }


def bulk_observations(
    indicators: list[Indicator],
    include_submitted: bool = True,
    root_id: int | None = None,
    combos: dict[int, list[int]] | None = None,
) -> pd.DataFrame:
    """Actual values of indicators at every unit (or every unit under `root_id`) of every level at once, vectorised."""
    # Reads the stored values once (a row per value) into dense NumPy cubes (unit × period × (element,
    # disaggregation) pair), sums them level by level up the parent links (one reduceat per level) and divides
    # numerator by denominator cubes.
    # Values count under the units of the generation they were reported in; carrying abolished communes' values
    # to their successors is done by the per-page path (reporting's aggregation service), not here.
    # `combos` ({indicator id: combo ids}, see `component_combos`): read only those disaggregations (default: all).
    from treem.reporting.models import Period

    cells: dict[int | None, set[int]] = defaultdict(set)  # {combo (None: every one): elements}
    for ind in indicators:
        for k in (None,) if combos is None else combos.get(ind.pk, ()):
            cells[k].update(e for e in (ind.numerator_id, ind.denominator_id) if e)
    statuses = list(SUBMITTED_AND_APPROVED if include_submitted else APPROVED)
    read = _read_values(cells, statuses, root_id) if cells else None
    if read is None:
        return _empty_obs()
    leaf_units, ui = _dense(read[0])
    periods, pi = _dense(read[1])
    n_combos = int(read[3].max()) + 1
    cells_read, ci = _dense(read[2] * n_combos + read[3])  # the (element, disaggregation) pairs read
    combos_read = np.unique(cells_read % n_combos)
    appr, x = read[4], read[5]
    # every unit above the reported ones, with its parent, deepest level first
    links = pd.DataFrame.from_records(
        list(
            UnitClosure.objects.filter(descendant_id__in=leaf_units.tolist()).values_list(
                "ancestor_id", "descendant_id", "depth"
            )
        ),
        columns=["ancestor", "descendant", "depth"],
    )
    units = np.unique(links["ancestor"].to_numpy())
    parent_links = UnitClosure.objects.filter(descendant_id__in=units.tolist(), depth=1).values_list(
        "descendant_id", "ancestor_id"
    )
    parent = dict(parent_links)
    height = links.groupby("ancestor")["depth"].max()  # 0 for the reported units, 1 for their parents…
    # channels (sum, count, approved sum, approved count) × unit × period × pair; one more pair, always 0, for those not read
    shape = (len(units), len(periods), len(cells_read) + 1)
    flat = np.ravel_multi_index((np.searchsorted(units, leaf_units)[ui], pi, ci), shape)
    size = int(np.prod(shape))
    up = np.stack(
        [
            np.bincount(flat, weights=weights, minlength=size).reshape(shape)
            for weights in (x, None, x * appr, appr.astype(float))
        ]
    )
    for h in sorted(height.unique()):
        children = np.array(
            [u for u in height.index[height == h] if parent.get(u) in height.index], dtype=np.int64
        )
        if not len(children):
            continue
        parents = np.array([parent[u] for u in children], dtype=np.int64)
        order = np.argsort(parents, kind="stable")
        children, parents = children[order], parents[order]
        targets, first = np.unique(parents, return_index=True)
        up[:, np.searchsorted(units, targets)] += np.add.reduceat(
            up[:, np.searchsorted(units, children)], first, axis=1
        )
    ancestors = units
    codes = dict(Period.objects.filter(pk__in=periods.tolist()).values_list("pk", "code"))
    parsed = [parse_period(codes[p]) for p in periods]
    cell_index = {int(c): i for i, c in enumerate(cells_read)}

    def pairs(element: int) -> list[int]:
        return [cell_index.get(element * n_combos + int(k), len(cells_read)) for k in combos_read]

    cols: dict[str, list] = defaultdict(list)
    for ind in indicators:
        num_pairs = pairs(ind.numerator_id)
        if all(c == len(cells_read) for c in num_pairs):
            continue
        num = up[:, :, :, num_pairs]  # channel × unit × period × disaggregation
        present = num[1] > 0
        if ind.denominator_id:
            den = up[:, :, :, pairs(ind.denominator_id)]
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.where((den[1] > 0) & (den[0] > 0), num[0] * float(ind.multiplier) / den[0], np.nan)
                approved = np.where(
                    (num[3] > 0) & (den[3] > 0) & (den[2] > 0),
                    num[2] * float(ind.multiplier) / den[2],
                    np.nan,
                )
            denominator = np.where(den[1] > 0, den[0], np.nan)
        else:
            value = num[0]
            approved = np.where(num[3] > 0, num[2], np.nan)
            denominator = np.full(value.shape, np.nan)
        a, p, k = np.nonzero(present)
        v = value[a, p, k]
        cols["indicator_id"].append(np.full(len(a), ind.pk, dtype=np.int64))
        cols["qualifier_key"].append(combos_read[k])
        cols["unit_id"].append(ancestors[a])
        cols["period_idx"].append(p)
        cols["value"].append(v)
        cols["numerator"].append(num[0][a, p, k])
        cols["denominator"].append(denominator[a, p, k])
        cols["provisional"].append(
            ~np.isclose(np.nan_to_num(v, nan=-1e18), np.nan_to_num(approved[a, p, k], nan=-1e18))
        )
    if not cols:
        return _empty_obs()
    pidx = np.concatenate(cols.pop("period_idx"))
    ptypes = sorted({p.type for p in parsed})
    out = {k: np.concatenate(v) for k, v in cols.items()}
    out["period"] = pd.Categorical.from_codes(pidx, categories=[p.id for p in parsed])
    out["ptype"] = pd.Categorical.from_codes(
        np.asarray([ptypes.index(p.type) for p in parsed])[pidx], categories=ptypes
    )
    out["t"] = np.asarray([p.time for p in parsed])[pidx]
    out = pd.DataFrame(out)
    return out[st.OBSERVATION_COLUMNS + ["numerator", "denominator", "provisional"]]


def _dense(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct ids, the position of each id among them): np.unique(…, return_inverse=True) in linear time."""
    top = int(ids.max()) if len(ids) else 0
    if top > 8 * len(ids) + 1_000_000:
        return np.unique(ids, return_inverse=True)
    seen = np.zeros(top + 1, dtype=bool)
    seen[ids] = True
    return np.flatnonzero(seen), (np.cumsum(seen) - 1)[ids]


def _read_values(cells: dict[int | None, set[int]], statuses: list[str], root_id: int | None) -> tuple | None:
    """The stored values of some (combo, elements) cells as arrays: unit, period, element, combo, approved?, value."""
    from django.db import connection
    from django.db.models import Max

    from treem.indicators.models import DataElement
    from treem.reporting.models import DataValue, Period

    terms, params = [], []
    for combo, elements in sorted(cells.items(), key=lambda kv: kv[0] or 0):
        listed = f"v.data_element_id IN ({', '.join(['%s'] * len(elements))})"
        terms.append(listed if combo is None else f"(v.combo_id = %s AND {listed})")
        params += ([] if combo is None else [combo]) + sorted(elements)
    source = f"{DataValue._meta.db_table} v"
    if root_id is None and connection.vendor == "sqlite":
        source += (
            " NOT INDEXED"  # most of the table: one pass over it beats a lookup per value through an index
        )
    where = f"({' OR '.join(terms)}) AND v.status IN ({', '.join(['%s'] * len(statuses))})"
    params += statuses
    if root_id is not None:
        # driven from the closure (CROSS JOIN keeps SQLite from scanning the whole value table first)
        source = f"{UnitClosure._meta.db_table} c CROSS JOIN {source}"
        where = f"c.ancestor_id = %s AND v.unit_id = c.descendant_id AND {where}"
        params = [root_id] + params
    maxima = [
        m.objects.aggregate(x=Max("id"))["x"] or 1
        for m in (AdministrativeUnit, Period, DataElement, CategoryOptionCombo)
    ]
    bits = [int(m).bit_length() for m in maxima]
    approved = "CASE WHEN v.status = 'approved' THEN 1 ELSE 0 END"
    value = (
        "CAST(v.value AS DOUBLE PRECISION)" if connection.vendor == "postgresql" else "v.value"
    )  # not a Decimal per row
    if sum(bits) + 1 <= 52:  # one integer per value (exact in float64): half the width of a row to fetch
        key = (
            f"((((v.unit_id * {2 ** bits[1]} + v.period_id) * {2 ** bits[2]} + v.data_element_id) * {2 ** bits[3]} "
            f"+ v.combo_id) * 2 + {approved})"
        )
        arr = _fetch_numbers(f"SELECT {key}, {value} FROM {source} WHERE {where}", params, 2)
        if arr is None:
            return None
        k = arr[:, 0].astype(np.int64)
        sb, sd, sp = 1 + bits[3], 1 + bits[3] + bits[2], 1 + bits[3] + bits[2] + bits[1]
        return (
            k >> sp,
            (k >> sd) & (2 ** bits[1] - 1),
            (k >> sb) & (2 ** bits[2] - 1),
            (k >> 1) & (2 ** bits[3] - 1),
            (k & 1) > 0,
            arr[:, 1],
        )
    arr = _fetch_numbers(
        f"SELECT v.unit_id, v.period_id, v.data_element_id, v.combo_id, {approved}, {value} "
        f"FROM {source} WHERE {where}",
        params,
        6,
    )
    if arr is None:
        return None
    return tuple(arr[:, i].astype(np.int64) for i in range(4)) + (arr[:, 4] > 0, arr[:, 5])


def _fetch_numbers(sql: str, params: list, width: int) -> np.ndarray | None:
    """The rows of a query of numbers as a float64 array (rows × width); None when there are none."""
    import itertools

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if not rows:
        return None
    return np.fromiter(
        itertools.chain.from_iterable(rows), dtype=np.float64, count=width * len(rows)
    ).reshape(-1, width)


def area_observations(
    indicators: list[Indicator], area_units, periods=None, unit_id: int = 0, include_submitted: bool = True
) -> pd.DataFrame:
    """Actual values over a set of units taken together (a plan's area), reported under `unit_id`."""
    from treem.reporting import aggregation

    elements = {i.numerator_id for i in indicators} | {
        i.denominator_id for i in indicators if i.denominator_id
    }
    if not elements or not area_units:
        return _empty_obs()
    approved = indicator_frame(
        indicators, _rows_frame(aggregation.area_totals(elements, periods, area_units, statuses=APPROVED))
    )
    both = (
        indicator_frame(
            indicators,
            _rows_frame(
                aggregation.area_totals(elements, periods, area_units, statuses=SUBMITTED_AND_APPROVED)
            ),
        )
        if include_submitted
        else approved
    )
    out = _finish_obs(approved, both)
    out["unit_id"] = unit_id
    return out


def _empty_obs() -> pd.DataFrame:
    return pd.DataFrame(columns=st.OBSERVATION_COLUMNS + ["numerator", "denominator", "provisional"])


def _finish_obs(approved: pd.DataFrame, both: pd.DataFrame) -> pd.DataFrame:
    if both.empty:
        return _empty_obs()
    keys = ["indicator_id", "unit_id", "period_id", "combo"]
    merged = both.merge(
        approved[keys + ["value"]].rename(columns={"value": "approved_value"}), on=keys, how="left"
    )
    merged["value"] = merged["value"].astype(float)
    approved_value = merged["approved_value"].astype(float)
    merged["provisional"] = ~np.isclose(merged["value"].fillna(-1e18), approved_value.fillna(-1e18))
    codes = _period_codes(merged["period_id"].unique())
    merged["period"] = merged["period_id"].map(codes)
    merged = merged[merged["period"].notna()]
    parsed = {c: parse_period(c) for c in merged["period"].unique()}
    merged["ptype"] = merged["period"].map({c: p.type for c, p in parsed.items()})
    merged["t"] = merged["period"].map({c: p.time for c, p in parsed.items()}).astype(float)
    merged = merged.rename(columns={"combo": "qualifier_key"})
    return merged[st.OBSERVATION_COLUMNS + ["numerator", "denominator", "provisional"]].reset_index(drop=True)


def evaluate(components: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Status rows for components × observed units × periods, actuals scaled to the unit each plan states."""
    if components.empty or obs.empty:
        return pd.DataFrame(
            columns=list(components.columns)
            + ["unit_id", "period", "ptype", "t", "actual", "status", "reason"]
        )
    out = st.compute(components, obs)  # obs columns (numerator, denominator, provisional) carried along
    if "target_id" not in out:
        target_of = dict(zip(components["component_id"], components["target_id"], strict=True))
        out["target_id"] = out["component_id"].map(target_of)
    return out


# --------------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------------


def plan_indicators(components: list[TargetComponent]) -> list[Indicator]:
    seen = {}
    for c in components:
        if c.indicator_id and c.indicator_id not in seen:
            seen[c.indicator_id] = c.indicator
    return list(seen.values())


def plan_area_observations(
    plan: PlanDocument, indicators: list[Indicator], include_submitted: bool = True
) -> pd.DataFrame:
    """The plan's own area, per period: its unit while in force, then the successor communes together."""
    unit = plan.issuing_unit
    own = observations_for(indicators, [unit], unit, include_submitted)
    if unit.valid_to is None:
        return own
    from treem.reporting.rounds import area_communes

    successors, _ = area_communes(plan, unit.valid_to)
    later = area_observations(indicators, successors, unit_id=unit.pk, include_submitted=include_submitted)
    if later.empty:
        return own
    ends = {code: parse_period(code).end for code in set(own["period"]) | set(later["period"])}
    own = own[own["period"].map(lambda c: unit.valid_at(ends[c]))]
    later = later[later["period"].map(lambda c: not unit.valid_at(ends[c]))]
    return pd.concat([own, later], ignore_index=True)


def area_note(plan: PlanDocument) -> str:
    """What TreEm measures for a plan whose unit no longer exists, in plain Vietnamese ("" otherwise)."""
    unit = plan.issuing_unit
    if unit.valid_to is None:
        return ""
    from treem.reporting.rounds import area_communes

    successors, _ = area_communes(plan, unit.valid_to)
    names = ", ".join(u.name for u in successors[:12]) + ("…" if len(successors) > 12 else "")
    lower = unit.full_name[:1].lower() + unit.full_name[1:]
    return (
        f"{unit.full_name} không còn từ {unit.valid_to:%d/%m/%Y}. Số liệu các kỳ trước ngày đó là của {lower}; "
        f"các kỳ sau là tổng của {len(successors)} xã kế thừa ({names})."
    )


@dataclass
class ComponentView(st.ShowsStatus):
    """One component on a dashboard: the milestone, the actual, the status and the trend."""

    component: TargetComponent
    status: str = st.Status.NO_DATA
    reason: str = "no_data"
    actual: float | None = None
    provisional: bool = False
    target_value: float | None = None
    expected: float | None = None
    projection: float | None = None
    projection_reason: str = "few_points"
    projection_meets: bool | None = None
    series: list[tuple[str, float]] = field(default_factory=list)
    current: bool = True
    computed: list = field(
        default_factory=list
    )  # computed.ComputedValue: the value from the registry or the cases

    @property
    def reason_text(self) -> str:
        return st.REASONS.get(self.reason, "")

    @property
    def projection_text(self) -> str:
        if self.projection is None:
            return st.PROJECTION_REASONS.get(self.projection_reason, "")
        verdict = "đạt mốc" if self.projection_meets else "chưa đạt mốc"
        return f"Dự báo đến {self.component.year or ''}: {fmt_value(self.projection, self.component.unit)} ({verdict})"

    @property
    def actual_text(self) -> str:
        return fmt_value(self.actual, self.component.unit)


@dataclass
class TargetView(st.ShowsStatus):
    """A target with its components and the lead agencies."""

    target: Target
    components: list[ComponentView]
    leads: list[str]

    @property
    def status(self) -> str:
        current = [c for c in self.components if c.current] or self.components
        if not current:
            return st.Status.NO_DATA
        return min((c.status for c in current), key=lambda s: STATUS_RANK[s])


def short_milestone(c: TargetComponent) -> str:
    """'< 9,5‰ (2025)': the milestone in a table cell (the qualifier and long unit names are shown elsewhere)."""
    from treem.plans.models import COMPARATOR_SYMBOL

    value = format_vn_number(c.value) if c.value is not None else "—"
    suffix = (
        "%" if c.comparator in ("reduce_by", "increase_by") and c.unit == "%" else UNIT_SUFFIX.get(c.unit, "")
    )
    text = f"{COMPARATOR_SYMBOL[c.comparator]} {value}{suffix}"
    return f"{text} ({c.year})" if c.year else text


def fmt_value(value, unit: str) -> str:
    """A value in Vietnamese notation with the unit's suffix ("9,45‰", "98,2%"); "—" for none."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    decimals = 0 if unit == "count" else (1 if abs(value) >= 10 else 2)
    text = format_vn_number(round(float(value), decimals))
    return f"{text}{UNIT_SUFFIX.get(unit, '')}"


def latest_period(frame: pd.DataFrame, ptype: str | None = None) -> str | None:
    """The most recent period in a status or observation frame (yearly before six-monthly at the same end)."""
    if frame.empty:
        return None
    periods = frame["period"].dropna().unique()
    if ptype:
        periods = [p for p in periods if parse_period(p).type == ptype]
    return max(periods, key=sort_key) if len(periods) else None


def leads_by_target(plan: PlanDocument) -> dict[int, list[str]]:
    """{target id: [lead agency names]} from the plan's assignments."""
    out: dict[int, list[str]] = defaultdict(list)
    for a in plan.assignments.filter(role=AssignmentRole.LEAD).prefetch_related("targets"):
        for t in a.targets.all():
            name = a.agency.name if a.agency_id else a.agency_name
            if name not in out[t.pk]:
                out[t.pk].append(name)
    return out


@dataclass
class PlanDashboard:
    """Everything the plan dashboard and the consolidated report show for one plan, unit and period."""

    plan: PlanDocument
    unit: AdministrativeUnit
    period: str | None
    periods: list[str]
    targets: list[TargetView]
    note: str = ""
    cache_key: str = ""  # set when the dashboard comes from (or went to) the cache: the data version it shows

    @property
    def counts(self) -> dict[str, int]:
        out = {str(s): 0 for s in st.STATUS_ORDER}
        for t in self.targets:
            for c in t.components:
                if c.current:
                    out[c.status] += 1
        return out

    @property
    def components(self) -> list[ComponentView]:
        return [c for t in self.targets for c in t.components]

    @property
    def computed_version(self) -> str:
        """A short digest of the computed values shown (part of the page-fragment cache key)."""
        import hashlib

        raw = repr(
            [(c.component.pk, v.source, v.value, v.status) for c in self.components for v in c.computed]
        )
        return hashlib.sha1(raw.encode()).hexdigest()[:16]


def _current_flags(components: list[TargetComponent], year: int | None) -> dict[int, bool]:
    """Current components: per indicator and qualifier the nearest milestone year ≥ `year` (else the latest); undated ones."""
    groups: dict[tuple, list[TargetComponent]] = defaultdict(list)
    for c in components:
        groups[(c.target_id, c.indicator_id or c.indicator_text, c.qualifier)].append(c)
    flags = {}
    for group in groups.values():
        dated = [c for c in group if c.year]
        if year is not None and dated:
            ahead = [c for c in dated if c.year >= year]
            pick = min(ahead, key=lambda c: c.year) if ahead else max(dated, key=lambda c: c.year)
        else:
            pick = min(dated, key=lambda c: c.year) if dated else None
        for c in group:
            flags[c.pk] = (c is pick) or not c.year
    return flags


def data_version(unit: AdministrativeUnit, extra: tuple[int, ...] = ()) -> tuple:
    """(count, last change) of the values a unit's figures are summed from — changes with every write, insert or delete.

    ``extra``: ids of more units whose values count too (the successor communes of a plan's abolished unit)."""
    from django.db import connection

    from treem.geo.models import UnitSuccession
    from treem.reporting.models import DataValue

    # the units below, and everything below their predecessors (abolished units whose values count here); then their
    # values through the (unit, updated_at) index, which holds both figures (an explicit list keeps PostgreSQL on it)
    closure, succession = UnitClosure._meta.db_table, UnitSuccession._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT c.descendant_id FROM {closure} c WHERE c.ancestor_id = %s UNION "
            f"SELECT o.descendant_id FROM {closure} c CROSS JOIN {succession} s CROSS JOIN {closure} o "
            f"WHERE c.ancestor_id = %s AND s.successor_id = c.descendant_id AND o.ancestor_id = s.predecessor_id"
            + "".join(
                f" UNION SELECT e.descendant_id FROM {closure} e WHERE e.ancestor_id = %s" for _ in extra
            ),
            [unit.pk, unit.pk, *extra],
        )
        ids = [row[0] for row in cur.fetchall()]
        cur.execute(
            f"SELECT COUNT(*), MAX(v.updated_at) FROM {DataValue._meta.db_table} v "
            f"WHERE v.unit_id IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )
        count, last = cur.fetchone()
    return (count, str(last))


def plan_dashboard(
    plan: PlanDocument,
    unit: AdministrativeUnit | None = None,
    period: str | None = None,
    include_submitted: bool = True,
) -> PlanDashboard:
    """Status of every target of a plan for a unit at a period, cached until a value below the unit or the plan changes."""
    import hashlib

    from django.core.cache import cache

    unit = unit or plan.issuing_unit
    area: tuple[int, ...] = ()
    if (
        unit.pk == plan.issuing_unit_id and unit.valid_to
    ):  # the plan's area: its unit, then the successor communes
        from treem.reporting.rounds import area_communes

        area = tuple(u.pk for u in area_communes(plan, unit.valid_to)[0])

    # the components as stored (one narrow query; the instances are loaded only to compute a missing dashboard)
    fields = [f.attname for f in TargetComponent._meta.concrete_fields]
    shape = repr(
        list(
            TargetComponent.objects.filter(target__plan=plan)
            .order_by("target__order", "order", "pk")
            .values_list(*fields)
        )
    )
    raw = f"{plan.pk}|{plan.updated_at.isoformat()}|{unit.pk}|{period}|{int(include_submitted)}|{shape}|{data_version(unit, area)}"
    key = "treem-dash-" + hashlib.sha1(raw.encode()).hexdigest()
    dash = cache.get(key)
    if dash is None:
        dash = _plan_dashboard(plan, unit, period, include_submitted, plan_components(plan))
        _share_instances(dash)
        dash.cache_key = key
        cache.set(key, dash, 3600)
    computed.attach(
        dash
    )  # cached apart: on the version of the registry and case records, not of reported values
    return dash


def _share_instances(dash: PlanDashboard) -> None:
    """One instance of the plan, each target and each indicator in a dashboard, so the cached copy holds the plan's text once."""
    plan, indicators = dash.plan, {}
    for tv in dash.targets:
        for cv in tv.components:
            c = cv.component
            if not PlanDocument.issuing_unit.is_cached(plan) and Target.plan.is_cached(c.target):
                plan.issuing_unit = c.target.plan.issuing_unit
            c.target = tv.target
            if c.indicator_id is not None:
                c.indicator = indicators.setdefault(c.indicator_id, c.indicator)
        tv.target.plan = plan


def _plan_dashboard(plan, unit, period, include_submitted, components) -> PlanDashboard:
    """The computation behind `plan_dashboard`."""
    indicators = plan_indicators(components)
    frame = components_frame(components)
    if unit.pk == plan.issuing_unit_id:
        obs = plan_area_observations(plan, indicators, include_submitted)
    else:
        obs = observations_for(indicators, [unit], unit, include_submitted)
    result = evaluate(frame, obs)
    periods = sorted(set(obs["period"]), key=sort_key) if not obs.empty else []
    period = period or latest_period(obs)
    year = parse_period(period).year if period else None
    flags = _current_flags(components, year)
    ptype = parse_period(period).type if period else None
    rows_by_comp: dict[int, list[dict]] = defaultdict(list)
    if not result.empty:
        cols = [
            "component_id",
            "period",
            "ptype",
            "t",
            "actual",
            "status",
            "reason",
            "provisional",
            "target",
            "expected",
            "projection",
            "projection_reason",
            "projection_meets",
        ]
        small = result[result["unit_id"] == unit.pk][cols]
        for rec in zip(*(small[c].tolist() for c in cols), strict=True):
            rows_by_comp[rec[0]].append(dict(zip(cols, rec, strict=True)))
    leads = leads_by_target(plan)
    views: dict[int, list[ComponentView]] = defaultdict(list)
    for c in components:
        view = ComponentView(component=c, current=flags.get(c.pk, True))
        recs = rows_by_comp.get(c.pk, [])
        if recs and period:
            same = sorted((r for r in recs if r["ptype"] == ptype), key=lambda r: r["t"])
            view.series = [(str(r["period"]), float(r["actual"])) for r in same]
            r = next((r for r in recs if r["period"] == period), None)
            if r is not None:
                view.status, view.reason = str(r["status"]), str(r["reason"])
                view.actual = float(r["actual"])
                view.provisional = bool(r["provisional"]) if not pd.isna(r["provisional"]) else False
                view.target_value = _f(r["target"])
                view.expected = _f(r["expected"])
                view.projection = _f(r["projection"])
                view.projection_reason = str(r["projection_reason"])
                pm = r["projection_meets"]
                view.projection_meets = None if pd.isna(pm) else bool(pm)
        views[c.target_id].append(view)
    targets = [
        TargetView(t, views.get(t.pk, []), leads.get(t.pk, [])) for t in plan.targets.order_by("order")
    ]
    note = area_note(plan) if unit.pk == plan.issuing_unit_id else ""
    return PlanDashboard(plan, unit, period, periods, targets, note)


# --------------------------------------------------------------------------------------------------
# Comparison of units
# --------------------------------------------------------------------------------------------------


def child_units(
    unit: AdministrativeUnit, at: datetime.date, plan: PlanDocument | None = None
) -> list[AdministrativeUnit]:
    """The units one level below, in force on a date; for a plan's abolished unit, its successor communes."""
    if plan is not None and unit.pk == plan.issuing_unit_id and not unit.valid_at(at):
        from treem.reporting.rounds import area_communes

        return area_communes(plan, at)[0]
    level = {
        Level.COUNTRY: Level.PROVINCE,
        Level.PROVINCE: Level.DISTRICT,
        Level.DISTRICT: Level.COMMUNE,
    }.get(unit.level)
    qs = AdministrativeUnit.objects.filter(parent=unit).valid_at(at)
    if unit.level == Level.PROVINCE and not qs.filter(level=Level.DISTRICT).exists():
        level = Level.COMMUNE
    if level is None:
        return []
    return list(
        AdministrativeUnit.objects.filter(ancestor_links__ancestor=unit, level=level)
        .valid_at(at)
        .order_by("code")
    )


@dataclass
class RankRow(st.ShowsStatus):
    """One unit in a ranking."""

    unit: AdministrativeUnit
    value: float | None
    status: str
    numerator: float | None = None
    denominator: float | None = None
    provisional: bool = False
    rank: int | None = None


def rank_units(
    component: TargetComponent, parent: AdministrativeUnit, period: str, include_submitted: bool = True
) -> list[RankRow]:
    """The units below `parent` ranked on a component's indicator at a period, best first, with their status."""
    plan = component.target.plan
    at = parse_period(period).end
    units = child_units(parent, at, plan)
    if not units or component.indicator_id is None:
        return [RankRow(u, None, st.Status.NO_DATA) for u in units]
    frame = components_frame([component])
    obs = observations_for([component.indicator], units, parent, include_submitted)
    result = evaluate(frame, obs)
    current = result[result["period"] == period].set_index("unit_id") if not result.empty else pd.DataFrame()
    rows = []
    for u in units:
        if u.pk in current.index:
            r = current.loc[u.pk]
            rows.append(
                RankRow(
                    u,
                    float(r["actual"]),
                    r["status"],
                    _f(r["numerator"]),
                    _f(r["denominator"]),
                    bool(r["provisional"]),
                )
            )
        else:
            rows.append(RankRow(u, None, st.Status.NO_DATA))
    higher = component.indicator.direction == "higher"
    valued = sorted(
        [r for r in rows if r.value is not None], key=lambda r: (-r.value if higher else r.value, r.unit.name)
    )
    for i, r in enumerate(valued, start=1):
        r.rank = i
    return valued + sorted([r for r in rows if r.value is None], key=lambda r: r.unit.name)


def _f(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def indicator_series(
    indicator: Indicator,
    units: list[AdministrativeUnit],
    qualifier_key: int | None = None,
    include_submitted: bool = True,
) -> dict[int, list[tuple[str, float]]]:
    """{unit id: [(period, value)]} for one indicator (total, or one disaggregation)."""
    obs = observations_for([indicator], units, units[0] if units else None, include_submitted)
    if obs.empty:
        return {u.pk: [] for u in units}
    if qualifier_key is None:
        total, _ = qualifier_combos()
        qualifier_key = total
    obs = obs[obs["qualifier_key"] == qualifier_key]
    out = {}
    for u in units:
        g = obs[obs["unit_id"] == u.pk]
        pts = sorted(zip(g["period"], g["value"].astype(float), strict=True), key=lambda pv: sort_key(pv[0]))
        out[u.pk] = [(p, v) for p, v in pts if not np.isnan(v)]
    return out


# --------------------------------------------------------------------------------------------------
# Parent plan comparison
# --------------------------------------------------------------------------------------------------


@dataclass
class ParentComparison:
    """A component beside the parent plan's milestone for the same indicator, year and qualifier."""

    component: TargetComponent
    parent: TargetComponent | None
    verdict: str  # weaker | same | stronger | not_comparable | no_parent_milestone
    parent_plan: PlanDocument | None = None
    others: list[TargetComponent] = field(default_factory=list)

    @property
    def text(self) -> str:
        c, p = self.component, self.parent
        if self.verdict == "no_parent_milestone":
            if self.others:
                alts = "; ".join(o.milestone_label for o in self.others)
                return f"Kế hoạch cấp trên không có mốc năm {c.year} cho chỉ số này (có: {alts})."
            return "Kế hoạch cấp trên chưa có chỉ tiêu cho chỉ số này trong TreEm."
        where = f"{self.parent_plan}" if self.parent_plan else "cấp trên"
        if self.verdict == "weaker":
            return f"Thấp hơn yêu cầu của {where}: {c.milestone_label} so với {p.milestone_label}."
        if self.verdict == "stronger":
            return f"Cao hơn yêu cầu của {where} ({p.milestone_label})."
        if self.verdict == "same":
            return f"Bằng yêu cầu của {where} ({p.milestone_label})."
        return f"Không so sánh được với {where} ({p.milestone_label}): cách nêu chỉ tiêu khác nhau."


def _requirement(c: TargetComponent) -> tuple[str, int, float] | None:
    """(kind, sign, value) a component demands: kind 'level' (op on a value) or 'change' (relative change)."""
    if c.value is None:
        return None
    v = float(c.value)
    if c.comparator in ("reduce_by", "increase_by"):
        return ("change:" + c.unit, 1, v if c.comparator == "increase_by" else -v)
    direction = c.indicator.direction if c.indicator_id else None
    op, m = st.effective_milestone(c.comparator, v, c.unit, direction, None)
    if op is None:
        return None
    return ("level:" + c.unit, {st.LT: -2, st.LE: -1, st.EQ: 0, st.GE: 1, st.GT: 2}[op], m)


def compare_requirements(child: TargetComponent, parent: TargetComponent) -> str:
    """'weaker', 'same', 'stronger' or 'not_comparable': does the child ask less than the parent?"""
    a, b = _requirement(child), _requirement(parent)
    if a is None or b is None or a[0] != b[0]:
        return "not_comparable"
    if a[0].startswith("change"):
        ca, cb = a[2], b[2]
        if (ca < 0) != (cb < 0):
            return "not_comparable"
        return "same" if ca == cb else ("weaker" if abs(ca) < abs(cb) else "stronger")
    (_, sa, va), (_, sb, vb) = a, b
    if sa == 0 or sb == 0:
        return "same" if (sa, va) == (sb, vb) else "not_comparable"
    if (sa > 0) != (sb > 0):
        return "not_comparable"
    up = sa > 0
    if va == vb:
        return "same" if abs(sa) == abs(sb) else ("stronger" if abs(sa) > abs(sb) else "weaker")
    return ("weaker" if va < vb else "stronger") if up else ("weaker" if va > vb else "stronger")


def parent_comparison(plan: PlanDocument) -> list[ParentComparison]:
    """Each component beside the nearest plan above with a milestone for the same indicator (and year); cached a minute."""
    from django.core.cache import cache

    key = f"treem-parents-{plan.pk}-{int(plan.updated_at.timestamp() * 1e6)}"
    out = cache.get(key)
    if out is None:
        out = _parent_comparison(plan)
        cache.set(key, out, 60)
    return out


def _parent_comparison(plan: PlanDocument) -> list[ParentComparison]:
    """The computation behind `parent_comparison`."""
    from treem.plans.services import cascade_above

    levels = cascade_above(plan)
    above = [p for level in levels for p in level]
    parent_components = list(
        TargetComponent.objects.filter(target__plan__in=above, indicator__isnull=False)
        .select_related("indicator", "target")
        .order_by("target__order", "order")
    )
    # one instance per plan, target and indicator (the cached list held a copy of a plan's text per component)
    plans, targets, indicators = {p.pk: p for p in above}, {}, {}
    for p in parent_components:
        p.target = targets.setdefault(p.target_id, p.target)
        p.target.plan = plans[p.target.plan_id]
        p.indicator = indicators.setdefault(p.indicator_id, p.indicator)
    order = {p.pk: i for i, p in enumerate(above)}
    out = []
    for c in plan_components(plan):
        if c.indicator_id is None:
            continue
        same_ind = [
            p
            for p in parent_components
            if p.indicator_id == c.indicator_id and fold(p.qualifier) == fold(c.qualifier)
        ]
        same_ind.sort(key=lambda p: order[p.target.plan_id])
        match = next((p for p in same_ind if p.year == c.year), None)
        if match is None:
            out.append(ParentComparison(c, None, "no_parent_milestone", others=same_ind[:4]))
            continue
        out.append(ParentComparison(c, match, compare_requirements(c, match), match.target.plan))
    return out


# --------------------------------------------------------------------------------------------------
# Completeness and agencies
# --------------------------------------------------------------------------------------------------


@dataclass
class Completeness:
    """Reporting completeness of one plan and period: per reporter and in total."""

    expected: int
    submitted: int
    approved: int
    on_time: int
    rows: list[dict]
    deadline: datetime.date | None = None

    @property
    def rate(self) -> float:
        return 100.0 * self.submitted / self.expected if self.expected else 0.0


def completeness(plan: PlanDocument, period: str | None) -> Completeness:
    """Who had to report in the plan's round for a period, who submitted, who was approved, who was on time."""
    from django.utils import timezone

    from treem.reporting.completeness import rate_of
    from treem.reporting.models import Round, Submission, SubmissionStatus

    rnd = Round.objects.filter(plan=plan, period__code=period).first() if period else None
    if rnd is None:
        return Completeness(0, 0, 0, 0, [])
    subs = (
        Submission.objects.filter(round=rnd)
        .select_related("unit", "agency")
        .order_by("agency_id", "unit__code")
    )
    rows = []
    done = {SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED}
    for s in subs:
        submitted = s.status in done
        first = s.first_submitted_at or s.submitted_at
        on_time = bool(submitted and first and timezone.localdate(first) <= rnd.deadline)
        rows.append(
            dict(
                reporter=s.reporter_name,
                status=s.get_status_display(),
                submitted=submitted,
                approved=s.status == SubmissionStatus.APPROVED,
                on_time=on_time,
                submitted_at=first,
            )
        )
    rate = rate_of(subs)
    return Completeness(rate.expected, rate.actual, rate.approved, rate.on_time, rows, rnd.deadline)


def agency_targets(agency) -> list[tuple[PlanDocument, Target]]:
    """The targets an agency leads, across plans (plan order)."""
    from treem.plans.models import Assignment

    out = []
    for a in (
        Assignment.objects.filter(agency=agency, role=AssignmentRole.LEAD)
        .select_related("plan")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("order")))
        .order_by("plan__issued_on", "order")
    ):
        for t in a.targets.all():
            out.append((a.plan, t))
    return out


def overdue_submissions(agency, today: datetime.date | None = None):
    """The agency's reports past their deadline and not yet submitted."""
    from treem.reporting.models import Submission, SubmissionStatus

    today = today or datetime.date.today()
    return (
        Submission.objects.filter(
            agency=agency,
            round__deadline__lt=today,
            status__in=[SubmissionStatus.DRAFT, SubmissionStatus.RETURNED],
        )
        .select_related("round__plan", "round__period")
        .order_by("round__deadline")
    )
