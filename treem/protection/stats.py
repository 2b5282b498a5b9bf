"""Case statistics for the plans and the monitoring engine, computed in the database, with no identity.

`case_values(codes, units, period)` gives the case-computed data elements for units and a period, in the
shape of the narrow value table (data element, disaggregation, unit, period, value). A unit's value counts
the cases of its communes (closure table) and, across the 1/7/2025 reform, of the communes that succeeded
or preceded them, so an abolished district keeps a value after the reform.

`units` are unit objects or ids; `period` a DHIS2 identifier ("2025", "2025S1", "2025Q1", "202501") or an
object with start, end and code. Indicator codes expand to their case-computed numerator and denominator
elements; unknown codes give no rows. Combos: "default" (the total) and "<category>.<option>" as the
catalogue's combos (sex.F, age_group.A11_14, abuse_form.XAM_HAI_TINH_DUC, abuse_setting.GIA_DINH), plus
status.<status> and step.<step> for the process elements; a case whose option is unknown (sex or age not
known) counts in the total only. Cases count in the period they were received; "children" are distinct
children (a case not yet linked to the registry counts as its own child).

Small counts (1 to SMALL_COUNT − 1) are suppressed in reports below the commune level (villages), and in
the disaggregated cells of commune reports; the monitoring engine receives exact totals (`case_values`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import (
    Avg,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.utils import timezone

from treem.geo.models import AdministrativeUnit, Level

from .codes import (
    ABUSE_KINDS,
    CRITERION6_KINDS,
    CaseStatus,
    Finding,
    HarmKind,
    Setting,
    StepKind,
    StepStatus,
)
from .models import Case, CaseStep

SMALL_COUNT = 5
TOTAL = "default"

# Case-computed data elements. DE_TRE_BI_XAM_HAI and DE_TRE_BI_BAO_LUC are the catalogue's (numerators of BV_XAM_HAI,
# BV_SO_XAM_HAI and BV_BAO_LUC); the others are proposed for the catalogue (docs/protection.md). code → (name, definition).
DATA_ELEMENTS = {
    "DE_TRE_BI_XAM_HAI": (
        "Số trẻ em bị xâm hại",
        "Trẻ em (khác nhau) có hồ sơ tiếp nhận trong kỳ, đánh giá ban đầu là bị xâm hại",
    ),
    "DE_TRE_BI_BAO_LUC": (
        "Số trẻ em bị bạo lực",
        "Trẻ em có hồ sơ bạo lực tiếp nhận trong kỳ, đánh giá là bị xâm hại",
    ),
    "DE_VU_XAM_HAI": ("Số vụ xâm hại trẻ em", "Hồ sơ tiếp nhận trong kỳ, đánh giá là bị xâm hại"),
    "DE_TRE_CA_CAN_HO_TRO": (
        "Số trẻ em có hồ sơ cần hỗ trợ, can thiệp",
        "Trẻ em có hồ sơ tiếp nhận trong kỳ, bị xâm hại hoặc có nguy cơ",
    ),
    "DE_TRE_CA_DUOC_HO_TRO": (
        "Số trẻ em có hồ sơ được hỗ trợ, can thiệp",
        "Trong đó: kế hoạch hỗ trợ, can thiệp đã được phê duyệt",
    ),
    "DE_VU_TC6": (
        "Số vụ xâm hại tình dục, bỏ rơi, mua bán trẻ em",
        "Hồ sơ tiếp nhận trong kỳ (tiêu chí 6, xã phù hợp với trẻ em), đánh giá là bị xâm hại",
    ),
    "DE_VU_TC6_CO_KE_HOACH": (
        "Số vụ xâm hại tình dục, bỏ rơi, mua bán có kế hoạch được Chủ tịch UBND xã phê duyệt",
        "Trong số vụ của tiêu chí 6: kế hoạch hỗ trợ, can thiệp đã được phê duyệt",
    ),
    "DE_HO_SO_BVTE": (
        "Số hồ sơ bảo vệ trẻ em tiếp nhận",
        "Mọi hồ sơ tiếp nhận trong kỳ, phân tổ theo trạng thái hiện tại",
    ),
    "DE_BUOC_DEN_HAN": ("Số bước xử lý đến hạn", "Bước có thời hạn, hạn rơi vào kỳ, phân tổ theo bước"),
    "DE_BUOC_DUNG_HAN": (
        "Số bước xử lý hoàn thành đúng hạn",
        "Trong số bước đến hạn: hoàn thành không muộn hơn hạn",
    ),
}
# Indicators fed by cases: indicator code → (numerator element, denominator element, or None when not from cases).
INDICATORS = {
    "BV_XAM_HAI": ("DE_TRE_BI_XAM_HAI", None),
    "BV_SO_XAM_HAI": ("DE_TRE_BI_XAM_HAI", None),
    "BV_BAO_LUC": ("DE_TRE_BI_BAO_LUC", None),
    "BV_CA_DUOC_HO_TRO": ("DE_TRE_CA_DUOC_HO_TRO", "DE_TRE_CA_CAN_HO_TRO"),
    "BV_TC6_KE_HOACH": ("DE_VU_TC6_CO_KE_HOACH", "DE_VU_TC6"),
    "BV_CA_DUNG_HAN": ("DE_BUOC_DUNG_HAN", "DE_BUOC_DEN_HAN"),
}
# Catalogue categories and their options (combo codes "category.OPTION", as indicators.rules.combo_code).
AGE_BANDS = [("A00_02", 0, 2), ("A03_05", 3, 5), ("A06_10", 6, 10), ("A11_14", 11, 14), ("A15", 15, 15)]
ABUSE_FORM = {
    HarmKind.VIOLENCE: "BAO_LUC",
    HarmKind.EXPLOITATION: "BOC_LOT",
    HarmKind.SEXUAL_ABUSE: "XAM_HAI_TINH_DUC",
    HarmKind.TRAFFICKING: "MUA_BAN",
    HarmKind.ABANDONMENT: "BO_ROI",
    HarmKind.NEGLECT: "BO_MAC",
    HarmKind.OTHER_HARM: "KHAC",
}
ABUSE_SETTING = {
    Setting.FAMILY: "GIA_DINH",
    Setting.SCHOOL: "TRUONG_HOC",
    Setting.COMMUNITY: "CONG_DONG",
    Setting.ONLINE: "MANG",
    Setting.WORKPLACE: "KHAC",
    Setting.FACILITY: "KHAC",
    Setting.OTHER: "KHAC",
}
ALL_CATEGORIES = ("sex", "age_group", "abuse_form", "abuse_setting")


def _category_expr(cat: str):
    """The option code of a case in a catalogue category (None when unknown: left out of the breakdown)."""
    if cat == "sex":
        whens = [When(child_sex="m", then=Value("M")), When(child_sex="f", then=Value("F"))]
    elif cat == "age_group":
        whens = [When(child_age__gte=lo, child_age__lte=hi, then=Value(code)) for code, lo, hi in AGE_BANDS]
    elif cat == "abuse_form":
        whens = [When(harm_kind=k, then=Value(v)) for k, v in ABUSE_FORM.items()]
    else:
        whens = [When(setting=k, then=Value(v)) for k, v in ABUSE_SETTING.items()]
    return CaseWhen(*whens, default=Value(None), output_field=CharField())


def _period_bounds(period) -> tuple[datetime.datetime, datetime.datetime, str]:
    """(start, end exclusive, code) of a period given as a DHIS2 identifier or an object with start/end/code."""
    if isinstance(period, str):
        from treem.reporting.periods import parse_period

        spec = parse_period(period)
        start, end, code = spec.start, spec.end, spec.code
    else:
        start, end = period.start, period.end
        code = getattr(period, "code", None) or getattr(period, "id", "")
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tz),
        code,
    )


PATHS = (  # how a case's commune reaches a unit: under it, or across the 2025 reform through the succession table
    ("{p}__ancestor_links__ancestor", False),
    ("{p}__predecessions__predecessor__ancestor_links__ancestor", True),
    ("{p}__successions__successor__ancestor_links__ancestor", True),
)


def _grouped(
    qs: QuerySet, unit_ids: list[int], prefix: str, measure, opt=None
) -> dict[tuple[int, object], int]:
    """Counts of a queryset per unit (and per option of a breakdown), summed over the three paths, in the database."""
    out: dict[tuple[int, object], int] = defaultdict(int)
    generational = list(
        AdministrativeUnit.objects.filter(pk__in=unit_ids).exclude(generation="").values_list("pk", flat=True)
    )
    for template, cross in PATHS:
        ids = generational if cross else unit_ids
        if not ids:
            continue
        anc = template.format(p=prefix)
        q = qs.filter(**{f"{anc}__in": ids}).annotate(anc=F(anc))
        if opt is not None:
            for r in q.annotate(opt=opt).values("anc", "opt").annotate(n=measure).order_by():
                out[(r["anc"], r["opt"])] += r["n"]
        else:
            for r in q.values("anc").annotate(n=measure).order_by():
                out[(r["anc"], None)] += r["n"]
    return out


def _rows(code: str, total: dict, by: dict[str, dict], unit_ids, period: str) -> list[dict]:
    rows = []
    for uid in unit_ids:
        rows.append(
            {
                "data_element": code,
                "combo": TOTAL,
                "unit_id": uid,
                "period": period,
                "value": total.get((uid, None), 0),
            }
        )
        for cat, counts in by.items():
            for (anc, opt), n in sorted(counts.items(), key=lambda kv: str(kv[0][1])):
                if anc == uid and opt:
                    rows.append(
                        {
                            "data_element": code,
                            "combo": f"{cat}.{opt}",
                            "unit_id": uid,
                            "period": period,
                            "value": n,
                        }
                    )
    return rows


def _child_counts(
    qs: QuerySet, code: str, unit_ids, period: str, distinct_child: bool, breakdowns
) -> list[dict]:
    """Total and one-category breakdowns of a case queryset (one GROUP BY per category and path)."""
    qs = qs.annotate(
        child_key=CaseWhen(
            When(child__isnull=False, then=F("child_id") * 2),
            default=F("id") * 2 + 1,
            output_field=IntegerField(),
        )
    )
    measure = Count("child_key", distinct=True) if distinct_child else Count("id", distinct=True)
    total = _grouped(qs, unit_ids, "commune", measure)
    by = {cat: _grouped(qs, unit_ids, "commune", measure, _category_expr(cat)) for cat in breakdowns}
    return _rows(code, total, by, unit_ids, period)


def _element_queryset(code: str, cases: QuerySet, start, end) -> tuple[QuerySet, bool, tuple]:
    """(cases counted, whether distinct children are counted, catalogue categories) of a case-computed element."""
    received = cases.filter(received_at__gte=start, received_at__lt=end)
    harmed = received.filter(finding=Finding.HARMED)
    helped = [Finding.HARMED, Finding.AT_RISK]
    return {
        "DE_TRE_BI_XAM_HAI": (harmed.filter(harm_kind__in=ABUSE_KINDS), True, ALL_CATEGORIES),
        "DE_VU_XAM_HAI": (harmed.filter(harm_kind__in=ABUSE_KINDS), False, ALL_CATEGORIES),
        "DE_TRE_BI_BAO_LUC": (
            harmed.filter(harm_kind=HarmKind.VIOLENCE),
            True,
            ("sex", "age_group", "abuse_setting"),
        ),
        "DE_TRE_CA_CAN_HO_TRO": (
            received.filter(finding__in=helped),
            True,
            ("sex", "age_group", "abuse_form"),
        ),
        "DE_TRE_CA_DUOC_HO_TRO": (
            received.filter(finding__in=helped, plan_approved_at__isnull=False),
            True,
            ("sex", "age_group", "abuse_form"),
        ),
        "DE_VU_TC6": (harmed.filter(harm_kind__in=CRITERION6_KINDS), False, ("abuse_form",)),
        "DE_VU_TC6_CO_KE_HOACH": (
            harmed.filter(harm_kind__in=CRITERION6_KINDS, plan_approved_at__isnull=False),
            False,
            ("abuse_form",),
        ),
    }[code]


def case_values(codes, units, period) -> list[dict]:
    """Rows {data_element, combo, unit_id, period, value} of case-computed elements (indicator codes expand to theirs)."""
    elements: list[str] = []
    for code in codes:
        for c in INDICATORS.get(code, (code,)):
            if c and c in DATA_ELEMENTS and c not in elements:
                elements.append(c)
    start, end, pcode = _period_bounds(period)
    unit_ids = [getattr(u, "pk", u) for u in units]
    rows: list[dict] = []
    cases = Case.objects.all()
    for code in elements:
        if code == "DE_HO_SO_BVTE":
            qs = cases.filter(received_at__gte=start, received_at__lt=end)
            measure = Count("id", distinct=True)
            rows += _rows(
                code,
                _grouped(qs, unit_ids, "commune", measure),
                {"status": _grouped(qs, unit_ids, "commune", measure, F("status"))},
                unit_ids,
                pcode,
            )  # combos status.<code>
        elif code in ("DE_BUOC_DEN_HAN", "DE_BUOC_DUNG_HAN"):
            steps = CaseStep.objects.filter(due_at__gte=start, due_at__lt=end).exclude(
                status=StepStatus.SKIPPED
            )
            if code == "DE_BUOC_DUNG_HAN":
                steps = steps.filter(status=StepStatus.DONE, completed_at__lte=F("due_at"))
            measure = Count("id", distinct=True)
            rows += _rows(
                code,
                _grouped(steps, unit_ids, "case__commune", measure),
                {"step": _grouped(steps, unit_ids, "case__commune", measure, F("kind"))},
                unit_ids,
                pcode,
            )
        else:
            qs, distinct_child, breakdowns = _element_queryset(code, cases, start, end)
            rows += _child_counts(qs, code, unit_ids, pcode, distinct_child, breakdowns)
    return rows


def indicator_values(codes, units, period) -> list[dict]:
    """Rows {unit_id, unit_code, indicator, numerator(_element), denominator(_element), period, source} of case-fed indicators (totals)."""
    codes = [c for c in codes if c in INDICATORS]
    units = list(units)
    totals = {
        (r["data_element"], r["unit_id"]): r["value"]
        for r in case_values(codes, units, period)
        if r["combo"] == TOTAL
    }
    pcode = _period_bounds(period)[2]
    rows = []
    for code in codes:
        num, den = INDICATORS[code]
        for u in units:
            uid = getattr(u, "pk", u)
            rows.append(
                {
                    "unit_id": uid,
                    "unit_code": getattr(u, "code", ""),
                    "indicator": code,
                    "numerator_element": num,
                    "denominator_element": den,
                    "numerator": totals.get((num, uid), 0),
                    "denominator": totals.get((den, uid), 0) if den else None,
                    "period": pcode,
                    "source": "cases",
                }
            )
    return rows


def suppress(
    rows: list[dict], levels: dict[int, int] | None = None, threshold: int = SMALL_COUNT
) -> list[dict]:
    """Rows for a report: small counts hidden (value None, "suppressed": True) below the commune level and in commune breakdowns."""
    if levels is None:
        levels = dict(
            AdministrativeUnit.objects.filter(pk__in={r["unit_id"] for r in rows}).values_list("pk", "level")
        )
    out = []
    for r in rows:
        level = levels.get(r["unit_id"], Level.PROVINCE)
        small = 0 < (r["value"] or 0) < threshold
        hide = small and (level > Level.COMMUNE or (level == Level.COMMUNE and r["combo"] != TOTAL))
        out.append({**r, "value": None if hide else r["value"], "suppressed": hide})
    return out


# ---------------------------------------------------------------------------------------- dashboards


def counts_by(cases: QuerySet, field: str) -> list[tuple[str, str, int]]:
    """(code, label, count) of cases grouped by a choice field, in the database."""
    choices = dict(Case._meta.get_field(field).choices)
    return [
        (r[field], str(choices.get(r[field], r[field])), r["n"])
        for r in cases.values(field).annotate(n=Count("id")).order_by("-n", field)
    ]


def average_step_days(cases: QuerySet) -> list[tuple[str, str, float, int]]:
    """(kind, label, average days, number) of completed steps on the cases, in the database."""
    dur = ExpressionWrapper(F("completed_at") - F("opened_at"), output_field=DurationField())
    qs = (
        CaseStep.objects.filter(
            case__in=cases.values("id"), status=StepStatus.DONE, completed_at__isnull=False
        )
        .values("kind")
        .annotate(avg=Avg(dur), n=Count("id"), late=Count("id", filter=Q(completed_at__gt=F("due_at"))))
    )
    labels = dict(StepKind.choices)
    out = []
    for r in qs:
        avg = r["avg"]
        days = (
            avg.total_seconds() / 86400
            if isinstance(avg, datetime.timedelta)
            else (float(avg or 0) / 86400e6)
        )
        out.append((r["kind"], str(labels.get(r["kind"], r["kind"])), round(days, 1), r["n"], r["late"]))
    order = list(StepKind.values)
    return sorted(out, key=lambda t: order.index(t[0]) if t[0] in order else 99)


TABLE_COLUMNS = [
    ("DE_TRE_BI_XAM_HAI", "Trẻ em bị xâm hại"),
    ("DE_TRE_CA_CAN_HO_TRO", "Trẻ em cần hỗ trợ, can thiệp"),
    ("DE_TRE_CA_DUOC_HO_TRO", "Được hỗ trợ (kế hoạch được duyệt)"),
    ("DE_VU_TC6", "Vụ XHTD, bỏ rơi, mua bán"),
    ("DE_VU_TC6_CO_KE_HOACH", "… có kế hoạch được duyệt"),
    ("DE_BUOC_DEN_HAN", "Bước đến hạn"),
    ("DE_BUOC_DUNG_HAN", "… đúng hạn"),
]


def unit_table(units, period) -> list[dict]:
    """Rows for the statistics page: per unit, the totals of TABLE_COLUMNS, small counts suppressed."""
    rows = suppress(
        [r for r in case_values([c for c, _ in TABLE_COLUMNS], units, period) if r["combo"] == TOTAL]
    )
    cells: dict[int, dict] = defaultdict(dict)
    for r in rows:
        cells[r["unit_id"]][r["data_element"]] = r
    units_by_id = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=list(cells))}
    out = [
        {
            "unit": units_by_id[uid],
            "values": [
                (c.get(code, {}).get("value"), c.get(code, {}).get("suppressed", False))
                for code, _ in TABLE_COLUMNS
            ],
        }
        for uid, c in cells.items()
    ]
    return sorted(out, key=lambda r: (r["unit"].level, r["unit"].code))


EXPORT_CATEGORIES = {
    "sex": {"M": "Nam", "F": "Nữ"},
    "age_group": {
        "A00_02": "Dưới 3 tuổi",
        "A03_05": "Từ 3 đến 5 tuổi",
        "A06_10": "Từ 6 đến 10 tuổi",
        "A11_14": "Từ 11 đến 14 tuổi",
        "A15": "15 tuổi",
    },
    "abuse_form": {v: str(HarmKind(k).label) for k, v in ABUSE_FORM.items()} | {"KHAC": "Hình thức khác"},
    "abuse_setting": {
        "GIA_DINH": "Gia đình",
        "TRUONG_HOC": "Trường học",
        "CONG_DONG": "Cộng đồng",
        "MANG": "Môi trường mạng",
        "KHAC": "Khác",
    },
    "status": dict(CaseStatus.choices),
    "step": dict(StepKind.choices),
}


def combo_label(combo: str) -> str:
    """Vietnamese label of a combo code ("sex.F" → "Nữ")."""
    if combo == TOTAL:
        return "Tổng số"
    cat, _, opt = combo.partition(".")
    return str(EXPORT_CATEGORIES.get(cat, {}).get(opt, opt))
