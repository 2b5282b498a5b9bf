"""Values computed from TreEm's records beside the reported ones: the Văn Quan plan dashboard shows the abuse rate
from the protection cases and the stunting rate from the registry, with status, source and counts — and no name in
any aggregate export."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import unit
from treem.accounts.models import Role
from treem.analytics import services
from treem.geo.models import Generation, Level
from treem.plans.models import TargetComponent
from treem.protection import policy
from treem.protection import services as cases
from treem.protection.codes import Finding
from treem.protection.models import Case, ChannelKey
from treem.registry import services as registry
from treem.registry.codes import DatePrecision
from treem.registry.models import GrowthMeasurement

pytestmark = pytest.mark.django_db

NAMES = ["Hoàng Văn Cường", "Nông Thị Hoa", "Lương Văn Bình", "Vi Thị Mai"]
VICTIM = "Lường Thị Bích"


@pytest.fixture
def records(make_user):
    """Four children in Xã Văn Quan's registry (two under 5 measured, one stunted) and one abuse case from hotline 111."""
    xa = unit("06253", Level.COMMUNE, Generation.Y2025)
    officer = make_user(xa, Role.COMMUNE_OFFICER, username="canbo_vq_tk")
    births = [
        datetime.date(2022, 2, 1),
        datetime.date(2022, 6, 1),
        datetime.date(2015, 1, 1),
        datetime.date(2016, 1, 1),
    ]
    children = [
        registry.create_child(
            officer,
            {
                "full_name": n,
                "birth_date": b,
                "birth_date_precision": DatePrecision.DAY,
                "sex": "m" if i % 2 == 0 else "f",
                "commune": xa,
            },
        )
        for i, (n, b) in enumerate(zip(NAMES, births, strict=True))
    ]
    measured = datetime.date.today() - datetime.timedelta(days=30)
    registry.add_measurement(
        officer,
        GrowthMeasurement(
            child=children[0], measured_on=measured, weight_kg=13.0, lenhei_cm=95.0, measure="h"
        ),
    )  # 4 years 9 months: too short → stunted
    registry.add_measurement(
        officer,
        GrowthMeasurement(
            child=children[1], measured_on=measured, weight_kg=15.5, lenhei_cm=100.0, measure="h"
        ),
    )
    key = ChannelKey.issue("Tổng đài 111 (thử)", "hotline_111")[1]
    body = {
        "reference": "111-TK-1",
        "commune_code": "06253",
        "harm_kind": "violence",
        "harm_subkind": "v1",
        "setting": "family",
        "urgency": "normal",
        "occurred_on": str(datetime.date.today()),
        "place": "Thôn Bản Cóc",
        "narrative": "Trẻ bị đánh nhiều lần.",
        "child": {"full_name": VICTIM, "age": 9, "sex": "f"},
        "reporter": {"anonymous": True},
    }
    from django.test import Client

    resp = Client().post(
        "/api/v1/protection/hotline-111/notifications/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert resp.status_code == 201, resp.content
    case = Case.objects.get(uid=resp.json()["case"])
    cases.complete_initial_assessment(
        officer,
        policy.CaseAccess(officer, case),
        finding=Finding.HARMED,
        emergency_needed=False,
        create_child=True,
    )
    return xa


@pytest.fixture
def manager(client, make_user, van_quan):
    user = make_user(van_quan, Role.UNIT_MANAGER, username="ql_vq_tk")
    client.force_login(user)
    return user


def test_dashboard_shows_case_and_registry_values_beside_reported(client, manager, records, plan):
    year = str(datetime.date.today().year)
    dash = services.plan_dashboard(plan, plan.issuing_unit, year)
    by_code = {
        (cv.component.indicator.code, cv.component.year): cv
        for cv in dash.components
        if cv.component.indicator_id
    }

    abuse = by_code[("BV_XAM_HAI", 2030)].computed
    assert [v.source for v in abuse] == ["cases"]
    population = abuse[0].denominator
    assert population == 4  # the four registered children (the victim's provisional record does not count)
    assert abuse[0].numerator == 1
    assert abuse[0].value == pytest.approx(100 / 4)
    assert abuse[0].status == "off_track"  # 25 % against "below 0,01 %" at the 2030 milestone: far off
    assert "sổ theo dõi trẻ em" in abuse[0].denominator_note

    stunting = by_code[("YT_SDD_THAP_COI", 2030)].computed
    assert [v.source for v in stunting] == ["registry"]
    assert (stunting[0].numerator, stunting[0].denominator) == (1, 2)
    assert stunting[0].value == pytest.approx(50.0)

    html = client.get(reverse("analytics:plan", args=[plan.pk]), {"ky": year}).content.decode()
    assert 'data-source="cases"' in html and 'data-source="registry"' in html
    assert "Hồ sơ bảo vệ trẻ em:" in html and "Sổ theo dõi trẻ em:" in html
    assert services.fmt_value(100 / 4, "%") in html
    for name in NAMES + [VICTIM]:
        assert name not in html

    comp = TargetComponent.objects.get(target__plan=plan, indicator__code="BV_XAM_HAI", year=2030)
    detail = client.get(reverse("analytics:target", args=[plan.pk, comp.pk]), {"ky": year}).content.decode()
    assert "Tính từ hồ sơ bảo vệ trẻ em" in detail and "trẻ có hồ sơ bảo vệ" in detail

    wb = load_workbook(
        io.BytesIO(
            client.get(reverse("analytics:plan", args=[plan.pk]), {"ky": year, "format": "xlsx"}).content
        )
    )
    cells = [
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
    ]
    assert any("Hồ sơ bảo vệ trẻ em" in c for c in cells)
    assert not any(name in c for c in cells for name in NAMES + [VICTIM])


def test_a_new_case_counts_at_once(client, manager, records, plan, make_user):
    year = str(datetime.date.today().year)
    comp_code = ("BV_XAM_HAI", 2030)
    first = {
        (cv.component.indicator.code, cv.component.year): cv
        for cv in services.plan_dashboard(plan, plan.issuing_unit, year).components
        if cv.component.indicator_id
    }
    assert first[comp_code].computed[0].numerator == 1
    xa = unit("06253", Level.COMMUNE, Generation.Y2025)
    officer = make_user(xa, Role.COMMUNE_OFFICER, username="canbo_vq_tk2")
    data = {
        "harm_kind": "sexual_abuse",
        "harm_subkind": "l4",
        "setting": "community",
        "urgency": "normal",
        "reported_child_name": "Vi Văn Nam",
        "child_sex": "m",
        "child_age": 12,
    }
    case, created = cases.intake(officer, xa, "commune", data)
    assert created
    cases.complete_initial_assessment(
        officer,
        policy.CaseAccess(officer, case),
        finding=Finding.HARMED,
        emergency_needed=False,
        create_child=True,
    )
    again = {
        (cv.component.indicator.code, cv.component.year): cv
        for cv in services.plan_dashboard(plan, plan.issuing_unit, year).components
        if cv.component.indicator_id
    }
    assert again[comp_code].computed[0].numerator == 2


def test_a_new_case_counts_at_once_on_a_cached_commune_dashboard(manager, records, plan, make_user):
    """A commune's dashboard is cached with its computed values; a new case recomputes them on the next request."""
    year = str(datetime.date.today().year)
    xa = unit("06253", Level.COMMUNE, Generation.Y2025)

    def harmed():
        dash = services.plan_dashboard(plan, xa, year)
        assert dash.cache_key  # the cached path
        return (
            next(
                cv
                for cv in dash.components
                if cv.component.indicator_id
                and (cv.component.indicator.code, cv.component.year) == ("BV_XAM_HAI", 2030)
            )
            .computed[0]
            .numerator
        )

    before = harmed()
    assert harmed() == before  # served from the cache
    officer = make_user(xa, Role.COMMUNE_OFFICER, username="canbo_vq_tk3")
    data = {
        "harm_kind": "sexual_abuse",
        "harm_subkind": "l4",
        "setting": "community",
        "urgency": "normal",
        "reported_child_name": "Lò Văn Hải",
        "child_sex": "m",
        "child_age": 9,
    }
    case, _ = cases.intake(officer, xa, "commune", data)
    cases.complete_initial_assessment(
        officer,
        policy.CaseAccess(officer, case),
        finding=Finding.HARMED,
        emergency_needed=False,
        create_child=True,
    )
    assert harmed() == before + 1


def test_no_computed_values_outside_the_plan_area(client, records, lang_son, make_user):
    """Registry and case counts of Văn Quan never show under another district's unit."""
    from treem.plans.models import PlanDocument

    plan = PlanDocument.objects.get(key="seed-003")
    other = unit("06316", Level.COMMUNE, Generation.Y2025)
    dash = services.plan_dashboard(plan, other, str(datetime.date.today().year))
    assert any(cv.computed for cv in dash.components)
    for cv in dash.components:
        for v in cv.computed:
            assert v.numerator == 0


def test_consolidated_report_carries_the_computed_values_without_names(records, plan):
    from docx import Document

    from treem.analytics import reports
    from treem.analytics.docx_report import build_docx

    year = str(datetime.date.today().year)
    report = reports.default_report(plan, plan.issuing_unit, year)
    report.save()
    doc_model, dash, comp = reports.build_report_document(report)
    doc = Document(io.BytesIO(build_docx(doc_model)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Đối chiếu với số liệu tính từ hồ sơ trong TreEm" in text
    assert "theo hồ sơ bảo vệ trẻ em (1 / 4 (từ 1 trẻ có hồ sơ bảo vệ)" in text
    assert "theo sổ theo dõi trẻ em (1 / 2 (từ 2 hồ sơ trẻ em))" in text
    wb = load_workbook(io.BytesIO(reports.report_xlsx(report, dash, comp)))
    sheet = wb["Tính từ hồ sơ"]
    sources = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True) if row[3]}
    assert {"Sổ theo dõi trẻ em", "Hồ sơ bảo vệ trẻ em"} <= sources
    everything = text + " ".join(
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )
    assert not any(name in everything for name in NAMES + [VICTIM])
