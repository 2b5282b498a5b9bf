"""Validation rules as data (DHIS2-style expressions) and the disaggregation combos of data elements.

Expressions: `#{CODE}` is the total of a data element, `#{CODE.COMBO}` one of its disaggregations,
combined with numbers, + - * / and parentheses. Parsing is a small recursive descent: nothing is
ever passed to eval().
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction

from .models import (
    CategoryOption,
    CategoryOptionCombo,
    DataElement,
    MissingValueStrategy,
    Operator,
    ValidationRule,
)

RULES_FILE = Path(__file__).resolve().parent / "data" / "validation_rules.yaml"
TOTAL = "default"
_TOKEN = re.compile(r"\s*(?:(#\{[^}]+\})|(\d+(?:\.\d+)?)|([-+*/()]))")


class ExpressionError(ValueError):
    """An expression that cannot be read, with a Vietnamese message."""


@dataclass(frozen=True)
class Term:
    data_element: str
    combo: str = TOTAL


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"Biểu thức không hợp lệ tại vị trí {pos + 1}: «{text[pos : pos + 12]}»")
        term, number, op = m.groups()
        if term:
            tokens.append(("term", term[2:-1].strip()))
        elif number:
            tokens.append(("num", number))
        else:
            tokens.append(("op", op))
        pos = m.end()
    return tokens


def parse(text: str):
    """Parse an expression into a tree of ("num", Decimal) | ("term", Term) | (op, left, right) | ("neg", x)."""
    tokens = _tokenize(text)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else (None, None)

    def take():
        nonlocal pos
        tok = peek()
        pos += 1
        return tok

    def primary():
        kind, val = take()
        if kind == "num":
            return ("num", Decimal(val))
        if kind == "term":
            de, _, combo = val.partition(".")
            if not de:
                raise ExpressionError("Thiếu mã phần tử dữ liệu trong #{…}")
            return ("term", Term(de.strip(), combo.strip() or TOTAL))
        if (kind, val) == ("op", "("):
            node = expr()
            if take() != ("op", ")"):
                raise ExpressionError("Thiếu dấu ngoặc đóng")
            return node
        if (kind, val) == ("op", "-"):
            return ("neg", primary())
        raise ExpressionError("Biểu thức không hợp lệ (thiếu số hạng)")

    def term_():
        node = primary()
        while peek() in (("op", "*"), ("op", "/")):
            _, op = take()
            node = (op, node, primary())
        return node

    def expr():
        node = term_()
        while peek() in (("op", "+"), ("op", "-")):
            _, op = take()
            node = (op, node, term_())
        return node

    if not tokens:
        raise ExpressionError("Biểu thức trống")
    tree = expr()
    if pos != len(tokens):
        raise ExpressionError("Biểu thức có phần thừa ở cuối")
    return tree


def terms(tree) -> list[Term]:
    """The data-element terms of a parsed expression."""
    if tree[0] == "term":
        return [tree[1]]
    if tree[0] == "num":
        return []
    if tree[0] == "neg":
        return terms(tree[1])
    return terms(tree[1]) + terms(tree[2])


def evaluate(tree, lookup: Callable[[Term], Decimal | None], strategy: str) -> Decimal | None:
    """Evaluate a parsed expression; None means "skip" under the missing-value strategy."""
    ts = terms(tree)
    values = {t: lookup(t) for t in ts}
    missing = [t for t, v in values.items() if v is None]
    if ts and strategy == MissingValueStrategy.SKIP_IF_ANY_VALUE_MISSING and missing:
        return None
    if ts and strategy == MissingValueStrategy.SKIP_IF_ALL_VALUES_MISSING and len(missing) == len(values):
        return None

    def ev(node):
        kind = node[0]
        if kind == "num":
            return node[1]
        if kind == "term":
            v = values[node[1]]
            return Decimal(0) if v is None else Decimal(v)
        if kind == "neg":
            return -ev(node[1])
        a, b = ev(node[1]), ev(node[2])
        if kind == "+":
            return a + b
        if kind == "-":
            return a - b
        if kind == "*":
            return a * b
        try:
            return a / b
        except (DivisionByZero, InvalidOperation, ZeroDivisionError):
            return None

    return ev(tree)


def compare(operator: str, left: Decimal | None, right: Decimal | None) -> bool | None:
    """Whether a rule holds; None when it was skipped (a side missing)."""
    if operator == Operator.COMPULSORY_PAIR:
        return (left is None) == (right is None)
    if operator == Operator.EXCLUSIVE_PAIR:
        return left is None or right is None
    if left is None or right is None:
        return None
    return {
        Operator.EQUAL_TO: left == right,
        Operator.NOT_EQUAL_TO: left != right,
        Operator.GREATER_THAN: left > right,
        Operator.GREATER_THAN_OR_EQUAL_TO: left >= right,
        Operator.LESS_THAN: left < right,
        Operator.LESS_THAN_OR_EQUAL_TO: left <= right,
    }[operator]


@dataclass
class RuleResult:
    rule: ValidationRule
    left: Decimal | None
    right: Decimal | None

    @property
    def message(self) -> str:
        from treem.core.text import format_vn_number

        sym = Operator(self.rule.operator).label
        left = format_vn_number(self.left) if self.left is not None else "trống"
        right = format_vn_number(self.right) if self.right is not None else "trống"
        text = (
            f"Vi phạm quy tắc «{self.rule.name_vi}»: {self.rule.left_description or self.rule.left_side} ({left}) "
            f"phải {sym} {self.rule.right_description or self.rule.right_side} ({right})."
        )
        if self.rule.instruction:
            text += f" {self.rule.instruction}"
        return text


def rule_terms(rule: ValidationRule) -> set[str]:
    """Data-element codes a rule reads."""
    return {t.data_element for t in terms(parse(rule.left_side)) + terms(parse(rule.right_side))}


def check_rules(
    rules: Iterable[ValidationRule], lookup: Callable[[Term], Decimal | None]
) -> list[RuleResult]:
    """The rules violated by the values `lookup` returns (for one unit and period)."""
    violated = []
    for rule in rules:
        strategy = rule.missing_value_strategy
        if rule.operator in (Operator.COMPULSORY_PAIR, Operator.EXCLUSIVE_PAIR):
            strategy = MissingValueStrategy.SKIP_IF_ANY_VALUE_MISSING
        left = evaluate(parse(rule.left_side), lookup, strategy)
        right = evaluate(parse(rule.right_side), lookup, strategy)
        if rule.operator not in (Operator.COMPULSORY_PAIR, Operator.EXCLUSIVE_PAIR) and (
            left is None or right is None
        ):
            continue
        if compare(rule.operator, left, right) is False:
            violated.append(RuleResult(rule, left, right))
    return violated


# ---------------------------------------------------------------------------------------------
# Category option combos


def total_combo() -> CategoryOptionCombo:
    """The combo of totals ("default")."""
    combo, _ = CategoryOptionCombo.objects.get_or_create(
        code=TOTAL, defaults={"name_vi": "Tổng số", "dhis2_code": "default"}
    )
    return combo


def combo_code(option: CategoryOption) -> str:
    return f"{option.category.code}.{option.code}"


@transaction.atomic
def ensure_combos() -> int:
    """Create the total combo and one combo per category option (idempotent); returns how many were created."""
    created = 0
    total_combo()
    existing = set(CategoryOptionCombo.objects.values_list("code", flat=True))
    for option in CategoryOption.objects.select_related("category"):
        code = combo_code(option)
        if code in existing:
            continue
        combo = CategoryOptionCombo.objects.create(
            code=code,
            name_vi=f"{option.category.name_vi}: {option.name_vi}",
            category=option.category,
            order=option.order,
        )
        combo.options.set([option])
        created += 1
    return created


def combos_of(data_element: DataElement) -> list[CategoryOptionCombo]:
    """The combos a data element is reported in: the total first, then each category's options."""
    return combos_by_element([data_element])[data_element.pk]


