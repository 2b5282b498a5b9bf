"""The consolidated report as a DOCX in the administrative format of Decree 30/2020/NĐ-CP (Phụ lục I, Mẫu 1.4).

A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, black. Two-column
header: left the supervising body (regular caps 12), the issuing body (bold caps 12) with a rule of
about 40 % of its length, "Số: …/BC-…"; right the national motto (bold caps 12), the slogan
(bold 13) with a rule exactly as long as it, the place and date (italic 13). Then the document type
"BÁO CÁO" (bold caps 14), the summary (bold 14) and a short rule; body 14, justified, first-line
indent 1,27 cm, 6 pt after, ending "./."; "Nơi nhận:" (bold italic 12) with its list (11) on the
left and the signer's authority (bold caps 14), name (bold 14) on the right. Page numbers in the
top margin, centred, from page 2 on.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt, RGBColor

FONT = "Times New Roman"
BODY_PT = 14
TEXT_WIDTH_MM = 210 - 30 - 15
LEFT_COL_MM, RIGHT_COL_MM = 68, TEXT_WIDTH_MM - 68
CELL_PAD_MM = 1.9  # Word's default left/right cell margin (0,19 cm)
SERIF_FONTS = {
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}
FONT_DIRS = [Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation")]
STATUS_FILLS = {
    "achieved": "D9F0D3",
    "on_track": "EAF5E3",
    "at_risk": "FDE6C8",
    "off_track": "F8D0D0",
    "no_data": "EEEEEE",
}
NATIONAL_MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"


@dataclass
class TargetRow:
    """One row of the targets table."""

    number: str
    target: str
    milestone: str
    actual: str
    status: str  # a Status value, for the cell colour
    status_label: str
    note: str = ""


@dataclass
class CompletenessRow:
    """One reporter's line in the completeness table."""

    reporter: str
    expected: int
    submitted: int
    approved: int
    on_time: int


@dataclass
class Section:
    """A numbered part of the body: 'I. ĐẶC ĐIỂM TÌNH HÌNH' and its paragraphs (narrative written in TreEm)."""

    heading: str
    text: str = ""
    kind: str = "narrative"  # narrative | targets | completeness


@dataclass
class ReportDocument:
    """Everything the DOCX shows; built by `reports.build_report_document` from the database."""

    issuing_body: list[str]  # ["ỦY BAN NHÂN DÂN", "HUYỆN VĂN QUAN"]
    number: str  # "" leaves the number blank for the clerk: "Số:     /BC-UBND"
    symbol: str  # "BC-UBND"
    place: str
    date: datetime.date
    title: str  # trích yếu
    intro: str
    sections: list[Section]
    rows: list[TargetRow]
    signer_lines: list[str]  # ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    signer_name: str
    recipients: list[str]  # Nơi nhận, without the final "- Lưu: …"
    archive: str = "Lưu: VT."
    supervising_body: str = ""
    kinh_gui: list[str] = field(default_factory=list)
    completeness: list[CompletenessRow] = field(default_factory=list)
    completeness_note: str = ""
    chart_png: bytes | None = None
    chart_caption: str = ""
    period_label: str = ""
    demo_note: str = ""


def place_and_date(place: str, date: datetime.date) -> str:
    """'Văn Quan, ngày 05 tháng 02 năm 2026' — day < 10 and months 1, 2 take a leading zero (Decree 30)."""
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def number_line(number: str, symbol: str) -> str:
    """'Số: 05/BC-UBND'; numbers below 10 take a leading zero; a blank number leaves room to write it."""
    number = (number or "").strip()
    if number.isdigit() and int(number) < 10:
        number = f"{int(number):02d}"
    return f"Số: {number}/{symbol}" if number else f"Số:       /{symbol}"


@lru_cache(maxsize=8)
def _font(bold: bool, italic: bool):
    from PIL import ImageFont

    for d in FONT_DIRS:
        path = d / SERIF_FONTS[(bold, italic)]
        if path.exists():
            return ImageFont.truetype(str(path), size=1000)
    return None


def text_width_mm(text: str, size_pt: float, bold: bool = False, italic: bool = False) -> float:
    """Width of a line in Times New Roman (measured with the metric-compatible Liberation Serif)."""
    font = _font(bold, italic)
    points = font.getlength(text) / 1000 * size_pt if font else len(text) * size_pt * 0.5
    return points * 25.4 / 72


# --------------------------------------------------------------------------------------------------
# Low-level helpers
# --------------------------------------------------------------------------------------------------


