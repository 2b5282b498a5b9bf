"""The REST API: read access scoped by the caller's memberships, on every endpoint (list and detail)."""

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from treem.accounts.models import Agency
from treem.plans.models import Assignment, Target

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_gets_401(api, plans):
    for endpoint in ("units", "agencies", "plans", "targets", "assignments"):
        response = api.get(f"{API}/{endpoint}/")
        assert response.status_code == 401, endpoint
        assert response["WWW-Authenticate"] == "Token"
    assert api.get(f"{API}/plans/{plans['ct28'].pk}/").status_code == 401


def objects(plans, units, name):
    """The ids of each endpoint's objects that belong to a place (its plan, its unit)."""
    plan, unit = plans[name], units.get(name)
    return {
        "plans": [plan.pk],
        "targets": list(Target.objects.filter(plan=plan).values_list("pk", flat=True)),
        "assignments": list(Assignment.objects.filter(plan=plan).values_list("pk", flat=True)),
        "units": [unit.pk] if unit else [],
        "agencies": list(Agency.objects.filter(unit=unit).values_list("pk", flat=True)) if unit else [],
    }


# (caller, place whose data the caller must NOT get)
DENIED = [
    ("xa_van_quan", "xa_diem_he"),
    ("xa_diem_he", "xa_van_quan"),
    ("xa_van_quan", "huong_tra"),
    ("van_quan", "huong_tra"),
    ("van_quan", "khanh_hoa"),
    ("huong_tra", "van_quan"),
    ("huong_tra", "xa_van_quan"),
]

# (caller, place whose data the caller must get)
ALLOWED = [
    ("xa_van_quan", "xa_van_quan"),
    ("xa_diem_he", "xa_diem_he"),
    ("van_quan", "van_quan"),
    ("van_quan", "xa_van_quan"),
    ("huong_tra", "huong_tra"),
]


@pytest.mark.parametrize("who,place", DENIED)
@pytest.mark.parametrize("endpoint", ["plans", "targets", "assignments", "units", "agencies"])
def test_other_units_data_is_absent_and_not_found(who, place, endpoint, api, users, plans, units):
    client = as_user(api, users[who])
    wanted = objects(plans, units, place)[endpoint]
    listed = ids(client.get(f"{API}/{endpoint}/", {"limit": 1000}))
    assert not (set(wanted) & listed)
    for pk in wanted[:3]:
        assert client.get(f"{API}/{endpoint}/{pk}/").status_code == 404


@pytest.mark.parametrize("who,place", ALLOWED)
@pytest.mark.parametrize("endpoint", ["plans", "targets", "assignments", "units", "agencies"])
def test_own_data_is_listed_and_readable(who, place, endpoint, api, users, plans, units):
    client = as_user(api, users[who])
    wanted = objects(plans, units, place)[endpoint]
    listed = ids(client.get(f"{API}/{endpoint}/", {"limit": 1000}))
    assert set(wanted) <= listed
    for pk in wanted[:3]:
        assert client.get(f"{API}/{endpoint}/{pk}/").status_code == 200


@pytest.mark.parametrize("endpoint", ["plans", "targets", "assignments"])
def test_van_quan_reads_the_documents_above_it(endpoint, api, users, plans):
    client = as_user(api, users["van_quan"])
    listed = ids(client.get(f"{API}/plans/", {"limit": 1000}))
    assert {plans["ct28"].pk, plans["kh177"].pk, plans["kh194"].pk} <= listed
    for name in ("ct28", "kh177", "kh194"):
        assert client.get(f"{API}/plans/{plans[name].pk}/").status_code == 200


def test_plan_detail_has_references_objectives_and_full_text(api, users, plans):
    data = as_user(api, users["van_quan"]).get(f"{API}/plans/{plans['van_quan'].pk}/").json()
    assert [r["number"] for r in data["references"]] == ["28-CT/TW", "177-KH/TU", "194/KH-UBND"]
    assert data["references"][0]["referenced"] == plans["ct28"].pk
    assert data["references"][0]["issued_on"] == "2023-12-25"
    assert [o["number"] for o in data["objectives"]][:2] == ["1", "2"]
    assert data["full_text"]
    assert data["issuing_unit"] == plans["van_quan"].issuing_unit_id


def test_references_to_unreadable_documents_are_not_linked(api, users, plans, units):
    """Kế hoạch 194/KH-UBND (old Lạng Sơn) is outside a new commune's scope: its id is not given."""
    data = as_user(api, users["xa_van_quan"]).get(f"{API}/plans/{plans['xa_van_quan'].pk}/").json()
    ref = data["references"][0]
    assert ref["number"] == "194/KH-UBND"
    readable = ids(as_user(api, users["xa_van_quan"]).get(f"{API}/plans/", {"limit": 1000}))
    assert ref["referenced"] is None or ref["referenced"] in readable


def test_targets_with_components(api, users, plans):
    client = as_user(api, users["van_quan"])
    rows = client.get(f"{API}/targets/", {"plan": plans["van_quan"].pk, "limit": 100}).json()["results"]
    assert len(rows) == 24
    t3 = next(r for r in rows if r["number"] == "3")
    assert len(t3["components"]) == 6
    first = t3["components"][0]
    assert first["comparator"] == "lt" and first["unit"] == "per_1000_live_births" and first["year"] == 2025
    assert float(first["value"]) == 9.5
    assert client.get(f"{API}/targets/", {"number": "3", "plan": plans["van_quan"].pk}).json()["count"] == 1


