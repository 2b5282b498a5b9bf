"""Demo figures for `make run`: plausible, GENERATED values for the rounds of the seed plans
(source = "demo", shown with a "số liệu minh họa" banner), so every reporting screen shows something.

Deterministic (seeded by unit, period and element) and idempotent: a round that already has demo
values is left alone. Each commune gets a child population; every element is derived from it with
national-looking ratios and a little noise, numerators never exceed denominators, nested age groups
stay nested, and breakdowns add up exactly to their totals. Figures of the successor communes follow
from the populations of the old communes they took over, so the series runs across 1/7/2025.

Statuses tell a story: past rounds approved (one report still waiting for approval), the education
office's 2024 report returned for a correction with a week to fix it, and the current round half done
(some communes submitted, some drafting, some not started) — so "chờ duyệt" and "chưa nộp" have rows.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from decimal import Decimal

from django.db import transaction

from treem.accounts.models import User
from treem.geo.models import AdministrativeUnit, UnitSuccession
from treem.indicators.rules import combos_by_element

from .entry import today
from .models import (
    ApprovalStep,
    DataValue,
    Responsibility,
    Round,
    StepAction,
    Submission,
    SubmissionStatus,
    ValueSource,
    ValueStatus,
)

# element → (base, ratio): base is "P" (children under 16) or another element's code.
RATIOS = {
    "DE_TRE_EM": ("P", 1),
    "DE_SINH_SONG": ("P", 0.075),
    "DE_TRE_DUOI_1": ("P", 0.07),
    "DE_TRE_DUOI_5": ("P", 0.33),
    "DE_TRE_DEN_8_TUOI": ("P", 0.55),
    "DE_TRE_3_36_THANG": ("P", 0.17),
    "DE_TRE_3_5_TUOI": ("P", 0.2),
    "DE_TRE_5_TUOI": ("P", 0.066),
    "DE_TRE_6_TUOI": ("P", 0.066),
    "DE_TRE_6_10_TUOI": ("P", 0.33),
    "DE_TRE_11_14_TUOI": ("P", 0.26),
    "DE_TRE_5_17_TUOI": ("P", 0.86),
    "DE_TRE_TU_7_TUOI": ("P", 0.56),
    "DE_TRE_TU_11_TUOI": ("P", 0.31),
    "DE_TV_SO_SINH": ("DE_SINH_SONG", 0.008),
    "DE_TV_DUOI_1": ("DE_SINH_SONG", 0.012),
    "DE_TV_DUOI_5": ("DE_SINH_SONG", 0.017),
    "DE_TRE_DUOI_5_CAN_DO": ("DE_TRE_DUOI_5", 0.95),
    "DE_SDD_NHE_CAN": ("DE_TRE_DUOI_5_CAN_DO", 0.09),
    "DE_SDD_THAP_COI": ("DE_TRE_DUOI_5_CAN_DO", 0.17),
    "DE_SDD_GAY_COM": ("DE_TRE_DUOI_5_CAN_DO", 0.05),
    "DE_THUA_CAN_BEO_PHI": ("DE_TRE_DUOI_5_CAN_DO", 0.04),
    "DE_TRE_DUOI_1_TCDD": ("DE_TRE_DUOI_1", 0.965),
    "DE_TRE_DUOI_5_TCDD": ("DE_TRE_DUOI_5", 0.95),
    "DE_TRE_SINH_TU_ME_HIV": ("P", 0.0005),
    "DE_TRE_SINH_TU_ME_HIV_NHIEM": ("DE_TRE_SINH_TU_ME_HIV", 0.02),
    "DE_TYT_XA": ("1", 1),
    "DE_TYT_XA_CO_NHS": ("DE_TYT_XA", 0.9),
    "DE_TRE_HCDB": ("P", 0.011),
    "DE_TRE_HCDB_DUOC_TRO_GIUP": ("DE_TRE_HCDB", 0.97),
    "DE_TRE_BI_XAM_HAI": ("P", 0.00015),
    "DE_TRE_BI_BAO_LUC": ("P", 0.0001),
    "DE_LAO_DONG_TRE_EM": ("DE_TRE_5_17_TUOI", 0.002),
    "DE_TRE_BI_TNTT": ("P", 0.0003),
    "DE_TRE_TV_TNTT": ("DE_TRE_BI_TNTT", 0.1),
    "DE_TRE_GAP_THIEN_TAI": ("P", 0.004),
    "DE_TRE_THIEN_TAI_DUOC_CUU_TRO": ("DE_TRE_GAP_THIEN_TAI", 1),
    "DE_CUOC_KET_HON": ("P", 0.03),
    "DE_CUOC_TAO_HON": ("DE_CUOC_KET_HON", 0.025),
    "DE_TRE_DUOI_5_DA_KHAI_SINH": ("DE_TRE_DUOI_5", 0.995),
    "DE_KHAI_SINH_TRONG_KY": ("DE_SINH_SONG", 1),
    "DE_KHAI_SINH_DUNG_HAN": ("DE_KHAI_SINH_TRONG_KY", 0.95),
    "DE_TRE_DEN_8_TIEP_CAN_PTTD": ("DE_TRE_DEN_8_TUOI", 0.97),
    "DE_TRE_DUOI_5_PHAT_TRIEN_PHU_HOP": ("DE_TRE_DUOI_5", 0.985),
    "DE_TRE_DI_NHA_TRE": ("DE_TRE_3_36_THANG", 0.32),
    "DE_TRE_DI_MAU_GIAO": ("DE_TRE_3_5_TUOI", 0.92),
    "DE_TRE_5_TUOI_DI_MAU_GIAO": ("DE_TRE_5_TUOI", 0.997),
    "DE_TRE_5_TUOI_HOAN_THANH_MN": ("DE_TRE_5_TUOI", 0.98),
    "DE_TRE_6_TUOI_VAO_LOP_1": ("DE_TRE_6_TUOI", 0.99),
    "DE_HS_TH_DUNG_TUOI": ("DE_TRE_6_10_TUOI", 0.98),
    "DE_HS_THCS_DUNG_TUOI": ("DE_TRE_11_14_TUOI", 0.93),
    "DE_HS_LOP_1_NAM_T_4": ("P", 0.066),
    "DE_HS_HOAN_THANH_TH": ("DE_HS_LOP_1_NAM_T_4", 0.995),
    "DE_HS_LOP_6_NAM_T_3": ("P", 0.065),
    "DE_HS_TOT_NGHIEP_THCS": ("DE_HS_LOP_6_NAM_T_3", 0.975),
    "DE_HS_TH_NHAP_HOC": ("DE_TRE_6_10_TUOI", 0.98),
    "DE_HS_TH_BO_HOC": ("DE_HS_TH_NHAP_HOC", 0.0008),
    "DE_HS_THCS_NHAP_HOC": ("DE_TRE_11_14_TUOI", 0.93),
    "DE_HS_THCS_BO_HOC": ("DE_HS_THCS_NHAP_HOC", 0.014),
    "DE_TRE_KT_CO_NHU_CAU_HOC": ("P", 0.01),
    "DE_TRE_KT_TIEP_CAN_GD": ("DE_TRE_KT_CO_NHU_CAU_HOC", 0.92),
    "DE_TRUONG_HOC": ("P", 0.0012),
    "DE_TRUONG_CO_HO_TRO_TAM_LY": ("DE_TRUONG_HOC", 0.9),
    "DE_TRUONG_PHU_HOP_KHUYET_TAT": ("DE_TRUONG_HOC", 0.55),
    "DE_CO_SO_GD": ("P", 0.0015),
    "DE_CO_SO_GD_CO_VE_SINH": ("DE_CO_SO_GD", 1),
    "DE_XA": ("1", 1),
    "DE_XA_PHU_HOP_TRE_EM": ("DE_XA", 0.85),
    "DE_XA_CO_DIEM_VUI_CHOI": ("DE_XA", 0.6),
    "DE_THON": ("P", 0.004),
    "DE_THON_CO_THIET_CHE_VH_TT": ("DE_THON", 0.8),
    "DE_TRE_TU_7_DUOC_HOI_Y_KIEN": ("DE_TRE_TU_7_TUOI", 0.94),
    "DE_TRE_NANG_CAO_NHAN_THUC_THAM_GIA": ("DE_TRE_EM", 0.97),
    "DE_TRE_TU_11_THAM_GIA_MO_HINH": ("DE_TRE_TU_11_TUOI", 0.89),
    "DE_TRE_THAM_GIA_DIEN_DAN": ("P", 0.02),
    "DE_TRE_TIEP_CAN_MOI_TRUONG_MANG": ("P", 0.5),
}
# Counts that are events in the period (halved for six-monthly reports); the others are stocks.
FLOWS = {
    "DE_SINH_SONG",
    "DE_TV_SO_SINH",
    "DE_TV_DUOI_1",
    "DE_TV_DUOI_5",
    "DE_TRE_BI_XAM_HAI",
    "DE_TRE_BI_BAO_LUC",
    "DE_TRE_BI_TNTT",
    "DE_TRE_TV_TNTT",
    "DE_CUOC_KET_HON",
    "DE_CUOC_TAO_HON",
    "DE_KHAI_SINH_TRONG_KY",
    "DE_KHAI_SINH_DUNG_HAN",
    "DE_TRE_GAP_THIEN_TAI",
    "DE_HS_TH_BO_HOC",
    "DE_HS_THCS_BO_HOC",
}
SHARES = {
    "sex": {"M": 0.52, "F": 0.48},
    "ethnicity": {"DTTS": 0.83, "KINH": 0.17},
    "disability": {"KT": 0.012, "KKT": 0.988},
    "age_group": {"A00_02": 0.19, "A03_05": 0.19, "A06_10": 0.31, "A11_14": 0.25, "A15": 0.06, "A16_17": 0.0},
}


def _rng(*parts) -> random.Random:
    return random.Random(int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16))


def population(unit: AdministrativeUnit) -> int:
    """Children under 16 of a commune: from its code (stable), or the sum over the old communes it took over."""
    preds = [
        s.predecessor
        for s in UnitSuccession.objects.filter(successor=unit, kind="whole").select_related("predecessor")
        if s.predecessor.level == unit.level and s.predecessor.generation != unit.generation
    ]
    if preds:
        return sum(population(p) for p in preds)
    base = 900 + _rng("pop", unit.code, unit.generation).randint(0, 2200)
    return base * 3 if unit.type in ("thi_tran", "phuong") else base


def figures(unit: AdministrativeUnit, period_code: str, codes: list[str]) -> dict[str, int]:
    """Every element of a commune for a period, consistent with each other."""
    year = int(period_code[:4])
    half = "S" in period_code
    p = population(unit) * (1 + 0.004 * (year - 2024))
    out: dict[str, int] = {}

    def value(code: str) -> int:
        if code in out:
            return out[code]
        base, ratio = RATIOS.get(code, ("P", 0.01))
        rng = _rng(unit.code, period_code, code)
        if base == "1":
            v = 1
        elif base == "P":
            v = p * ratio * (1 + rng.uniform(-0.03, 0.03)) / (2 if code in FLOWS and half else 1)
        else:
            ref = value(base)
            if ratio >= 1:
                v = ref
            elif ref < 20:  # small counts (one commune, a few schools): draw each one
                v = sum(1 for _ in range(ref) if rng.random() < ratio)
            else:  # coverage-type shares improve a little each year, never above their base
                rate = ratio * (1 + 0.004 * (year - 2024)) if ratio > 0.5 else ratio
                v = min(ref, ref * min(1.0, rate) * (1 + rng.uniform(-0.02, 0.02)))
        out[code] = max(0, int(round(v)))
        if base not in ("P", "1"):
            out[code] = min(out[code], value(base))
        return out[code]

    for code in codes:
        value(code)
    return {c: out[c] for c in codes}


def split(total: int, shares: dict[str, float], caps: dict[str, int] | None = None) -> dict[str, int]:
    """Split a total by shares, largest remainder, so the parts add up exactly (each at most its cap)."""
    weight = sum(shares.values()) or 1
    raw = {k: total * s / weight for k, s in shares.items()}
    parts = {k: int(v) for k, v in raw.items()}
    if caps:
        parts = {k: min(v, caps[k]) for k, v in parts.items()}
    left = total - sum(parts.values())
    for k in sorted(raw, key=lambda k: raw[k] - parts[k], reverse=True) * 2:
        if left <= 0:
            break
        if caps is None or parts[k] < caps[k]:
            parts[k] += 1
            left -= 1
    return parts


def _depth(code: str) -> int:
    base = RATIOS.get(code, ("P", 0))[0]
    return 0 if base in ("P", "1") else 1 + _depth(base)


def _shares(category: str, unit: AdministrativeUnit, options: list[str]) -> dict[str, float]:
    if category == "area":
        urban = 0.6 if unit.type in ("thi_tran", "phuong") else 0.05
        return {o: (urban if o == "URBAN" else 1 - urban) for o in options}
    known = SHARES.get(category, {})
    if known and set(options) <= set(known):
        return {o: known[o] for o in options}
    return {o: 1 / len(options) for o in options}


def _story(rounds: list[Round], on: datetime.date) -> dict[int, str]:
    """The status of each submission: past rounds approved, the current one half done."""
    status = {}
    past = [r for r in rounds if r.locks_on <= on]
    for r in rounds:
        subs = list(r.submissions.order_by("agency__name", "unit__code"))
        if r.locks_on <= on:
            for s in subs:
                status[s.pk] = SubmissionStatus.APPROVED
            if past and r == past[-1] and subs:
                status[subs[-1].pk] = SubmissionStatus.SUBMITTED  # waiting for approval
        elif r.opens_on <= on:
            for i, s in enumerate(subs):
                status[s.pk] = [
                    SubmissionStatus.APPROVED,
                    SubmissionStatus.SUBMITTED,
                    SubmissionStatus.DRAFT,
                    "empty",
                ][i % 4]
    return status


@transaction.atomic
def load_demo_values(on: datetime.date | None = None) -> str:
    """Generate demo values for the seed plans' rounds (idempotent); returns a one-line summary."""
    on = on or today()
    rounds = list(
        Round.objects.filter(active=True, plan__key__startswith="seed-", opens_on__lte=on)
        .select_related("period", "plan")
        .order_by("plan_id", "deadline")
    )
    manager = {
        u.username: u
        for u in User.objects.filter(username__in=["vanquan.quanly", "huongtra.quanly", "langson.quanly"])
    }
    created, touched = 0, 0
    for plan_id in sorted({r.plan_id for r in rounds}):
        plan_rounds = [r for r in rounds if r.plan_id == plan_id]
        story = _story(plan_rounds, on)
        for rnd in plan_rounds:
            if DataValue.objects.filter(submission__round=rnd, source=ValueSource.DEMO).exists():
                continue
            touched += 1
            resp = list(
                Responsibility.objects.filter(round=rnd).select_related("data_element", "unit", "submission")
            )
            elements = {r.data_element_id: r.data_element for r in resp}
            combos = combos_by_element(elements.values())
            by_unit: dict[int, list] = {}
            for r in resp:
                by_unit.setdefault(r.unit_id, []).append(r)
            values = []
            for rs in by_unit.values():
                unit = rs[0].unit
                nums = figures(unit, rnd.period.code, [r.data_element.code for r in rs])
                parts_of: dict[
                    tuple[str, str], dict[str, int]
                ] = {}  # (element, category) → parts, for numerators
                for r in sorted(rs, key=lambda r: _depth(r.data_element.code)):
                    st = story.get(r.submission_id, SubmissionStatus.DRAFT)
                    if st == "empty":
                        continue
                    total = nums[r.data_element.code]
                    vstatus = {
                        SubmissionStatus.APPROVED: ValueStatus.APPROVED,
                        SubmissionStatus.SUBMITTED: ValueStatus.SUBMITTED,
                    }.get(st, ValueStatus.DRAFT)
                    cs = combos[r.data_element_id]
                    values.append(
                        DataValue(
                            data_element_id=r.data_element_id,
                            combo=cs[0],
                            unit=unit,
                            period=rnd.period,
                            value=Decimal(total),
                            status=vstatus,
                            source=ValueSource.DEMO,
                            submission=r.submission,
                        )
                    )
                    by_cat: dict[int, list] = {}
                    for c in cs[1:]:
                        by_cat.setdefault(c.category_id, []).append(c)
                    for cat_combos in by_cat.values():
                        cat_code = cat_combos[0].code.split(".")[0]
                        opts = [c.code.split(".", 1)[1] for c in cat_combos]
                        base = RATIOS.get(r.data_element.code, ("P", 0))[0]
                        caps = parts_of.get((base, cat_code))
                        parts = split(total, caps or _shares(cat_code, unit, opts), caps)
                        parts_of[(r.data_element.code, cat_code)] = parts
                        for c, o in zip(cat_combos, opts, strict=True):
                            values.append(
                                DataValue(
                                    data_element_id=r.data_element_id,
                                    combo=c,
                                    unit=unit,
                                    period=rnd.period,
                                    value=Decimal(parts[o]),
                                    status=vstatus,
                                    source=ValueSource.DEMO,
                                    submission=r.submission,
                                )
                            )
            existing = set(
                DataValue.objects.filter(period=rnd.period, unit_id__in=by_unit).values_list(
                    "data_element_id", "combo_id", "unit_id"
                )
            )
            values = [v for v in values if (v.data_element_id, v.combo_id, v.unit_id) not in existing]
            DataValue.objects.bulk_create(values, batch_size=2000)
            created += len(values)
            approver = manager.get("huongtra.quanly" if rnd.plan.key == "seed-004" else "vanquan.quanly")
            for sub in rnd.submissions.select_related("unit"):
                st = story.get(sub.pk, SubmissionStatus.DRAFT)
                if st in ("empty", SubmissionStatus.DRAFT):
                    continue
                at = datetime.datetime.combine(
                    rnd.deadline - datetime.timedelta(days=_rng(sub.pk).randint(0, 12)),
                    datetime.time(9, 30),
                    tzinfo=datetime.UTC,
                )
                Submission.objects.filter(pk=sub.pk).update(status=st, submitted_at=at, first_submitted_at=at)
                ApprovalStep.objects.create(
                    submission=sub, action=StepAction.SUBMIT, comment="(số liệu minh họa)"
                )
                if st == SubmissionStatus.APPROVED:
                    Submission.objects.filter(pk=sub.pk).update(
                        approved_level=2 if sub.unit.level >= 2 else 1, approved_at=at, approved_by=approver
                    )
                    ApprovalStep.objects.create(
                        submission=sub,
                        action=StepAction.APPROVE,
                        level=2,
                        user=approver,
                        comment="(số liệu minh họa)",
                    )
    _education_office_correction(on)
    return f"{created} giá trị minh họa cho {touched} kỳ báo cáo (nguồn «demo», sinh tự động)"


def _education_office_correction(on: datetime.date) -> None:
    """The Văn Quan education office's 2024 report is returned for a correction, open for a week more."""
    sub = Submission.objects.filter(
        round__plan__key="seed-003",
        round__period__code="2024",
        agency__name="Phòng Giáo dục và Đào tạo",
        status=SubmissionStatus.APPROVED,
    ).first()
    if sub is None:
        return
    reason = "Đề nghị rà soát lại số trường có dịch vụ hỗ trợ tâm lý của các xã (số liệu minh họa)."
    Submission.objects.filter(pk=sub.pk).update(
        status=SubmissionStatus.RETURNED,
        approved_level=None,
        approved_at=None,
        return_comment=reason,
        extended_until=on + datetime.timedelta(days=30),
    )
    DataValue.objects.filter(submission=sub).update(status=ValueStatus.DRAFT)
    ApprovalStep.objects.create(
        submission=sub,
        action=StepAction.REOPEN,
        level=2,
        user=User.objects.filter(username="vanquan.quanly").first(),
        comment=reason,
    )
