"""Benchmark: import a commune-style CSV list of 1 M children (read, map, clean, report, apply atomically).

Goal (issue 6): 1 M rows of CSV in ≤ 60 s on 2 cores. The list is generated with the defects commune
lists have (upper case, double spaces, dates typed 5/3/2019, 05-03-19 or 2019, IDs without their
leading zero, old commune names, a few invalid rows); it covers the 15 old communes of Văn Quan.

    .venv/bin/python bench/registry_import.py [--rows 1000000] [--database-url sqlite:////tmp/bench.sqlite3]
        [--rebuild-indexes auto|never|always] [--baseline-rows 50000]

Without --database-url a fresh SQLite file in a temporary folder (removed at the end) is used (migrated and loaded first;
that set-up is not timed). With a PostgreSQL URL the rows are staged with COPY (see treem/registry/bulk.py).
Prints each phase, the apply step's own phases and whether it rebuilt the indexes, the load average,
the ratio against the plain Django ORM (bulk_create per table) measured in the same run on a sample,
and the GOAL line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_csv(n: int, seed: int = 1) -> bytes:
    """A CSV list as communes keep them (Vietnamese headings, mixed date forms, some defects)."""
    import numpy as np

    from treem.registry import synth

    rng = np.random.default_rng(seed)
    df = synth.population(n, dup_fraction=0.0, seed=seed, communes=["x"])
    old = np.array(
        [
            "Xã Tú Xuyên",
            "Thị trấn Văn Quan",
            "Xã Hòa Bình",
            "Xã Trấn Ninh",
            "Xã Liên Hội",
            "Xã Điềm He",
            "Xã An Sơn",
            "Xã Khánh Khê",
            "Xã Lương Năng",
            "Xã Bình Phúc",
            "Xã Tân Đoàn",
            "Xã Tri Lễ",
            "Xã Tràng Phái",
            "Xã Yên Phúc",
            "Xã Hữu Lễ",
        ],
        dtype=object,
    )
    commune = old[rng.integers(0, len(old), n)]
    form = rng.integers(0, 20, n)
    lines = ["STT,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số định danh,Xã,Thôn,Họ tên mẹ"]
    ethnic = np.array(["Tày", "Nùng", "Kinh", "Dao", "H'Mông", "Hoa"], dtype=object)[rng.integers(0, 6, n)]
    villages = [f"Bản {i}" for i in range(40)]
    for i, (name, b, sex, pid) in enumerate(
        zip(df["full_name"], df["birth_date"], df["sex"], df["personal_id"], strict=True)
    ):
        f = form[i]
        if f == 0:
            name = name.upper().replace(" ", "  ", 1)
        if f == 1:
            d = f"{b.day:02d}-{b.month:02d}-{b.year % 100:02d}"
        elif f == 2:
            d = str(b.year)
        elif f == 3:
            d = f"{b.day}/{b.month}/{b.year}"
        elif f == 4:
            d = "31/02/2019"  # invalid: reported, row left out
        else:
            d = f"{b.day:02d}/{b.month:02d}/{b.year}"
        if f == 5 and pid:
            pid = pid[1:]  # Excel dropped the leading zero
        sexs = "Nam" if sex == "m" else "Nữ"
        lines.append(f"{i + 1},{name},{d},{sexs},{ethnic[i]},{pid},{commune[i]},{villages[i % 40]},Lý Thị Mẹ")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _drop_previous_runs(user) -> None:
    """Remove what earlier runs of the benchmark imported (set-based SQL; the ORM would load every row)."""
    from django.db import connection

    from treem.registry.models import Caregiver, Child, ImportBatch, ImportIssue, SpecialCircumstance

    batches = list(ImportBatch.objects.filter(uploaded_by=user).values_list("id", flat=True))
    if not batches:
        return
    ids = ", ".join(str(b) for b in batches)
    child = f"SELECT id FROM {Child._meta.db_table} WHERE import_batch_id IN ({ids})"
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {ImportIssue._meta.db_table} WHERE batch_id IN ({ids})")
        cur.execute(f"DELETE FROM {Caregiver._meta.db_table} WHERE child_id IN ({child})")
        cur.execute(f"DELETE FROM {SpecialCircumstance._meta.db_table} WHERE child_id IN ({child})")
        cur.execute(f"DELETE FROM {Child._meta.db_table} WHERE import_batch_id IN ({ids})")
        cur.execute(f"DELETE FROM {ImportBatch._meta.db_table} WHERE id IN ({ids})")
    if (
        connection.vendor == "postgresql"
    ):  # no million dead rows left for the next run's look-ups to step over
        with connection.cursor() as cur:
            for model in (Child, Caregiver, SpecialCircumstance, ImportIssue):
                cur.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f})"


def orm_baseline(batch, result, sample: int) -> float:
    """Rows/s of the plain Django way (model objects, ``bulk_create`` per table) on the first ``sample``
    clean rows, inside a transaction that is rolled back."""
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from treem.registry.codes import ChildStatus, RecordSource
    from treem.registry.imports import CHILD_COLUMNS
    from treem.registry.models import Caregiver, Child, SpecialCircumstance

    idx = np.flatnonzero(result.ok)[:sample]
    c = result.columns
    t = time.perf_counter()
    with transaction.atomic():
        kids = [
            Child(
                **{k: c[k][r] for k in CHILD_COLUMNS},
                status=ChildStatus.ACTIVE,
                source=RecordSource.IMPORT,
                import_batch=batch,
                import_row=int(result.rownums[r]),
                created_by_id=batch.uploaded_by_id,
            )
            for r in idx
        ]
        Child.objects.bulk_create(kids, batch_size=2000)  # ids come back on PostgreSQL and SQLite
        by_row = {k.import_row: k.pk for k in kids}
        carers = []
        for rel, names, folded, ok, phones in result.caregivers:
            for r in idx:
                if ok[r]:
                    carers.append(
                        Caregiver(
                            child_id=by_row[int(result.rownums[r])],
                            relationship=rel,
                            full_name=names[r],
                            name_folded=folded[r],
                            phone=phones[r],
                            is_primary=False,
                        )
                    )
        Caregiver.objects.bulk_create(carers, batch_size=2000)
        listed_on = timezone.localdate(batch.created_at)
        SpecialCircumstance.objects.bulk_create(
            [
                SpecialCircumstance(
                    child_id=by_row[int(result.rownums[r])], group=c["circumstance"][r], from_date=listed_on
                )
                for r in idx
                if c["circumstance"][r]
            ],
            batch_size=2000,
        )
        transaction.set_rollback(True)
    return len(idx) / (time.perf_counter() - t)


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="treem-bench-")
    try:
        run(tmp)
    finally:  # the SQLite file, its WAL and the uploaded list: a gigabyte at 1 M rows
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: str) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--database-url", default="")
    ap.add_argument(
        "--rebuild-indexes",
        choices=["auto", "never", "always"],
        default="auto",
        help="TREEM_IMPORT_REBUILD_INDEXES for this run (auto: when the import is at least as large as the table)",
    )
    ap.add_argument(
        "--baseline-rows", type=int, default=50_000, help="sample written the plain ORM way (rolled back)"
    )
    args = ap.parse_args()
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")
    os.environ["TREEM_VAR_DIR"] = tmp
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from treem.accounts.models import Membership, Role, User
    from treem.geo.models import AdministrativeUnit, Generation, Level
    from treem.registry import imports

    settings.TREEM_IMPORT_REBUILD_INDEXES = args.rebuild_indexes
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if AdministrativeUnit.objects.filter(generation="2025").count() < 3000:
        from treem.geo.services import load_all_units

        load_all_units()
    district = AdministrativeUnit.objects.get(
        generation=Generation.PRE_2025, level=Level.DISTRICT, code="184"
    )
    user, _ = User.objects.get_or_create(username="bench_importer")
    Membership.objects.get_or_create(user=user, unit=district, role=Role.COMMUNE_OFFICER)
    _drop_previous_runs(user)
    vendor = django.db.connection.vendor
    print(f"set-up (not timed): {time.perf_counter() - t0:.1f} s; database {vendor}")

    t = time.perf_counter()
    data = make_csv(args.rows)
    print(
        f"generated {args.rows:,} rows, {len(data) / 1e6:.0f} MB (not timed): {time.perf_counter() - t:.1f} s"
    )

    load_before = _load()
    phases = {}
    start = time.perf_counter()
    cpu0 = time.process_time()
    t = start
    batch = imports.upload(user, district, "danh_sach_van_quan.csv", data)
    phases["read + header + proposed mapping"] = time.perf_counter() - t
    t = time.perf_counter()
    imports.set_mapping(user, batch, batch.mapping)
    imports.check(user, batch)
    phases["clean + row-by-row report"] = time.perf_counter() - t
    t = time.perf_counter()
    batch.skip_errors = True
    batch.save(update_fields=["skip_errors"])
    batch = imports.apply(user, batch)
    phases["apply (one transaction)"] = apply_s = time.perf_counter() - t
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    load_after = _load()
    stats = batch._write_stats
    for k, v in phases.items():
        print(f"  {k:<36} {v:6.1f} s")
    detail = ", ".join(f"{k} {v:.1f} s" for k, v in stats.seconds.items())
    path = (
        f"{len(stats.rebuilt_indexes)} secondary indexes dropped and rebuilt"
        if stats.rebuilt_indexes
        else "indexes kept"
    )
    print(
        f"    apply: {detail}; {path}; {stats.caregivers:,} caregivers, {stats.circumstances:,} circumstances"
    )
    written = batch.counts.get("written", 0)
    print(
        f"rows {args.rows:,}  written {written:,}  rows with errors {batch.counts.get('rows_with_errors', 0):,}  "
        f"report lines {batch.issues.count():,}"
    )
    print(
        f"total {total:.1f} s = {args.rows / total:,.0f} rows/s on {os.cpu_count()} cores "
        f"(this process's CPU {cpu:.1f} s; {load_before} before, {load_after} after)"
    )

    _, result = batch._clean
    orm_rate = orm_baseline(batch, result, args.baseline_rows)
    apply_rate = written / apply_s
    ratio = apply_rate / orm_rate
    print(
        f"baseline, same run: Django ORM bulk_create of {min(args.baseline_rows, written):,} of these rows (rolled back) "
        f"{orm_rate:,.0f} rows/s; apply {apply_rate:,.0f} rows/s = {ratio:.1f}× the ORM ({_load()})"
    )
    goal = 60.0 * args.rows / 1_000_000
    name = "registry_import_1m_rows" if args.rows == 1_000_000 else f"registry_import_{args.rows}_rows"
    print(f"GOAL {name}: {total:.1f} s (goal {goal:g}) {'met' if total <= goal else 'missed'}")


if __name__ == "__main__":
    main()
