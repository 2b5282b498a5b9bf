"""The record-linkage engine: deterministic on personal ID, then probabilistic (Fellegi–Sunter) with
Splink on an embedded DuckDB — or on Spark for national scale — over prepared records.

No Django here: input and output are pandas DataFrames, so the same engine serves the registry
(:mod:`treem.registry.linkage`), the benchmark and a national Spark job.

Prepared columns (:func:`prepare`): ``surname`` / ``middle`` / ``given`` (folded: lower case, no
tone marks, "đ" → "d"), ``given_exact`` (with diacritics, so "Hà" ≠ "Hạ" weighs more than "Ha" = "Ha"),
``name_fold``; ``dob`` (ISO, day precision only), ``dob_year``, ``dob_m``, ``dob_d`` and ``dob_key``
(year + sorted day/month, so a swapped day and month falls in the same block), ``dob_precision``;
``sex``; ``commune`` (current commune code, old codes already mapped through the succession table);
``personal_id``. Names get term-frequency adjustments: agreeing on "Nguyễn" says less than on "Sùng".
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Pairs at or above this probability are the same child (the benchmark's decision threshold).
DEFAULT_THRESHOLD = 0.7
# At or above this, with no conflicting personal ID, pairs are linked without review.
AUTO_THRESHOLD = 0.995
# Pairs between REVIEW_THRESHOLD and AUTO_THRESHOLD go to the review queue.
REVIEW_THRESHOLD = 0.5

# m probabilities (how often a true duplicate shows each level): set from the error rates of commune
# lists (see docs/registry.md); u probabilities are estimated from the data by random sampling.
M = {
    "personal_id": [0.999, 0.001],
    "given": [0.70, 0.20, 0.06, 0.025, 0.015],
    "surname": [0.9, 0.08, 0.02],
    "middle": [0.88, 0.09, 0.03],
    "dob": [0.86, 0.04, 0.07, 0.02, 0.008, 0.002],
    "sex": [0.995, 0.005],
    "commune": [0.88, 0.12],
}
# u fallbacks when there are too few records to estimate them (a commune of a few hundred children).
U_DEFAULT = {
    "personal_id": [1e-6, 1 - 1e-6],
    "given": [0.012, 0.004, 0.02, 0.01, 0.954],
    "surname": [0.15, 0.01, 0.84],
    "middle": [0.15, 0.02, 0.83],
    "dob": [1.7e-4, 1.5e-4, 5e-3, 0.05, 0.12, 0.82],
    "sex": [0.5, 0.5],
    "commune": [0.02, 0.98],
}


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFC", s or "").lower().replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return " ".join(s.split())


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """Linkage columns from (unique_id, full_name, birth_date, birth_date_precision, sex, commune, personal_id)."""
    names = df["full_name"].fillna("").astype(str)
    uniq = pd.unique(names)
    exact = {n: " ".join(unicodedata.normalize("NFC", n).lower().split()) for n in uniq}
    folded = {n: _fold(n) for n in uniq}
    ex = names.map(exact)
    fo = names.map(folded)
    parts = fo.str.split(" ")
    out = pd.DataFrame({"unique_id": df["unique_id"].to_numpy()})
    out["surname"] = parts.str[0].replace("", None).to_numpy()
    out["given"] = parts.str[-1].replace("", None).to_numpy()
    out["middle"] = parts.map(lambda p: " ".join(p[1:-1]) if len(p) > 2 else None).to_numpy()
    out["given_exact"] = ex.str.split(" ").str[-1].replace("", None).to_numpy()
    out["name_fold"] = fo.replace("", None).to_numpy()
    bd = pd.to_datetime(df["birth_date"], errors="coerce")
    precision = df["birth_date_precision"].fillna("day").astype(str).to_numpy()
    day = precision == "day"
    year = bd.dt.year
    out["dob_year"] = year.astype("Int64").to_numpy()
    out["dob_m"] = bd.dt.month.where(day).astype("Int64").to_numpy()
    out["dob_d"] = bd.dt.day.where(day).astype("Int64").to_numpy()
    out["dob"] = bd.dt.strftime("%Y-%m-%d").where(day).to_numpy()
    lo = np.minimum(out["dob_m"].fillna(0), out["dob_d"].fillna(0)).astype(int)
    hi = np.maximum(out["dob_m"].fillna(0), out["dob_d"].fillna(0)).astype(int)
    key = (year.fillna(0).astype(int) * 10000 + lo * 100 + hi).astype(str).where(year.notna() & day)
    out["dob_key"] = key.to_numpy()
    out["dob_precision"] = precision
    out["sex"] = df["sex"].replace("", None).to_numpy()
    out["commune"] = df["commune"].replace("", None).to_numpy()
    out["personal_id"] = df["personal_id"].fillna("").replace("", None).to_numpy()
    if "source_dataset" in df.columns:
        out["source_dataset"] = df["source_dataset"].to_numpy()
    return out


PREPARE_SQL = """
CREATE OR REPLACE TABLE {target} AS
WITH b AS (
  SELECT unique_id{extra},
    lower(nfc_normalize(trim(regexp_replace(coalesce(full_name, ''), '\\s+', ' ', 'g')))) AS ex,
    TRY_CAST(birth_date AS DATE) AS bd,
    coalesce(nullif(birth_date_precision, ''), 'day') AS prec,
    nullif(sex, '') AS sex, nullif(commune, '') AS commune, nullif(personal_id, '') AS personal_id
  FROM {source}
), f AS (
  SELECT *, strip_accents(replace(ex, 'đ', 'd')) AS fo FROM b
), p AS (
  SELECT *, string_split(fo, ' ') AS parts, string_split(ex, ' ') AS exparts FROM f
)
SELECT unique_id{extra},
  nullif(parts[1], '') AS surname,
  nullif(parts[-1], '') AS given,
  CASE WHEN len(parts) > 2 THEN array_to_string(list_slice(parts, 2, -2), ' ') END AS middle,
  nullif(exparts[-1], '') AS given_exact,
  nullif(fo, '') AS name_fold,
  year(bd) AS dob_year,
  CASE WHEN prec = 'day' THEN month(bd) END AS dob_m,
  CASE WHEN prec = 'day' THEN day(bd) END AS dob_d,
  CASE WHEN prec = 'day' THEN strftime(bd, '%Y-%m-%d') END AS dob,
  CASE WHEN prec = 'day' AND bd IS NOT NULL THEN
    CAST(year(bd) * 10000 + least(month(bd), day(bd)) * 100 + greatest(month(bd), day(bd)) AS VARCHAR) END AS dob_key,
  prec AS dob_precision, sex, commune, personal_id
