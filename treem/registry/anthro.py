"""WHO Child Growth Standards (2006) z-scores, computed as WHO's R package ``anthro`` does.

Pure NumPy, no Django.  Reproduces ``anthro_zscores()`` of the WHO R package
(github.com/WorldHealthOrganization/anthro, commit b776d8a, version 1.1.0.9000)
for length/height-for-age (``zlen``), weight-for-age (``zwei``),
weight-for-length/height (``zwfl``) and BMI-for-age (``zbmi``), children 0-60 months:

* day-based LMS tables (``data/who/*.txt``, byte copies of the package's tables);
* age in days rounded half-up (months are multiplied by 30.4375 first);
  age-based z-scores only when the unrounded age is < 60 months;
* measure ``h`` under 9 months is discarded (``c9mo_flag``); +0.7 cm for a height
  measured before 731 days, -0.7 cm for a length measured from 731 days on;
* restricted tails beyond +/-3 SD for zwei, zwfl and zbmi (not zlen);
* weight-for-length below 731 days, weight-for-height from 731 days, (age missing:
  measure, else 87 cm), linear interpolation between the 0.1 cm rows;
* oedema removes zwei, zwfl and zbmi; flags are computed on z rounded to 2 decimals
  with R's ``round()`` algorithm.

The z-scores returned are **unrounded**; :func:`round_z` gives WHO's 2-decimal values.
Missing values are ``NaN`` in float arrays.  Everything is vectorised; large inputs
are processed in chunks, optionally in threads (NumPy releases the GIL).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "DAYS_PER_MONTH",
    "OUTPUT_FIELDS",
    "Z_FIELDS",
    "FLAG_FIELDS",
    "compute_zscores",
    "round_z",
    "classify",
    "load_tables",
    "CSV_INPUT_COLUMNS",
    "CSV_OUTPUT_COLUMNS",
    "ZscoreInputError",
    "zscores_csv",
]

DATA_DIR = Path(__file__).resolve().parent / "data" / "who"

#: ``ANTHRO_DAYS_OF_MONTH`` of the R package.
DAYS_PER_MONTH = 30.4375
#: Last day of the age-based tables (60 months is 1826.25 days).
MAX_TABLE_DAY = 1826
#: ``anthro`` accepts ages up to this many (rounded) days; beyond, everything is NA.
MAX_AGE_DAYS = 1856
#: Position correction between recumbent length and standing height, cm.
LENHEI_CORRECTION = 0.7
#: From this (rounded) age in days, children are measured standing.
HEIGHT_FROM_DAY = 731

# Weight-for-length/height grid: tenths of cm, 45.0 .. 120.0 cm (wfl 45-110, wfh 65-120).
_WFLH_FIRST = 450
_WFLH_LAST = 1200
_WFLH_SIZE = _WFLH_LAST - _WFLH_FIRST + 1
_WFL_RANGE = (45.0, 110.0)
_WFH_RANGE = (65.0, 120.0)

#: The four z-scores, in output order.
Z_FIELDS = ("zlen", "zwei", "zwfl", "zbmi")
#: Their flags (1 = implausible), in output order.
FLAG_FIELDS = ("flen", "fwei", "fwfl", "fbmi")
#: Every key of the dictionary returned by :func:`compute_zscores`.
OUTPUT_FIELDS = (
    "age_days",
    "age_months",
    "csex",
    "cmeasure",
    "c9mo_flag",
    "clenhei",
    "cbmi",
    *Z_FIELDS,
    *FLAG_FIELDS,
)

_DEFAULT_CHUNK = 1 << 16


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _AgeTable:
    """LMS by (sex, day) flattened as ``(sex - 1) * 1827 + day``, with the SD cut-offs."""

    L: np.ndarray
    M: np.ndarray
    S: np.ndarray
    sd3pos: np.ndarray
    sd23pos: np.ndarray
    sd3neg: np.ndarray
    sd23neg: np.ndarray


@dataclass(frozen=True)
class _Tables:
    wei: _AgeTable
    len: _AgeTable
    bmi: _AgeTable
    # weight-for-length (kind 0) / height (kind 1): flat index ((sex-1)*2 + kind)*751 + tenth - 450
    wflh_L: np.ndarray
    wflh_M: np.ndarray
    wflh_S: np.ndarray


def _read_rows(name: str) -> tuple[list[str], list[list[str]]]:
    text = (DATA_DIR / f"{name}.txt").read_text(encoding="ascii")
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0].split("\t")
    return header, [line.split("\t") for line in lines[1:]]


def _calc_sd(L, M, S, k):
    # R: m * ((1 + l * s * sd)^(1 / l))
    return M * np.power(1.0 + L * S * k, 1.0 / L)


def _age_table(name: str) -> _AgeTable:
    header, rows = _read_rows(name)
    if header[:5] != ["sex", "age", "l", "m", "s"]:
        raise ValueError(f"{name}: unexpected header {header}")
    size = MAX_TABLE_DAY + 1
    L, M, S = (np.full(2 * size, np.nan) for _ in range(3))
    seen = np.zeros(2 * size, dtype=bool)
    for row in rows:
        sex, day = int(row[0]), int(row[1])
        i = (sex - 1) * size + day
        # Python's float() is correctly rounded, like R's parser: same doubles as R.
        L[i], M[i], S[i] = float(row[2]), float(row[3]), float(row[4])
        seen[i] = True
    if not seen.all():
        raise ValueError(f"{name}: days 0..{MAX_TABLE_DAY} not all present for both sexes")
    return _AgeTable(
        L=L,
        M=M,
        S=S,
        sd3pos=_calc_sd(L, M, S, 3.0),
        sd23pos=_calc_sd(L, M, S, 3.0) - _calc_sd(L, M, S, 2.0),
        sd3neg=_calc_sd(L, M, S, -3.0),
        sd23neg=_calc_sd(L, M, S, -2.0) - _calc_sd(L, M, S, -3.0),
    )


def _lenhei_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    L, M, S = (np.full(4 * _WFLH_SIZE, np.nan) for _ in range(3))
    for kind, (name, (lo, hi)) in enumerate((("wflanthro", _WFL_RANGE), ("wfhanthro", _WFH_RANGE))):
        header, rows = _read_rows(name)
        if header[:5] != ["sex", "length" if kind == 0 else "height", "l", "m", "s"]:
            raise ValueError(f"{name}: unexpected header {header}")
        count = 0
        for row in rows:
            sex, value = int(row[0]), float(row[1])
            tenth = round(value * 10)
            # R matches trunc(x * 10) / 10 on double equality with the table value.
            if tenth / 10 != value or not lo <= value <= hi:
                raise ValueError(f"{name}: unexpected length {row[1]!r}")
            i = ((sex - 1) * 2 + kind) * _WFLH_SIZE + tenth - _WFLH_FIRST
            L[i], M[i], S[i] = float(row[2]), float(row[3]), float(row[4])
            count += 1
        if count != 2 * (round(hi * 10) - round(lo * 10) + 1):
            raise ValueError(f"{name}: incomplete table")
    return L, M, S


@functools.cache
def load_tables() -> _Tables:
    """Load the WHO LMS tables shipped in ``data/who`` (once; cached)."""
    lenanthro = _age_table("lenanthro")
    if not np.all(lenanthro.L == 1.0):
        raise ValueError("lenanthro: L is expected to be 1 on every row")
    wflh_L, wflh_M, wflh_S = _lenhei_tables()
    return _Tables(
        wei=_age_table("weianthro"),
        len=lenanthro,
        bmi=_age_table("bmianthro"),
        wflh_L=wflh_L,
        wflh_M=wflh_M,
        wflh_S=wflh_S,
    )


# --------------------------------------------------------------------------- inputs


def _as_array(x: Any, n: int, dtype=None) -> np.ndarray:
    a = np.asarray(x, dtype=dtype)
    if a.ndim == 0:
        a = np.full(n, a.item() if dtype is None else a, dtype=a.dtype if dtype is None else dtype)
    if a.shape != (n,):
        raise ValueError(f"expected {n} values, got an array of shape {a.shape}")
    return a


def _as_str(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "U":
        return a
    if a.dtype.kind == "S":
        return np.char.decode(a, "ascii", errors="replace")
    # object arrays: None -> 'None', nan -> 'nan' (neither is a valid code).
    return a.astype(str)


def _is_numeric(a: np.ndarray) -> bool:
    return a.dtype.kind in "iuf"


def _in(s: np.ndarray, codes: tuple[str, ...]) -> np.ndarray:
    out = s == codes[0]
    for code in codes[1:]:
        out |= s == code
    return out


def _norm_sex(x: Any, n: int) -> np.ndarray:
    """1 male, 2 female, 0 missing (R: 1/"m"/"M" and 2/"f"/"F")."""
    if x is None:
        return np.zeros(n, dtype=np.int8)
    a = _as_array(x, n)
    if _is_numeric(a):
        return np.where(a == 1, 1, np.where(a == 2, 2, 0)).astype(np.int8)
    s = _as_str(a)
    male = _in(s, ("1", "m", "M", "1.0"))
    female = _in(s, ("2", "f", "F", "2.0"))
    return np.where(male, 1, np.where(female, 2, 0)).astype(np.int8)


def _norm_oedema(x: Any, n: int) -> np.ndarray:
    """True for oedema (R: "y"/"Y"/"1"); anything else, missing included, is no."""
    if x is None:
        return np.zeros(n, dtype=bool)
    a = _as_array(x, n)
    if _is_numeric(a):
        return a == 1
    return _in(_as_str(a), ("y", "Y", "1", "1.0"))


def _norm_measure(x: Any, n: int) -> np.ndarray:
    """1 for "l"/"L" (lying), 2 for "h"/"H" (standing), 0 otherwise (missing)."""
    if x is None:
        return np.zeros(n, dtype=np.int8)
    a = _as_array(x, n)
    if _is_numeric(a):
        return np.zeros(n, dtype=np.int8)
    s = _as_str(a)
    return np.where(_in(s, ("l", "L")), 1, np.where(_in(s, ("h", "H")), 2, 0)).astype(np.int8)


def _norm_float(x: Any, n: int) -> np.ndarray:
    if x is None:
        return np.full(n, np.nan)
    if hasattr(x, "to_numpy"):  # pandas Series, incl. nullable dtypes (pd.NA)
        try:
            x = x.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            pass
    a = _as_array(x, n)
    if a.dtype.kind == "O":
        a = np.where(np.equal(a, None), np.nan, a)
    return np.ascontiguousarray(a, dtype=np.float64)


def _norm_months(is_age_in_month: Any, age_unit: Any, n: int) -> np.ndarray | bool:
    if age_unit is not None:
        if is_age_in_month is not None:
            raise TypeError("give either is_age_in_month or age_unit, not both")
        u = np.asarray(age_unit)
        if u.ndim == 0:
            unit = str(u.item()).strip().lower()
            if unit not in ("days", "months"):
                raise ValueError(f"age_unit must be 'days' or 'months', not {unit!r}")
            return unit == "months"
        s = np.char.lower(np.char.strip(_as_str(_as_array(u, n))))
        months = s == "months"
        bad = ~(months | (s == "days"))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"age_unit must be 'days' or 'months' (index {i}: {u[i]!r})")
        return months
    if is_age_in_month is None:
        return False
    a = np.asarray(is_age_in_month)
    if a.ndim == 0:
        return bool(a)
    return _as_array(a, n).astype(bool)


def _length(*xs: Any) -> int:
    n = None
    for x in xs:
        if x is None:
            continue
        shape = np.shape(x)
        if len(shape) > 1:
            raise ValueError("inputs must be scalars or 1-D arrays")
        if len(shape) == 1:
            if n is not None and shape[0] != n:
                raise ValueError(f"inputs have different lengths ({n} and {shape[0]})")
            n = shape[0]
    return 1 if n is None else n


# --------------------------------------------------------------------------- core


def _restricted(y, L, M, S, sd3pos=None, sd23pos=None, sd3neg=None, sd23neg=None):
    """LMS z with WHO's restricted tails beyond +/-3 SD (``compute_zscore_adjusted``)."""
    z = (np.power(y / M, L) - 1.0) / (S * L)
    hi = z > 3.0
    lo = z < -3.0
    if sd3pos is not None:  # SD cut-offs already known (age tables)
        z = np.where(hi, 3.0 + (y - sd3pos) / sd23pos, z)
        z = np.where(lo, -3.0 + (y - sd3neg) / sd23neg, z)
        return z
    if hi.any():
        lh, mh, sh = L[hi], M[hi], S[hi]
        sd3 = _calc_sd(lh, mh, sh, 3.0)
        z[hi] = 3.0 + (y[hi] - sd3) / (sd3 - _calc_sd(lh, mh, sh, 2.0))
    if lo.any():
        ll, ml, sl = L[lo], M[lo], S[lo]
        sd3 = _calc_sd(ll, ml, sl, -3.0)
        z[lo] = -3.0 + (y[lo] - sd3) / (_calc_sd(ll, ml, sl, -2.0) - sd3)
    return z