def test_assignments_filters(api, users, plans):
    client = as_user(api, users["van_quan"])
    rows = client.get(
        f"{API}/assignments/", {"plan": plans["van_quan"].pk, "role": "lead", "limit": 100}
    ).json()["results"]
    education = next(r for r in rows if r["agency_name"] == "Phòng Giáo dục và Đào tạo")
    numbers = sorted(
        Target.objects.filter(pk__in=education["targets"]).values_list("number", flat=True), key=int
    )
    assert numbers == ["7", "15", "16", "17", "18", "19", "20", "22", "23", "24"]
    t7 = plans["van_quan"].targets.get(number="7")
    assert education["id"] in ids(client.get(f"{API}/assignments/", {"target": t7.pk}))


def test_unit_filters(api, users, units):
    client = as_user(api, users["admin"])
    assert client.get(f"{API}/units/", {"level": 1, "generation": "2025"}).json()["count"] == 34
    assert client.get(f"{API}/units/", {"level": 1, "generation": "pre2025"}).json()["count"] == 63
    assert client.get(f"{API}/units/", {"level": 1, "valid_at": "2025-06-30"}).json()["count"] == 63
    assert client.get(f"{API}/units/", {"level": 1, "valid_at": "2025-07-01"}).json()["count"] == 34
    children = client.get(f"{API}/units/", {"parent": units["van_quan"].pk, "limit": 100}).json()
    assert children["count"] == 15 and {r["level"] for r in children["results"]} == {3}
    found = client.get(f"{API}/units/", {"search": "diem he", "generation": "2025"}).json()["results"]
    assert [r["code"] for r in found] == ["06280"]
    assert client.get(f"{API}/units/", {"level": "x"}).status_code == 400


def test_unit_list_of_a_commune_user_is_their_commune(api, users, units):
    from treem.accounts.scoping import visible_units

    rows = as_user(api, users["xa_diem_he"]).get(f"{API}/units/").json()["results"]
    got = {r["id"] for r in rows}
    # their commune, and the old communes that went whole into it (its history), nothing else
    assert units["xa_diem_he"].pk in got and units["xa_van_quan"].pk not in got
    assert got == set(visible_units(users["xa_diem_he"]).values_list("id", flat=True))
    assert all(r["level"] >= 3 for r in rows)


def test_plan_filters(api, users, plans, units):
    client = as_user(api, users["admin"])
    assert ids(client.get(f"{API}/plans/", {"level": 2})) == {plans["van_quan"].pk, plans["huong_tra"].pk}
    assert ids(client.get(f"{API}/plans/", {"q": "48-KH"})) == {plans["khanh_hoa"].pk}
    assert plans["khanh_hoa"].pk in ids(client.get(f"{API}/plans/", {"year": 2013}))
    assert ids(client.get(f"{API}/plans/", {"unit": units["huong_tra"].pk})) == {plans["huong_tra"].pk}
    # a unit outside the caller's scope is not a valid filter value
    response = as_user(api, users["van_quan"]).get(f"{API}/plans/", {"unit": units["huong_tra"].pk})
    assert response.status_code == 400


def test_agencies(api, users, units):
    client = as_user(api, users["van_quan"])
    rows = client.get(f"{API}/agencies/", {"unit": units["van_quan"].pk, "search": "giao duc"}).json()[
        "results"
    ]
    assert [r["name"] for r in rows] == ["Phòng Giáo dục và Đào tạo"]
    assert rows[0]["sector"] == "education"


def test_token_authentication(api, users):
    response = api.post(f"{API}/auth/token/", {"username": "vq", "password": "Mat-khau-2026"})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=users["van_quan"]).key == key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(f"{API}/plans/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token sai")
    assert api.get(f"{API}/plans/").status_code == 401


def test_token_endpoint_refuses_a_wrong_password_and_locks_out(api, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert api.post(f"{API}/auth/token/", {"username": "vq", "password": "sai"}).status_code in (400, 429)
    response = api.post(f"{API}/auth/token/", {"username": "vq", "password": "Mat-khau-2026"})
    assert response.status_code in (400, 403, 429)
    assert not Token.objects.filter(user=users["van_quan"]).exists()


def test_session_authentication(client, users):
    client.force_login(users["van_quan"])
    assert client.get(f"{API}/plans/").status_code == 200


def test_api_token_command(users, capsys):
    call_command("api_token", "vq")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=users["van_quan"]).key == key
    call_command("api_token", "vq", "--reset")
    assert capsys.readouterr().out.strip() != key


def test_schema_generates_without_warnings(tmp_path):
    """`spectacular --fail-on-warn --validate` exits cleanly (warnings and errors would raise)."""
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    for path in (
        "/api/v1/units/",
        "/api/v1/plans/{id}/",
        "/api/v1/targets/",
        "/api/v1/assignments/",
        "/api/v1/agencies/",
        "/api/v1/auth/token/",
    ):
        assert path in text


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html and "https://" not in html


def test_swagger_assets_are_installed_locally():
    from django.contrib.staticfiles import finders

    for name in (
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "favicon-32x32.png",
    ):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{name}"), name
