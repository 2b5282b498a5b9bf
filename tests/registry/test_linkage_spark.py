"""Smoke test of the Spark backend (national scale): the same model on a local Spark session."""

import shutil

import pytest

from treem.registry import matching, synth

pyspark = pytest.importorskip(
    "pyspark", reason="pyspark chưa được cài (pip install pyspark): bỏ qua kiểm thử backend Spark của Splink"
)
if shutil.which("java") is None:
    pytest.skip(
        "Không tìm thấy Java (JRE 17+), backend Spark của Splink cần Java: bỏ qua", allow_module_level=True
    )


@pytest.fixture(scope="module")
def spark():
    import logging

    logging.getLogger("py4j").setLevel(logging.WARNING)
    session = matching.spark_session(cores=2, memory="1g")
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_backend_finds_the_same_duplicates(spark):
    df = synth.population(1500, dup_fraction=0.2, communes=["06253", "06280"], seed=11)
    recs = df.rename(columns={"record_id": "unique_id", "commune_code": "commune"})
    pairs = matching.score_spark(recs, spark)
    quality = matching.evaluate(pairs, synth.true_pairs(df))
    assert quality["precision"] >= 0.95 and quality["recall"] >= 0.9, quality
    local = matching.score(recs, threads=2).pairs
    assert abs(len(pairs) - len(local)) <= max(5, 0.05 * len(local))