def _age_z(t: _AgeTable, idx, y, valid, restricted: bool) -> np.ndarray:
    M = t.M[idx]
    S = t.S[idx]
    if restricted:
        z = _restricted(y, t.L[idx], M, S, t.sd3pos[idx], t.sd23pos[idx], t.sd3neg[idx], t.sd23neg[idx])
    else:  # L == 1 on every row: ((y/M)^1 - 1) / (S*1), bit-identical
        z = (y / M - 1.0) / S
    return np.where(valid, z, np.nan)


def _flags(z: np.ndarray, low: float, high: float) -> np.ndarray:
    r = round_z(z)
    return np.where(np.isnan(z), np.nan, ((r < low) | (r > high)).astype(np.float64))


def _compute_chunk(t: _Tables, sex, age, months, weight, lenhei, mcode, oedema) -> dict:
    # Ages (utils.R: age_to_days, age_to_months, round_up).
    if isinstance(months, np.ndarray):
        age_d = np.where(months, age * DAYS_PER_MONTH, age)
        age_m = np.where(months, age, age / DAYS_PER_MONTH)
    elif months:
        age_d = age * DAYS_PER_MONTH
        age_m = age
    else:
        age_d = age
        age_m = age / DAYS_PER_MONTH
    floor = np.floor(age_d)
    age_days = floor + ((age_d - floor) >= 0.5)
    has_age = ~np.isnan(age_days)
    under60 = age_m < 60.0  # False when missing
    age_ok = under60 & (age_days >= 0) & (age_days <= MAX_TABLE_DAY)

    # Measure cleaning: "h" under 9 months -> NA, no correction.
    c9 = (mcode == 2) & (age_m < 9.0)
    mcode = np.where(c9, 0, mcode)
    adj = np.where(
        (age_days < HEIGHT_FROM_DAY) & (mcode == 2),
        LENHEI_CORRECTION,
        np.where((age_days >= HEIGHT_FROM_DAY) & (mcode == 1), -LENHEI_CORRECTION, 0.0),
    )
    clenhei = lenhei + adj
    h100 = clenhei / 100.0
    cbmi = weight / (h100 * h100)

    has_sex = sex > 0
    sex0 = np.where(has_sex, sex - 1, 0).astype(np.intp)
    day = np.where(age_ok, age_days, 0.0).astype(np.intp)
    aidx = sex0 * (MAX_TABLE_DAY + 1) + day
    base_ok = has_sex & age_ok
    no_oed = ~oedema

    zlen = _age_z(t.len, aidx, clenhei, base_ok & (clenhei > 0), restricted=False)
    zwei = _age_z(t.wei, aidx, weight, base_ok & no_oed & (weight > 0), restricted=True)
    zbmi = _age_z(t.bmi, aidx, cbmi, base_ok & no_oed & (cbmi > 0), restricted=True)

    # Weight-for-length/height (z-score-weight-for-lenhei.R).
    use_height = np.where(
        has_age,
        age_days >= HEIGHT_FROM_DAY,
        np.where(mcode == 1, False, np.where(mcode == 2, True, clenhei >= 87.0)),
    )
    in_range = np.where(
        use_height,
        (clenhei >= _WFH_RANGE[0]) & (clenhei <= _WFH_RANGE[1]),
        (clenhei >= _WFL_RANGE[0]) & (clenhei <= _WFL_RANGE[1]),
    )
    age_pass = ~has_age | (under60 & (age_days >= 0) & (age_days <= MAX_AGE_DAYS))
    wfl_ok = has_sex & in_range & no_oed & age_pass & ~np.isnan(weight)
    x10 = np.where(wfl_ok, clenhei * 10.0, 1000.0)
    low_t = np.trunc(x10)
    upp_t = np.trunc(x10 + 1.0)
    d = (clenhei - low_t / 10.0) / 0.1
    kbase = (sex0 * 2 + use_height) * _WFLH_SIZE - _WFLH_FIRST
    ilo = kbase + np.clip(low_t, _WFLH_FIRST, _WFLH_LAST).astype(np.intp)
    iup = kbase + np.clip(upp_t, _WFLH_FIRST, _WFLH_LAST).astype(np.intp)
    interp = d > 0
    lms = []
    for tab in (t.wflh_L, t.wflh_M, t.wflh_S):
        lo_v = tab[ilo]
        lms.append(np.where(interp, lo_v + d * (tab[iup] - lo_v), lo_v))
    zwfl = _restricted(weight, *lms)
    zwfl = np.where(wfl_ok, zwfl, np.nan)

    return {
        "age_days": age_days,
        "age_months": age_m,
        "csex": np.where(has_sex, sex, np.nan),
        "cmeasure": mcode,
        "c9mo_flag": c9.astype(np.int8),
        "clenhei": clenhei,
        "cbmi": cbmi,
        "zlen": zlen,
        "zwei": zwei,
        "zwfl": zwfl,
        "zbmi": zbmi,
        "flen": _flags(zlen, -6.0, 6.0),
        "fwei": _flags(zwei, -6.0, 5.0),
        "fwfl": _flags(zwfl, -5.0, 5.0),
        "fbmi": _flags(zbmi, -5.0, 5.0),
    }


