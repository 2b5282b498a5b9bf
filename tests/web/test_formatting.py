"""Vietnamese formatting filters: decimal comma, thousands dot, dd/mm/yyyy."""

import datetime
from decimal import Decimal

from django.template import Context, Template

from treem.core.templatetags.vn import day_month, minutes, plain, vn_date, vn_datetime, vn_number


def test_vn_number():
    assert vn_number(Decimal("0.800000")) == "0,8"
    assert vn_number(Decimal("12.500000")) == "12,5"
    assert vn_number(1000) == "1.000"
    assert vn_number(Decimal("1234567.25")) == "1.234.567,25"
    assert vn_number(Decimal("100.000000")) == "100"
    assert vn_number(0.25, 1) in ("0,2", "0,3")
    assert vn_number(None) == "" and vn_number("abc") == ""


def test_vn_date():
    assert vn_date(datetime.date(2024, 8, 12)) == "12/08/2024"
    assert (
        vn_date(datetime.datetime(2025, 6, 30, 23, 0, tzinfo=datetime.UTC)) == "01/07/2025"
    )  # Asia/Ho_Chi_Minh
    assert vn_date(None) == ""
    assert vn_datetime(datetime.datetime(2025, 6, 30, 1, 5, tzinfo=datetime.UTC)) == "30/06/2025 08:05"


def test_small_helpers():
    assert day_month(15, 5) == "15/05" and day_month(None, 5) == ""
    assert plain(2025) == "2025"
    assert minutes(datetime.timedelta(minutes=30)) == "30"


def test_filters_in_a_template():
    html = Template("{% load vn %}{{ v|vn_number }} {{ d|vn_date }} {{ y|plain }}").render(
        Context({"v": Decimal("0.01"), "d": datetime.date(2013, 2, 20), "y": 2030})
    )
    assert html == "0,01 20/02/2013 2030"


def test_typed_dates_are_read_day_first_in_every_form():
    """Django's default input formats read 12/08/2024 as 8 December; TreEm's (FORMAT_MODULE_PATH) read 12 August."""
    from django import forms
    from django.utils import translation

    for lang in ("vi", "en"):
        with translation.override(lang):
            field = forms.DateField()
            assert field.clean("12/08/2024") == datetime.date(2024, 8, 12), lang
            assert Template("{{ d|date }}").render(Context({"d": datetime.date(2024, 8, 12)})) == "12/08/2024"
