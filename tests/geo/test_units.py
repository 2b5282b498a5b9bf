"""The administrative units of both generations load completely and answer the questions users ask."""

import datetime

import pytest

from treem.geo import services
from treem.geo.models import AdministrativeUnit, Generation, Level, UnitType
from treem.geo.services import UnitError

pytestmark = pytest.mark.django_db
BEFORE = datetime.date(2024, 8, 12)
AFTER = datetime.date(2026, 1, 1)


def units(**kw):
    return AdministrativeUnit.objects.filter(**kw)


def test_current_generation_has_34_provinces_and_3321_communes():
    assert units(generation=Generation.Y2025, level=Level.PROVINCE).count() == 34
    assert units(generation=Generation.Y2025, level=Level.COMMUNE).count() == 3321
    assert not units(generation=Generation.Y2025, level=Level.DISTRICT).exists()
    assert units(generation=Generation.Y2025, type=UnitType.DAC_KHU).count() == 13
    assert units(generation=Generation.Y2025, level=Level.PROVINCE, type=UnitType.THANH_PHO_TW).count() == 6


def test_pre_reform_generation_is_complete():
    assert units(generation=Generation.PRE_2025, level=Level.PROVINCE).count() == 63
    assert units(generation=Generation.PRE_2025, level=Level.DISTRICT).count() == 696
    assert units(generation=Generation.PRE_2025, level=Level.COMMUNE).count() == 10051
    # every unit has a parent of the level above, of the same generation
    assert not units(
        level=Level.COMMUNE, parent__level=Level.PROVINCE, generation=Generation.PRE_2025
    ).exists()
    assert not units(level__gte=Level.DISTRICT, parent__isnull=True).exists()


def test_units_in_force_at_a_date():
    lang_son = units(generation=Generation.PRE_2025, level=Level.PROVINCE, code="20").get()
    assert lang_son.valid_at(BEFORE) and not lang_son.valid_at(AFTER)
    assert AdministrativeUnit.objects.valid_at(AFTER).filter(level=Level.PROVINCE).count() == 34
    assert AdministrativeUnit.objects.valid_at(BEFORE).filter(level=Level.PROVINCE).count() == 63


def test_ancestors_and_descendants(van_quan):
    chain = list(services.ancestors(van_quan))
    assert [u.full_name for u in chain] == ["Việt Nam", "Tỉnh Lạng Sơn"]
    communes = services.descendants(van_quan, at=BEFORE, level=Level.COMMUNE)
    assert communes.count() == 15
    assert services.descendants(van_quan, at=AFTER).count() == 0


def test_successor_of_an_abolished_district_and_commune(van_quan):
    names = [u.full_name for u in services.successors(van_quan, at=AFTER)]
    assert names == ["Xã Văn Quan", "Xã Điềm He", "Xã Khánh Khê", "Xã Yên Phúc", "Xã Tri Lễ", "Xã Tân Đoàn"]
    binh_thuan = units(generation=Generation.PRE_2025, level=Level.PROVINCE, code="60").get()
    assert [u.full_name for u in services.successors(binh_thuan, at=AFTER)] == ["Tỉnh Lâm Đồng"]
    # a unit still in force is its own successor
    new = services.successors(van_quan, at=AFTER)[0]
    assert services.successors(new, at=AFTER) == [new]
    assert (
        van_quan in set(services.predecessors(new))
        or services.predecessors(new).filter(level=Level.COMMUNE).exists()
    )


def test_every_new_commune_succeeds_an_old_unit():
    orphans = units(generation=Generation.Y2025, level=Level.COMMUNE, predecessions__isnull=True)
    assert orphans.count() == 0


def test_search_ignores_tone_marks():
    found = services.search("van quan", level=Level.DISTRICT)
    assert [u.full_name for u in found] == ["Huyện Văn Quan"]


def test_add_village_under_a_commune(van_quan):
    commune = services.descendants(van_quan, at=BEFORE, level=Level.COMMUNE).first()
    village = services.add_village(commune, "  Nà   Sla ", type=UnitType.THON)
    assert village.full_name == "Thôn Nà Sla" and village.parent == commune
    assert village in services.descendants(van_quan)
    assert list(services.ancestors(village))[-1] == commune
    with pytest.raises(UnitError, match="đã có"):
        services.add_village(commune, "Nà Sla")
    with pytest.raises(UnitError, match="dưới một xã"):
        services.add_village(van_quan, "Bản Mới")
    with pytest.raises(UnitError, match="không được để trống"):
        services.add_village(commune, "   ")


def test_loading_twice_does_not_duplicate():
    before = AdministrativeUnit.objects.count()
    counts = services.load_all_units()
    assert counts == {"pre2025": 0, "2025": 0, "succession": 0}
    assert AdministrativeUnit.objects.count() == before