_MEASURE_NAMES = np.array([None, "l", "h"], dtype=object)


def compute_zscores(
    sex: Any,
    age: Any,
    weight: Any = None,
    lenhei: Any = None,
    measure: Any = None,
    oedema: Any = None,
    *,
    is_age_in_month: Any = None,
    age_unit: Any = None,
    chunk_size: int = _DEFAULT_CHUNK,
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """Return WHO 2006 z-scores (unrounded) and flags like R ``anthro_zscores()``, as NumPy arrays.

    Arguments are scalars or 1-D arrays of one length:

    * ``sex``: 1/"m"/"M" male, 2/"f"/"F" female, anything else missing;
    * ``age``: in days, or in months where ``is_age_in_month`` is true (bool or bool
      array) or ``age_unit`` is ``"months"`` (``"days"``/``"months"``, scalar or array);
      ``NaN`` = missing; negative ages raise ``ValueError`` (R stops too);
    * ``weight`` kg, ``lenhei`` cm (``NaN`` = missing);
    * ``measure``: "l"/"L" recumbent length, "h"/"H" standing height, else missing;
    * ``oedema``: "y"/"Y"/"1"/1 yes, anything else (missing included) no.

    Returns a dict with ``zlen, zwei, zwfl, zbmi`` (float, unrounded, ``NaN`` when not
    computable), ``flen, fwei, fwfl, fbmi`` (float 0/1, ``NaN`` when the z is missing;
    computed on z rounded to 2 decimals as WHO does), ``clenhei``, ``cbmi``, ``cmeasure``
    (object: "l"/"h"/None), ``c9mo_flag`` (int8), ``csex`` (float 1/2/NaN),
    ``age_days`` (rounded, float) and ``age_months``.
    """
    n = _length(sex, age, weight, lenhei, measure, oedema, is_age_in_month, age_unit)
    sex_a = _norm_sex(sex, n)
    age_a = _norm_float(age, n)
    if np.any(age_a < 0):
        i = int(np.flatnonzero(age_a < 0)[0])
        raise ValueError(f"age must not be negative (index {i}: {age_a[i]!r})")
    weight_a = _norm_float(weight, n)
    lenhei_a = _norm_float(lenhei, n)
    mcode = _norm_measure(measure, n)
    oed = _norm_oedema(oedema, n)
    months = _norm_months(is_age_in_month, age_unit, n)

    t = load_tables()
    out = {
        k: np.empty(n, dtype=np.int8 if k in ("cmeasure", "c9mo_flag") else np.float64) for k in OUTPUT_FIELDS
    }
    chunk_size = max(int(chunk_size), 1)
    bounds = [(i, min(i + chunk_size, n)) for i in range(0, n, chunk_size)]

    def run(bound: tuple[int, int]) -> None:
        a, b = bound
        mo = months[a:b] if isinstance(months, np.ndarray) else months
        with np.errstate(all="ignore"):
            res = _compute_chunk(
                t, sex_a[a:b], age_a[a:b], mo, weight_a[a:b], lenhei_a[a:b], mcode[a:b], oed[a:b]
            )
        for k, v in res.items():
            out[k][a:b] = v

    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    workers = max(1, min(int(workers), len(bounds)))
    if workers == 1:
        for bound in bounds:
            run(bound)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, bounds))
    out["cmeasure"] = _MEASURE_NAMES[out["cmeasure"]]
    return out


