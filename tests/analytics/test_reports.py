"""The consolidated report: Decree 30 header, every target in the table, Vietnamese text intact, LibreOffice
opens it (PDF), XLSX of the figures, background job with progress."""

import datetime
import io
import shutil
import subprocess
import unicodedata

import pytest
from docx import Document
from openpyxl import load_workbook

from treem.analytics import reports
from treem.analytics.docx_report import number_line, place_and_date
from treem.analytics.jobs import enqueue, run_pending
from treem.analytics.models import Job, JobStatus, ReportFile

pytestmark = pytest.mark.django_db
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)


def test_place_date_and_number_follow_decree_30():
    assert place_and_date("Văn Quan", datetime.date(2026, 2, 5)) == "Văn Quan, ngày 05 tháng 02 năm 2026"
    assert place_and_date("Hà Nội", datetime.date(2019, 6, 29)) == "Hà Nội, ngày 29 tháng 6 năm 2019"
    assert place_and_date("Hà Nội", datetime.date(2020, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2020"
    assert number_line("5", "BC-UBND") == "Số: 05/BC-UBND"
    assert number_line("", "BC-UBND").startswith("Số:") and number_line("", "BC-UBND").endswith("/BC-UBND")


def _report(plan, **kw):
    r = reports.default_report(plan, plan.issuing_unit, "2025")
    r.report_date = datetime.date(2026, 2, 5)
    r.number = "12"
    r.recipients = "Sở Y tế tỉnh Lạng Sơn\nTT Huyện ủy; TT HĐND huyện"
    r.archive = "Lưu: VT, LĐTBXHDT"
    r.narrative = {
        "situation": "Toàn huyện có 12.345 trẻ em dưới 16 tuổi; 1.024 trẻ em có hoàn cảnh đặc biệt.",
        "results": "Các xã đã triển khai Kế hoạch đồng bộ.",
        "assessment": "Ưu điểm: phối hợp tốt.",
        "direction": "Tiếp tục rà soát trẻ em có hoàn cảnh đặc biệt.",
        "proposals": "Đề nghị tỉnh hỗ trợ kinh phí.",
    }
    for k, v in kw.items():
        setattr(r, k, v)
    r.save()
    return r


def _all_text(doc: Document) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def test_docx_has_the_decree_30_parts_and_every_target(plan_with_data):
    report = _report(plan_with_data)
    doc_model, dash, comp = reports.build_report_document(report)
    from treem.analytics.docx_report import build_docx

    doc = Document(io.BytesIO(build_docx(doc_model)))
    text = _all_text(doc)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "HUYỆN VĂN QUAN",
        "Số: 12/BC-UBND",
        "Văn Quan, ngày 05 tháng 02 năm 2026",
        "BÁO CÁO",
        "Nơi nhận:",
        "- Lưu: VT, LĐTBXHDT.",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Triệu Đức Dũng",
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        "1.024 trẻ em có hoàn cảnh đặc biệt",
        "Đề nghị tỉnh hỗ trợ kinh phí./.",
    ):
        assert expected in text, expected
    assert unicodedata.is_normalized("NFC", text)
    # the targets table: header + one row per current component, every target number present
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT")
    numbers = {row.cells[0].text.split(".")[0] for row in table.rows[1:]}
    assert numbers == {str(n) for n in range(1, 25)}
    assert any("tử vong trẻ sơ sinh" in row.cells[1].text.lower() for row in table.rows[1:])
    statuses = {row.cells[4].text.split("\n")[0] for row in table.rows[1:]}
    assert statuses <= {
        "Đạt",
        "Đúng lộ trình",
        "Có nguy cơ không đạt",
        "Chệch lộ trình",
        "Chưa có số liệu",
        "Chỉ tiêu định tính, chưa gắn chỉ số",
    }
    # Times New Roman everywhere, body 13–14 pt, A4 with the Decree's margins
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs if r.text.strip()}
    assert fonts == {"Times New Roman"}
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert round(section.top_margin.mm) == 20
    body = [r.font.size.pt for p in doc.paragraphs for r in p.runs if r.text.strip() and len(p.text) > 60]
    assert body and all(13 <= s <= 14 for s in body)
    assert len(doc.inline_shapes) == 1  # the chart


@needs_soffice
def test_generation_job_makes_docx_xlsx_and_a_pdf_libreoffice_can_read(plan_with_data, settings, tmp_path):
    settings.TREEM_JOBS = "sync"
    report = _report(plan_with_data)
    job = enqueue("consolidated_report", {"report_id": report.pk}, None)
    assert job.status == JobStatus.DONE, job.error
    assert job.progress == 100 and job.result["rows"] >= 24
    files = {f.format: f for f in ReportFile.objects.filter(report=report)}
    assert set(files) == {"docx", "xlsx", "pdf"}
    assert bytes(files["pdf"].content)[:5] == b"%PDF-"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(bytes(files["pdf"].content))
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode()
        for expected in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "BÁO CÁO",
            "Nơi nhận:",
            "Triệu Đức Dũng",
            "trẻ sơ sinh",
        ):
            assert expected in unicodedata.normalize("NFC", text), (expected, text[:800])
    wb = load_workbook(io.BytesIO(bytes(files["xlsx"].content)))
    assert wb.sheetnames == ["Chỉ tiêu", "Chuỗi số liệu", "Tình hình báo cáo", "Tính từ hồ sơ"]
    ws = wb["Chỉ tiêu"]
    numbers = {str(ws.cell(row=r, column=1).value) for r in range(4, ws.max_row + 1)}
    assert {str(n) for n in range(1, 25)} <= numbers


def test_docx_converts_with_libreoffice_directly(plan_with_data, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from treem.analytics.docx_report import build_docx

    report = _report(plan_with_data)
    doc_model, _, _ = reports.build_report_document(report)
    src = tmp_path / "bao-cao.docx"
    src.write_bytes(build_docx(doc_model))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert (tmp_path / "bao-cao.pdf").read_bytes()[:5] == b"%PDF-"


def test_queued_jobs_run_in_a_worker_and_failures_are_recorded(plan_with_data, settings):
    settings.TREEM_JOBS = "worker"
    report = _report(plan_with_data)
    good = enqueue("consolidated_report", {"report_id": report.pk, "formats": ["docx"]}, None)
    bad = enqueue("consolidated_report", {"report_id": 999999}, None)
    assert Job.objects.get(pk=good.pk).status == JobStatus.QUEUED
    assert run_pending() == 2
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == JobStatus.DONE and set(good.result["files"]) == {"docx"}
    assert bad.status == JobStatus.FAILED and bad.error
