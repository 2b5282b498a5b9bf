"""Registry API: scoping by commune, sensitive fields by role, logged reads, audited writes, clean errors."""

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from treem.core.models import AccessEvent, AuditEvent
from treem.registry import linkage
from treem.registry.models import Child, MatchCandidate

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.registry.urls_api")]


def api(user):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return c


@pytest.fixture
def child(make_child):
    return make_child(
        full_name="Vi Thị Riêng", personal_id="020321004321", sex="f", birth_date=datetime.date(2021, 6, 1)
    )


def test_list_and_detail_for_the_commune_officer(officer, child):
    c = api(officer)
    r = c.get("/api/v1/children/", {"q": "rieng"})
    assert r.status_code == 200 and r.json()["results"][0]["personal_id"] == "020321004321"
    r = c.get(f"/api/v1/children/{child.uid}/")
    assert r.status_code == 200 and r.json()["full_name"] == "Vi Thị Riêng"
    assert AccessEvent.objects.filter(object_id=str(child.pk), channel="api").count() == 2


def test_viewer_gets_no_sensitive_fields(viewer, child):
    r = api(viewer).get(f"/api/v1/children/{child.uid}/")
    assert r.status_code == 200 and "personal_id" not in r.json() and "disability_type" not in r.json()


def test_other_commune_sees_nothing(other_officer, child):
    c = api(other_officer)
    assert c.get("/api/v1/children/", {"q": "rieng"}).json()["results"] == []
    assert c.get(f"/api/v1/children/{child.uid}/").status_code == 404
    assert c.patch(f"/api/v1/children/{child.uid}/", {"full_name": "X Y"}, format="json").status_code == 404
    assert c.get(f"/api/v1/children/{child.uid}/measurements/").status_code == 404
    assert (
        c.post(
            f"/api/v1/children/{child.uid}/vaccinations/",
            {"antigen": "bcg", "dose": 1, "date": "2021-06-02"},
            format="json",
        ).status_code
        == 404
    )
    r = c.post(
        "/api/v1/children/",
        {"full_name": "Lò Văn C", "birth_date": "2020", "commune": child.commune.code},
        format="json",
    )
    assert r.status_code == 403
    r = c.get("/api/v1/registry-values/", {"units": child.commune_id, "period_end": "2025-12-31"})
    assert r.status_code == 404
    assert not AccessEvent.objects.filter(object_id=str(child.pk), user=other_officer).exists()


def test_anonymous_gets_401(child):
    assert APIClient().get("/api/v1/children/").status_code == 401
    assert APIClient().get(f"/api/v1/children/{child.uid}/").status_code == 401


def test_create_with_typed_date_and_errors_named(officer, xa_van_quan):
    c = api(officer)
    r = c.post(
        "/api/v1/children/",
        {"full_name": "hà  thị  na", "birth_date": "03/2021", "sex": "f", "commune": xa_van_quan.code},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["full_name"] == "Hà Thị Na" and r.json()["birth_date_precision"] == "month"
    r = c.post(
        "/api/v1/children/",
        {"full_name": "Hà Thị Nb", "birth_date": "32/01/2021", "commune": xa_van_quan.code},
        format="json",
    )
    assert r.status_code == 400 and "birth_date" in r.json()
    r = c.post(
        "/api/v1/children/",
        {
            "full_name": "Hà Thị Nc",
            "birth_date": "2021",
            "sex": "m",
            "personal_id": "020321000000",
            "commune": xa_van_quan.code,
        },
        format="json",
    )
    assert r.status_code == 400 and "giới tính" in r.json()["personal_id"][0]
    assert AuditEvent.objects.filter(object_type="registry.child", action="create").count() == 1


def test_viewer_cannot_write(viewer, child):
    r = api(viewer).patch(f"/api/v1/children/{child.uid}/", {"address": "x"}, format="json")
    assert r.status_code == 403


def test_measurement_endpoint_computes_zscores(officer, child):
    r = api(officer).post(
        f"/api/v1/children/{child.uid}/measurements/",
        {"measured_on": "2023-06-01", "weight_kg": 11.5, "lenhei_cm": 86, "measure": "h"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["zlen"] is not None


def test_candidates_are_scoped(officer, other_officer, make_child):
    a = make_child(full_name="Nông Văn Kép")
    b = make_child(full_name="Nong Van Kep")
    run = linkage.LinkageRun.objects.create(kind="dedupe", unit=a.commune, started_by=officer)
    cand = MatchCandidate.objects.create(run=run, left=a, right=b, probability=0.8)
    assert api(other_officer).get("/api/v1/match-candidates/").json()["results"] == []
    assert (
        api(other_officer)
        .post(f"/api/v1/match-candidates/{cand.pk}/decide/", {"accept": True}, format="json")
        .status_code
        == 404
    )
    r = api(officer).post(f"/api/v1/match-candidates/{cand.pk}/decide/", {"accept": False}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_registry_values_endpoint(officer, child, xa_van_quan):
    r = api(officer).get(
        "/api/v1/registry-values/",
        {"units": xa_van_quan.pk, "period_end": "2025-12-31", "indicators": "TP_KHAI_SINH_DUOI_5"},
    )
    assert r.status_code == 200
    row = r.json()[0]
    assert row["denominator"] == 1 and row["source"] == "registry"
    assert api(officer).get("/api/v1/registry-values/", {"units": "x"}).status_code == 400


def test_merged_status_cannot_be_set(officer, child):
    r = api(officer).patch(f"/api/v1/children/{child.uid}/", {"status": "merged"}, format="json")
    assert r.status_code == 400
    assert Child.objects.get(pk=child.pk).status == "active"
