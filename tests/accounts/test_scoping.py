"""Who sees what: a membership covers its unit and everything below, nothing beside it."""

import datetime

import pytest

from treem.accounts import scoping
from treem.accounts.models import Role
from treem.geo import services
from treem.geo.models import AdministrativeUnit, Generation, Level

pytestmark = pytest.mark.django_db
BEFORE = datetime.date(2024, 8, 12)


def old_communes(district):
    return list(services.descendants(district, at=BEFORE, level=Level.COMMUNE).order_by("code"))


def test_commune_user_sees_own_commune_only(van_quan, make_user):
    a, b = old_communes(van_quan)[:2]
    user = make_user(a, Role.COMMUNE_OFFICER)
    visible = scoping.visible_units(user)
    assert visible.filter(pk=a.pk).exists()
    assert not visible.filter(pk=b.pk).exists()
    assert not visible.filter(pk=van_quan.pk).exists()
    assert scoping.can_see_unit(user, a) and not scoping.can_see_unit(user, b)
    # the chain above is known by name (breadcrumbs, plans from above) but not as data scope
    assert scoping.context_units(user).filter(pk=van_quan.pk).exists()
    assert not scoping.context_units(user).filter(pk=b.pk).exists()


def test_district_manager_sees_communes_below_and_their_successors(van_quan, make_user):
    user = make_user(van_quan, Role.UNIT_MANAGER)
    visible = scoping.visible_units(user)
    for commune in old_communes(van_quan):
        assert visible.filter(pk=commune.pk).exists()
    new_xa_van_quan = AdministrativeUnit.objects.get(
        generation=Generation.Y2025, level=Level.COMMUNE, code="06253"
    )
    assert visible.filter(pk=new_xa_van_quan.pk).exists()
    huong_tra = AdministrativeUnit.objects.get(
        generation=Generation.PRE_2025, level=Level.DISTRICT, code="480"
    )
    assert not visible.filter(pk=huong_tra.pk).exists()
    assert scoping.can_manage_unit(user, new_xa_van_quan)


def test_viewer_reads_but_does_not_edit(lang_son, van_quan, make_user):
    viewer = make_user(lang_son, Role.VIEWER)
    assert scoping.can_see_unit(viewer, van_quan)
    assert not scoping.can_edit_unit(viewer, van_quan)
    assert not scoping.can_manage_unit(viewer, van_quan)


def test_anonymous_and_expired_memberships_see_nothing(van_quan, make_user):
    from django.contrib.auth.models import AnonymousUser

    assert not scoping.visible_units(AnonymousUser()).exists()
    user = make_user(van_quan, Role.UNIT_MANAGER)
    user.memberships.update(valid_to=datetime.date(2020, 1, 1))
    assert not scoping.visible_units(user).exists()


def test_system_admin_sees_everything(van_quan, make_user):
    admin = make_user(van_quan, Role.SYSTEM_ADMIN)
    assert scoping.visible_units(admin).count() == AdministrativeUnit.objects.count()


def test_new_commune_reads_the_plans_of_the_old_district_it_carries_on(make_user):
    from treem.plans.models import PlanDocument
    from treem.plans.selectors import plans_for_user

    xa_van_quan = AdministrativeUnit.objects.get(
        generation=Generation.Y2025, level=Level.COMMUNE, code="06253"
    )
    user = make_user(xa_van_quan, Role.COMMUNE_OFFICER)
    readable = plans_for_user(user)
    assert readable.filter(key="seed-003").exists()  # Văn Quan district plan
    assert readable.filter(number="194/KH-UBND").exists()  # Lạng Sơn provincial plan
    assert not readable.filter(key="seed-004").exists()  # Hương Trà
    # but no data of the old communes that did not go into Xã Văn Quan
    diem_he = AdministrativeUnit.objects.get(generation=Generation.Y2025, level=Level.COMMUNE, code="06280")
    assert not scoping.can_see_unit(user, diem_he)
    assert PlanDocument.objects.filter(key="seed-003").exists()


def test_new_province_sees_the_history_of_the_old_province(make_user):
    new_lang_son = AdministrativeUnit.objects.get(
        generation=Generation.Y2025, level=Level.PROVINCE, code="20"
    )
    user = make_user(new_lang_son, Role.UNIT_MANAGER)
    van_quan_old = AdministrativeUnit.objects.get(
        generation=Generation.PRE_2025, level=Level.DISTRICT, code="184"
    )
    assert scoping.can_see_unit(user, van_quan_old)
    huong_tra = AdministrativeUnit.objects.get(
        generation=Generation.PRE_2025, level=Level.DISTRICT, code="480"
    )
    assert not scoping.can_see_unit(user, huong_tra)
