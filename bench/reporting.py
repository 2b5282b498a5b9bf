"""Reporting benchmark (not a timed test): one national round, imported, then every aggregate recomputed.

    .venv/bin/python bench/reporting.py                 # SQLite in a temporary file (the embedded default)
    DATABASE_URL=postgresql://… .venv/bin/python bench/reporting.py
    BENCH_COMMUNES=500 …                                # a smaller run

It builds 3,321 communes × 80 data elements × their disaggregations (≈ 2 M values) for a benchmark
period, imports them, recomputes every aggregate at every level (commune, province, country) with the
SQL GROUP BY over the closure table that TreEm uses at query time, and measures the straightforward
per-value ORM approach (each value walked up its ancestors) on a sample in the same run, extrapolated
to the whole round. The benchmark's rows (source "bench", period 2099) are removed at the end.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = None
if not os.environ.get("DATABASE_URL"):
    _tmp = tempfile.TemporaryDirectory(prefix="treem-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from treem.geo.models import AdministrativeUnit, Generation, Level  # noqa: E402
from treem.indicators.models import Category, DataElement  # noqa: E402
from treem.indicators.rules import combos_by_element, ensure_combos  # noqa: E402
from treem.reporting.aggregation import aggregate  # noqa: E402
from treem.reporting.models import DataValue, ValueSource, ValueStatus  # noqa: E402
from treem.reporting.periods import get_period  # noqa: E402

GOAL_RECOMPUTE_S = 30.0
GOAL_VISIBLE_S = 1.0
N_ELEMENTS = 80
PERIOD = "2099"


def say(text: str) -> None:
    print(text, flush=True)


def setup() -> None:
    call_command("migrate", verbosity=0)
    if AdministrativeUnit.objects.filter(generation=Generation.Y2025, level=Level.COMMUNE).count() < 3000:
        from treem.geo.services import load_all_units

        load_all_units()
    if DataElement.objects.count() < 10:
        from treem.indicators.services import load_catalogue

        load_catalogue()
    ensure_combos()


def elements() -> list[DataElement]:
    """The catalogue's data elements, topped up to 80 with benchmark elements (sex and area breakdowns)."""
    des = list(DataElement.objects.exclude(code__startswith="BENCH_").order_by("code"))[:N_ELEMENTS]
    cats = list(Category.objects.filter(code__in=["sex", "area"]))
    for i in range(N_ELEMENTS - len(des)):
        de, _ = DataElement.objects.get_or_create(
            code=f"BENCH_DE_{i + 1:02d}", defaults={"name_vi": f"Phần tử đo hiệu năng {i + 1}"}
        )
        de.categories.set(cats)
        des.append(de)
    return des


