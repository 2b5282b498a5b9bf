"""Done when (2): an Excel upload with many kinds of errors is rejected as a whole, every error listed by
sheet, row and column in Vietnamese, and nothing is written. A clean upload is applied atomically."""

import io

import pytest
from openpyxl import load_workbook

from treem.accounts.models import Role
from treem.geo.models import Level
from treem.reporting import excel
from treem.reporting.models import DataValue, Submission, SubmissionStatus

from .conftest import GD, unit

C = excel.COL


def workbook(sub, user):
    return load_workbook(io.BytesIO(excel.build_workbook(sub.round, user, [sub])))


def upload(wb, name="bieu-mau.xlsx"):
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = name
    return out


def rows_of(ws):
    """{(element code, combo code): row number}."""
    return {
        (ws.cell(r, C["Mã phần tử"]).value, ws.cell(r, C["Mã phân tổ"]).value): r
        for r in range(excel.HEADER_ROW + 1, ws.max_row + 1)
    }


def fill_valid(ws):
    for (code, combo), r in rows_of(ws).items():
        if combo == "default":
            ws.cell(r, C["Giá trị"]).value = (
                100 if code in ("DE_TRUONG_HOC", "DE_HS_TH_NHAP_HOC", "DE_HS_LOP_1_NAM_T_4") else 50
            )
        else:
            ws.cell(r, C["Giá trị"]).value = None


@pytest.mark.django_db
def test_upload_with_every_kind_of_error_is_rejected_whole(in_round, gd_submission, gd_reporter):
    wb = workbook(gd_submission, gd_reporter)
    sheets = [s for s in wb.sheetnames if s not in (excel.GUIDE, excel.META)]
    ws = wb[sheets[0]]
    for name in sheets[:3]:
        fill_valid(wb[name])  # valid values everywhere else: they must not be written either
    rows = rows_of(ws)
    # 1. text in a number cell
    ws.cell(rows[("DE_TRUONG_HOC", "default")], C["Giá trị"]).value = "một trăm"
    # 2. a negative count
    ws.cell(rows[("DE_CO_SO_GD", "default")], C["Giá trị"]).value = -5
    # 3. a count with decimals
    ws.cell(rows[("DE_TRE_5_TUOI", "default")], C["Giá trị"]).value = 12.5
    # 4. numerator > denominator (children completing primary > grade-1 cohort)
    ws.cell(rows[("DE_HS_HOAN_THANH_TH", "default")], C["Giá trị"]).value = 150
    # 5. breakdown by sex larger than the total
    ws.cell(rows[("DE_HS_TH_NHAP_HOC", "sex.F")], C["Giá trị"]).value = 80
    ws.cell(rows[("DE_HS_TH_NHAP_HOC", "sex.M")], C["Giá trị"]).value = 70
    last = ws.max_row
    template = [
        ws.cell(rows[("DE_TRUONG_HOC", "default")], c).value for c in range(1, len(excel.COLUMNS) + 1)
    ]
    # 6. an unknown commune code
    bad = list(template)
    bad[C["Mã đơn vị"] - 1], bad[C["Giá trị"] - 1] = "99999", 3
    # 7. a duplicated row
    dup = list(template)
    dup[C["Giá trị"] - 1] = 7
    # 8. a row for a unit outside the uploader's scope (a commune of another province)
    out = list(template)
    out[C["Mã đơn vị"] - 1], out[C["Giá trị"] - 1] = "00004", 3
    # 9. an unknown data element code
    unknown_de = list(template)
    unknown_de[C["Mã phần tử"] - 1], unknown_de[C["Giá trị"] - 1] = "DE_KHONG_CO", 3
    # 10. a disaggregation the element does not have
    bad_combo = list(template)
    bad_combo[C["Mã phân tổ"] - 1], bad_combo[C["Giá trị"] - 1] = "disability.KT", 3
    # 11. an element another reporter is responsible for (children under 16: the labour office)
    other = list(template)
    other[C["Mã phần tử"] - 1], other[C["Giá trị"] - 1] = "DE_TRE_EM", 3
    for i, values in enumerate([bad, dup, out, unknown_de, bad_combo, other], start=1):
        for c, v in enumerate(values, start=1):
            ws.cell(last + i, c).value = v
    # 12. a deleted sheet
    del wb[sheets[-1]]
    # 13. a renamed column header on another sheet
    wb[sheets[1]].cell(excel.HEADER_ROW, C["Giá trị"]).value = "Số liệu"

    with pytest.raises(excel.WorkbookRejected) as e:
        excel.apply_workbook(gd_submission.round, gd_reporter, upload(wb))
    errors = e.value.errors
    text = "\n".join(str(x) for x in errors)
    first = sheets[0]
    checks = {
        "text": (first, rows[("DE_TRUONG_HOC", "default")], "Giá trị", "không phải là số"),
        "negative": (first, rows[("DE_CO_SO_GD", "default")], "Giá trị", "âm"),
        "decimal": (first, rows[("DE_TRE_5_TUOI", "default")], "Giá trị", "không phải số nguyên"),
        "numerator": (first, rows[("DE_HS_HOAN_THANH_TH", "default")], "Giá trị", "lớn hơn mẫu số"),
        "breakdown": (first, rows[("DE_HS_TH_NHAP_HOC", "sex.M")], "Giá trị", "vượt tổng số"),
        "unknown commune": (first, last + 1, "Mã đơn vị", "không tồn tại"),
        "duplicate": (first, last + 2, "Mã phần tử", "Dòng trùng"),
        "outside scope": (first, last + 3, "Mã đơn vị", "ngoài phạm vi"),
        "unknown element": (first, last + 4, "Mã phần tử", "không có trong danh mục"),
        "bad combo": (first, last + 5, "Mã phân tổ", "không dùng cho phần tử này"),
        "other reporter": (first, last + 6, "Mã đơn vị", "do đơn vị khác báo cáo"),
        "deleted sheet": (sheets[-1], None, None, "Thiếu trang tính"),
        "header": (sheets[1], excel.HEADER_ROW, "Giá trị", "Tiêu đề cột"),
    }
    for kind, (sheet, row, column, words) in checks.items():
        assert any(
            x.sheet == sheet and x.row == row and x.column == column and words in x.message for x in errors
        ), (kind, text)
    # Vietnamese, located: "Trang «…», dòng N, cột H (Giá trị): …"
    assert f"Trang «{first}», dòng {rows[('DE_TRUONG_HOC', 'default')]}, cột H (Giá trị)" in text
    assert not DataValue.objects.filter(submission__round=gd_submission.round).exists()