def _set_run_font(run, size: float, bold: bool = False, italic: bool = False):
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.color.rgb = RGBColor(0, 0, 0)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(
    container,
    text: str = "",
    size: float = BODY_PT,
    bold=False,
    italic=False,
    align=WD_ALIGN_PARAGRAPH.LEFT,
    before=0,
    after=0,
    indent_first=None,
    line=1.0,
):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    fmt.line_spacing = line
    if indent_first is not None:
        fmt.first_line_indent = indent_first
    if text:
        _set_run_font(p.add_run(text), size, bold, italic)
    return p


def _bottom_border(paragraph, width_mm: float, container_mm: float, size_eighths: int = 6):
    """A rule under a paragraph, centred, `width_mm` long (indents narrow the paragraph to that width)."""
    side = max(0.0, (container_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size_eighths))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    ppr.append(borders)


def _rule(container, width_mm: float, container_mm: float):
    """An empty tiny paragraph carrying a centred rule (for the rule under the issuing body and the title)."""
    p = _para(container, "", size=2)
    _set_run_font(p.add_run(""), 2)
    _bottom_border(p, width_mm, container_mm)
    return p


def _no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _grid_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def _fixed_widths(table, widths_mm: list[float]):
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(w)


def _shade(cell, fill: str):
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _cant_split(row):
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _repeat_header(row):
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _first(cell, align=WD_ALIGN_PARAGRAPH.CENTER, before=0, after=0):
    """The cell's first paragraph with explicit spacing (the template's defaults add space)."""
    p = cell.paragraphs[0]
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    fmt.line_spacing = 1.0
    return p


def _cell_text(cell, text: str, size=12, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.LEFT):
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = _first(cell, align, 2, 2)
    lines = text.split("\n") if text else [""]
    for i, line in enumerate(lines):
        if i:
            p = _para(cell, "", size=size, align=align)
        _set_run_font(p.add_run(line), size, bold, italic)


def _page_number_header(section):
    """Centred PAGE field in the header of pages 2+, none on page 1."""
    section.different_first_page_header_footer = True
    header = section.header
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _set_run_font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)


# --------------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------------