FROM p
"""


def prepare_duckdb(con, frame: pd.DataFrame, target: str) -> str:
    """Create the linkage table `target` in DuckDB from a frame, in SQL (parallel, no Python loop)."""
    src = f"{target}_src"
    con.register(src, frame)
    extra = ", source_dataset" if "source_dataset" in frame.columns else ""
    con.execute(PREPARE_SQL.format(target=target, source=src, extra=extra))
    con.unregister(src)
    return target


def _levels(name: str, levels: list, m: list, u: list) -> dict:
    from splink import comparison_library as cl

    cmp = cl.CustomComparison(comparison_levels=levels, output_column_name=name)
    for lvl, mp, up in zip(
        [lv for lv in levels if not getattr(lv, "is_null_level", False)], m, u, strict=True
    ):
        lvl.configure(m_probability=mp, u_probability=up)
    return cmp


def settings(link_type: str = "dedupe_only", u: dict | None = None, lam: float = 1e-4):
    """The Splink settings: comparisons, blocking rules, term frequencies, fixed m (and default u)."""
    from splink import SettingsCreator, block_on
    from splink import comparison_level_library as cll

    u = {**U_DEFAULT, **(u or {})}

    def dob_sql(cond: str, label: str):
        return cll.CustomLevel(cond, label_for_charts=label, base_dialect_str="duckdb")

    comparisons = [
        _levels(
            "personal_id",
            [cll.NullLevel("personal_id"), cll.ExactMatchLevel("personal_id"), cll.ElseLevel()],
            M["personal_id"],
            u["personal_id"],
        ),
        _levels(
            "given",
            [
                cll.NullLevel("given"),
                cll.ExactMatchLevel("given_exact").configure(tf_adjustment_column="given_exact"),
                cll.ExactMatchLevel("given").configure(tf_adjustment_column="given"),
                cll.DamerauLevenshteinLevel("given", 1),
                cll.JaroWinklerLevel("given", 0.88),
                cll.ElseLevel(),
            ],
            M["given"],
            u["given"],
        ),
        _levels(
            "surname",
            [
                cll.NullLevel("surname"),
                cll.ExactMatchLevel("surname").configure(tf_adjustment_column="surname"),
                cll.JaroWinklerLevel("surname", 0.85),
                cll.ElseLevel(),
            ],
            M["surname"],
            u["surname"],
        ),
        _levels(
            "middle",
            [
                cll.NullLevel("middle"),
                cll.ExactMatchLevel("middle").configure(tf_adjustment_column="middle"),
                cll.JaroWinklerLevel("middle", 0.85),
                cll.ElseLevel(),
            ],
            M["middle"],
            u["middle"],
        ),
        _levels(
            "dob",
            [
                cll.CustomLevel(
                    '"dob_year_l" IS NULL OR "dob_year_r" IS NULL',
                    label_for_charts="null",
                    base_dialect_str="duckdb",
                ).configure(is_null_level=True),
                dob_sql('"dob_l" = "dob_r"', "exact"),
                dob_sql(
                    '"dob_year_l" = "dob_year_r" AND "dob_d_l" = "dob_m_r" AND "dob_m_l" = "dob_d_r"',
                    "day and month swapped",
                ),
                dob_sql(
                    '"dob_year_l" = "dob_year_r" AND ("dob_d_l" IS NULL OR "dob_d_r" IS NULL)',
                    "same year, one known to the year only",
                ),
                dob_sql('"dob_year_l" = "dob_year_r" AND "dob_m_l" = "dob_m_r"', "same month"),
                dob_sql('"dob_year_l" = "dob_year_r"', "same year"),
                cll.ElseLevel(),
            ],
            M["dob"],
            u["dob"],
        ),
        _levels(
            "sex", [cll.NullLevel("sex"), cll.ExactMatchLevel("sex"), cll.ElseLevel()], M["sex"], u["sex"]
        ),
        _levels(
            "commune",
            [cll.NullLevel("commune"), cll.ExactMatchLevel("commune"), cll.ElseLevel()],
            M["commune"],
            u["commune"],
        ),
    ]
    blocking = [
        block_on("personal_id"),
        block_on("given", "dob_key"),
        block_on("surname", "middle", "dob_key"),
        block_on("name_fold", "dob_year"),
        block_on("given", "surname", "middle", "commune"),
    ]
    return SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        probability_two_random_records_match=lam,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        unique_id_column_name="unique_id",
    )


@dataclass
class LinkResult:
    """Scored pairs: unique_id_l, unique_id_r, match_probability, match_weight, and the levels that agreed."""

    pairs: pd.DataFrame
    n_records: int
    seconds: float


def score(
    records: pd.DataFrame,
    other: pd.DataFrame | None = None,
    threshold: float = REVIEW_THRESHOLD,
    threads: int | None = None,
    estimate_u: bool | None = None,
    expected_dup_rate: float = 0.1,
) -> LinkResult:
    """Score pairs within `records` (dedupe) or between `records` and `other` (link), above `threshold`."""
    import logging
    import time

    from splink import Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads TO {int(threads)}")
    db_api = DuckDBAPI(connection=con)
    n = len(records)
    if n == 0 or (other is not None and len(other) == 0):
        return LinkResult(
            pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability", "match_weight"]), n, 0.0
        )
    if other is not None:
        lam = min(0.5, 1.0 / max(len(other), 1))
        link_type = "link_only"
        tables = [
            db_api.register(prepare_duckdb(con, records, "records_l"), table_name="records_l_in"),
            db_api.register(prepare_duckdb(con, other, "records_r"), table_name="records_r_in"),
        ]
    else:
        lam = min(0.5, 2 * expected_dup_rate / max(n, 2))
        link_type = "dedupe_only"
        tables = db_api.register(prepare_duckdb(con, records, "records"), table_name="records_in")
    linker = Linker(tables, settings(link_type, lam=lam), validate_settings=False)
    big = (n + (0 if other is None else len(other))) >= 5000
    if estimate_u if estimate_u is not None else big:
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    pred = linker.inference.predict(threshold_match_probability=threshold)
    cols = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"] + [
        f"mw_{c}" for c in COMPARISONS
    ]
    pairs = pred.as_pandas_dataframe()[cols]
    pairs = _apply_id_rule(pairs)
    con.close()
    return LinkResult(pairs=pairs, n_records=n, seconds=time.perf_counter() - t0)


def spark_session(cores: int = 2, memory: str = "2g"):
    """A local Spark session with Splink's similarity UDF jar (for tests; production uses the cluster's)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("treem-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(max(cores * 2, 4)))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def score_spark(
    records: pd.DataFrame,
    spark,
    threshold: float = REVIEW_THRESHOLD,
    expected_dup_rate: float = 0.1,
    checkpoint_dir: str | None = None,
) -> pd.DataFrame:
    """The same model on Spark (national scale): records are prepared in pandas here; at national scale
    prepare them in Spark SQL and register the table instead (docs/registry.md)."""
    from splink import Linker
    from splink.backends.spark import SparkAPI

    if checkpoint_dir:
        spark.sparkContext.setCheckpointDir(checkpoint_dir)
    db_api = SparkAPI(
        spark_session=spark, break_lineage_method="persist" if not checkpoint_dir else "checkpoint"
    )
    left = prepare(records)
    for c in ("dob_year", "dob_m", "dob_d"):
        left[c] = left[c].astype("float64")
    n = len(left)
    linker = Linker(
        db_api.register(left, table_name="records_in"),
        settings("dedupe_only", lam=min(0.5, 2 * expected_dup_rate / max(n, 2))),
        validate_settings=False,
    )
    pred = linker.inference.predict(threshold_match_probability=threshold)
    cols = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"] + [
        f"mw_{c}" for c in COMPARISONS
    ]
    return _apply_id_rule(pred.as_pandas_dataframe()[cols])


