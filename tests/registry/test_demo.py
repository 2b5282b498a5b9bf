"""The demo registry: once, fast, only in the six communes that succeeded Huyện Văn Quan, marked as demo,
valid records, and registry-computed indicators that are non-zero and plausible for 2025 and 2026."""

import datetime
import time

import pytest

from tests.conftest import unit
from treem.core.text import fold
from treem.geo.models import Generation, Level, UnitSuccession
from treem.registry import services
from treem.registry.cleaning import validate_personal_id
from treem.registry.codes import ChildStatus
from treem.registry.demo import COMMUNES, DEMO_FILE_PREFIX, FEATURED, demo_children, load_demo_children
from treem.registry.indicators import registry_values
from treem.registry.models import (
    Caregiver,
    Child,
    GrowthMeasurement,
    ImportBatch,
    Schooling,
    SpecialCircumstance,
    Vaccination,
)

pytestmark = pytest.mark.django_db

# Indicators the registry covers, with the range a plausible district value falls in (%).
PLAUSIBLE = {
    "YT_SDD_THAP_COI": (8, 30),
    "YT_SDD_NHE_CAN": (3, 18),
    "YT_THUA_CAN_BEO_PHI": (0.5, 8),
    "YT_SDD_GAY_COM": (0.5, 8),
    "YT_TCDD_DUOI_1": (80, 99.9),
    "TP_KHAI_SINH_DUOI_5": (85, 99.9),
    "TP_KHAI_SINH_DUNG_HAN": (70, 97),
    "BV_HCDB": (2, 7),
    "BV_HCDB_DUOC_TRO_GIUP": (60, 99.9),
    "GD_BO_HOC_TH": (0.01, 2),
    "GD_BO_HOC_THCS": (0.5, 7),
    "GD_MAU_GIAO_5_TUOI": (90, 100),
}
# Indicators with enough records to be non-zero in every commune.
COMMUNE_LEVEL = [
    "YT_SDD_THAP_COI",
    "YT_SDD_NHE_CAN",
    "YT_TCDD_DUOI_1",
    "TP_KHAI_SINH_DUOI_5",
    "TP_KHAI_SINH_DUNG_HAN",
    "BV_HCDB",
    "BV_HCDB_DUOC_TRO_GIUP",
    "GD_MAU_GIAO_5_TUOI",
]


@pytest.fixture
def loaded():
    t0 = time.monotonic()
    summary = load_demo_children()
    return summary, time.monotonic() - t0


def test_loads_once_in_the_old_districts_communes_marked_as_demo(loaded):
    summary, seconds = loaded
    assert "trẻ em" in summary and seconds < 60  # ~3 s on an idle 2-core machine
    n = demo_children().count()
    assert n == sum(COMMUNES.values()) == Child.objects.count()  # nothing else was written
    again = load_demo_children()
    assert again.startswith("đã có") and demo_children().count() == n
    assert ImportBatch.objects.filter(file_name__startswith=DEMO_FILE_PREFIX).count() == len(COMMUNES)
    # Only the six current communes formed from Huyện Văn Quan's communes; each with 300–600 children.
    per_commune = {
        code: Child.objects.filter(commune__code=code, commune__generation=Generation.Y2025).count()
        for code in COMMUNES
    }
    assert per_commune == COMMUNES and all(300 <= v <= 600 for v in per_commune.values())
    assert not Child.objects.exclude(commune__code__in=COMMUNES).exists()
    assert set(Child.objects.values_list("commune__level", "commune__generation").distinct()) == {
        (Level.COMMUNE, Generation.Y2025)
    }
    # The old commune a record names is one the child's commune was formed from (Khánh Khê and Tân Đoàn also took
    # communes of Huyện Cao Lộc).
    pairs = set(Child.objects.exclude(source_unit=None).values_list("commune", "source_unit").distinct())
    assert pairs and pairs <= set(UnitSuccession.objects.values_list("successor", "predecessor"))
    assert unit("184", Level.DISTRICT).pk in set(Child.objects.values_list("source_unit__parent", flat=True))
    assert not Child.objects.exclude(import_batch__file_name__startswith=DEMO_FILE_PREFIX).exists()
    for table in (Caregiver, SpecialCircumstance, Schooling, GrowthMeasurement, Vaccination):
        assert table.objects.exists() and not table.objects.exclude(child__in=demo_children()).exists()


