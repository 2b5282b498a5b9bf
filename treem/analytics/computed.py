"""Values TreEm computes from its own records — the child registry and the protection cases — beside the reported ones.

Where the registry (`treem.registry.indicators.registry_values`) or the case statistics
(`treem.protection.stats.indicator_values`) cover an indicator of a plan, the monitoring pages show, next
to the value the units reported, the value computed from the records: its source, numerator and
denominator, the count of records behind it, and its own status against the same milestone (the same
engine as the reported value). Both are computed in the database and cached under the version of the records
(`treem.core.versions`: every save, delete or bulk write of a registry or case record bumps it), so a record
entered a second ago counts on the next page; no name or record reaches this module, only counts.

Case-fed rates whose denominator is the child population (the abuse rate BV_XAM_HAI: children abused /
children × 100) take the population from the registry (children under 16 living in the unit's communes at
the end of the period); the page says so. Components with a qualifier (urban / rural) are not computed:
the registry gives totals only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd

from treem.core.text import format_vn_number
from treem.geo.models import AdministrativeUnit
from treem.indicators.models import Indicator

from . import status as st
from .periods import parse_period

SOURCE_LABELS = {"registry": "Sổ theo dõi trẻ em", "cases": "Hồ sơ bảo vệ trẻ em"}
POPULATION = "DE_TRE_EM"


@dataclass
class ComputedValue(st.ShowsStatus):
    """One indicator value computed from TreEm's records for a unit and a period, with its status."""

    source: str
    indicator_code: str
    period: str
    value: float | None
    numerator: int
    denominator: int | None
    n_records: int
    unit: str = ""
    denominator_note: str = ""
    status: str = st.Status.NO_DATA
    reason: str = "no_data"

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def value_text(self) -> str:
        from .services import fmt_value

        return fmt_value(self.value, self.unit)

    @property
    def basis_text(self) -> str:
        """The counts behind the value ("12 / 1.520 (từ 1.520 hồ sơ trẻ em)"), in Vietnamese notation."""
        num = format_vn_number(self.numerator)
        text = num if self.denominator is None else f"{num} / {format_vn_number(self.denominator)}"
        records = "hồ sơ trẻ em" if self.source == "registry" else "trẻ có hồ sơ bảo vệ"
        count = self.n_records if self.source == "registry" else self.numerator
        return f"{text} (từ {format_vn_number(count)} {records})"


def covered_codes() -> tuple[set[str], set[str]]:
    """(indicator codes the registry computes, indicator codes the protection cases compute)."""
    from treem.protection.stats import INDICATORS as CASE_INDICATORS
    from treem.registry.indicators import DEFINITIONS

    return set(DEFINITIONS), set(CASE_INDICATORS)


