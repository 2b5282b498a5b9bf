"""Benchmark: target status for every component of every plan × every unit of the country, and the plan
dashboard of a province under 20 concurrent users.

Run: ``python bench/monitoring.py [--years 3] [--users 20] [--duration 30] [--naive-pairs 60] [--keep]``
(SQLite in a temporary directory by default; with DATABASE_URL=postgresql://… it uses a database named
``treem_bench_monitoring`` on that server, created and dropped by the run.)

1. Loads units, catalogue and seed plans (``setup_treem --no-demo``), then generates the national synthetic
   data: every commune of the country (3,321, units since 1/7/2025) × every data element used by an
   indicator × the total and its urban/rural breakdown where the element has one × two rounds a year
   (six-monthly and yearly) for ``--years`` years; 90 % approved, 10 % submitted. Source "bench".
2. Vectorised: actual values of every indicator at every level (commune, province, country) in the disaggregations
   the components are measured in (one read of the stored values, summed up the unit tree in NumPy:
   ``services.bulk_observations``), then the status engine (NumPy/pandas) for every component of every plan × every
   unit × every period, with projections. Timed end to end.
3. Naive, in the same run: per component × unit, ORM sums per period and the scalar rule, on a random sample
   of pairs; its time per pair × the number of pairs gives the naive estimate; the ratio is printed.
4. Load: two ``treem runserver`` processes (threaded; DEBUG on, since the manifest static storage of DEBUG off
   needs ``collectstatic``) on loopback, as two workers of a production server would use the two cores; 20 simulated users (threads, keep-alive
   connections, think time 0,5–1,5 s as a locust ``between(0.5, 1.5)`` user) open the plan dashboard of the
   largest province for ``--duration`` seconds; p50 / p95 / max latency.

Ends with GOAL lines.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "treem_bench_monitoring"
BENCH_SECRET = "bench-monitoring-" + "k" * 48  # shared by this process (sessions it creates) and the server


def _prepare_env(args) -> dict:
    """Point the run at its own database (temporary SQLite, or a dedicated PostgreSQL database)."""
    env = {}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        parsed = urlparse(url)
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,)).fetchone()
            if exists and not args.reuse:
                conn.execute(f'DROP DATABASE "{BENCH_DB}"')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
            # SSD storage: random reads cost about as much as sequential ones (PostgreSQL's default 4 assumes disks)
            conn.execute(f'ALTER DATABASE "{BENCH_DB}" SET random_page_cost = 1.1')
        env["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{BENCH_DB}"))
    else:
        var = Path(args.var or tempfile.mkdtemp(prefix="treem-bench-monitoring-"))
        env["TREEM_VAR_DIR"] = str(var)
        env["DATABASE_URL"] = ""
    return env


def _drop(env) -> None:
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        admin = urlunparse(urlparse(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    elif env.get("TREEM_VAR_DIR"):
        shutil.rmtree(env["TREEM_VAR_DIR"], ignore_errors=True)


def _generate(years: int) -> dict:
    """Write the national synthetic values (raw SQL, batched); returns counts."""
    from django.db import connection
    from django.utils import timezone

    from treem.geo.models import AdministrativeUnit, Generation, Level
    from treem.indicators.models import Indicator
    from treem.indicators.rules import ensure_combos, total_combo
    from treem.reporting.models import DataValue
    from treem.reporting.periods import get_period

    ensure_combos()
    total = total_combo()
    from treem.indicators.models import CategoryOptionCombo

    area = {c.code.split(".")[-1]: c.pk for c in CategoryOptionCombo.objects.filter(category__code="area")}
    indicators = list(
        Indicator.objects.select_related("numerator", "denominator").prefetch_related("numerator__categories")
    )
    communes = list(
        AdministrativeUnit.objects.filter(generation=Generation.Y2025, level=Level.COMMUNE).values_list(
            "pk", flat=True
        )
    )
    last = 2025
    periods = []
    for y in range(last - years + 1, last + 1):
        periods += [get_period(f"{y}S1"), get_period(str(y))]
    rng = random.Random(2026)
    fields = [f for f in DataValue._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in fields]
    now = timezone.now()
    defaults = {f.column: (f.get_default() if f.has_default() else None) for f in fields}
    defaults.update(created_at=now, updated_at=now, comment="", source="bench")
    de_done = set()
    rows = []
    for ind in indicators:
        has_area = any(c.code == "area" for c in ind.numerator.categories.all())
        combos = [total.pk] + ([area.get("URBAN"), area.get("RURAL")] if has_area and area else [])
        rate_mid = rng.uniform(0.02, 0.98)
        for de, is_den in ((ind.denominator, True), (ind.numerator, False)):
            if de is None or de.pk in de_done:
                continue
            de_done.add(de.pk)
            for unit_id in communes:
                base = rng.randint(200, 3000)
                unit_rate = min(0.999, max(0.0, rate_mid + rng.uniform(-0.05, 0.05)))
                for i, p in enumerate(periods):
                    trend = 1 + 0.01 * i * (1 if rng.random() < 0.5 else -1)
                    total_value = (
                        base
                        if is_den
                        else int(base * unit_rate * trend * (0.5 if p.code.endswith("S1") else 1))
                    )
                    split = [total_value] + (
                        [int(total_value * 0.3), total_value - int(total_value * 0.3)]
                        if len(combos) == 3
                        else []
                    )
                    for combo, value in zip(combos, split, strict=False):
                        if combo is None:
                            continue
                        status = "approved" if rng.random() < 0.9 else "submitted"
                        d = dict(
                            defaults,
                            data_element_id=de.pk,
                            combo_id=combo,
                            unit_id=unit_id,
                            period_id=p.pk,
                            value=value,
                            status=status,
                        )
                        rows.append(tuple(d[c] for c in columns))
    t0 = time.perf_counter()
    table = DataValue._meta.db_table
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = connection.connection
            with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            for i in range(0, len(rows), 20000):
                cur.executemany(sql, rows[i : i + 20000])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")
    return {
        "values": len(rows),
        "communes": len(communes),
        "periods": len(periods),
        "elements": len(de_done),
        "insert_s": time.perf_counter() - t0,
    }


def _vectorised(indicators, components) -> tuple[float, dict]:
    """Observations at every unit + status for every component × unit × period; returns (seconds, counts)."""
    from treem.analytics import services

    t0 = time.perf_counter()
    frame = services.components_frame(components)
    obs = services.bulk_observations(indicators, combos=services.component_combos(frame))
    t1 = time.perf_counter()
    result = services.evaluate(frame, obs)
    t2 = time.perf_counter()
    counts = {
        "observations": len(obs),
        "units": obs["unit_id"].nunique(),
        "components": len(frame),
        "status_rows": len(result),
        "pairs": result[["component_id", "unit_id"]].drop_duplicates().shape[0],
        "sql_s": t1 - t0,
        "engine_s": t2 - t1,
        "by_status": result["status"].value_counts().to_dict(),
    }
    return t2 - t0, counts


def _naive_pair(component, unit_id, periods, total_combo_id) -> list:
    """The straightforward way: per period, ORM sums under the unit, then the scalar rule."""
    from django.db.models import Sum

    from treem.analytics import status as st
    from treem.analytics.periods import milestone_time, period_time
    from treem.reporting.models import DataValue

    ind = component.indicator
    out, baseline, baseline_t, prev_met = [], None, None, None
    for p in periods:

        def total(de_id, p=p):
            if de_id is None:
                return None
            return DataValue.objects.filter(
                unit__ancestor_links__ancestor_id=unit_id,
                period=p,
                data_element_id=de_id,
                combo_id=total_combo_id,
                status__in=["submitted", "approved"],
            ).aggregate(s=Sum("value"))["s"]

        num, den = total(ind.numerator_id), total(ind.denominator_id)
        if num is None:
            out.append(None)
            continue
        value = (
            float(num) * ind.multiplier / float(den)
            if ind.denominator_id and den
            else (None if ind.denominator_id else float(num))
        )
        if value is None:
            out.append(None)
            continue
        t = period_time(p.code)
        if baseline is None:
            baseline, baseline_t = value, t
        a = st.assess(
            component.comparator,
            component.value,
            component.unit,
            ind.direction,
            milestone_time(component.year),
            value,
            t,
            baseline,
            baseline_t,
            prev_met,
        )
        prev_met = a.status == st.Status.ACHIEVED
        out.append(a.status)
    return out


def _load_test(
    env, plan_id: int, unit_id: int, period: str, users: int, duration: float, workers: int = 2
) -> dict:
    """Run the server and the simulated users; returns latency statistics in ms."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from treem.accounts.models import Membership, Role

    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench.monitoring")
    from treem.plans.models import PlanDocument

    Membership.objects.get_or_create(user=user, unit_id=unit_id, role=Role.UNIT_MANAGER, agency=None)
    # the plan's own unit too: plans_for_user does not yet let a new province read its predecessors' plans
    Membership.objects.get_or_create(
        user=user, unit_id=PlanDocument.objects.get(pk=plan_id).issuing_unit_id, role=Role.VIEWER, agency=None
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()

    import socket

    ports = []
    for _ in range(workers):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    server_env = {
        **os.environ,
        **{k: v for k, v in env.items() if v},
        "DEBUG": "1",
        "SECRET_KEY": BENCH_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    if not env.get("DATABASE_URL"):
        server_env.pop("DATABASE_URL", None)
    script = Path(sys.executable).with_name("treem")
    cmd = [str(script)] if script.exists() else [sys.executable, str(ROOT / "manage.py")]
    procs = [
        subprocess.Popen(
            cmd + ["runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
            env=server_env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    path = f"/theo-doi/ke-hoach/{plan_id}/?don-vi={unit_id}&ky={period}"
    headers = {"Cookie": f"sessionid={session.session_key}", "Host": "127.0.0.1"}
    try:
        for port in ports:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    c.request("GET", "/healthz")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.3)
            # warm-up (each process computes once, then serves from its cache until the data change)
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for _ in range(3):
                c.request("GET", path, headers=headers)
                r = c.getresponse()
                body = r.read()
                if r.status != 200:
                    raise RuntimeError(f"dashboard returned {r.status}: {body[:300]!r}")
        latencies, errors, lock = [], [0], threading.Lock()
        stop_at = time.time() + duration

        def user_loop(seed: int) -> None:
            rng = random.Random(seed)
            port = ports[seed % len(ports)]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            time.sleep(rng.uniform(0, 1.0))
            while time.time() < stop_at:
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    resp = conn.getresponse()
                    resp.read()
                    ok = resp.status == 200
                except OSError:
                    ok = False
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1
                time.sleep(rng.uniform(0.5, 1.5))

        threads = [threading.Thread(target=user_loop, args=(i,)) for i in range(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors[0],
        "p50": statistics.median(latencies) if n else float("nan"),
        "p95": latencies[min(n - 1, int(0.95 * n))] if n else float("nan"),
        "max": latencies[-1] if n else float("nan"),
        "rps": n / duration,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--naive-pairs", type=int, default=60)
    parser.add_argument("--var", help="directory for the SQLite database (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database of an earlier --keep run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    env = _prepare_env(args)
    os.environ.update({k: v for k, v in env.items() if v})
    if not env.get("DATABASE_URL"):
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["SECRET_KEY"] = BENCH_SECRET
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from treem.geo.models import AdministrativeUnit, Generation, Level
    from treem.plans.models import PlanDocument, TargetComponent
    from treem.reporting.models import DataValue, Period

    print(
        f"== TreEm monitoring benchmark ({connection.vendor}, {os.cpu_count()} CPU, "
        f"load average at start {os.getloadavg()[0]:.1f})"
    )
    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        if not AdministrativeUnit.objects.filter(generation=Generation.Y2025).exists():
            call_command("setup_treem", "--no-demo", verbosity=0)
        print(f"set-up (migrate, units, catalogue, seed plans): {time.perf_counter() - t0:.1f} s")
        if not DataValue.objects.filter(source="bench").exists():
            counts = _generate(args.years)
            print(
                f"national synthetic data: {counts['values']:,} values = {counts['communes']:,} communes × "
                f"{counts['elements']} data elements × {counts['periods']} periods (+ urban/rural), "
                f"inserted in {counts['insert_s']:.1f} s"
            )
        else:
            print(f"national synthetic data: reusing {DataValue.objects.count():,} values")
        if connection.vendor == "postgresql":
            # planner statistics and visibility map of every table, as autovacuum keeps them on a production server
            # (a test server may run without it: the unit tables would have no statistics at all)
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
            print(f"VACUUM ANALYZE: {time.perf_counter() - t0:.1f} s")

        components = list(
            TargetComponent.objects.filter(
                indicator__isnull=False, target__plan__status="active"
            ).select_related("indicator", "target__plan__issuing_unit")
        )
        indicators = list({c.indicator_id: c.indicator for c in components}.values())
        assert indicators, "no components with indicators"
        elapsed, c = _vectorised(indicators, components)
        print(
            f"vectorised: {c['components']} components of {PlanDocument.objects.filter(status='active').count()} plans × "
            f"{c['units']:,} units × periods → {c['status_rows']:,} statuses ({c['pairs']:,} component×unit pairs) "
            f"in {elapsed:.2f} s (values and sums {c['sql_s']:.2f} s, status engine {c['engine_s']:.2f} s)"
        )
        print("  statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(c["by_status"].items())))

        rng = random.Random(7)
        unit_ids = list(AdministrativeUnit.objects.filter(Q_levels()).values_list("pk", flat=True))
        periods = list(Period.objects.filter(code__in=_period_codes(args.years)).order_by("end", "-start"))
        from treem.indicators.rules import total_combo

        total_id = total_combo().pk
        sample = [(rng.choice(components), rng.choice(unit_ids)) for _ in range(args.naive_pairs)]
        t0 = time.perf_counter()
        for comp, unit_id in sample:
            _naive_pair(comp, unit_id, periods, total_id)
        naive_per_pair = (time.perf_counter() - t0) / len(sample)
        naive_total = naive_per_pair * c["pairs"]
        ratio = naive_total / elapsed
        print(
            f"naive (ORM sums per component × unit × period + scalar rule): {naive_per_pair * 1000:.1f} ms per pair "
            f"on {len(sample)} random pairs → {naive_total:,.0f} s estimated for {c['pairs']:,} pairs; "
            f"vectorised is {ratio:,.0f}× faster"
        )

        # load test: the plan with most measurable components, at the province (since 1/7/2025) of its area
        from treem.reporting.rounds import area_communes

        plan = max(
            PlanDocument.objects.filter(status="active"),
            key=lambda p: TargetComponent.objects.filter(target__plan=p, indicator__isnull=False).count(),
        )
        communes, _ = area_communes(plan, datetime.date.today())
        province = AdministrativeUnit.objects.filter(
            level=Level.PROVINCE, generation=Generation.Y2025, descendant_links__descendant=communes[0]
        ).first()
        n_communes = AdministrativeUnit.objects.filter(parent=province).count()
        stats = _load_test(env, plan.pk, province.pk, "2025", args.users, args.duration)
        print(
            f"dashboard of {plan} for {province.full_name} ({n_communes} communes), {args.users} users, think time "
            f"0,5–1,5 s, {args.duration:.0f} s: {stats['requests']} requests ({stats['rps']:.1f}/s), {stats['errors']} errors, "
            f"p50 {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms, max {stats['max']:.0f} ms"
        )
        print(
            f"load average at the end {os.getloadavg()[0]:.1f} (other work on the machine slows every figure)"
        )
        print(
            f"GOAL monitoring_status_all_units: {elapsed:.2f} s (goal 10) {'met' if elapsed <= 10 else 'missed'}"
        )
        print(
            f"GOAL monitoring_dashboard_p95: {stats['p95']:.0f} ms (goal 300) "
            f"{'met' if stats['p95'] <= 300 and not stats['errors'] else 'missed'}"
        )
        print(f"GOAL monitoring_vs_naive: {ratio:,.0f} x (goal 10) {'met' if ratio >= 10 else 'missed'}")
    finally:
        connection.close()
        if not args.keep:
            _drop(env)
    return 0


def Q_levels():
    """Units the status is computed for: communes, provinces and the country (units since 1/7/2025)."""
    from django.db.models import Q

    from treem.geo.models import Generation, Level

    return Q(generation=Generation.Y2025) | Q(level=Level.COUNTRY)


def _period_codes(years: int) -> list[str]:
    out = []
    for y in range(2025 - years + 1, 2026):
        out += [f"{y}S1", str(y)]
    return out


if __name__ == "__main__":
    sys.exit(main())
