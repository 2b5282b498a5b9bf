"""A user of one commune cannot reach another commune's forms or values through any view or endpoint;
an agency reporter sees only their agency's forms."""

import json

import pytest

from treem.accounts import scoping
from treem.accounts.models import Role
from treem.geo.models import Generation, Level
from treem.indicators.models import DataElement
from treem.indicators.rules import total_combo
from treem.reporting.entry import Change, save_values
from treem.reporting.models import DataValue, Submission, SubmissionStatus

from .conftest import unit


@pytest.fixture
def two_communes(round2025, make_user, settings):
    """Văn Quan (06253) and Điềm He (06280), successor communes, in the 2025 yearly round; Điềm He has values."""
    settings.TREEM_TODAY = "2025-11-01"
    vq, dh = unit("06253", Level.COMMUNE, Generation.Y2025), unit("06280", Level.COMMUNE, Generation.Y2025)
    mine = Submission.objects.get(round=round2025, unit=vq, agency__isnull=True)
    theirs = Submission.objects.get(round=round2025, unit=dh, agency__isnull=True)
    officer = make_user(vq, Role.COMMUNE_OFFICER, username="xa.vanquan.t")
    other_officer = make_user(dh, Role.COMMUNE_OFFICER, username="xa.diemhe.t")
    de = DataElement.objects.get(code="DE_TRE_EM")
    save_values(theirs, other_officer, [Change(de.pk, total_combo().pk, dh.pk, "4321")])
    return officer, mine, theirs, de, dh