def round_z(z: Any) -> np.ndarray:
    """Round z-scores to 2 decimals exactly like R's ``round(z, 2)`` (R >= 4.0 algorithm)."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(all="ignore"):
        x = np.abs(z)
        x10 = 100.0 * x
        i10 = np.floor(x10)
        xd = i10 / 100.0
        xu = np.ceil(x10) / 100.0
        du = xu - x
        dd = x - xd
        up = (du < dd) | ((du == dd) & (np.fmod(i10, 2.0) == 1.0))
        r = np.where(up, xu, xd)
        # R returns x unchanged when rounding would lose precision, and for 0 / Inf.
        r = np.where((x >= 2.0**43) | (x == 0), x, r)
        return np.copysign(r, z)


def classify(
    z: Mapping[str, Any],
    *,
    rounded: bool = True,
    exclude_flagged: bool = True,
    oedema: Any = None,
) -> dict[str, np.ndarray]:
    """Malnutrition categories (1.0 yes, 0.0 no, NaN unknown) from :func:`compute_zscores` output.

    ``stunting`` zlen < -2, ``severe_stunting`` zlen < -3, ``underweight`` zwei < -2,
    ``severe_underweight`` zwei < -3, ``wasting`` zwfl < -2, ``severe_wasting`` zwfl < -3,
    ``overweight`` zwfl > 2, ``obesity`` zwfl > 3.  By default the z-scores are first
    rounded to 2 decimals (WHO's published values) and flagged values are unknown.
    If ``oedema`` is given, children with oedema (no zwfl) count as severely wasted
    (and wasted, not overweight), as WHO/UNICEF prevalence estimates do.
    """

    def prep(zkey: str, fkey: str) -> np.ndarray:
        v = np.asarray(z[zkey], dtype=np.float64)
        if rounded:
            v = round_z(v)
        if exclude_flagged and fkey in z:
            v = np.where(np.asarray(z[fkey]) == 1, np.nan, v)
        return v

    def below(v, cut):
        return np.where(np.isnan(v), np.nan, (v < cut).astype(np.float64))

    def above(v, cut):
        return np.where(np.isnan(v), np.nan, (v > cut).astype(np.float64))

    zlen = prep("zlen", "flen")
    zwei = prep("zwei", "fwei")
    zwfl = prep("zwfl", "fwfl")
    out = {
        "stunting": below(zlen, -2.0),
        "severe_stunting": below(zlen, -3.0),
        "underweight": below(zwei, -2.0),
        "severe_underweight": below(zwei, -3.0),
        "wasting": below(zwfl, -2.0),
        "severe_wasting": below(zwfl, -3.0),
        "overweight": above(zwfl, 2.0),
        "obesity": above(zwfl, 3.0),
    }
    if oedema is not None:
        oed = _norm_oedema(oedema, _length(zwfl, oedema))
        for key, value in (("wasting", 1.0), ("severe_wasting", 1.0), ("overweight", 0.0), ("obesity", 0.0)):
            out[key] = np.where(oed, value, out[key])
    return out


# --------------------------------------------------------------------------- CSV files

#: Input columns of :func:`zscores_csv` (the oracle's input columns), all required.
CSV_INPUT_COLUMNS = ("sex", "age", "age_unit", "weight", "lenhei", "measure", "oedema")
#: Columns appended (or overwritten) by :func:`zscores_csv`.
CSV_OUTPUT_COLUMNS = (*Z_FIELDS, *FLAG_FIELDS)
#: Rows read, computed and written at a time by :func:`zscores_csv`.
CSV_CHUNK_ROWS = 100_000
_CSV_NA = ("", "NA")


class ZscoreInputError(ValueError):
    """Bad input file for :func:`zscores_csv`; the message (Vietnamese) names the row and column."""


def _csv_header(path: Path) -> list[str]:
    import csv

    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except FileNotFoundError:
        raise ZscoreInputError(f"Không tìm thấy tệp đầu vào: {path}") from None
    except IsADirectoryError:
        raise ZscoreInputError(f"Đường dẫn đầu vào là một thư mục, không phải tệp: {path}") from None
    except UnicodeDecodeError:
        raise ZscoreInputError(f"Tệp đầu vào không phải văn bản UTF-8: {path}") from None
    except csv.Error as exc:
        raise ZscoreInputError(f"Không đọc được dòng tiêu đề của tệp CSV {path}: {exc}") from None
    if not header or not any(h.strip() for h in header):
        raise ZscoreInputError(f"Tệp đầu vào rỗng, không có dòng tiêu đề: {path}")
    return header


def _csv_columns(header: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        if key in CSV_INPUT_COLUMNS:
            if key in found:
                raise ZscoreInputError(f"Cột '{key}' xuất hiện hai lần trong dòng tiêu đề.")
            found[key] = name
    missing = [c for c in CSV_INPUT_COLUMNS if c not in found]
    if missing:
        raise ZscoreInputError(
            "Tệp đầu vào thiếu cột bắt buộc: "
            + ", ".join(missing)
            + " (cần đủ các cột: "
            + ", ".join(CSV_INPUT_COLUMNS)
            + ")."
        )
    return found


def _row_label(row: int) -> str:
    return f"Dòng dữ liệu {row} (dòng {row + 1} của tệp, tính cả dòng tiêu đề)"


def _csv_text(column) -> np.ndarray:
    """A CSV column (pandas, read as text) as a NumPy unicode array, stripped."""
    return np.char.strip(column.to_numpy(dtype=object, na_value="").astype(str))


def _csv_numbers(text: np.ndarray, column: str, first_row: int) -> np.ndarray:
    import pandas as pd

    missing = (text == "") | (text == "NA")
    values = pd.to_numeric(np.where(missing, "nan", text), errors="coerce")
    values = np.array(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~missing & ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ZscoreInputError(
            f"{_row_label(first_row + i)}, cột '{column}': giá trị '{text[i]}' "
            "không phải là số (để trống hoặc ghi NA nếu thiếu)."
        )
    return values


def _csv_chunk(chunk, cols: dict[str, str], first_row: int, workers: int | None):
    text = {c: _csv_text(chunk[cols[c]]) for c in CSV_INPUT_COLUMNS}
    age = _csv_numbers(text["age"], "age", first_row)
    weight = _csv_numbers(text["weight"], "weight", first_row)
    lenhei = _csv_numbers(text["lenhei"], "lenhei", first_row)
    negative = age < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise ZscoreInputError(
            f"{_row_label(first_row + i)}, cột 'age': tuổi không được âm ('{text['age'][i]}')."
        )
    unit = np.char.lower(text["age_unit"])
    months = unit == "months"
    unit_missing = (unit == "") | (text["age_unit"] == "NA")
    bad = ~(months | (unit == "days") | (unit_missing & np.isnan(age)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ZscoreInputError(
            f"{_row_label(first_row + i)}, cột 'age_unit': giá trị '{text['age_unit'][i]}' "
            "không hợp lệ (chỉ nhận 'days' hoặc 'months')."
        )
    res = compute_zscores(
        text["sex"],
        age,
        weight,
        lenhei,
        text["measure"],
        text["oedema"],
        is_age_in_month=months,
        workers=workers,
    )
    for key in Z_FIELDS:
        z = res[key]
        # Shortest text that round-trips (Python's repr, C-level map); empty when missing.
        text_z = np.array(list(map(repr, z.tolist())), dtype=object)
        text_z[np.isnan(z)] = ""
        chunk[key] = text_z
    for key in FLAG_FIELDS:
        chunk[key] = np.where(np.isnan(res[key]), "", np.where(res[key] == 1, "1", "0"))
    return chunk


def zscores_csv(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    chunk_rows: int = CSV_CHUNK_ROWS,
    workers: int | None = None,
) -> int:
    """Write ``src`` (CSV) to ``dst`` with zlen..zbmi (unrounded) and flen..fbmi appended; return the row count.

    Input columns ``sex, age, age_unit, weight, lenhei, measure, oedema`` are required
    (names matched ignoring case and surrounding spaces); other columns are copied
    unchanged.  ``NA`` or an empty cell is a missing value.  Missing/invalid input
    raises :class:`ZscoreInputError` with a Vietnamese message naming the row and
    column; the output is written to a temporary file renamed at the end, so a
    failed run leaves no partial output.
    """
    import tempfile

    import pandas as pd

    src, dst = Path(src), Path(dst)
    header = _csv_header(src)
    cols = _csv_columns(header)
    if not dst.parent.is_dir():
        raise ZscoreInputError(f"Thư mục của tệp đầu ra không tồn tại: {dst.parent}")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    rows = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            reader = pd.read_csv(
                src,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                chunksize=max(int(chunk_rows), 1),
            )
            try:
                for chunk in reader:
                    width = chunk.shape[1]
                    chunk = _csv_chunk(chunk, cols, rows + 1, workers)
                    # Header as read (pandas would rename duplicate or empty names).
                    names = [*header, *chunk.columns[width:]] if out.tell() == 0 else False
                    chunk.to_csv(out, index=False, header=names, lineterminator="\n")
                    rows += len(chunk)
            except (pd.errors.ParserError, UnicodeDecodeError) as exc:
                raise ZscoreInputError(f"Tệp CSV bị lỗi định dạng sau dòng dữ liệu {rows}: {exc}") from None
            finally:
                reader.close()
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, dst)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return rows