def combos_by_element(elements: Iterable[DataElement]) -> dict[int, list[CategoryOptionCombo]]:
    """{data element id: [total, breakdown combos…]} in two queries."""
    elements = list(elements)
    total = total_combo()
    through = DataElement.categories.through.objects.filter(dataelement_id__in=[e.pk for e in elements])
    cats_of: dict[int, set[int]] = {}
    for row in through:
        cats_of.setdefault(row.dataelement_id, set()).add(row.category_id)
    all_cats = set().union(*cats_of.values()) if cats_of else set()
    by_cat: dict[int, list[CategoryOptionCombo]] = {}
    for combo in (
        CategoryOptionCombo.objects.filter(category_id__in=all_cats)
        .select_related("category")
        .order_by("category__code", "order")
    ):
        by_cat.setdefault(combo.category_id, []).append(combo)
    out = {}
    for e in elements:
        combos = [total]
        for cat_id in sorted(
            cats_of.get(e.pk, ()), key=lambda c: min((x.category.code for x in by_cat.get(c, [])), default="")
        ):
            combos += by_cat.get(cat_id, [])
        out[e.pk] = combos
    return out


# ---------------------------------------------------------------------------------------------
# Loading rules


@transaction.atomic
def load_validation_rules(path: Path = RULES_FILE) -> dict:
    """Create or update the validation rules of the shipped file (idempotent); rules naming unknown
    data elements are skipped and reported, never half-loaded."""
    if not path.exists():
        return {"rules": 0, "skipped": []}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = set(DataElement.objects.values_list("code", flat=True))
    loaded, skipped = 0, []
    for spec in data.get("rules") or []:
        rule = ValidationRule(
            code=spec["code"],
            name_vi=spec["name_vi"],
            left_side=spec["left"],
            operator=spec["operator"],
            right_side=spec["right"],
            left_description=spec.get("left_description", ""),
            right_description=spec.get("right_description", ""),
            instruction=spec.get("instruction", ""),
            missing_value_strategy=spec.get(
                "missing_value_strategy", MissingValueStrategy.SKIP_IF_ANY_VALUE_MISSING
            ),
            importance=spec.get("importance", "MEDIUM"),
            blocking=spec.get("blocking", True),
        )
        unknown = rule_terms(rule) - known
        if unknown:
            skipped.append(f"{rule.code}: {', '.join(sorted(unknown))}")
            continue
        ValidationRule.objects.update_or_create(
            code=rule.code,
            defaults={
                f: getattr(rule, f)
                for f in (
                    "name_vi",
                    "left_side",
                    "operator",
                    "right_side",
                    "left_description",
                    "right_description",
                    "instruction",
                    "missing_value_strategy",
                    "importance",
                    "blocking",
                )
            },
        )
        loaded += 1
    return {"rules": loaded, "skipped": skipped}
