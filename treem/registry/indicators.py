"""Indicators of the catalogue computed from the registry, per unit and period, in the database.

The monitoring engine calls :func:`registry_values`; each row carries the numerator, the denominator
and the number of child records behind them, with ``source="registry"``. Counting is one SQL
``GROUP BY commune`` per indicator (conditional counts, the latest measurement through a subquery);
communes are then summed into the requested units through the closure table — for units abolished on
1/7/2025 (e.g. Huyện Văn Quan) through the current communes that succeeded them.

Definitions (period from ``period_start`` to ``period_end``, default the year ending on ``period_end``):

- records counted are live (status active) records of children under 16 on ``period_end``;
- YT_SDD_* / YT_THUA_CAN_BEO_PHI: each child's latest measurement in the period taken before 60
  months of age; numerator the WHO class (z < −2 SD, or WHZ > +2 SD), denominator the children whose
  z-score is computable and not flagged implausible;
- YT_TCDD_DUOI_1: children who reached their first birthday in the period (the EPI year cohort),
  numerator those who had every dose of the "full under 1" schedule before it;
- TP_KHAI_SINH_DUOI_5: children under 5 on ``period_end`` with a registered birth;
- TP_KHAI_SINH_DUNG_HAN: births registered in the period, of which within 60 days of birth;
- BV_HCDB: children in an Article 10 group at some time in the period / all children;
  BV_HCDB_DUOC_TRO_GIUP: of them, those with support overlapping the period;
- GD_BO_HOC_TH / GD_BO_HOC_THCS: in the school year that ended in the period, pupils of the level who
  dropped out / pupils of the level;
- GD_MAU_GIAO_5_TUOI: children turning 5 in the school year starting in the period, attending kindergarten.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from treem.geo.models import AdministrativeUnit, Level, UnitClosure, UnitSuccession

from .codes import BirthRegistration, ChildStatus, SchoolLevel, SchoolStatus
from .models import Child, GrowthMeasurement, Schooling, SpecialCircumstance, Support

SOURCE = "registry"


@dataclass(frozen=True)
class Definition:
    numerator: str
    denominator: str | None
    label: str


DEFINITIONS = {
    "YT_SDD_NHE_CAN": Definition(
        "DE_SDD_NHE_CAN", "DE_TRE_DUOI_5_CAN_DO", "trẻ dưới 5 tuổi nhẹ cân / được cân"
    ),
    "YT_SDD_THAP_COI": Definition(
        "DE_SDD_THAP_COI", "DE_TRE_DUOI_5_CAN_DO", "trẻ dưới 5 tuổi thấp còi / được đo"
    ),
    "YT_SDD_GAY_COM": Definition(
        "DE_SDD_GAY_COM", "DE_TRE_DUOI_5_CAN_DO", "trẻ dưới 5 tuổi gầy còm / được cân đo"
    ),
    "YT_THUA_CAN_BEO_PHI": Definition(
        "DE_THUA_CAN_BEO_PHI", "DE_TRE_DUOI_5_CAN_DO", "trẻ dưới 5 tuổi thừa cân, béo phì / được cân đo"
    ),
    "YT_TCDD_DUOI_1": Definition(
        "DE_TRE_DUOI_1_TCDD", "DE_TRE_DUOI_1", "trẻ tròn 1 tuổi trong kỳ tiêm đủ 8 loại vắc xin trước 1 tuổi"
    ),
    "TP_KHAI_SINH_DUOI_5": Definition(
        "DE_TRE_DUOI_5_DA_KHAI_SINH", "DE_TRE_DUOI_5", "trẻ dưới 5 tuổi đã đăng ký khai sinh"
    ),
    "TP_KHAI_SINH_DUNG_HAN": Definition(
        "DE_KHAI_SINH_DUNG_HAN", "DE_KHAI_SINH_TRONG_KY", "khai sinh trong kỳ đúng hạn (60 ngày)"
    ),
    "BV_HCDB": Definition("DE_TRE_HCDB", "DE_TRE_EM", "trẻ em có hoàn cảnh đặc biệt"),
    "BV_HCDB_DUOC_TRO_GIUP": Definition(
        "DE_TRE_HCDB_DUOC_TRO_GIUP", "DE_TRE_HCDB", "trẻ em có HCĐB được trợ giúp"
    ),
    "GD_BO_HOC_TH": Definition("DE_HS_TH_BO_HOC", "DE_HS_TH_NHAP_HOC", "học sinh tiểu học bỏ học"),
    "GD_BO_HOC_THCS": Definition("DE_HS_THCS_BO_HOC", "DE_HS_THCS_NHAP_HOC", "học sinh THCS bỏ học"),
    "GD_MAU_GIAO_5_TUOI": Definition("DE_TRE_5_TUOI_DI_MAU_GIAO", "DE_TRE_5_TUOI", "trẻ 5 tuổi đi mẫu giáo"),
}
COVERED = tuple(DEFINITIONS)


def _years_before(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def commune_map(units: Iterable[AdministrativeUnit], at: datetime.date) -> dict[int, set[int]]:
    """For each unit, the ids of the communes in force on `at` that make up its territory."""
    units = list(units)
    out: dict[int, set[int]] = {}
    for u in units:
        if u.level == Level.COMMUNE and u.valid_at(at):
            out[u.id] = {u.id}
            continue
        under = set(
            UnitClosure.objects.filter(ancestor=u, descendant__level=Level.COMMUNE).values_list(
                "descendant_id", flat=True
            )
        )
        current = set(
            AdministrativeUnit.objects.filter(id__in=under).valid_at(at).values_list("id", flat=True)
        )
        old = under - current
        if old:
            current |= set(
                UnitSuccession.objects.filter(predecessor_id__in=old, successor__level=Level.COMMUNE)
                .filter(Q(successor__valid_from__isnull=True) | Q(successor__valid_from__lte=at))
                .values_list("successor_id", flat=True)
            )
        out[u.id] = current
    return out


def _by_commune(qs, **counts) -> dict[int, dict[str, int]]:
    rows = qs.values("commune_id").annotate(**counts).order_by()
    return {r["commune_id"]: r for r in rows}


def _commune_counts(
    code: str, communes: set[int], start: datetime.date, end: datetime.date
) -> dict[int, dict[str, int]]:
    """One SQL aggregation per indicator: {commune_id: {"num": n, "den": d, "n": records}}."""
    children = Child.objects.filter(commune_id__in=communes, status=ChildStatus.ACTIVE, birth_date__lte=end)
    under16 = children.filter(birth_date__gt=_years_before(end, 16))
    if code in ("YT_SDD_NHE_CAN", "YT_SDD_THAP_COI", "YT_SDD_GAY_COM", "YT_THUA_CAN_BEO_PHI"):
        z, flag, cls = {
            "YT_SDD_NHE_CAN": ("zwei", "fwei", "underweight"),
            "YT_SDD_THAP_COI": ("zlen", "flen", "stunted"),
            "YT_SDD_GAY_COM": ("zwfl", "fwfl", "wasted"),
            "YT_THUA_CAN_BEO_PHI": ("zwfl", "fwfl", "overweight"),
        }[code]
        latest = GrowthMeasurement.objects.filter(
            child=OuterRef("pk"), measured_on__gte=start, measured_on__lte=end, age_days__lt=1826
        ).order_by("-measured_on", "-pk")
        qs = under16.annotate(
            m_z=Subquery(latest.values(z)[:1]),
            m_flag=Subquery(latest.values(flag)[:1]),
            m_cls=Subquery(latest.values(cls)[:1]),
            m_any=Exists(latest),
        ).filter(m_any=True)
        valid = Q(m_z__isnull=False) & ~Q(m_flag=True)
        return _by_commune(
            qs, num=Count("pk", filter=valid & Q(m_cls=True)), den=Count("pk", filter=valid), n=Count("pk")
        )
    if code == "YT_TCDD_DUOI_1":
        cohort = children.filter(
            birth_date__gt=_years_before(start, 1) - datetime.timedelta(days=1),
            birth_date__lte=_years_before(end, 1),
        )
        return _by_commune(
            cohort,
            num=Count("pk", filter=Q(fully_immunised_on__isnull=False)),
            den=Count("pk"),
            n=Count("pk"),
        )
    if code == "TP_KHAI_SINH_DUOI_5":
        under5 = children.filter(birth_date__gt=_years_before(end, 5))
        registered = Q(
            birth_registration__in=[
                BirthRegistration.ON_TIME,
                BirthRegistration.LATE,
                BirthRegistration.REGISTERED,
            ]
        )
        return _by_commune(under5, num=Count("pk", filter=registered), den=Count("pk"), n=Count("pk"))
    if code == "TP_KHAI_SINH_DUNG_HAN":
        reg = under16.filter(birth_registration_date__gte=start, birth_registration_date__lte=end)
        known = Q(birth_registration__in=[BirthRegistration.ON_TIME, BirthRegistration.LATE])
        return _by_commune(
            reg,
            num=Count("pk", filter=Q(birth_registration=BirthRegistration.ON_TIME)),
            den=Count("pk", filter=known),
            n=Count("pk"),
        )
    if code in ("BV_HCDB", "BV_HCDB_DUOC_TRO_GIUP"):
        circ = SpecialCircumstance.objects.filter(child=OuterRef("pk"), from_date__lte=end).filter(
            Q(to_date__isnull=True) | Q(to_date__gte=start)
        )
        supported = Support.objects.filter(circumstance__child=OuterRef("pk"), from_date__lte=end).filter(
            Q(to_date__isnull=True) | Q(to_date__gte=start)
        )
        qs = under16.annotate(in_group=Exists(circ), helped=Exists(supported))
        if code == "BV_HCDB":
            return _by_commune(qs, num=Count("pk", filter=Q(in_group=True)), den=Count("pk"), n=Count("pk"))
        qs = qs.filter(in_group=True)
        return _by_commune(qs, num=Count("pk", filter=Q(helped=True)), den=Count("pk"), n=Count("pk"))
    if code in ("GD_BO_HOC_TH", "GD_BO_HOC_THCS"):
        level = SchoolLevel.PRIMARY if code == "GD_BO_HOC_TH" else SchoolLevel.LOWER_SECONDARY
        year = school_year_ended_by(end)
        rows = Schooling.objects.filter(child__in=children, school_year=year, level=level).exclude(
            status=SchoolStatus.NOT_ENROLLED
        )
        agg = (
            rows.values("child__commune_id")
            .annotate(
                num=Count("pk", filter=Q(status=SchoolStatus.DROPPED_OUT)), den=Count("pk"), n=Count("pk")
            )
            .order_by()
        )
        return {r["child__commune_id"]: r for r in agg}
    if code == "GD_MAU_GIAO_5_TUOI":
        year = school_year_ended_by(end) + 1
        born = children.filter(birth_date__year=year - 5)
        attends = Schooling.objects.filter(
            child=OuterRef("pk"),
            school_year=year,
            level=SchoolLevel.KINDERGARTEN,
            status__in=[SchoolStatus.ENROLLED, SchoolStatus.COMPLETED],
        )
        qs = born.annotate(att=Exists(attends))
        return _by_commune(qs, num=Count("pk", filter=Q(att=True)), den=Count("pk"), n=Count("pk"))
    raise KeyError(code)


def school_year_ended_by(end: datetime.date) -> int:
    """Start year of the last school year that ended (end of May) on or before a date."""
    return end.year - 1 if (end.month, end.day) >= (5, 31) else end.year - 2


def registry_values(
    indicator_codes: Iterable[str] | None,
    units: Iterable[AdministrativeUnit],
    period_end: datetime.date,
    period_start: datetime.date | None = None,
) -> list[dict]:
    """Rows (unit, indicator, numerator/denominator elements and values, n_records, source) for covered indicators.

    Indicators the registry does not cover are left out; a unit with no records gives zeros.
    """
    codes = [c for c in (indicator_codes or COVERED) if c in DEFINITIONS]
    units = list(units)
    start = period_start or (_years_before(period_end, 1) + datetime.timedelta(days=1))
    cmap = commune_map(units, datetime.date.today())  # children belong to communes in force today
    communes = set().union(*cmap.values()) if cmap else set()
    rows = []
    for code in codes:
        per_commune = _commune_counts(code, communes, start, period_end) if communes else {}
        d = DEFINITIONS[code]
        for u in units:
            tot = defaultdict(int)
            for cid in cmap.get(u.id, ()):
                for k in ("num", "den", "n"):
                    tot[k] += per_commune.get(cid, {}).get(k, 0)
            rows.append(
                {
                    "unit_id": u.id,
                    "unit_code": u.code,
                    "indicator": code,
                    "numerator_element": d.numerator,
                    "denominator_element": d.denominator,
                    "numerator": tot["num"],
                    "denominator": tot["den"],
                    "n_records": tot["n"],
                    "period_start": start,
                    "period_end": period_end,
                    "source": SOURCE,
                }
            )
    return rows
