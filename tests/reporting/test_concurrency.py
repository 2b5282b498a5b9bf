"""Done when (3): two reporters editing the same value at once — the second save is refused with a
clear message, never silently overwritten (optimistic locking), in the service, the form and the API."""

import pytest

from treem.indicators.models import DataElement
from treem.indicators.rules import total_combo
from treem.reporting.entry import Change, SaveRejected, save_values
from treem.reporting.models import DataValue


@pytest.fixture
def cell(gd_submission):
    de = DataElement.objects.get(code="DE_TRUONG_HOC")
    commune = gd_submission.responsibilities.filter(data_element=de).order_by("unit__code").first().unit
    return de, total_combo(), commune


@pytest.mark.django_db
def test_second_save_of_same_value_is_refused(in_round, gd_submission, gd_reporter, gd_reporter2, cell):
    de, total, commune = cell
    save_values(gd_submission, gd_reporter, [Change(de.pk, total.pk, commune.pk, "10", version=0)])
    v = DataValue.objects.get(data_element=de, combo=total, unit=commune, period=gd_submission.round.period)
    # Both open the form at version 1.
    save_values(gd_submission, gd_reporter, [Change(de.pk, total.pk, commune.pk, "12", version=v.version)])
    with pytest.raises(SaveRejected) as e:
        save_values(
            gd_submission, gd_reporter2, [Change(de.pk, total.pk, commune.pk, "15", version=v.version)]
        )
    assert e.value.conflict
    message = e.value.errors[0].message
    assert (
        "đã được" in message
        and "sửa lúc" in message
        and "giá trị hiện tại: 12" in message
        and "CHƯA được lưu" in message
    )
    v.refresh_from_db()
    assert v.value == 12 and v.version == 2


@pytest.mark.django_db
def test_two_new_entries_of_an_empty_cell(in_round, gd_submission, gd_reporter, gd_reporter2, cell):
    de, total, commune = cell
    save_values(gd_submission, gd_reporter, [Change(de.pk, total.pk, commune.pk, "10", version=0)])
    with pytest.raises(SaveRejected) as e:
        save_values(gd_submission, gd_reporter2, [Change(de.pk, total.pk, commune.pk, "11", version=0)])
    assert e.value.conflict
    assert (
        DataValue.objects.get(
            data_element=de, combo=total, unit=commune, period=gd_submission.round.period
        ).value
        == 10
    )


@pytest.mark.django_db
def test_conflict_rolls_back_the_whole_save(in_round, gd_submission, gd_reporter, gd_reporter2, cell):
    de, total, commune = cell
    other = DataElement.objects.get(code="DE_CO_SO_GD")
    save_values(gd_submission, gd_reporter, [Change(de.pk, total.pk, commune.pk, "10", version=0)])
    with pytest.raises(SaveRejected):
        save_values(
            gd_submission,
            gd_reporter2,
            [
                Change(other.pk, total.pk, commune.pk, "30", version=0),  # fine on its own
                Change(de.pk, total.pk, commune.pk, "11", version=0),  # stale
            ],
        )
    assert not DataValue.objects.filter(data_element=other, unit=commune).exists()


@pytest.mark.django_db
def test_form_shows_the_conflict(client, in_round, gd_submission, gd_reporter, gd_reporter2, cell):
    de, total, commune = cell
    url = f"{gd_submission.get_absolute_url()}?don-vi={commune.code}"
    client.force_login(gd_reporter)
    client.post(url, {"don-vi": commune.code, f"v-{de.pk}-{total.pk}": "10", f"ver-{de.pk}-{total.pk}": "0"})
    client.force_login(gd_reporter2)
    r = client.post(
        url, {"don-vi": commune.code, f"v-{de.pk}-{total.pk}": "99", f"ver-{de.pk}-{total.pk}": "0"}
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "Có người khác đã sửa số liệu này" in html and "giá trị hiện tại: 10" in html
    assert 'value="99"' in html  # what they typed is kept on the page
    assert DataValue.objects.get(data_element=de, unit=commune, combo=total).value == 10


@pytest.mark.django_db
@pytest.mark.urls("tests.reporting.urls")
def test_api_returns_409(client, in_round, gd_submission, gd_reporter, gd_reporter2, cell):
    de, total, commune = cell
    url = f"/api/v1/reporting/submissions/{gd_submission.pk}/values/"
    body = [
        {
            "dataElement": de.code,
            "categoryOptionCombo": "default",
            "orgUnit": commune.code,
            "value": "10",
            "version": 0,
        }
    ]
    client.force_login(gd_reporter)
    assert client.post(url, body, content_type="application/json").status_code == 200
    client.force_login(gd_reporter2)
    body[0]["value"] = "11"
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 409
    assert "CHƯA được lưu" in r.json()["errors"][0]["message"]