def _header_block(doc, r: ReportDocument):
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _fixed_widths(table, [LEFT_COL_MM, RIGHT_COL_MM])
    left, right = table.rows[0].cells
    left_inner = LEFT_COL_MM - 2 * CELL_PAD_MM
    right_inner = RIGHT_COL_MM - 2 * CELL_PAD_MM

    lp = _first(left)
    first = True
    if r.supervising_body:
        _set_run_font(lp.add_run(r.supervising_body.upper()), 12)
        first = False
    for line in r.issuing_body:
        p = lp if first else _para(left, align=WD_ALIGN_PARAGRAPH.CENTER)
        first = False
        _set_run_font(p.add_run(line.upper()), 12, bold=True)
    longest = max((text_width_mm(line.upper(), 12, bold=True) for line in r.issuing_body), default=40)
    _rule(left, longest * 0.4, left_inner)
    _para(left, number_line(r.number, r.symbol), size=13, align=WD_ALIGN_PARAGRAPH.CENTER, before=6)

    rp = _first(right)
    _set_run_font(rp.add_run(NATIONAL_MOTTO), 12, bold=True)
    slogan = _para(right, SLOGAN, size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _bottom_border(slogan, text_width_mm(SLOGAN, 13, bold=True) + 1, right_inner)
    _para(
        right,
        place_and_date(r.place, r.date),
        size=13,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        before=6,
    )


def _title_block(doc, r: ReportDocument):
    _para(doc, "BÁO CÁO", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18)
    _para(doc, r.title, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    widest = min(text_width_mm(r.title, 14, bold=True), TEXT_WIDTH_MM)
    _rule(doc, max(30.0, widest * 0.4), TEXT_WIDTH_MM)
    if r.kinh_gui:
        p = _para(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
        _set_run_font(p.add_run("Kính gửi: "), BODY_PT)
        if len(r.kinh_gui) == 1:
            _set_run_font(p.add_run(r.kinh_gui[0].rstrip(".") + "."), BODY_PT)
        else:
            for i, name in enumerate(r.kinh_gui):
                end = "." if i == len(r.kinh_gui) - 1 else ";"
                q = _para(doc, f"- {name.rstrip('.;')}{end}", align=WD_ALIGN_PARAGRAPH.LEFT)
                q.paragraph_format.left_indent = Cm(6)
    _para(doc, "", size=6)


def _body_paragraphs(doc, text: str):
    for block in [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n") if b.strip()]:
        _para(
            doc,
            block,
            size=BODY_PT,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            after=6,
            indent_first=Cm(1.27),
            line=1.15,
        )


def _heading(doc, text: str, level: int = 1):
    p = _para(
        doc,
        text,
        size=BODY_PT,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        before=6,
        after=6,
        line=1.15,
        indent_first=Cm(1.27),
    )
    return p


def _targets_table(doc, r: ReportDocument):
    widths = [12, 66, 29, 25, 33]
    table = doc.add_table(rows=1, cols=5)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _grid_borders(table)
    head = table.rows[0]
    for cell, text in zip(
        head.cells, ["TT", "Chỉ tiêu", "Mốc kế hoạch", "Thực hiện", "Đánh giá"], strict=True
    ):
        _cell_text(cell, text, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(head)
    for row in r.rows:
        tr = table.add_row()
        _cant_split(tr)
        cells = tr.cells
        _cell_text(cells[0], row.number, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(cells[1], row.target)
        _cell_text(cells[2], row.milestone, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(cells[3], row.actual, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(
            cells[4],
            row.status_label + (f"\n{row.note}" if row.note else ""),
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        _shade(cells[4], STATUS_FILLS.get(row.status, "FFFFFF"))
    _fixed_widths(table, widths)
    _para(doc, "", size=6)


def _completeness_table(doc, r: ReportDocument):
    if r.completeness_note:
        _body_paragraphs(doc, r.completeness_note)
    if not r.completeness:
        return
    widths = [65, 22, 22, 22, 22]
    table = doc.add_table(rows=1, cols=5)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _grid_borders(table)
    for cell, text in zip(
        table.rows[0].cells,
        ["Đơn vị, cơ quan báo cáo", "Phải báo cáo", "Đã nộp", "Đã duyệt", "Đúng hạn"],
        strict=True,
    ):
        _cell_text(cell, text, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(table.rows[0])
    for c in r.completeness:
        tr = table.add_row()
        _cant_split(tr)
        cells = tr.cells
        _cell_text(cells[0], c.reporter)
        for cell, v in zip(cells[1:], (c.expected, c.submitted, c.approved, c.on_time), strict=True):
            _cell_text(cell, f"{v:,}".replace(",", "."), align=WD_ALIGN_PARAGRAPH.CENTER)
    _fixed_widths(table, widths)
    _para(doc, "", size=6)


def _chart(doc, r: ReportDocument):
    if not r.chart_png:
        return
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    p.add_run().add_picture(io.BytesIO(r.chart_png), width=Mm(150))
    if r.chart_caption:
        _para(doc, r.chart_caption, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)


def _signature_block(doc, r: ReportDocument):
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _fixed_widths(table, [80, TEXT_WIDTH_MM - 80])
    left, right = table.rows[0].cells
    lp = _first(left, WD_ALIGN_PARAGRAPH.LEFT, before=12)
    _set_run_font(lp.add_run("Nơi nhận:"), 12, bold=True, italic=True)
    items = [x.strip().lstrip("-").strip().rstrip(";.") for x in r.recipients if x.strip()]
    if r.kinh_gui and (not items or items[0].lower() != "như trên"):
        items.insert(0, "Như trên")
    for item in items:
        _para(left, f"- {item};", size=11)
    _para(left, f"- {r.archive.strip().rstrip('.')}.", size=11)

    rp = _first(right, before=12)
    for i, line in enumerate(r.signer_lines):
        p = rp if i == 0 else _para(right, align=WD_ALIGN_PARAGRAPH.CENTER)
        _set_run_font(p.add_run(line.upper()), 14, bold=True)
    for _ in range(4):
        _para(right, "", size=14)
    _para(right, r.signer_name, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def build_docx(r: ReportDocument) -> bytes:
    """Render a ReportDocument as DOCX bytes."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    core = doc.core_properties
    core.title = f"Báo cáo: {r.title}"[:250]
    core.author = "TreEm"
    core.language = "vi-VN"
    _page_number_header(section)
    # python-docx starts with one empty paragraph in some templates; the body begins with the header table
    for p in list(doc.paragraphs):
        p._element.getparent().remove(p._element)

    _header_block(doc, r)
    _title_block(doc, r)
    if r.demo_note:
        _para(doc, r.demo_note, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _body_paragraphs(doc, r.intro)
    for s in r.sections:
        _heading(doc, s.heading)
        if s.kind == "targets":
            _body_paragraphs(doc, s.text)
            _targets_table(doc, r)
            _chart(doc, r)
        elif s.kind == "completeness":
            _body_paragraphs(doc, s.text)
            _completeness_table(doc, r)
        else:
            _body_paragraphs(doc, s.text or "(Chưa nhập nội dung.)")
    last = next((p for p in reversed(doc.paragraphs) if p.text.strip()), None)
    if last is not None and not last.text.rstrip().endswith("./."):
        _set_run_font(last.add_run("/." if last.text.rstrip().endswith(".") else "./."), BODY_PT)
    _signature_block(doc, r)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def emu_to_mm(v: int) -> float:
    """EMU → millimetres (for tests that read back widths)."""
    return Emu(v).mm
