"""Aggregation at query time: SQL GROUP BY over the closure table, no nightly job.

A value saved or submitted a second ago is in the totals of its commune, district, province and the
country on the next query. Rates are never averaged: `indicator_values` sums numerators and
denominators at each level and divides.

Across the 1/7/2025 reform: values of abolished communes count under new-generation units through the
succession table — a commune merged whole into a new one counts under that commune and everything
above it; a commune split between several new communes counts only from the new province upwards
(its parts cannot be told apart). Where the new commune has its own value for the same element,
disaggregation and period, that value wins and the old one is not added (nothing is counted twice).
Old-generation units show the periods they existed for; after the reform, look at the successor
communes and the new province (the plan's area total does this for a plan, `area_totals`).

This module is the service the monitoring engine (analytics) builds on.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db import connection

from treem.geo.models import AdministrativeUnit, Generation, Level
from treem.indicators.models import Indicator

from .models import DataValue, Period, ValueStatus

DEFAULT_STATUSES = (ValueStatus.SUBMITTED, ValueStatus.APPROVED)


class AggregateRow(NamedTuple):
    unit_id: int
    period_id: int
    data_element_id: int
    combo_id: int
    value: Decimal
    count: int  # how many stored values were summed


class IndicatorRow(NamedTuple):
    unit_id: int
    period_id: int
    indicator_id: int
    combo_id: int
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None


def _ids(objs) -> list[int] | None:
    if objs is None:
        return None
    out = []
    for o in objs:
        out.append(o if isinstance(o, int) else o.pk)
    return out


def _period_ids(periods) -> list[int] | None:
    if periods is None:
        return None
    out, codes = [], []
    for p in periods:
        if isinstance(p, Period):
            out.append(p.pk)
        elif isinstance(p, int):
            out.append(p)
        else:
            codes.append(str(p))
    if codes:
        out += list(Period.objects.filter(code__in=codes).values_list("pk", flat=True))
    return out


def _in(column: str, values: list, params: list) -> str:
    if not values:
        return "1=0"
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _to_decimal(x) -> Decimal:
    if x is None:
        return Decimal(0)
    if isinstance(x, Decimal):
        return x
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(str(x)).quantize(Decimal("0.0001")).normalize() if isinstance(x, float) else Decimal(x)


def aggregate(
    data_elements=None,
    periods=None,
    units=None,
    *,
    level: int | None = None,
    generation: str | None = None,
    statuses: Iterable[str] = DEFAULT_STATUSES,
    combos=None,
    across_reform: bool = True,
) -> list[AggregateRow]:
    """Sums of values for units (or every unit of a level) × periods × data elements × combos, in SQL.

    data_elements, periods, combos: objects or ids (periods also DHIS2 codes); None = all.
    units: units or ids; or `level` (+ optional `generation`) for every unit of that level in one query.
    statuses: which value statuses count (default submitted and approved; add "draft" for previews).
    """
    de_ids, period_ids, combo_ids, unit_ids = (
        _ids(data_elements),
        _period_ids(periods),
        _ids(combos),
        _ids(units),
    )
    statuses = [str(s) for s in statuses]
    unit_table = AdministrativeUnit._meta.db_table
    value_table = DataValue._meta.db_table

    def filters(alias: str, params: list) -> str:
        where = [_in(f"{alias}.status", statuses, params)]
        if de_ids is not None:
            where.append(_in(f"{alias}.data_element_id", de_ids, params))
        if period_ids is not None:
            where.append(_in(f"{alias}.period_id", period_ids, params))
        if combo_ids is not None:
            where.append(_in(f"{alias}.combo_id", combo_ids, params))
        return " AND ".join(where)

    def target(params: list, only_new: bool) -> str:
        where = []
        if unit_ids is not None:
            where.append(_in("a.id", unit_ids, params))
        if level is not None:
            where.append("a.level = %s")
            params.append(level)
        if generation is not None:
            where.append("a.generation = %s")
            params.append(generation)
        if only_new:
            where.append("a.generation = %s")
            params.append(Generation.Y2025)
        return " AND ".join(where) or "1=1"

    # Each part starts from the target units and goes down the closure table to the values (through the value
    # table's (unit, period) index), so asking for one unit reads only the values under it. CROSS JOIN fixes that
    # order on SQLite (which might otherwise scan the whole value table, or read a whole period's values for every
    # unit); PostgreSQL plans it freely.
    values = f"{value_table} v"
    if connection.vendor == "sqlite" and (de_ids is None or combo_ids is None):
        values += " INDEXED BY datavalue_unit_period"  # with elements and combos given, the unique cell index serves each probe
    sql_parts, params = [], []
    # 1. Direct: every value under each target unit through the closure table.
    p1: list = []
    t1 = target(p1, only_new=False)
    f1 = filters("v", p1)
    sql_parts.append(
        f"SELECT c.ancestor_id AS u, v.period_id AS p, v.data_element_id AS d, v.combo_id AS k, v.value AS x "
        f"FROM {unit_table} a CROSS JOIN geo_unitclosure c CROSS JOIN {values} "
        f"WHERE {t1} AND c.ancestor_id = a.id AND v.unit_id = c.descendant_id AND {f1}"
    )
    params += p1
    if across_reform and (generation in (None, Generation.Y2025)):
        # 2. Old communes merged whole into a new commune: under that commune and above (new generation only).
        p2: list = []
        t2 = target(p2, only_new=True)
        f2 = filters("v", p2)
        sql_parts.append(
            f"SELECT c.ancestor_id, v.period_id, v.data_element_id, v.combo_id, v.value "
            f"FROM {unit_table} a CROSS JOIN geo_unitclosure c CROSS JOIN geo_unitsuccession s CROSS JOIN {unit_table} o "
            f"CROSS JOIN {values} WHERE {t2} AND c.ancestor_id = a.id AND s.successor_id = c.descendant_id "
            f"AND s.kind = 'whole' AND o.id = s.predecessor_id AND o.generation = 'pre2025' AND o.level = {Level.COMMUNE} "
            f"AND v.unit_id = s.predecessor_id AND {f2} AND NOT EXISTS (SELECT 1 FROM {value_table} w "
            f"WHERE w.unit_id = s.successor_id AND w.period_id = v.period_id AND w.data_element_id = v.data_element_id "
            f"AND w.combo_id = v.combo_id)"
        )
        params += p2
        # 3. Old communes split between new communes: from the new province upwards.
        p3: list = []
        t3 = target(p3, only_new=True)
        f3 = filters("v", p3)
        sql_parts.append(
            f"SELECT c.ancestor_id, v.period_id, v.data_element_id, v.combo_id, v.value "
            f"FROM {unit_table} a CROSS JOIN geo_unitclosure c CROSS JOIN geo_unitsuccession ps CROSS JOIN {unit_table} opu "
            f"CROSS JOIN geo_unitclosure op CROSS JOIN {unit_table} o CROSS JOIN {values} "
            f"WHERE {t3} AND c.ancestor_id = a.id AND ps.successor_id = c.descendant_id AND ps.kind = 'whole' "
            f"AND opu.id = ps.predecessor_id AND opu.level = {Level.PROVINCE} AND op.ancestor_id = ps.predecessor_id "
            f"AND o.id = op.descendant_id AND o.generation = 'pre2025' AND o.level = {Level.COMMUNE} "
            f"AND NOT EXISTS (SELECT 1 FROM geo_unitsuccession s WHERE s.predecessor_id = o.id AND s.kind = 'whole') "
            f"AND v.unit_id = o.id AND {f3}"
        )
        params += p3
    sql = (
        "SELECT u, p, d, k, SUM(x), COUNT(*) FROM ("
        + " UNION ALL ".join(sql_parts)
        + ") t GROUP BY u, p, d, k"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [AggregateRow(u, p, d, k, _to_decimal(x), n) for u, p, d, k, x, n in rows]


def area_totals(
    data_elements, periods, area_units, *, statuses: Iterable[str] = DEFAULT_STATUSES, combos=None
) -> list[AggregateRow]:
    """Sums over a set of units taken together (a plan's area: e.g. the successor communes of an
    abolished district), as rows with unit_id 0. Each value is counted once even if units overlap."""
    from django.db.models import Count, Sum

    unit_ids = _ids(area_units) or []
    under = AdministrativeUnit.objects.filter(ancestor_links__ancestor_id__in=unit_ids).values("id")
    qs = DataValue.objects.filter(unit_id__in=under, status__in=list(statuses))
    if data_elements is not None:
        qs = qs.filter(data_element_id__in=_ids(data_elements))
    if periods is not None:
        qs = qs.filter(period_id__in=_period_ids(periods))
    if combos is not None:
        qs = qs.filter(combo_id__in=_ids(combos))
    rows = qs.values("period_id", "data_element_id", "combo_id").annotate(x=Sum("value"), n=Count("id"))
    return [
        AggregateRow(0, r["period_id"], r["data_element_id"], r["combo_id"], _to_decimal(r["x"]), r["n"])
        for r in rows
    ]


def as_dict(rows: Iterable[AggregateRow]) -> dict[tuple[int, int, int, int], Decimal]:
    """{(unit, period, data element, combo): value}."""
    return {(r.unit_id, r.period_id, r.data_element_id, r.combo_id): r.value for r in rows}


def indicator_values(
    indicators: Iterable[Indicator],
    periods=None,
    units=None,
    *,
    level: int | None = None,
    generation: str | None = None,
    statuses: Iterable[str] = DEFAULT_STATUSES,
    combos=None,
    rows: list[AggregateRow] | None = None,
) -> list[IndicatorRow]:
    """Indicator values recomputed from summed numerators and denominators at each unit (never averaged).

    A breakdown (combo) of the indicator uses the numerator's and denominator's values of that combo;
    when the denominator has no such breakdown (e.g. all children for a by-sex count) the rate is not
    computed for it.
    """
    indicators = list(indicators)
    elements = {i.numerator_id for i in indicators} | {
        i.denominator_id for i in indicators if i.denominator_id
    }
    if rows is None:
        rows = aggregate(
            elements, periods, units, level=level, generation=generation, statuses=statuses, combos=combos
        )
    values = as_dict(rows)
    keys = {(u, p, k) for (u, p, _d, k) in values}
    out = []
    for ind in indicators:
        for u, p, k in sorted(keys):
            num = values.get((u, p, ind.numerator_id, k))
            den = values.get((u, p, ind.denominator_id, k)) if ind.denominator_id else None
            if num is None and den is None:
                continue
            if ind.denominator_id is None:
                out.append(IndicatorRow(u, p, ind.pk, k, num, None, num))
                continue
            value = None
            if num is not None and den:
                value = (num * ind.multiplier / den).quantize(Decimal("0.0001"))
            out.append(IndicatorRow(u, p, ind.pk, k, num, den, value))
    return out


def values_of(units, periods, data_elements=None, statuses: Iterable[str] | None = None) -> dict:
    """Stored values (no summing) {(unit, period, element, combo): DataValue} — for forms and checks."""
    qs = DataValue.objects.filter(unit_id__in=_ids(units), period_id__in=_period_ids(periods))
    if data_elements is not None:
        qs = qs.filter(data_element_id__in=_ids(data_elements))
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    return {(v.unit_id, v.period_id, v.data_element_id, v.combo_id): v for v in qs}
