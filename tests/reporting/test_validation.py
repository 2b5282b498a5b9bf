"""Checks: value types, breakdowns = totals, validation rules as data, outliers against history."""

from decimal import Decimal

import pytest

from treem.indicators.models import DataElement, ValidationRule
from treem.indicators.rules import TOTAL, Term, check_rules, combos_of, evaluate, parse, total_combo
from treem.reporting.entry import Change, SaveRejected, save_values
from treem.reporting.models import DataValue, Submission
from treem.reporting.periods import get_period
from treem.reporting.validation import parse_value
from treem.reporting.workflow import WorkflowError, submit


def test_expressions():
    tree = parse("#{A} + 2 * (#{B.sex.F} - 1) / 4")
    values = {Term("A"): Decimal(10), Term("B", "sex.F"): Decimal(5)}
    assert evaluate(tree, values.get, "NEVER_SKIP") == Decimal(12)
    assert evaluate(parse("#{A} + #{C}"), values.get, "SKIP_IF_ANY_VALUE_MISSING") is None
    assert evaluate(parse("#{A} + #{C}"), values.get, "NEVER_SKIP") == 10
    assert evaluate(parse("#{X} + #{C}"), values.get, "SKIP_IF_ALL_VALUES_MISSING") is None
    assert Term("A").combo == TOTAL
    for bad in ("#{A} +", "(#{A}", "#{A} ; 1", "__import__('os')"):
        with pytest.raises(ValueError):
            parse(bad)


@pytest.mark.django_db
def test_rules_loaded_from_data_and_checked():
    assert ValidationRule.objects.filter(
        code="VR_DUOI_1_LE_DUOI_5", operator="less_than_or_equal_to"
    ).exists()
    rules = list(ValidationRule.objects.filter(code__in=["VR_DUOI_1_LE_DUOI_5", "VR_BO_HOC_TH_CAN_NHAP_HOC"]))
    values = {
        Term("DE_TRE_DUOI_1"): Decimal(50),
        Term("DE_TRE_DUOI_5"): Decimal(40),
        Term("DE_HS_TH_BO_HOC"): Decimal(1),
    }
    violated = {r.rule.code for r in check_rules(rules, values.get)}
    assert violated == {"VR_DUOI_1_LE_DUOI_5", "VR_BO_HOC_TH_CAN_NHAP_HOC"}
    msg = next(r for r in check_rules(rules, values.get) if r.rule.code == "VR_DUOI_1_LE_DUOI_5").message
    assert "Số trẻ em dưới 1 tuổi (50)" in msg and "số trẻ em dưới 5 tuổi (40)" in msg


@pytest.mark.django_db
def test_value_types():
    count = DataElement.objects.get(code="DE_TRE_EM")
    assert parse_value("1.250", count) == (Decimal(1250), None)
    assert parse_value("", count) == (None, None)
    assert "không phải là số" in parse_value("abc", count)[1]
    assert "âm" in parse_value("-1", count)[1]
    assert "không phải số nguyên" in parse_value("12,5", count)[1]


@pytest.fixture
def commune_form(round2025, make_user, settings):
    from treem.accounts.models import Role
    from treem.geo.models import Generation, Level

    from .conftest import unit

    settings.TREEM_TODAY = "2025-11-01"
    commune = unit("06253", Level.COMMUNE, Generation.Y2025)
    sub = Submission.objects.get(round=round2025, unit=commune, agency__isnull=True)
    return sub, commune, make_user(commune, Role.COMMUNE_OFFICER)


@pytest.mark.django_db
def test_breakdowns_must_add_up_to_the_total(commune_form):
    sub, commune, officer = commune_form
    de = DataElement.objects.get(code="DE_TRE_DUOI_1")
    combos = {c.code: c for c in combos_of(de)}
    with pytest.raises(SaveRejected) as e:
        save_values(
            sub,
            officer,
            [
                Change(de.pk, combos["default"].pk, commune.pk, "100"),
                Change(de.pk, combos["sex.M"].pk, commune.pk, "60"),
                Change(de.pk, combos["sex.F"].pk, commune.pk, "30"),
            ],
        )
    assert "khác tổng số" in e.value.errors[0].message
    save_values(
        sub,
        officer,
        [
            Change(de.pk, combos["default"].pk, commune.pk, "100"),
            Change(de.pk, combos["sex.M"].pk, commune.pk, "60"),
            Change(de.pk, combos["sex.F"].pk, commune.pk, "40"),
        ],
    )


@pytest.mark.django_db
def test_blocking_rule_warns_on_save_and_blocks_submit(commune_form):
    sub, commune, officer = commune_form
    total = total_combo()
    under1, under5 = (
        DataElement.objects.get(code="DE_TRE_DUOI_1"),
        DataElement.objects.get(code="DE_TRE_DUOI_5"),
    )
    result = save_values(
        sub,
        officer,
        [Change(under1.pk, total.pk, commune.pk, "50"), Change(under5.pk, total.pk, commune.pk, "40")],
    )
    assert any("Trẻ dưới 1 tuổi không nhiều hơn trẻ dưới 5 tuổi" in w.message for w in result.warnings)
    with pytest.raises(WorkflowError) as e:
        submit(sub, officer)
    assert any("Trẻ dưới 1 tuổi" in i.message for i in e.value.issues)


@pytest.mark.django_db
def test_outlier_is_flagged_not_blocked(commune_form):
    sub, commune, officer = commune_form
    de, total = DataElement.objects.get(code="DE_TRE_EM"), total_combo()
    for code, v in (("2022", 1000), ("2023", 1010), ("2024", 990)):
        DataValue.objects.create(
            data_element=de, combo=total, unit=commune, period=get_period(code), value=v, status="approved"
        )
    result = save_values(sub, officer, [Change(de.pk, total.pk, commune.pk, "5000", "sáp nhập 3 xã")])
    assert result.outliers and "khác xa các kỳ trước" in result.warnings[-1].message
    v = DataValue.objects.get(data_element=de, combo=total, unit=commune, period=sub.round.period)
    assert v.followup and v.comment == "sáp nhập 3 xã"
    result = save_values(sub, officer, [Change(de.pk, total.pk, commune.pk, "1005", version=1)])
    assert not result.outliers