def test_records_are_valid(loaded):
    kids = list(Child.objects.all())
    assert {k.ethnicity_code for k in kids} <= {"01", "02", "07", "09"}
    with_id = [k for k in kids if k.personal_id]
    assert len(with_id) > 0.85 * len(kids) and len({k.personal_id for k in with_id}) == len(with_id)
    assert all(k.personal_id.startswith("020") and len(k.personal_id) == 12 for k in with_id)
    for k in with_id[
        ::10
    ]:  # the project's rules: province, century and sex digit, birth year (a sample: each check reads a file)
        assert not validate_personal_id(k.personal_id, k.sex, k.birth_date.year), k.personal_id
    for c in Caregiver.objects.exclude(personal_id="")[::25]:
        assert not validate_personal_id(c.personal_id, birth_year=c.birth_year), c.personal_id
    late = sum(k.birth_registration == "late" for k in kids)
    on_time = sum(k.birth_registration == "on_time" for k in kids)
    missing = sum(k.birth_registration == "none" for k in kids)
    assert on_time > 0.7 * len(kids) and 0.03 * len(kids) < late < on_time and 0 < missing < 0.06 * len(kids)
    for k in kids:
        assert k.birth_registration == services.birth_registration_status(k)
        assert k.name_folded == fold(k.full_name)
    # z-scores come from the project's service: recomputing them changes nothing.
    stored = {m.pk: (m.zlen, m.zwei, m.zwfl, m.stunted) for m in GrowthMeasurement.objects.all()}
    services.recompute_growth()
    assert {m.pk: (m.zlen, m.zwei, m.zwfl, m.stunted) for m in GrowthMeasurement.objects.all()} == stored
    assert GrowthMeasurement.objects.filter(age_days__gte=1826).count() == 0
    assert GrowthMeasurement.objects.filter(fwei=True).exists()  # a few typing errors, flagged implausible
    # full immunisation under 1 follows the project's rule.
    before = dict(Child.objects.values_list("pk", "fully_immunised_on"))
    services.refresh_immunisation(list(before))
    assert dict(Child.objects.values_list("pk", "fully_immunised_on")) == before
    assert Child.objects.filter(status=ChildStatus.MOVED).exists()
    names = set(Child.objects.values_list("full_name", flat=True))
    assert {name for _, name, _, _ in FEATURED} <= names


@pytest.mark.parametrize("year", [2025, 2026])
def test_registry_values_are_plausible(loaded, year):
    district = unit("184", Level.DISTRICT)  # abolished on 1/7/2025: counted through its successors
    commune = unit("06253", Level.COMMUNE, Generation.Y2025)
    rows = registry_values(None, [district, commune], datetime.date(year, 12, 31))
    got = {(r["unit_code"], r["indicator"]): r for r in rows}
    for code, (low, high) in PLAUSIBLE.items():
        r = got[("184", code)]
        assert r["numerator"] > 0 and r["denominator"] > 0, (year, code, r)
        assert low <= 100 * r["numerator"] / r["denominator"] <= high, (
            year,
            code,
            r["numerator"],
            r["denominator"],
        )
    for code in COMMUNE_LEVEL:
        r = got[("06253", code)]
        assert 0 < r["numerator"] <= r["denominator"], (year, code, r)
    # The district is the sum of its six successor communes.
    communes = [unit(c, Level.COMMUNE, Generation.Y2025) for c in COMMUNES]
    per = registry_values(["BV_HCDB"], communes, datetime.date(year, 12, 31))
    assert sum(r["denominator"] for r in per) == got[("184", "BV_HCDB")]["denominator"]


def test_demo_cases_link_to_demo_children(loaded):
    from treem.protection.demo import link_demo_children, load_demo_cases
    from treem.protection.models import Case

    assert "liên kết" in load_demo_cases()
    linked = {
        c.external_ref: c.child
        for c in Case.objects.filter(external_ref__startswith="DEMO-").select_related("child")
    }
    assert (
        linked["DEMO-111-0001"].full_name == "Nông Thị Hoa"
        and linked["DEMO-111-0001"].status == ChildStatus.ACTIVE
    )
    assert linked["DEMO-XA-0002"].full_name == "Lộc Văn Nam"
    assert (
        linked["DEMO-XA-0003"].status == ChildStatus.PROVISIONAL
    )  # the abandoned newborn is not in the registry
    assert Child.objects.filter(status=ChildStatus.MERGED, merged_into=linked["DEMO-111-0001"]).exists()
    assert link_demo_children() == 0  # idempotent
    # The registry record of the child in the sexual-abuse case carries the Article 10 group l, with support.
    circ = SpecialCircumstance.objects.get(child=linked["DEMO-111-0001"])
    assert circ.group == "l" and circ.supports.exists()