def period_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of a DHIS2 period, the last day no later than today (a running year counts to date)."""
    p = parse_period(period)
    return p.start, min(p.end, datetime.date.today())


def computed_values(
    indicators: list[Indicator], unit: AdministrativeUnit, period: str
) -> list[ComputedValue]:
    """The registry- and case-computed values of some indicators for one unit and period (status not yet set)."""
    from treem.protection import stats
    from treem.registry.indicators import registry_values

    registry_codes, case_codes = covered_codes()
    by_code = {i.code: i for i in indicators}
    start, end = period_bounds(period)
    if start > datetime.date.today():
        return []
    out: list[ComputedValue] = []
    reg = [c for c in by_code if c in registry_codes]
    cases = [c for c in by_code if c in case_codes]
    population = None
    if cases and any(by_code[c].denominator_id and stats.INDICATORS[c][1] is None for c in cases):
        population = _registry_population(unit, start, end)
    for row in registry_values(reg, [unit], end, start) if reg else []:
        ind = by_code[row["indicator"]]
        out.append(
            ComputedValue(
                "registry",
                ind.code,
                period,
                _rate(ind, row["numerator"], row["denominator"]),
                row["numerator"],
                row["denominator"],
                row["n_records"],
                ind.unit,
            )
        )
    for row in stats.indicator_values(cases, [unit], period) if cases else []:
        ind = by_code[row["indicator"]]
        den, note = row["denominator"], ""
        if ind.denominator_id and row["denominator_element"] is None:
            den, note = population, "mẫu số: trẻ em dưới 16 tuổi trong sổ theo dõi trẻ em"
        elif not ind.denominator_id:
            den = None
        value = _rate(ind, row["numerator"], den) if ind.denominator_id else float(row["numerator"])
        out.append(
            ComputedValue(
                "cases",
                ind.code,
                period,
                value,
                row["numerator"],
                den,
                row["numerator"],
                ind.unit,
                denominator_note=note,
            )
        )
    return out


def _registry_population(unit: AdministrativeUnit, start: datetime.date, end: datetime.date) -> int | None:
    """Children under 16 in the registry for a unit at the end of a period (None when the registry has none)."""
    from treem.registry.indicators import registry_values

    rows = registry_values(["BV_HCDB"], [unit], end, start)
    return (rows[0]["denominator"] or None) if rows else None


def _rate(ind: Indicator, num: int, den: int | None) -> float | None:
    if not ind.denominator_id:
        return float(num)
    if not den:
        return None
    return num * float(ind.multiplier or 1) / den


def assess_computed(
    components: pd.DataFrame,
    unit: AdministrativeUnit,
    values: list[ComputedValue],
    indicators: list[Indicator],
) -> dict[tuple[int, str, str], tuple[str, str]]:
    """{(component id, source, period): (status, reason)} of computed values against the plan's milestones."""
    from .services import evaluate, qualifier_combos

    total = qualifier_combos()[0] or 0
    ids = {i.code: i.pk for i in indicators}
    rows = []
    for v in values:
        if v.value is None:
            continue
        p = parse_period(v.period)
        rows.append(
            {
                "indicator_id": ids[v.indicator_code],
                "qualifier_key": total,
                "unit_id": unit.pk,
                "period": v.period,
                "ptype": p.type,
                "t": float(p.time),
                "value": float(v.value),
                "numerator": float(v.numerator),
                "denominator": np.nan if v.denominator is None else float(v.denominator),
                "provisional": False,
                "source": v.source,
            }
        )
    out: dict[tuple[int, str, str], tuple[str, str]] = {}
    if not rows or components.empty:
        return out
    frame = pd.DataFrame(rows)
    for source, obs in frame.groupby("source"):
        result = evaluate(components, obs.drop(columns=["source"]).reset_index(drop=True))
        for cid, period, status, reason in zip(
            result["component_id"], result["period"], result["status"], result["reason"], strict=True
        ):
            out[(int(cid), str(source), str(period))] = (str(status), str(reason))
    return out


def attach(dash, period: str | None = None) -> None:
    """Add the computed values to a plan dashboard's component views (unqualified components of covered indicators)."""
    from .services import scale_of

    period = period or dash.period or str(datetime.date.today().year)
    registry_codes, case_codes = covered_codes()
    comps = [
        cv
        for cv in dash.components
        if cv.component.indicator_id
        and cv.component.indicator.code in registry_codes | case_codes
        and not cv.component.qualifier
    ]
    if not comps:
        return
    indicators = list({cv.component.indicator_id: cv.component.indicator for cv in comps}.values())
    values, statuses = _assessed(dash, comps, indicators, period)
    if not values:
        return
    for cv in comps:
        mine = []
        for v in values:
            if v.indicator_code != cv.component.indicator.code:
                continue
            status, reason = statuses.get(
                (cv.component.pk, v.source, v.period), (st.Status.NO_DATA, "no_data")
            )
            scale = scale_of(cv.component)
            value = None if v.value is None else v.value * scale
            mine.append(
                ComputedValue(
                    **{
                        **v.__dict__,
                        "value": value,
                        "unit": cv.component.unit,
                        "status": status,
                        "reason": reason,
                    }
                )
            )
        cv.computed = mine


def _assessed(dash, comps, indicators: list[Indicator], period: str) -> tuple[list[ComputedValue], dict]:
    """The computed values and their statuses, cached under the version of the records (any change recomputes them)."""
    import hashlib

    from django.core.cache import cache

    from treem.core import versions

    from .services import components_frame

    def compute():
        values = computed_values(indicators, dash.unit, period)
        statuses = (
            assess_computed(components_frame([cv.component for cv in comps]), dash.unit, values, indicators)
            if values
            else {}
        )
        return values, statuses

    if not dash.cache_key:  # the dashboard itself is not cached (plans of abolished units): neither are these
        return compute()
    raw = f"{dash.cache_key}|{period}|{sorted(i.code for i in indicators)}|{versions.version('records')}|{datetime.date.today()}"
    key = "treem-computed-" + hashlib.sha1(raw.encode()).hexdigest()
    out = cache.get(key)
    if out is None:
        out = compute()
        cache.set(key, out, versions.MAX_AGE)
    return out
