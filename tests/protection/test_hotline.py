"""Hotline 111: a notification posted twice with one reference makes one case in the right commune, visible to
that commune's officer and to nobody outside it (API and UI); bad input gets Vietnamese messages naming the field."""

import datetime

import pytest

from treem.core.models import AccessEvent
from treem.protection.models import Case

from .conftest import at, notification, post_hotline


@pytest.mark.django_db
def test_same_reference_twice_creates_one_case_in_the_commune(client, clock, hotline_key, vq, people):
    first = post_hotline(client, hotline_key, notification())
    assert first.status_code == 201, first.content
    second = post_hotline(client, hotline_key, notification())
    assert second.status_code == 200
    assert first.json()["case"] == second.json()["case"]
    assert second.json()["created"] is False
    assert Case.objects.filter(external_ref="111-2026-000123").count() == 1
    case = Case.objects.get()
    assert case.commune == vq and case.channel == "hotline_111"
    assert case.forwarded_at == clock.moment  # forwarded at once
    assert first.json()["commune"] == "Xã Văn Quan"
    # 12-hour limit for the initial assessment / emergency measures
    due = datetime.datetime.fromisoformat(first.json()["assessment_due_at"].replace("Z", "+00:00"))
    assert due == at(2026, 4, 23, 21, 0)


@pytest.mark.django_db
def test_case_visible_to_the_commune_officer_and_nobody_outside(client, clock, hotline_key, vq, people):
    uid = post_hotline(client, hotline_key, notification()).json()["case"]
    client.force_login(people["officer"])
    r = client.get(f"/api/v1/protection/cases/{uid}/")
    assert r.status_code == 200 and r.json()["narrative"].startswith("Hàng xóm")
    assert [c["uid"] for c in client.get("/api/v1/protection/cases/").json()["results"]] == [uid]
    page = client.get(f"/bao-ve/ho-so/{uid}/")
    assert page.status_code == 200 and "Hoàng Thị Bích" in page.content.decode()
    assert "Hoàng Thị Bích" in client.get("/bao-ve/").content.decode()  # in the officer's task list
    assert AccessEvent.objects.filter(user=people["officer"], object_id=str(Case.objects.get().pk)).exists()
    client.force_login(people["other_officer"])
    assert client.get(f"/api/v1/protection/cases/{uid}/").status_code == 404
    assert client.get("/api/v1/protection/cases/").json()["results"] == []
    assert client.get(f"/bao-ve/ho-so/{uid}/").status_code == 404
    for url in ("/bao-ve/", "/bao-ve/ho-so/"):
        assert "Hoàng Thị Bích" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_hotline_needs_a_valid_channel_key(client, clock, people):
    assert post_hotline(client, "tre_sai", notification()).status_code == 401
    r = client.post(
        "/api/v1/protection/hotline-111/notifications/", notification(), content_type="application/json"
    )
    assert r.status_code in (401, 403)
    client.force_login(people["officer"])  # a session is not a channel key
    r = client.post(
        "/api/v1/protection/hotline-111/notifications/", notification(), content_type="application/json"
    )
    assert r.status_code in (401, 403)
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, field, words",
    [
        ({"commune_code": "99999"}, "commune_code", "Mã xã nơi xảy ra"),
        ({"commune_code": ""}, "commune_code", "bắt buộc"),
        ({"harm_kind": "beating"}, "harm_kind", "Hình thức xâm hại"),
        ({"harm_subkind": "k1"}, "harm_subkind", "không thuộc hình thức"),
        ({"occurred_on": "22/04/2026"}, "occurred_on", "Ngày xảy ra"),
        ({"occurred_on": "2026-05-01"}, "occurred_on", "sau ngày tiếp nhận"),
        ({"reference": ""}, "reference", "Mã tham chiếu"),
        ({"child": {"age": 17}}, "child", "Tuổi"),
    ],
)
def test_bad_input_gets_vietnamese_messages_naming_the_field(client, clock, hotline_key, over, field, words):
    r = post_hotline(client, hotline_key, notification(**over))
    assert r.status_code == 400, r.content
    errors = r.json()
    assert field in errors, errors
    assert words in str(errors[field]), errors
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_old_commune_code_is_forwarded_to_its_successor(client, clock, hotline_key, vq):
    r = post_hotline(
        client, hotline_key, notification(reference="111-old", commune_code="", old_commune_code="06253")
    )
    assert r.status_code == 201, r.content
    assert r.json()["commune_code"] == "06253"


@pytest.mark.django_db
def test_openapi_documents_the_hotline_endpoint_and_its_key(client, people):
    client.force_login(people["officer"])
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="tests.protection.urls").get_schema(request=None, public=True)
    op = schema["paths"]["/api/v1/protection/hotline-111/notifications/"]["post"]
    assert {"channelKey": []} in op["security"]
    assert "channelKey" in schema["components"]["securitySchemes"]
    assert "reference" in schema["components"]["schemas"]["HotlineNotification"]["properties"]