@pytest.mark.django_db
def test_upload_view_lists_errors_and_writes_nothing(client, in_round, gd_submission, gd_reporter):
    wb = workbook(gd_submission, gd_reporter)
    ws = wb[[s for s in wb.sheetnames if s not in (excel.GUIDE, excel.META)][0]]
    fill_valid(ws)
    ws.cell(rows_of(ws)[("DE_TRUONG_HOC", "default")], C["Giá trị"]).value = "abc"
    client.force_login(gd_reporter)
    r = client.post(f"/bao-cao/bieu-mau/{gd_submission.pk}/excel/tai-len/", {"file": upload(wb)})
    assert r.status_code == 400
    html = r.content.decode()
    assert "Tệp Excel bị từ chối – chưa ghi giá trị nào" in html and "«abc» không phải là số" in html
    assert not DataValue.objects.filter(submission=gd_submission).exists()


@pytest.mark.django_db
def test_clean_upload_is_applied_and_not_a_workbook_is_refused(in_round, gd_submission, gd_reporter):
    wb = workbook(gd_submission, gd_reporter)
    for name in wb.sheetnames:
        if name not in (excel.GUIDE, excel.META):
            fill_valid(wb[name])
    result = excel.apply_workbook(gd_submission.round, gd_reporter, upload(wb))
    owned = gd_submission.responsibilities.count()
    assert result.saved == owned == DataValue.objects.filter(submission=gd_submission).count()
    # Re-uploading the same (now stale) template is refused: the versions have moved on.
    with pytest.raises(excel.WorkbookRejected) as e:
        wb2 = workbook(gd_submission, gd_reporter)
        ws = wb2[[s for s in wb2.sheetnames if s not in (excel.GUIDE, excel.META)][0]]
        for (_code, combo), r in rows_of(ws).items():
            if combo == "default":
                ws.cell(r, C["Phiên bản"]).value = 0
                ws.cell(r, C["Giá trị"]).value = 1
        excel.apply_workbook(gd_submission.round, gd_reporter, upload(wb2))
    assert any("sau khi bạn mở biểu mẫu" in x.message for x in e.value.errors)
    with pytest.raises(excel.WorkbookRejected) as e:
        excel.apply_workbook(gd_submission.round, gd_reporter, io.BytesIO(b"not a workbook"))
    assert "không phải tệp Excel" in e.value.errors[0].message


@pytest.mark.django_db
def test_district_manager_uploads_one_workbook_for_all_communes(
    in_round, round2024, district_manager, make_user
):
    """The manager's workbook covers every form of the round: agencies (per commune) and communes."""
    subs = excel.fillable_submissions(round2024, district_manager)
    assert (
        len(subs) == Submission.objects.filter(round=round2024).count() == 19
    )  # 4 lead agencies + 15 communes
    wb = load_workbook(io.BytesIO(excel.build_workbook(round2024, district_manager, subs)))
    for name in wb.sheetnames:
        if name not in (excel.GUIDE, excel.META):
            fill_valid(wb[name])
    result = excel.apply_workbook(round2024, district_manager, upload(wb))
    assert result.saved == round2024.responsibilities.count()
    # A commune officer may not upload for the other communes.
    commune = unit("06253", Level.COMMUNE)
    officer = make_user(commune, Role.COMMUNE_OFFICER)
    own = excel.fillable_submissions(round2024, officer)
    assert [s.unit.code for s in own] == ["06253"] and own[0].agency_id is None
    gd = Submission.objects.get(round=round2024, agency__name=GD)
    assert gd.status == SubmissionStatus.DRAFT
