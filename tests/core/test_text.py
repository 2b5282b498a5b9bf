"""Tests for treem.core.text (no database)."""

import unicodedata
from datetime import date
from decimal import Decimal

import pytest

from treem.core.text import (
    fix_pdf_artefacts,
    fold,
    format_vn_date,
    format_vn_number,
    nfc,
    parse_vn_date,
    parse_vn_number,
)


def test_nfc_composes_decomposed_text():
    decomposed = unicodedata.normalize("NFD", "Khánh Hòa")
    assert decomposed != "Khánh Hòa"
    assert nfc(decomposed) == "Khánh Hòa"
    assert nfc(None) == ""


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Nguyễn  Văn Đức", "nguyen van duc"),
        ("TỈNH ỦY KHÁNH HÒA", "tinh uy khanh hoa"),
        ("  suy dinh dưỡng\nthể thấp còi ", "suy dinh duong the thap coi"),
        (unicodedata.normalize("NFD", "Phòng Giáo dục và Đào tạo"), "phong giao duc va dao tao"),
        ("dinh dƣỡng", "dinh duong"),
        ("Ðoàn Thanh niên", "doan thanh nien"),
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


def test_fix_pdf_artefacts():
    assert fix_pdf_artefacts("dinh dƣỡng, Thƣơng binh") == "dinh dưỡng, Thương binh"
    assert fix_pdf_artefacts("ƢU TIÊN") == "ƯU TIÊN"
    assert fix_pdf_artefacts("Ðoàn") == "Đoàn"
    assert fix_pdf_artefacts("a\u00a0b\u00adc\u200b") == "a bc"
    assert fix_pdf_artefacts("\uf0b7 mục") == "• mục"
    assert fix_pdf_artefacts(unicodedata.normalize("NFD", "Hòa")) == "Hòa"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0,01", Decimal("0.01")),
        ("1.000", Decimal("1000")),
        ("99,9", Decimal("99.9")),
        ("1.234,5", Decimal("1234.5")),
        ("99,95", Decimal("99.95")),
        ("100.000", Decimal("100000")),
        ("1.000.000", Decimal("1000000")),
        ("70 000", Decimal("70000")),
        ("6‰", Decimal("6")),
        ("0,01%", Decimal("0.01")),
        ("9,5", Decimal("9.5")),
        ("99.9", Decimal("99.9")),
        ("0.5", Decimal("0.5")),
        ("-2", Decimal("-2")),
        ("12", Decimal("12")),
        ("abc", None),
        ("", None),
        (None, None),
        ("1,2,3", None),
    ],
)
def test_parse_vn_number(text, expected):
    assert parse_vn_number(text) == expected


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (Decimal("0.8"), None, "0,8"),
        (1000, None, "1.000"),
        (Decimal("1234.5"), None, "1.234,5"),
        (Decimal("99.90"), None, "99,9"),
        (0.01, None, "0,01"),
        (Decimal("1234.5"), 2, "1.234,50"),
        (2, 1, "2,0"),
        (100000, None, "100.000"),
    ],
)
def test_format_vn_number(value, decimals, expected):
    assert format_vn_number(value, decimals) == expected


def test_number_round_trip():
    for text in ["0,01", "1.000", "99,9", "1.234,5", "450", "100.000"]:
        assert format_vn_number(parse_vn_number(text)) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ngày 20 tháng 02 năm 2013", date(2013, 2, 20)),
        ("Nha Trang, ngày 20 tháng 02 năm 2013", date(2013, 2, 20)),
        ("ngày 09 tháng 6 năm 2021", date(2021, 6, 9)),
        ("05/11/2012", date(2012, 11, 5)),
        ("25/12/2023", date(2023, 12, 25)),
        ("9/5/2025", date(2025, 5, 9)),
        ("05-11-2012", date(2012, 11, 5)),
        (unicodedata.normalize("NFD", "ngày 1 tháng 1 năm 2020"), date(2020, 1, 1)),
        ("31/02/2020", None),
        ("15/5", None),
        ("không có ngày", None),
        (None, None),
    ],
)
def test_parse_vn_date(text, expected):
    assert parse_vn_date(text) == expected


def test_format_vn_date():
    assert format_vn_date(date(2012, 11, 5)) == "05/11/2012"
    assert format_vn_date(None) == ""
    assert parse_vn_date(format_vn_date(date(2025, 5, 9))) == date(2025, 5, 9)
