"""Monitoring pages: scoped, every target on the dashboard, charts with their tables, Excel everywhere,
the report flow with its progress endpoint."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from treem.accounts.models import Role
from treem.analytics.models import ConsolidatedReport, ReportFile
from treem.geo.models import AdministrativeUnit, Generation, Level
from treem.plans.models import TargetComponent

from .conftest import old_communes

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(plan_with_data, make_user, client):
    user = make_user(plan_with_data.issuing_unit, Role.UNIT_MANAGER)
    client.force_login(user)
    return user


def _xlsx(resp):
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return load_workbook(io.BytesIO(resp.content))


def test_plan_dashboard_lists_every_target_with_status(client, manager, plan_with_data):
    url = reverse("analytics:plan", args=[plan_with_data.pk])
    resp = client.get(url)
    assert resp.status_code == 200
    html = resp.content.decode()
    for n in range(1, 25):
        assert f'data-target="{n}"' in html
    assert html.count('class="st st-') >= 24
    assert "không còn từ 01/07/2025" in html
    assert '<svg class="spark"' in html
    wb = _xlsx(client.get(url, {"format": "xlsx"}))
    assert wb.active.max_row > 24


def test_target_ranking_indicator_and_agency_pages(client, manager, plan_with_data):
    comp = TargetComponent.objects.get(
        target__plan=plan_with_data, indicator__code="YT_TV_SO_SINH", year=2025
    )
    unit = plan_with_data.issuing_unit
    resp = client.get(
        reverse("analytics:target", args=[plan_with_data.pk, comp.pk]), {"don-vi": unit.pk, "ky": "2024"}
    )
    assert resp.status_code == 200 and b"data-chart" in resp.content and b"cfg-series" in resp.content
    assert b"Xem b\xe1\xba\xa3ng s\xe1\xbb\x91 li\xe1\xbb\x87u" in resp.content  # the table behind the chart
    _xlsx(
        client.get(
            reverse("analytics:target", args=[plan_with_data.pk, comp.pk]), {"ky": "2024", "format": "xlsx"}
        )
    )
    resp = client.get(
        reverse("analytics:ranking", args=[plan_with_data.pk, comp.pk]), {"don-vi": unit.pk, "ky": "2024"}
    )
    html = resp.content.decode()
    assert resp.status_code == 200 and "không phải bản đồ địa lý" in html
    for commune in old_communes(plan_with_data):
        assert commune.full_name in html
    wb = _xlsx(
        client.get(
            reverse("analytics:ranking", args=[plan_with_data.pk, comp.pk]), {"ky": "2024", "format": "xlsx"}
        )
    )
    assert wb.active.max_row == 3 + len(old_communes(plan_with_data))
    resp = client.get(
        reverse("analytics:indicator", args=[comp.indicator_id]), {"don-vi": unit.pk, "thanh-phan": comp.pk}
    )
    assert resp.status_code == 200 and b"cfg-ind" in resp.content
    _xlsx(
        client.get(
            reverse("analytics:indicator", args=[comp.indicator_id]), {"don-vi": unit.pk, "format": "xlsx"}
        )
    )
    agency = plan_with_data.assignments.get(agency_name__icontains="Giáo dục").agency
    resp = client.get(reverse("analytics:agency", args=[agency.pk]))
    assert resp.status_code == 200 and "Báo cáo quá hạn" in resp.content.decode()
    _xlsx(client.get(reverse("analytics:agency", args=[agency.pk]), {"format": "xlsx", "bang": "qua-han"}))


def test_scope_other_district_sees_nothing(client, plan_with_data, make_user):
    huong_tra = AdministrativeUnit.objects.get(
        generation=Generation.PRE_2025, level=Level.DISTRICT, code="480"
    )
    client.force_login(make_user(huong_tra, Role.UNIT_MANAGER))
    assert client.get(reverse("analytics:plan", args=[plan_with_data.pk])).status_code == 404
    commune = old_communes(plan_with_data)[0]
    officer = make_user(commune, Role.COMMUNE_OFFICER)
    client.force_login(officer)
    # a commune officer reads the district plan on their own commune, not the district's figures
    assert (
        client.get(
            reverse("analytics:plan", args=[plan_with_data.pk]), {"don-vi": plan_with_data.issuing_unit.pk}
        ).status_code
        == 404
    )
    resp = client.get(reverse("analytics:plan", args=[plan_with_data.pk]))
    assert resp.status_code == 200 and commune.full_name in resp.content.decode()


def test_report_flow_with_progress_endpoint(client, manager, plan_with_data, settings):
    settings.TREEM_JOBS = "sync"
    url = reverse("analytics:report_new", args=[plan_with_data.pk])
    resp = client.get(url, {"ky": "2025"})
    assert resp.status_code == 200 and "Triệu Đức Dũng" in resp.content.decode()
    form = resp.context["form"]
    data = {
        name: (field.value() if field.value() is not None else "")
        for name, field in form.fields.items()
        for field in [form[name]]
    }
    data = {k: v for k, v in data.items() if v is not False}
    data["n_situation"] = "Toàn huyện có 12.345 trẻ em."
    data["report_date"] = "2026-02-05"
    resp = client.post(url + "?ky=2025", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    report = ConsolidatedReport.objects.get(plan=plan_with_data)
    assert report.narrative["situation"] == "Toàn huyện có 12.345 trẻ em."
    job_id = int(resp["Location"].split("tac-vu=")[1])
    status = client.get(reverse("analytics:job", args=[job_id])).json()
    assert status["status"] == "done" and status["progress"] == 100
    assert {f["format"] for f in status["files"]} >= {"docx", "xlsx"}
    docx = client.get(next(f["url"] for f in status["files"] if f["format"] == "docx"))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    page = client.get(resp["Location"])
    assert page.status_code == 200 and b"data-job" in page.content
    assert ReportFile.objects.filter(report=report).exists()


def test_viewer_cannot_create_reports(client, plan_with_data, make_user):
    client.force_login(make_user(plan_with_data.issuing_unit, Role.VIEWER))
    assert client.get(reverse("analytics:report_new", args=[plan_with_data.pk])).status_code == 403
    assert client.get(reverse("analytics:index")).status_code == 200
