"""The ``zscores IN.csv OUT.csv`` management command and the CSV function behind it (no database)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from treem.registry.anthro import (
    CSV_INPUT_COLUMNS,
    CSV_OUTPUT_COLUMNS,
    ZscoreInputError,
    zscores_csv,
)
from treem.registry.management.commands.zscores import Command

GOLDEN = Path(__file__).parent / "data" / "zscores_grid1.csv"
INPUT_COLUMNS = ["id", "block", *CSV_INPUT_COLUMNS]


def _django_ready() -> bool:
    try:
        from django.apps import apps

        return apps.ready and apps.is_installed("treem.registry")
    except Exception:  # settings not configured
        return False


def run_command(*args, **kwargs) -> str:
    """Run the command by name when Django is set up, else the Command object (no settings needed)."""
    out = io.StringIO()
    command = "zscores" if _django_ready() else Command()
    call_command(command, *[str(a) for a in args], stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)


def _write_input(golden: pd.DataFrame, path: Path) -> None:
    golden[INPUT_COLUMNS].to_csv(path, index=False, lineterminator="\n")


@pytest.mark.parametrize("chunk_rows", [100_000, 250])
def test_command_reproduces_oracle(tmp_path, golden, chunk_rows):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_input(golden, src)
    msg = run_command(src, dst, chunk_rows=chunk_rows)
    assert "3057" in msg
    out = pd.read_csv(dst, dtype=str, keep_default_na=False)
    assert list(out.columns) == [*INPUT_COLUMNS, *CSV_OUTPUT_COLUMNS]
    # Input columns (incl. the extra id/block) are copied unchanged.
    assert out[INPUT_COLUMNS].equals(golden[INPUT_COLUMNS])
    for z in ("zlen", "zwei", "zwfl", "zbmi"):
        want = golden[f"{z}_raw"].replace("NA", "")
        got = out[z]
        assert ((got == "") == (want == "")).all(), z
        has = want != ""
        diff = np.abs(got[has].astype(float).to_numpy() - want[has].astype(float).to_numpy())
        assert diff.max() < 0.005, z
    for f in ("flen", "fwei", "fwfl", "fbmi"):
        assert (out[f] == golden[f].replace("NA", "")).all(), f


def test_extra_and_existing_columns_kept(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(
        "ghi chú,Sex, age ,age_unit,weight,lenhei,measure,oedema,zlen\n"
        '"Nguyễn, Văn A",2,1522,days,17,NA,,n,old\n'
        "B,1,24,MONTHS,12,86,L,NA,\n",
        encoding="utf-8",
    )
    run_command(src, dst)
    rows = list(csv.reader(dst.open(encoding="utf-8")))
    assert rows[0] == [
        "ghi chú",
        "Sex",
        " age ",
        "age_unit",
        "weight",
        "lenhei",
        "measure",
        "oedema",
        "zlen",
        "zwei",
        "zwfl",
        "zbmi",
        "flen",
        "fwei",
        "fwfl",
        "fbmi",
    ]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["ghi chú"] == "Nguyễn, Văn A"
    assert float(first["zwei"]) == pytest.approx(0.24003779455375895, abs=1e-12)
    assert first["zlen"] == "" and first["flen"] == "" and first["fwei"] == "0"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert all(second[c] != "" for c in CSV_OUTPUT_COLUMNS)


def test_missing_column_is_a_clear_error(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("sex,age,weight,lenhei,measure\n1,10,4,50,l\n", encoding="utf-8")
    with pytest.raises(CommandError, match="thiếu cột bắt buộc: age_unit, oedema"):
        run_command(src, dst)
    assert not dst.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_non_numeric_age_names_row_and_column(tmp_path, golden):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    bad = golden[INPUT_COLUMNS].copy()
    bad.loc[2000, "age"] = "mười"
    bad.to_csv(src, index=False)
    dst.write_text("previous output\n", encoding="utf-8")
    # Small chunks: the error comes after earlier chunks were already written to the temp file.
    with pytest.raises(CommandError) as err:
        run_command(src, dst, chunk_rows=300)
    msg = str(err.value)
    assert "Dòng dữ liệu 2001" in msg and "cột 'age'" in msg and "'mười'" in msg
    assert "không phải là số" in msg
    # The previous output is untouched and no temporary file is left behind.
    assert dst.read_text(encoding="utf-8") == "previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("weight", "12kg", "cột 'weight': giá trị '12kg' không phải là số"),
        ("lenhei", "inf", "cột 'lenhei'"),
        ("age", "-3", "tuổi không được âm"),
        ("age_unit", "weeks", "cột 'age_unit': giá trị 'weeks' không hợp lệ"),
    ],
)
def test_bad_values(tmp_path, column, value, expected):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    row = {
        "sex": "1",
        "age": "100",
        "age_unit": "days",
        "weight": "5",
        "lenhei": "60",
        "measure": "l",
        "oedema": "n",
    }
    lines = [",".join(row), ",".join(row.values()), ",".join({**row, column: value}.values())]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ZscoreInputError, match="Dòng dữ liệu 2") as err:
        zscores_csv(src, dst)
    assert expected in str(err.value)
    assert not dst.exists()


def test_missing_values_and_empty_unit_with_missing_age(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(
        "sex,age,age_unit,weight,lenhei,measure,oedema\n1,,,9.1,73.1,l,n\nNA,NA,NA,NA,NA,NA,NA\n",
        encoding="utf-8",
    )
    assert zscores_csv(src, dst) == 2
    out = pd.read_csv(dst, dtype=str, keep_default_na=False)
    assert out.loc[0, "zlen"] == "" and float(out.loc[0, "zwfl"]) == pytest.approx(-0.01, abs=0.005)
    assert (out.loc[1, list(CSV_OUTPUT_COLUMNS)] == "").all()


def test_header_only_and_missing_file(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(",".join(CSV_INPUT_COLUMNS) + "\n", encoding="utf-8")
    assert zscores_csv(src, dst) == 0
    assert dst.read_text(encoding="utf-8").strip() == ",".join((*CSV_INPUT_COLUMNS, *CSV_OUTPUT_COLUMNS))
    with pytest.raises(CommandError, match="Không tìm thấy tệp đầu vào"):
        run_command(tmp_path / "nope.csv", dst)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="rỗng"):
        run_command(empty, dst)
