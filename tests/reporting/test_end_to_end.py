"""Done when (1): the Văn Quan education office sees exactly the data elements of targets 7, 15–20 and
22–24 for the current round, fills them by form and by Excel, submits; the district manager approves;
the values are locked and appear in the district (and province) totals at once."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from treem.geo.models import Level
from treem.indicators.models import DataElement
from treem.indicators.rules import total_combo
from treem.reporting import excel
from treem.reporting.aggregation import aggregate
from treem.reporting.entry import SaveRejected, save_values
from treem.reporting.models import DataValue, SubmissionStatus, ValueStatus
from treem.reporting.rounds import plan_elements

from .conftest import unit

GD_TARGETS = ["7", "15", "16", "17", "18", "19", "20", "22", "23", "24"]


def elements_of_targets(plan, numbers):
    targets = {t.pk: t.number for t in plan.targets.all()}
    return {de.code for tid, des in plan_elements(plan).items() if targets[tid] in numbers for de in des}


def value_for(code):
    """Plausible counts: numerators (achieved) 90 < denominators (all) 100."""
    denominators = {
        "DE_HS_LOP_1_NAM_T_4",
        "DE_HS_LOP_6_NAM_T_3",
        "DE_HS_TH_NHAP_HOC",
        "DE_HS_THCS_NHAP_HOC",
        "DE_TRUONG_HOC",
        "DE_CO_SO_GD",
        "DE_TRE_KT_CO_NHU_CAU_HOC",
        "DE_TRE_5_TUOI",
        "DE_TRE_TU_7_TUOI",
        "DE_TRE_TU_11_TUOI",
    }
    if code in denominators:
        return 100
    if "BO_HOC" in code:
        return 1
    return 90


@pytest.mark.django_db
def test_education_office_round_end_to_end(
    client, in_round, gd_reporter, district_manager, gd_submission, plan003, van_quan, lang_son
):
    sub = gd_submission
    client.force_login(gd_reporter)

    # --- sees its forms only, and exactly the data elements of targets 7, 15–20, 22–24
    index = client.get("/bao-cao/").content.decode()
    assert sub.get_absolute_url() in index
    assert "Trung tâm Y tế" not in index
    page = client.get(sub.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert re.findall(r'id="chi-tieu-(\d+)"', html) == GD_TARGETS
    expected = elements_of_targets(plan003, GD_TARGETS)
    assert set(re.findall(r'data-element="([A-Z0-9_]+)"', html)) == expected
    owned = set(sub.responsibilities.values_list("data_element__code", flat=True))
    # Shared denominators are reported once, by the lead of the first target using them (no double counting).
    assert expected - owned == {"DE_TRE_EM", "DE_TRE_DUOI_5"}
    assert "do Phòng Lao động, Thương binh, Xã hội - Dân tộc báo cáo" in html
    assert "do Trung tâm Y tế báo cáo" in html
    communes = list(
        sub.responsibilities.values_list("unit__code", flat=True).distinct().order_by("unit__code")
    )
    assert len(communes) == 15  # every commune of Văn Quan before the reform

    # --- fills the first commune by form
    first = unit(communes[0], Level.COMMUNE)
    total = total_combo()
    data = {"don-vi": first.code}
    owned_elements = DataElement.objects.filter(code__in=owned)
    for de in owned_elements:
        data[f"v-{de.pk}-{total.pk}"] = str(value_for(de.code))
        data[f"ver-{de.pk}-{total.pk}"] = "0"
        data[f"c-{de.pk}-{total.pk}"] = ""
    r = client.post(sub.get_absolute_url(), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert DataValue.objects.filter(submission=sub, unit=first).count() == len(owned)

    # --- fills the other 14 communes by Excel (download, fill offline, upload)
    r = client.get(f"/bao-cao/bieu-mau/{sub.pk}/excel/")
    wb = load_workbook(io.BytesIO(r.content))
    sheets = [s for s in wb.sheetnames if s not in ("Hướng dẫn", "_meta")]
    assert len(sheets) == 15
    for name in sheets:
        ws = wb[name]
        for row in ws.iter_rows(min_row=excel.HEADER_ROW + 1):
            if row[excel.COL["Mã phân tổ"] - 1].value == "default" and row[0].value != first.code:
                row[excel.COL["Giá trị"] - 1].value = value_for(row[excel.COL["Mã phần tử"] - 1].value)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "gd.xlsx"
    r = client.post(f"/bao-cao/bieu-mau/{sub.pk}/excel/tai-len/", {"file": out})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert DataValue.objects.filter(submission=sub).count() == 15 * len(owned)

    # --- submits; the values are in the district total at once (submitted counts), before any approval
    r = client.post(f"/bao-cao/bieu-mau/{sub.pk}/nop/")
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED, [m.message for m in r.wsgi_request._messages]
    de = DataElement.objects.get(code="DE_TRUONG_HOC")
    district = aggregate([de], [sub.round.period], [van_quan, lang_son], combos=[total])
    assert {r.unit_id: r.value for r in district} == {van_quan.pk: Decimal(1500), lang_son.pk: Decimal(1500)}

    # --- the reporter cannot approve; the district manager approves
    client.post(f"/bao-cao/bieu-mau/{sub.pk}/duyet/")
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED
    client.force_login(district_manager)
    assert sub.get_absolute_url() in client.get("/bao-cao/").content.decode()  # "chờ bạn duyệt"
    client.post(f"/bao-cao/bieu-mau/{sub.pk}/duyet/", {"comment": "Đồng ý"})
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.APPROVED and sub.approved_level == Level.DISTRICT
    assert set(DataValue.objects.filter(submission=sub).values_list("status", flat=True)) == {
        ValueStatus.APPROVED
    }

    # --- locked: neither the form nor the service writes any more
    client.force_login(gd_reporter)
    r = client.post(
        sub.get_absolute_url(),
        {"don-vi": first.code, f"v-{de.pk}-{total.pk}": "7", f"ver-{de.pk}-{total.pk}": "1"},
    )
    assert r.status_code == 403
    with pytest.raises(SaveRejected):
        save_values(sub, gd_reporter, [])
    assert DataValue.objects.get(submission=sub, unit=first, data_element=de, combo=total).value == 100

    # --- the round page shows the area total and the rates recomputed from the sums
    client.force_login(district_manager)
    page = client.get(sub.round.get_absolute_url()).content.decode()
    assert 'data-element="DE_TRUONG_HOC">1.500<' in page
    assert 'data-indicator="GD_TRUONG_HO_TRO_TAM_LY">90,00<' in page