def _apply_id_rule(pairs: pd.DataFrame) -> pd.DataFrame:
    """Deterministic first: the same personal ID is the same child; two different IDs are two children."""
    same = pairs["mw_personal_id"] > 5
    differ = pairs["mw_personal_id"] < -5
    pairs.loc[same, "match_probability"] = np.maximum(pairs.loc[same, "match_probability"], 0.9999)
    pairs.loc[differ, "match_probability"] = np.minimum(pairs.loc[differ, "match_probability"], 0.01)
    return pairs


COMPARISONS = ("personal_id", "given", "surname", "middle", "dob", "sex", "commune")
COMPARISON_LABELS = {
    "personal_id": "số định danh",
    "given": "tên",
    "surname": "họ",
    "middle": "tên đệm",
    "dob": "ngày sinh",
    "sex": "giới tính",
    "commune": "xã nơi ở",
}


def explain(row) -> dict:
    """Match weight (bits of evidence) each comparison gave a pair, for the review screen."""
    out = {}
    for c in COMPARISONS:
        w = row.get(f"mw_{c}")
        if w is not None and w == w:
            out[c] = round(float(w), 1)
    return out


def evaluate(pairs: pd.DataFrame, truth: set[tuple], threshold: float = DEFAULT_THRESHOLD) -> dict:
    """Pairwise precision and recall at a threshold against the true pairs."""
    sel = pairs[pairs["match_probability"] >= threshold]
    lo = np.minimum(sel["unique_id_l"].to_numpy(), sel["unique_id_r"].to_numpy())
    hi = np.maximum(sel["unique_id_l"].to_numpy(), sel["unique_id_r"].to_numpy())
    found = set(zip(lo.tolist(), hi.tolist(), strict=True))
    tp = len(found & truth)
    return {
        "pairs_predicted": len(found),
        "true_pairs": len(truth),
        "true_positives": tp,
        "precision": tp / len(found) if found else 1.0,
        "recall": tp / len(truth) if truth else 1.0,
    }


def today() -> datetime.date:
    return datetime.date.today()
