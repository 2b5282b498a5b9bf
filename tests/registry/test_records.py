"""Child records: identity rules, audit of every write, logged reads, sensitive fields by role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from treem.accounts.models import Role
from treem.core.models import AccessEvent, AuditEvent
from treem.registry import policy, services
from treem.registry.codes import Article10, BirthRegistration, ChildStatus, DatePrecision
from treem.registry.models import Child, GrowthMeasurement, SpecialCircumstance

pytestmark = pytest.mark.django_db


def test_name_is_nfc_with_folded_key(make_child):
    decomposed = "Nguye\u0302\u0303n  Thi\u0323 Ðào"
    child = make_child(full_name=decomposed)
    assert child.full_name == "Nguyễn Thị Đào"
    assert child.name_folded == "nguyen thi dao"


def test_birth_date_precision_keeps_year_only(make_child):
    child = make_child(birth_date=datetime.date(2019, 6, 15), birth_date_precision=DatePrecision.YEAR)
    assert child.birth_date == datetime.date(2019, 1, 1)
    assert child.birth_date_display == "2019"


@pytest.mark.parametrize(
    "pid, sex, year, message",
    [
        ("02022100123", "m", 2021, "12 chữ số"),
        ("999221001234", "m", 2021, "mã tỉnh"),
        ("020321001234", "m", 2021, "giới tính"),
        ("020219001234", "m", 2021, "năm sinh 2019"),
    ],
)
def test_personal_id_is_validated(make_child, pid, sex, year, message):
    with pytest.raises(services.RegistryError, match=message) as err:
        make_child(personal_id=pid, sex=sex, birth_date=datetime.date(year, 2, 2))
    assert err.value.field == "personal_id"


def test_valid_personal_id(make_child):
    assert (
        make_child(personal_id="020321001234", sex="f", birth_date=datetime.date(2021, 2, 2)).personal_id
        == "020321001234"
    )


def test_future_birth_date_refused(make_child):
    with pytest.raises(services.RegistryError, match="tương lai"):
        make_child(birth_date=datetime.date.today() + datetime.timedelta(days=3))


def test_old_commune_refused(make_child, make_user, old_tu_xuyen):
    old_officer = make_user(old_tu_xuyen, Role.COMMUNE_OFFICER)
    with pytest.raises(services.RegistryError, match="không còn hiệu lực"):
        make_child(by=old_officer, commune=old_tu_xuyen)


def test_birth_registration_on_time_or_late(make_child):
    on_time = make_child(
        birth_date=datetime.date(2022, 1, 1), birth_registration_date=datetime.date(2022, 2, 20)
    )
    late = make_child(birth_date=datetime.date(2022, 1, 1), birth_registration_date=datetime.date(2022, 5, 1))
    assert on_time.birth_registration == BirthRegistration.ON_TIME
    assert late.birth_registration == BirthRegistration.LATE


def test_every_write_is_audited_without_personal_values(make_child, officer):
    child = make_child(personal_id="020221001234")
    services.update_child(officer, child, {"full_name": "Hoàng Văn Mới", "status": ChildStatus.MOVED})
    events = AuditEvent.objects.filter(object_type="registry.child", object_id=str(child.pk)).order_by(
        "at", "id"
    )
    assert [e.action for e in events] == ["create", "update"]
    update = events[1].changes
    assert update["full_name"] == services.HIDDEN
    assert update["status"] == ["active", "moved"]
    dump = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert "020221001234" not in dump and "Hoàng" not in dump


def test_every_read_is_logged(make_child, officer):
    child = make_child()
    services.get_child_for(officer, child.uid, purpose="test")
    ev = AccessEvent.objects.get(object_type="registry.child", object_id=str(child.pk))
    assert ev.user == officer


def test_other_commune_cannot_read_or_write(make_child, other_officer):
    child = make_child()
    with pytest.raises(Child.DoesNotExist):
        services.get_child_for(other_officer, child.uid)
    with pytest.raises(PermissionDenied):
        services.update_child(other_officer, child, {"address": "x"})
    assert not AccessEvent.objects.filter(object_id=str(child.pk)).exists()


def test_sensitive_groups_by_role(make_child, officer, viewer, make_user, xa_van_quan):
    child = make_child(personal_id="020221001234", disability_type="vision", disability_level="mild")
    chairman = make_user(xa_van_quan, Role.CHAIRMAN)
    assert policy.Access(officer).groups(child) == set(policy.SENSITIVE_GROUPS)
    assert policy.Access(viewer).groups(child) == set()
    assert policy.Access(chairman).groups(child) == {policy.CIRCUMSTANCES, policy.DISABILITY}
    seen = services.child_view(child, policy.Access(viewer))
    assert "personal_id" not in seen and "disability_type" not in seen


def test_role_in_one_unit_does_not_open_sensitive_fields_elsewhere(
    make_child, make_user, xa_diem_he, lang_son
):
    from treem.accounts.models import Membership

    child = make_child(personal_id="020221001234")
    user = make_user(xa_diem_he, Role.COMMUNE_OFFICER)
    Membership.objects.create(user=user, unit=lang_son, role=Role.VIEWER)
    access = policy.Access(user)
    assert policy.visible_children(user).filter(pk=child.pk).exists()
    assert access.groups(child) == set()


def test_viewer_cannot_write_sensitive_fields(make_child, make_user, xa_van_quan):
    reporter = make_user(xa_van_quan, Role.AGENCY_REPORTER)
    child = make_child()
    with pytest.raises(PermissionDenied):
        services.update_child(reporter, child, {"personal_id": "020221001234"})
    with pytest.raises(PermissionDenied):
        services.save_circumstance(
            reporter, SpecialCircumstance(child=child, group=Article10.D, from_date=datetime.date(2023, 1, 1))
        )
    services.update_child(reporter, child, {"address": "Thôn Bản Chặng"})


def test_provisional_child_for_a_protection_case(officer, xa_van_quan):
    child = services.create_provisional_child(officer, xa_van_quan, "bé gái tên Lan", sex="f")
    assert child.status == ChildStatus.PROVISIONAL and child.birth_date is None
    assert child.full_name == "Bé Gái Tên Lan"


def test_full_immunisation_under_one_is_derived(make_child, officer):
    child = make_child(birth_date=datetime.date(2023, 1, 10))
    plan = services.full_schedule()
    assert len(plan) == 8
    for i, (antigen, dose) in enumerate(sorted(plan)):
        services.record_vaccination(
            officer, child, antigen, dose, datetime.date(2023, 2, 1) + datetime.timedelta(days=30 * i)
        )
    child.refresh_from_db()
    assert child.fully_immunised_on == datetime.date(2023, 2, 1) + datetime.timedelta(days=30 * 7)
    with pytest.raises(services.RegistryError, match="không có trong lịch"):
        services.record_vaccination(officer, child, "xyz", 1, datetime.date(2023, 5, 1))


def test_late_dose_is_not_full_immunisation_under_one(make_child, officer):
    child = make_child(birth_date=datetime.date(2022, 1, 10))
    for antigen, dose in services.full_schedule():
        services.record_vaccination(officer, child, antigen, dose, datetime.date(2022, 12, 1))
    services.record_vaccination(officer, child, "measles", 1, datetime.date(2023, 2, 1))
    child.refresh_from_db()
    assert child.fully_immunised_on is None


def test_growth_measurement_gets_who_zscores(make_child, officer):
    child = make_child(birth_date=datetime.date(2022, 1, 1), sex="m")
    m = services.add_measurement(
        officer,
        GrowthMeasurement(
            child=child, measured_on=datetime.date(2024, 1, 1), weight_kg=9.0, lenhei_cm=80.0, measure="h"
        ),
    )
    assert m.age_days == 730
    assert m.zlen < -2 and m.stunted is True
    assert m.zwei < -2 and m.underweight is True
    year_only = make_child(birth_date=datetime.date(2022, 1, 1), birth_date_precision=DatePrecision.YEAR)
    m2 = services.add_measurement(
        officer,
        GrowthMeasurement(
            child=year_only, measured_on=datetime.date(2024, 1, 1), weight_kg=9.0, lenhei_cm=80.0, measure="h"
        ),
    )
    assert m2.zlen is None and m2.zwfl is not None
