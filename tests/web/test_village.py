"""Managers add villages (thôn, tổ dân phố) under communes they manage; others cannot; errors are clear."""

import pytest
from django.urls import reverse

from treem.accounts.models import Role
from treem.geo.models import AdministrativeUnit, Level

pytestmark = pytest.mark.django_db


def add(client, commune, **data):
    return client.post(reverse("geo:village_add", args=[commune.pk]), {"type": "thon", "code": "", **data})


def villages(commune):
    return list(
        AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).values_list(
            "full_name", flat=True
        )
    )


def test_commune_manager_adds_a_village(make_user, units, login):
    commune = units["xa_van_quan"]
    client = login(make_user(commune, Role.UNIT_MANAGER))
    assert client.get(reverse("geo:village_add", args=[commune.pk])).status_code == 200
    response = add(client, commune, name="Nà Pàn")
    assert response.status_code == 302 and response["Location"] == reverse("geo:detail", args=[commune.pk])
    assert villages(commune) == ["Thôn Nà Pàn"]
    page = client.get(response["Location"]).content.decode()
    assert "Thôn Nà Pàn" in page and "Đã thêm Thôn Nà Pàn" in page


def test_type_word_typed_in_the_name_is_not_repeated(make_user, units, login):
    commune = units["xa_van_quan"]
    client = login(make_user(commune, Role.UNIT_MANAGER))
    add(client, commune, name="Tổ dân phố  Phố Mới", type="to_dan_pho")
    assert villages(commune) == ["Tổ dân phố Phố Mới"]


def test_district_manager_adds_under_a_successor_commune(users, units, login):
    """The Văn Quan district manager keeps managing the new communes that succeeded it."""
    response = add(login(users["van_quan"]), units["xa_van_quan"], name="Khòn Pầu")
    assert response.status_code == 302
    assert villages(units["xa_van_quan"]) == ["Thôn Khòn Pầu"]


@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICER, Role.VIEWER, Role.AGENCY_REPORTER])
def test_non_managers_are_refused(role, make_user, units, login):
    commune = units["xa_van_quan"]
    client = login(make_user(commune, role))
    assert client.get(reverse("geo:village_add", args=[commune.pk])).status_code == 403
    assert add(client, commune, name="Nà Pàn").status_code == 403
    assert villages(commune) == []


def test_manager_of_another_commune_gets_not_found(make_user, units, login):
    client = login(make_user(units["xa_diem_he"], Role.UNIT_MANAGER))
    assert add(client, units["xa_van_quan"], name="Nà Pàn").status_code == 404
    assert villages(units["xa_van_quan"]) == []


def test_detail_page_offers_the_form_only_to_managers(make_user, units, login):
    commune = units["xa_van_quan"]
    url = reverse("geo:village_add", args=[commune.pk])
    assert (
        url
        in login(make_user(commune, Role.UNIT_MANAGER))
        .get(reverse("geo:detail", args=[commune.pk]))
        .content.decode()
    )
    assert (
        url
        not in login(make_user(commune, Role.COMMUNE_OFFICER))
        .get(reverse("geo:detail", args=[commune.pk]))
        .content.decode()
    )


def test_empty_name_is_refused_in_vietnamese(make_user, units, login):
    commune = units["xa_van_quan"]
    response = add(login(make_user(commune, Role.UNIT_MANAGER)), commune, name="   ")
    assert response.status_code == 200
    assert "Vui lòng nhập tên thôn, tổ dân phố." in response.content.decode()
    assert villages(commune) == []


def test_duplicate_village_is_refused(make_user, units, login):
    commune = units["xa_van_quan"]
    client = login(make_user(commune, Role.UNIT_MANAGER))
    add(client, commune, name="Nà Pàn")
    response = add(client, commune, name="nà pàn")
    assert response.status_code == 200
    assert "đã có thôn" in response.content.decode()
    assert villages(commune) == ["Thôn Nà Pàn"]


def test_duplicate_code_is_refused(make_user, units, login):
    commune = units["xa_van_quan"]
    client = login(make_user(commune, Role.UNIT_MANAGER))
    add(client, commune, name="Nà Pàn", code="NP")
    response = add(client, commune, name="Bản Chu", code="NP")
    assert "Mã NP đã được dùng" in response.content.decode()


def test_invalid_type_is_refused(make_user, units, login):
    commune = units["xa_van_quan"]
    response = add(login(make_user(commune, Role.UNIT_MANAGER)), commune, name="Nà Pàn", type="xa")
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert villages(commune) == []


def test_no_village_under_an_abolished_commune(users, login):
    old = AdministrativeUnit.objects.get(code="06253", level=Level.COMMUNE, generation="pre2025")
    response = add(login(users["van_quan"]), old, name="Nà Pàn")
    assert response.status_code == 200
    assert "đã hết hiệu lực" in response.content.decode()
    assert villages(old) == []


def test_no_village_directly_under_a_district(users, units, login):
    response = add(login(users["van_quan"]), units["van_quan"], name="Nà Pàn")
    assert "chỉ được thêm dưới một xã" in response.content.decode()
    assert villages(units["van_quan"]) == []