def main() -> None:
    t_start = time.perf_counter()
    setup()
    vendor = connection.vendor
    period = get_period(PERIOD)
    DataValue.objects.filter(source=ValueSource.BENCH).delete()
    communes = list(
        AdministrativeUnit.objects.filter(generation=Generation.Y2025, level=Level.COMMUNE)
        .order_by("code")
        .values_list("id", flat=True)
    )
    limit = int(os.environ.get("BENCH_COMMUNES", "0") or 0)
    if limit:
        communes = communes[:limit]
    des = elements()
    combos = combos_by_element(des)
    cells = [(de.pk, c.pk) for de in des for c in combos[de.pk]]
    n_values = len(communes) * len(cells)
    say(
        f"Database: {vendor}; {len(communes)} communes × {len(des)} data elements × disaggregations "
        f"({len(cells)} cells per commune) = {n_values:,} values"
    )

    # --- import (bulk path: one INSERT per batch, as an import of a national file would)
    t0 = time.perf_counter()
    table = DataValue._meta.db_table
    cols = "data_element_id, combo_id, unit_id, period_id, value, status, source, version, comment, followup, created_at, updated_at"
    now = "2099-01-01 00:00:00+00:00"
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * 12)})"
    batch = []
    with transaction.atomic(), connection.cursor() as cur:
        for u in communes:
            for k, (de, combo) in enumerate(cells):
                batch.append(
                    (
                        de,
                        combo,
                        u,
                        period.pk,
                        Decimal((u * 31 + k * 7) % 997),
                        ValueStatus.SUBMITTED,
                        ValueSource.BENCH,
                        1,
                        "",
                        False,
                        now,
                        now,
                    )
                )
            if len(batch) >= 20000:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
    t_import = time.perf_counter() - t0
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")
    say(f"Import: {n_values:,} values in {t_import:.1f} s ({n_values / t_import:,.0f} values/s)")

    # --- recompute every aggregate at every level, in SQL over the closure table
    t0 = time.perf_counter()
    rows = 0
    for level in (Level.COMMUNE, Level.PROVINCE, Level.COUNTRY):
        t1 = time.perf_counter()
        got = aggregate(
            des,
            [period],
            level=level,
            generation=None if level == Level.COUNTRY else Generation.Y2025,
            across_reform=False,
        )
        rows += len(got)
        say(f"  level {level.label:<10} {len(got):>10,} aggregates in {time.perf_counter() - t1:6.2f} s")
    t_sql = time.perf_counter() - t0
    say(f"Recompute (SQL GROUP BY over the closure table, every level): {rows:,} aggregates in {t_sql:.2f} s")
    country_total = sum(
        r.value
        for r in aggregate(
            [des[0]], [period], level=Level.COUNTRY, combos=[combos[des[0].pk][0]], across_reform=False
        )
    )

    # --- the straightforward per-value ORM approach, on a sample, extrapolated
    sample_n = min(int(os.environ.get("BENCH_NAIVE_SAMPLE", "3000")), n_values)
    t0 = time.perf_counter()
    totals: dict = {}
    for v in DataValue.objects.filter(period=period, source=ValueSource.BENCH).order_by("pk")[:sample_n]:
        unit = v.unit
        while unit is not None:  # walk up: commune → province → country, one query per step
            key = (unit.pk, v.data_element_id, v.combo_id)
            totals[key] = totals.get(key, Decimal(0)) + v.value
            unit = unit.parent
    t_naive_sample = time.perf_counter() - t0
    t_naive = t_naive_sample * n_values / sample_n
    ratio = t_naive / t_sql
    say(
        f"Per-value ORM approach: {sample_n:,} values in {t_naive_sample:.2f} s → {t_naive:,.0f} s extrapolated to {n_values:,} values"
    )
    say(
        f"Ratio: the SQL aggregation is {ratio:,.0f}× faster than the per-value ORM approach (same run, same data)"
    )

    # --- a value submitted now is in the country total at the next query
    v = DataValue.objects.filter(
        period=period, source=ValueSource.BENCH, data_element=des[0], combo=combos[des[0].pk][0]
    ).first()
    t0 = time.perf_counter()
    DataValue.objects.filter(pk=v.pk).update(value=v.value + 1000)
    new_total = sum(
        r.value
        for r in aggregate(
            [des[0]], [period], level=Level.COUNTRY, combos=[combos[des[0].pk][0]], across_reform=False
        )
    )
    t_visible = time.perf_counter() - t0
    assert new_total == country_total + 1000, (new_total, country_total)
    say(f"A value changed is in the national total {t_visible:.3f} s later (no refresh job)")

    t0 = time.perf_counter()
    DataValue.objects.filter(source=ValueSource.BENCH).delete()
    say(f"Clean-up: {time.perf_counter() - t0:.1f} s; whole run {time.perf_counter() - t_start:.0f} s")
    say(
        f"GOAL reporting_recompute_all_levels: {t_sql:.2f} s (goal {GOAL_RECOMPUTE_S:.0f} s) {'met' if t_sql <= GOAL_RECOMPUTE_S else 'missed'}"
    )
    say(
        f"GOAL reporting_visible_at_once: {t_visible:.3f} s (goal {GOAL_VISIBLE_S:.0f} s) {'met' if t_visible <= GOAL_VISIBLE_S else 'missed'}"
    )
    say(
        f"GOAL reporting_ratio_vs_per_value_orm: {ratio:,.0f} x (goal 10 x) {'met' if ratio >= 10 else 'missed'}"
    )


if __name__ == "__main__":
    main()
