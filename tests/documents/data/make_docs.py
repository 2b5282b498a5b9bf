"""Generate the DOCX and PDF test documents in this folder (the generated files are committed).

Run from the repository root:  .venv/bin/python tests/documents/data/make_docs.py
Needs python-docx; the PDF needs LibreOffice (`libreoffice --headless`, Debian package
libreoffice-writer-nogui). Generation is deterministic apart from the PDF's metadata.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent


def _para(doc, text, bold=False, center=False, size=13):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _mixed(doc, parts):
    """A paragraph of (text, bold) runs."""
    p = doc.add_paragraph()
    for text, bold in parts:
        r = p.add_run(text)
        r.bold = bold
    return p


def _letterhead(doc, left, right, number, place_date):
    t = doc.add_table(rows=3, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = left[0], right[0]
    t.cell(1, 0).text, t.cell(1, 1).text = left[1], right[1]
    t.cell(2, 0).text, t.cell(2, 1).text = number, place_date


def plan_04_docx_table(path: Path) -> None:
    """A provincial plan whose targets are rows of a table, with a lead-agency column."""
    doc = Document()
    _para(doc, "ỦY BAN NHÂN DÂN TỈNH NINH THUẬN", bold=True)
    _para(doc, "Số: 88/KH-UBND")
    _para(doc, "Ninh Thuận, ngày 10 tháng 02 năm 2023")
    _para(doc, "KẾ HOẠCH", bold=True, center=True)
    _para(
        doc, "Thực hiện các mục tiêu vì trẻ em tỉnh Ninh Thuận giai đoạn 2023 - 2030", bold=True, center=True
    )
    _para(
        doc,
        "Căn cứ Quyết định số 23/QĐ-TTg ngày 07/01/2021 của Thủ tướng Chính phủ, UBND tỉnh ban hành "
        "Kế hoạch như sau:",
    )
    _para(doc, "I. MỤC TIÊU", bold=True)
    _para(doc, "Các chỉ tiêu cụ thể đến năm 2025 và năm 2030 như sau:")
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    header = ["STT", "Chỉ tiêu", "Đơn vị tính", "Năm 2025", "Năm 2030", "Cơ quan chủ trì"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    rows = [
        ["", "Về y tế", "", "", "", ""],
        [
            "1",
            "Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ 8 loại vắc xin",
            "%",
            "≥ 97",
            "≥ 98",
            "Sở Y tế",
        ],
        ["2", "Tỷ suất tử vong trẻ em dưới 5 tuổi", "trẻ/1.000 trẻ đẻ sống", "< 18,5", "< 15", "Sở Y tế"],
        ["", "Về bảo vệ trẻ em", "", "", "", ""],
        [
            "3",
            "Tỷ lệ trẻ em có hoàn cảnh đặc biệt",
            "%",
            "dưới 6,5",
            "dưới 6",
            "Sở Lao động - Thương binh và Xã hội",
        ],
        [
            "4",
            "Tỷ suất trẻ em bị tai nạn, thương tích",
            "trẻ em/100.000 trẻ em",
            "550",
            "500",
            "Sở Lao động - Thương binh và Xã hội",
        ],
        ["5", "Số trẻ em bị xâm hại", "trẻ em", "giảm 10%", "giảm 20%", "Công an tỉnh"],
    ]
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    # merge the group rows across the table, as officials do
    for row in (table.rows[1], table.rows[4]):
        row.cells[1].merge(row.cells[5])
    _para(doc, "II. NHIỆM VỤ, GIẢI PHÁP", bold=True)
    _para(doc, "1. Tăng cường công tác truyền thông về quyền trẻ em.")
    _para(doc, "2. Nâng cao chất lượng dịch vụ y tế, giáo dục cho trẻ em.")
    _para(doc, "III. TỔ CHỨC THỰC HIỆN", bold=True)
    _para(
        doc,
        "1. Sở Lao động - Thương binh và Xã hội là cơ quan thường trực, tổng hợp báo cáo UBND tỉnh "
        "trước ngày 15/12 hằng năm.",
    )
    _para(doc, "2. Sở Y tế, Sở Giáo dục và Đào tạo theo chức năng thực hiện các chỉ tiêu được phân công.")
    _para(doc, "TM. ỦY BAN NHÂN DÂN", bold=True)
    _para(doc, "CHỦ TỊCH", bold=True)
    _para(doc, "Trần Quốc Nam", bold=True)
    doc.save(path)


def _page_number_footer(section, label):
    """Footer "label – <PAGE>" and a header with the plan's symbol, on every page."""
    section.header.paragraphs[0].text = "KH 31/KH-UBND (Hà Tĩnh)"
    p = section.footer.paragraphs[0]
    p.text = ""
    p.add_run(f"{label} ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    p._p.append(fld)


def plan_05_pdf_source(path: Path) -> None:
    """A three-page provincial plan with a running header and page numbers (converted to PDF)."""
    doc = Document()
    _page_number_footer(doc.sections[0], "Trang")
    _para(doc, "ỦY BAN NHÂN DÂN", bold=True)
    _para(doc, "TỈNH HÀ TĨNH", bold=True)
    _para(doc, "Số: 31/KH-UBND")
    _para(doc, "Hà Tĩnh, ngày 25 tháng 01 năm 2024")
    _para(doc, "KẾ HOẠCH", bold=True, center=True)
    _para(doc, "Thực hiện công tác trẻ em năm 2024", bold=True, center=True)
    _para(
        doc,
        "Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2024 của Ủy ban nhân dân tỉnh, UBND tỉnh ban hành "
        "Kế hoạch thực hiện công tác trẻ em năm 2024 như sau:",
    )
    _para(doc, "I. MỤC TIÊU", bold=True)
    _para(
        doc,
        "Chỉ tiêu 1: Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi giảm xuống dưới 16% vào năm 2024.",
    )
    _para(doc, "Chỉ tiêu 2: Tỷ lệ trẻ em bỏ học cấp tiểu học dưới 0,1%.")
    _para(doc, "Chỉ tiêu 3: Duy trì 100% trẻ em có hoàn cảnh đặc biệt được trợ giúp.")
    _para(doc, "II. NHIỆM VỤ, GIẢI PHÁP", bold=True)
    filler = (
        "Tăng cường công tác tuyên truyền, phổ biến, giáo dục pháp luật về trẻ em; nâng cao nhận thức, "
        "trách nhiệm của gia đình, nhà trường và xã hội trong việc bảo vệ, chăm sóc và giáo dục trẻ em; "
        "chú trọng các vùng đồng bào dân tộc thiểu số và vùng có điều kiện kinh tế - xã hội khó khăn."
    )
    for k in range(1, 9):
        _para(doc, f"{k}. Nhiệm vụ thứ {k} về công tác trẻ em.")
        for _ in range(3):
            _para(doc, filler)
    _para(doc, "III. TỔ CHỨC THỰC HIỆN", bold=True)
    _para(doc, "1. Sở Y tế chủ trì thực hiện chỉ tiêu 1.")
    _para(doc, "2. Sở Giáo dục và Đào tạo chủ trì thực hiện chỉ tiêu 2.")
    _para(
        doc,
        "3. Sở Lao động - Thương binh và Xã hội chủ trì thực hiện chỉ tiêu 3; báo cáo kết quả 6 tháng trước "
        "ngày 20/6 và báo cáo năm trước ngày 20/12.",
    )
    _para(doc, "TM. ỦY BAN NHÂN DÂN", bold=True)
    _para(doc, "KT. CHỦ TỊCH", bold=True)
    _para(doc, "PHÓ CHỦ TỊCH", bold=True)
    _para(doc, "Lê Ngọc Châu", bold=True)
    doc.save(path)


def plan_10_docx_bold(path: Path) -> None:
    """A district plan in paragraphs: letterhead in a table, agencies in bold at the start of items."""
    doc = Document()
    _letterhead(
        doc,
        ("ỦY BAN NHÂN DÂN", "HUYỆN NÚI THÀNH"),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
        "Số: 203/KH-UBND",
        "Núi Thành, ngày 30 tháng 8 năm 2023",
    )
    _para(doc, "KẾ HOẠCH", bold=True, center=True)
    _para(doc, "Phòng, chống đuối nước trẻ em huyện Núi Thành giai đoạn 2023 - 2025", bold=True, center=True)
    _para(
        doc,
        "Thực hiện Chương trình số 210/CTr-UBND ngày 02/11/2021 của UBND thành phố Tam Kỳ; UBND huyện "
        "Núi Thành ban hành Kế hoạch như sau:",
    )
    _para(doc, "I. MỤC TIÊU", bold=True)
    _para(doc, "1. Mục tiêu chung", bold=True)
    _para(doc, "Giảm tai nạn, thương tích và đuối nước ở trẻ em.")
    _para(doc, "2. Mục tiêu cụ thể", bold=True)
    _para(
        doc,
        "- Chỉ tiêu 1: Giảm tỷ suất trẻ em tử vong do tai nạn, thương tích xuống dưới 15/100.000 trẻ em "
        "vào năm 2025.",
    )
    _para(doc, "- Chỉ tiêu 2: Phấn đấu trên 80% trẻ em từ 6 tuổi trở lên được học bơi an toàn vào năm 2025.")
    _para(doc, "- Chỉ tiêu 3: Xây dựng 5 bể bơi di động tại các trường tiểu học trong giai đoạn 2023 - 2025.")
    _para(doc, "II. TỔ CHỨC THỰC HIỆN", bold=True)
    _mixed(
        doc, [("1. Phòng Giáo dục và Đào tạo", True), (" chủ trì thực hiện chỉ tiêu 2 và chỉ tiêu 3.", False)]
    )
    _mixed(
        doc,
        [
            ("2. Phòng Lao động - Thương binh và Xã hội", True),
            (
                " chủ trì thực hiện chỉ tiêu 1; phối hợp với Phòng Giáo dục và Đào tạo thực hiện chỉ tiêu 2.",
                False,
            ),
        ],
    )
    _mixed(
        doc,
        [
            ("3. UBND các xã, thị trấn", True),
            (
                " báo cáo kết quả thực hiện hằng quý về UBND huyện (qua Phòng Lao động - Thương binh và Xã hội).",
                False,
            ),
        ],
    )
    _para(doc, "TM. ỦY BAN NHÂN DÂN", bold=True)
    _para(doc, "CHỦ TỊCH", bold=True)
    _para(doc, "Đinh Văn Thu", bold=True)
    doc.save(path)


def to_pdf(docx_path: Path, pdf_path: Path) -> None:
    """Convert with LibreOffice headless."""
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    if not exe:
        sys.exit("LibreOffice is needed for the PDF (apt-get install libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [exe, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(docx_path)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.move(str(Path(tmp) / (docx_path.stem + ".pdf")), pdf_path)


def main() -> None:
    plan_04_docx_table(HERE / "plan_04_docx_table.docx")
    plan_10_docx_bold(HERE / "plan_10_docx_bold.docx")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "plan_05_pdf.docx"
        plan_05_pdf_source(src)
        to_pdf(src, HERE / "plan_05_pdf.pdf")
    print("written: plan_04_docx_table.docx, plan_05_pdf.pdf, plan_10_docx_bold.docx")


if __name__ == "__main__":
    main()