@pytest.mark.django_db
def test_commune_officer_cannot_reach_another_commune(client, two_communes):
    officer, mine, theirs, de, dh = two_communes
    client.force_login(officer)
    assert client.get(mine.get_absolute_url()).status_code == 200
    urls_get = [
        theirs.get_absolute_url(),
        f"/bao-cao/bieu-mau/{theirs.pk}/excel/",
        f"{mine.get_absolute_url()}?don-vi={dh.code}",
    ]
    for url in urls_get:
        r = client.get(url)
        assert r.status_code in (404, 200), url
        assert "4321" not in r.content.decode() and "4.321" not in r.content.decode(), url
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(f"/bao-cao/bieu-mau/{theirs.pk}/excel/").status_code == 404
    total = total_combo()
    for url, data in [
        (
            theirs.get_absolute_url(),
            {"don-vi": dh.code, f"v-{de.pk}-{total.pk}": "1", f"ver-{de.pk}-{total.pk}": "1"},
        ),
        (f"/bao-cao/bieu-mau/{theirs.pk}/nop/", {}),
        (f"/bao-cao/bieu-mau/{theirs.pk}/duyet/", {}),
        (f"/bao-cao/bieu-mau/{theirs.pk}/tra-lai/", {"comment": "x"}),
        (f"/bao-cao/bieu-mau/{theirs.pk}/mo-lai/", {"comment": "x"}),
        (f"/bao-cao/bieu-mau/{theirs.pk}/excel/tai-len/", {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    # Own form with the other commune's unit code: the unit is not offered, nothing is written there.
    client.post(
        mine.get_absolute_url(),
        {"don-vi": dh.code, f"v-{de.pk}-{total.pk}": "1", f"ver-{de.pk}-{total.pk}": "1"},
    )
    assert DataValue.objects.get(unit=dh, data_element=de, combo=total).value == 4321
    # Lists, totals, round page, DHIS2 export never show Điềm He's figure.
    for url in [
        "/bao-cao/",
        "/bao-cao/chua-nop/",
        f"/bao-cao/tong-hop/?don-vi={dh.pk}&ky=2025",
        f"/bao-cao/ky/{theirs.round_id}/",
        f"/bao-cao/ky/{theirs.round_id}/?nhap=1",
        "/bao-cao/dhis2/?ky=2025&don-vi=06280&dinh-dang=json",
        "/bao-cao/dhis2/?ky=2025&dinh-dang=csv",
    ]:
        r = client.get(url)
        body = r.content.decode()
        assert "4321" not in body and "4.321" not in body, url
    assert theirs.reporter_name not in client.get(f"/bao-cao/ky/{theirs.round_id}/").content.decode()
    # Excel of the round: only the officer's own form.
    r = client.get(f"/bao-cao/ky/{theirs.round_id}/excel/")
    assert r.status_code == 200 and b"06280" not in r.content


@pytest.mark.django_db
@pytest.mark.urls("tests.reporting.urls")
def test_commune_officer_cannot_reach_another_commune_through_the_api(client, two_communes):
    officer, mine, theirs, de, dh = two_communes
    client.force_login(officer)
    ids = [s["id"] for s in client.get("/api/v1/reporting/submissions/").json()["results"]]
    assert mine.pk in ids and theirs.pk not in ids
    assert client.get(f"/api/v1/reporting/submissions/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/reporting/submissions/{theirs.pk}/values/").status_code == 404
    body = [{"dataElement": de.code, "orgUnit": dh.code, "value": "1", "version": 1}]
    assert (
        client.post(
            f"/api/v1/reporting/submissions/{theirs.pk}/values/", body, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/reporting/submissions/{mine.pk}/values/", body, content_type="application/json"
        ).status_code
        == 400
    )
    for action in ("submit", "approve", "return", "reopen"):
        assert (
            client.post(f"/api/v1/reporting/submissions/{theirs.pk}/{action}/", {"comment": "x"}).status_code
            == 404
        )
    r = client.get("/api/v1/reporting/dataValueSets?period=2025&orgUnit=06280")
    assert r.status_code == 400
    r = client.get("/api/v1/reporting/dataValueSets?period=2025")
    assert "4321" not in r.content.decode()
    payload = {
        "dataValues": [
            {
                "dataElement": "DE_TRE_EM",
                "period": "2025",
                "orgUnit": "06280",
                "categoryOptionCombo": "default",
                "value": "1",
            }
        ]
    }
    r = client.post("/api/v1/reporting/dataValueSets", json.dumps(payload), content_type="application/json")
    assert r.status_code == 409 and r.json()["response"]["conflicts"][0]["errorCode"] == "E7613"
    assert DataValue.objects.get(unit=dh, data_element=de, combo=total_combo()).value == 4321
    rounds = client.get("/api/v1/reporting/rounds/").json()["results"]
    # their commune's rounds and those of the old communes that went whole into it (history); never the other commune's
    visible = scoping.visible_units(officer)
    assert {r["id"] for r in rounds} == set(
        Submission.objects.filter(unit__in=visible).values_list("round_id", flat=True)
    )
    assert (
        not Submission.objects.filter(round_id__in=[r["id"] for r in rounds], unit=theirs.unit)
        .exclude(round__in=Submission.objects.filter(unit=mine.unit).values("round"))
        .exists()
    )


@pytest.mark.django_db
def test_agency_reporter_sees_only_its_agency(client, in_round, gd_reporter, round2024):
    client.force_login(gd_reporter)
    for sub in Submission.objects.filter(round=round2024):
        status = client.get(sub.get_absolute_url()).status_code
        assert status == (200 if sub.agency and sub.agency.name == "Phòng Giáo dục và Đào tạo" else 404), sub


@pytest.mark.django_db
def test_manager_of_another_district_cannot_approve(client, in_round, gd_submission, gd_reporter, make_user):
    from treem.reporting.workflow import submit

    submit(gd_submission, gd_reporter)
    huong_tra = unit("480", Level.DISTRICT)
    other = make_user(huong_tra, Role.UNIT_MANAGER)
    client.force_login(other)
    assert client.post(f"/bao-cao/bieu-mau/{gd_submission.pk}/duyet/").status_code == 404
    gd_submission.refresh_from_db()
    assert gd_submission.status == SubmissionStatus.SUBMITTED
