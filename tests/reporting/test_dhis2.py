"""DHIS2 dataValueSets exchange: JSON and CSV export/import with code mapping, conflicts, dryRun."""

import json

import pytest

from treem.geo.models import Level
from treem.indicators.models import DataElement
from treem.indicators.rules import total_combo
from treem.reporting.dhis2 import CSV_HEADER, export_values, import_values
from treem.reporting.models import DataValue, ExternalCode
from treem.reporting.periods import get_period

from .conftest import unit


@pytest.fixture
def values(db):
    de = DataElement.objects.get(code="DE_TRE_EM")
    out = []
    for code, v in (("06253", 1200), ("06256", 800)):
        out.append(
            DataValue.objects.create(
                data_element=de,
                combo=total_combo(),
                unit=unit(code, Level.COMMUNE),
                period=get_period("2025S1"),
                value=v,
                status="approved",
                comment="đã rà soát",
            )
        )
    return de, out


@pytest.mark.django_db
def test_export_json_and_csv_with_code_mapping(values):
    de, _ = values
    ExternalCode.objects.create(kind="dataElement", local="DE_TRE_EM", external="CHILD_U16")
    ExternalCode.objects.create(kind="orgUnit", local="pre2025:06253", external="LgVanQuanTT")
    content, ctype = export_values(DataValue.objects.filter(data_element=de), "json")
    data = json.loads(content)
    assert ctype == "application/json" and data["dataElementIdScheme"] == "code"
    first = data["dataValues"][0]
    assert {
        k: first[k] for k in ("dataElement", "period", "orgUnit", "categoryOptionCombo", "value", "comment")
    } == {
        "dataElement": "CHILD_U16",
        "period": "2025S1",
        "orgUnit": "LgVanQuanTT",
        "categoryOptionCombo": "default",
        "value": "1200",
        "comment": "đã rà soát",
    }
    assert {"storedBy", "created", "lastUpdated", "followup", "attributeOptionCombo"} <= set(first)
    content, ctype = export_values(DataValue.objects.filter(data_element=de), "csv")
    lines = content.decode().splitlines()
    assert ctype == "application/csv" and lines[0].split(",") == CSV_HEADER
    assert lines[1].startswith("CHILD_U16,2025S1,LgVanQuanTT,default,default,1200,")


@pytest.mark.django_db
def test_import_round_trip_conflicts_and_dry_run(values, district_manager):
    de, vals = values
    DataValue.objects.filter(pk__in=[v.pk for v in vals]).update(status="submitted")
    payload = {
        "dataValues": [
            {
                "dataElement": "DE_TRE_EM",
                "period": "2025S1",
                "orgUnit": "06253",
                "categoryOptionCombo": "default",
                "value": "1250",
            },
            {
                "dataElement": "DE_TRE_EM",
                "period": "2025S1",
                "orgUnit": "06268",
                "categoryOptionCombo": "sex.F",
                "value": "400",
            },
            {"dataElement": "NO_SUCH", "period": "2025S1", "orgUnit": "06253", "value": "1"},
            {"dataElement": "DE_TRE_EM", "period": "2025S1", "orgUnit": "99999", "value": "1"},
            {
                "dataElement": "DE_TRE_EM",
                "period": "2025S1",
                "orgUnit": "00004",
                "value": "1",
            },  # a commune of Hà Nội: out of scope
            {"dataElement": "DE_TRE_EM", "period": "2025X9", "orgUnit": "06253", "value": "1"},
            {
                "dataElement": "DE_TRE_EM",
                "period": "2025S1",
                "orgUnit": "06253",
                "categoryOptionCombo": "sex.X",
                "value": "1",
            },
            {"dataElement": "DE_TRE_EM", "period": "2025S1", "orgUnit": "06256", "value": "-3"},
        ]
    }
    summary = import_values(json.dumps(payload), "json", district_manager, dry_run=True)
    assert summary["status"] == "WARNING" and summary["importCount"] == {
        "imported": 1,
        "updated": 1,
        "ignored": 6,
        "deleted": 0,
    }
    assert DataValue.objects.get(pk=vals[0].pk).value == 1200  # dry run wrote nothing
    assert sorted(summary["rejectedIndexes"]) == [2, 3, 4, 5, 6, 7]
    assert {c["errorCode"] for c in summary["conflicts"]} == {
        "E7610",
        "E7612",
        "E7613",
        "E7600",
        "E7611",
        "E7619",
    }
    summary = import_values(json.dumps(payload), "json", district_manager)
    assert DataValue.objects.get(pk=vals[0].pk).value == 1250
    assert DataValue.objects.get(unit__code="06268", combo__code="sex.F").source == "dhis2"
    # Approved values are locked.
    DataValue.objects.filter(pk=vals[0].pk).update(status="approved")
    csv_text = ",".join(CSV_HEADER) + "\nDE_TRE_EM,2025S1,06253,default,default,1300,,,,false,\n"
    summary = import_values(csv_text, "csv", district_manager)
    assert summary["status"] == "ERROR" and summary["conflicts"][0]["errorCode"] == "E7641"


@pytest.mark.django_db
@pytest.mark.urls("tests.reporting.urls")
def test_api_datavaluesets(client, values, district_manager):
    client.force_login(district_manager)
    r = client.get("/api/v1/reporting/dataValueSets?period=2025S1&orgUnit=184")
    assert r.status_code == 200 and len(r.json()["dataValues"]) == 2
    r = client.get("/api/v1/reporting/dataValueSets?period=2025S1&format=csv")
    assert r["Content-Type"] == "application/csv" and r.content.decode().count("\n") == 3
    DataValue.objects.update(status="submitted")
    body = {
        "dataValues": [{"dataElement": "DE_TRE_EM", "period": "2025S1", "orgUnit": "06253", "value": "1201"}]
    }
    r = client.post("/api/v1/reporting/dataValueSets", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["response"]["importCount"]["updated"] == 1
    body["dataValues"][0]["orgUnit"] = "nope"
    r = client.post("/api/v1/reporting/dataValueSets", body, content_type="application/json")
    assert r.status_code == 409 and r.json()["status"] == "ERROR"
    r = client.post(
        "/api/v1/reporting/dataValueSets",
        "dataelement\nDE_TRE_EM,2025S1,06256,default,,801\n",
        content_type="application/csv",
    )
    assert r.status_code == 200 and DataValue.objects.get(unit__code="06256").value == 801
