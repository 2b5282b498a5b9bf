"""Checks of reported values, on save and on submit (form, Excel, API alike).

Errors block; warnings do not:
- value type: counts are non-negative integers, numbers non-negative (error);
- numerator ≤ denominator for every proportion indicator of the plan (error when both are there);
- breakdowns of a category add up to the total (error when all are there, or when they already exceed it);
- validation rules as data (`indicators.ValidationRule`): a warning on save, an error on submit when
  the rule is blocking;
- outliers against the unit's own history: a warning, the value is flagged for follow-up and the
  reporter is asked for the reason (kept in the value's comment).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from treem.core.text import format_vn_number, parse_vn_number
from treem.indicators.models import (
    CategoryOptionCombo,
    DataElement,
    Indicator,
    Unit,
    ValidationRule,
    ValueType,
)
from treem.indicators.rules import TOTAL, Term, check_rules, rule_terms

from .models import DataValue, Period

# Indicators whose numerator may exceed the denominator (ratios, not proportions) are skipped:
# those counted as plain numbers, and those whose multiplier is not a percentage or per-mille.
PROPORTION_UNITS = {Unit.PERCENT, Unit.PERMILLE, Unit.PER_1000_LIVE_BIRTHS, Unit.PER_100000_CHILDREN}
OUTLIER_MIN_HISTORY = 3
OUTLIER_Z = 3


@dataclass
class Issue:
    message: str
    data_element: int | None = None
    combo: int | None = None
    unit: int | None = None
    blocking: bool = True


@dataclass
class CheckResult:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    outliers: set = field(default_factory=set)  # {(element, combo, unit)}

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_value(raw, data_element: DataElement) -> tuple[Decimal | None, str | None]:
    """(value, error message) for what a reporter typed ('' → None, no error)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        return None, f"«{raw}» không phải là số."
    number = parse_vn_number(raw)
    if number is None:
        return None, f"«{raw}» không phải là số."
    if number < 0:
        return None, f"Giá trị {format_vn_number(number)} âm: số liệu không được âm."
    if data_element.value_type == ValueType.COUNT and number != number.to_integral_value():
        return (
            None,
            f"Giá trị {format_vn_number(number)} không phải số nguyên: «{data_element.name_vi}» là số đếm.",
        )
    if abs(number) >= Decimal(10) ** 15:
        return None, f"Giá trị {format_vn_number(number)} quá lớn."
    return number, None


class Checker:
    """Checks the values of some units for one period, given the values being written.

    `current`: {(element, combo, unit): Decimal} as stored now (for the units concerned);
    `incoming`: the same, for values being written (None = cleared).
    """

    def __init__(
        self,
        period: Period,
        elements: list[DataElement],
        combos_by_element: dict,
        plan_indicators: list[Indicator],
    ):
        self.period = period
        self.elements = {de.pk: de for de in elements}
        self.combos = combos_by_element
        self.indicators = [i for i in plan_indicators if i.denominator_id and i.unit in PROPORTION_UNITS]
        self.rules = [r for r in ValidationRule.objects.filter(active=True)]
        codes = {de.code for de in elements}
        self.rules = [r for r in self.rules if rule_terms(r) & codes]
        self._code_to_id = dict(DataElement.objects.values_list("code", "pk"))
        self._combo_code_to_id = dict(CategoryOptionCombo.objects.values_list("code", "pk"))

    def check(self, merged: dict, units: list[int], submit: bool, names: dict) -> CheckResult:
        res = CheckResult()
        for unit in units:
            self._proportions(merged, unit, res, names)
            self._breakdowns(merged, unit, res, names)
            self._rules(merged, unit, res, submit, names)
        return res

    def _proportions(self, merged, unit, res, names):
        for ind in self.indicators:
            for combo in self.combos.get(ind.numerator_id, []):
                num = merged.get((ind.numerator_id, combo.pk, unit))
                den = merged.get((ind.denominator_id, combo.pk, unit))
                if num is not None and den is not None and num > den:
                    res.errors.append(
                        Issue(
                            f"{names['unit'](unit)}: tử số «{names['de'](ind.numerator_id)}» ({format_vn_number(num)}) lớn hơn "
                            f"mẫu số «{names['de'](ind.denominator_id)}» ({format_vn_number(den)})"
                            f"{'' if combo.code == TOTAL else ' – ' + combo.name_vi} của chỉ số «{ind.name_vi}».",
                            ind.numerator_id,
                            combo.pk,
                            unit,
                        )
                    )

    def _breakdowns(self, merged, unit, res, names):
        for de_id, combos in self.combos.items():
            total = merged.get((de_id, combos[0].pk, unit))
            by_cat: dict[int, list] = {}
            for c in combos[1:]:
                by_cat.setdefault(c.category_id, []).append(c)
            for cat_combos in by_cat.values():
                present = [merged.get((de_id, c.pk, unit)) for c in cat_combos]
                filled = [v for v in present if v is not None]
                if not filled:
                    continue
                s = sum(filled, Decimal(0))
                cat_name = cat_combos[0].name_vi.split(":")[0]
                if total is None:
                    continue
                if s > total or (len(filled) == len(present) and s != total):
                    res.errors.append(
                        Issue(
                            f"{names['unit'](unit)}: «{names['de'](de_id)}» – tổng theo {cat_name.lower()} ({format_vn_number(s)}) "
                            f"{'vượt' if s > total else 'khác'} tổng số ({format_vn_number(total)}).",
                            de_id,
                            cat_combos[0].pk,
                            unit,
                        )
                    )

    def _rules(self, merged, unit, res, submit, names):
        def lookup(term: Term):
            de = self._code_to_id.get(term.data_element)
            combo = self._combo_code_to_id.get(term.combo)
            if de is None or combo is None:
                return None
            return merged.get((de, combo, unit))

        for violation in check_rules(self.rules, lookup):
            issue = Issue(
                f"{names['unit'](unit)}: {violation.message}", unit=unit, blocking=violation.rule.blocking
            )
            if submit and violation.rule.blocking:
                res.errors.append(issue)
            else:
                res.warnings.append(issue)


def outliers(period: Period, candidates: dict) -> dict:
    """{(element, combo, unit): message} for values far from the unit's own history (same period type).

    With at least three earlier values, a value more than 3 standard deviations from their mean is
    flagged (the deviation taken as at least 10 % of the mean and at least 1, so steady series are not
    flagged for a one-child change).
    """
    keys = [k for k, v in candidates.items() if v is not None]
    if not keys:
        return {}
    history: dict = {}
    qs = DataValue.objects.filter(
        data_element_id__in={k[0] for k in keys},
        unit_id__in={k[2] for k in keys},
        period__type=period.type,
        period__start__lt=period.start,
    ).values_list("data_element_id", "combo_id", "unit_id", "value")
    for de, combo, unit, value in qs:
        history.setdefault((de, combo, unit), []).append(Decimal(value))
    out = {}
    for key in keys:
        past = history.get(key, [])
        if len(past) < OUTLIER_MIN_HISTORY:
            continue
        mean = sum(past) / len(past)
        sd = Decimal(statistics.pstdev([float(x) for x in past]))
        sd = max(sd, abs(mean) * Decimal("0.1"), Decimal(1))
        x = candidates[key]
        if abs(x - mean) > OUTLIER_Z * sd:
            out[key] = (
                f"Giá trị {format_vn_number(x)} khác xa các kỳ trước (trung bình {format_vn_number(round(mean, 1))}): "
                f"đề nghị kiểm tra lại và ghi rõ lý do."
            )
    return out
