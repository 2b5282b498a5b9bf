"""The official forms of a case (Decree 56/2017 annex, Mẫu 01–07) as DOCX in the Decree 30/2020 format.

A4 portrait, margins 20/20/30/15 mm, Times New Roman 13, the two-column header (issuing body and number
on the left; national title, motto and place-date on the right), page numbers from page 2, "Nơi nhận"
and the signature block. Sensitive content is printed only for users allowed to see it.
"""

from __future__ import annotations

import io

from django.utils import timezone, translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from treem.core import calendar as cal
from treem.core.text import format_vn_number

from . import policy
from .codes import FORMS, Finding, ReviewOutcome, RiskLevel, StepKind, Urgency
from .models import Case

FONT = "Times New Roman"
HIDDEN = "(thông tin hạn chế, không hiển thị với vai trò của người in)"


def _vn_long_date(day) -> str:
    """ "ngày 05 tháng 02 năm 2026" (day < 10 and months 1–2 padded, Decree 30)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _dt(moment) -> str:
    if not moment:
        return "…"
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M}, {_vn_long_date(local.date())}"


def _d(day) -> str:
    return _vn_long_date(day) if day else "…"


class Builder:
    """A small writer over python-docx for Decree 30 documents."""

    def __init__(self):
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        style = self.doc.styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(13)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.line_spacing = 1.15
        self._page_numbers(section)

    def _page_numbers(self, section) -> None:
        section.different_first_page_header_footer = True
        p = section.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run()
        for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if tag:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), tag)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        run.font.size = Pt(13)

    def para(
        self,
        text: str = "",
        *,
        bold=False,
        italic=False,
        size=13,
        align="justify",
        indent=True,
        upper=False,
        space_after=6,
    ):  # noqa: PLR0913
        p = self.doc.add_paragraph()
        p.alignment = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        if indent and align == "justify":
            p.paragraph_format.first_line_indent = Mm(10)
        p.paragraph_format.space_after = Pt(space_after)
        if text:
            self.run(p, text.upper() if upper else text, bold=bold, italic=italic, size=size)
        return p

    @staticmethod
    def run(p, text, *, bold=False, italic=False, size=13, underline=False):
        r = p.add_run(text)
        r.bold, r.italic, r.underline = bold, italic, underline
        r.font.size = Pt(size)
        r.font.name = FONT
        r._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
        return r

    def field(self, label: str, value: str) -> None:
        p = self.para(indent=True, space_after=3)
        self.run(p, f"{label}: ", bold=False)
        self.run(p, value or "…")

    @staticmethod
    def _cell_para(cell, first=True):
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        return p

    @staticmethod
    def _widths(table, widths) -> None:
        """Fix column widths (grid, cells, fixed layout) so Word and LibreOffice agree."""
        table.autofit = False
        tblPr = table._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblPr.append(layout)
        for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            gc.set(qn("w:w"), str(w.twips))
        for row in table.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = w

    @staticmethod
    def _rule(p, width_chars: int, cell_mm: float = 165) -> None:
        """A short solid line under a header element (the bottom border of a thin, narrow, centred empty paragraph)."""
        p.paragraph_format.space_after = Pt(4)
        p.paragraph_format.line_spacing = Pt(6)
        pPr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(qn(k), v)
        bdr.append(bottom)
        pPr.append(bdr)
        margin = Mm(max(0.0, (cell_mm - width_chars * 2.2) / 2))
        p.paragraph_format.left_indent = margin
        p.paragraph_format.right_indent = margin

    def header(self, commune, number: str | None, place: str, day, form_no: str) -> None:
        """Form number, then the two-column header of Decree 30 (Mẫu 1.4 layout)."""
        p = self.para(align="right", indent=False, space_after=0)
        self.run(p, f"Mẫu số {form_no}", bold=True, size=12)
        p = self.para(align="right", indent=False, space_after=4)
        self.run(p, "(Ban hành kèm theo Nghị định số 56/2017/NĐ-CP)", italic=True, size=11)
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._widths(table, (Mm(65), Mm(100)))
        left, right = table.rows[0].cells
        p = self._cell_para(left)
        self.run(p, "ỦY BAN NHÂN DÂN", bold=True, size=13)
        p = self._cell_para(left, first=False)
        self.run(p, commune.full_name.upper(), bold=True, size=13)
        self._rule(self._cell_para(left, first=False), 10, 65)
        if number is not None:
            p = self._cell_para(left, first=False)
            p.paragraph_format.space_before = Pt(6)
            self.run(p, f"Số: {number}", size=13)
        p = self._cell_para(right)
        self.run(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
        p = self._cell_para(right, first=False)
        self.run(p, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
        self._rule(self._cell_para(right, first=False), 27, 100)
        p = self._cell_para(right, first=False)
        p.paragraph_format.space_before = Pt(6)
        self.run(p, f"{place}, {_vn_long_date(day)}", italic=True, size=13)
        self.para(space_after=6)

    def title(self, kind: str, summary: str = "") -> None:
        self.para(kind, bold=True, size=14, align="center", indent=False, upper=True, space_after=0)
        if summary:
            self.para(summary, bold=True, size=13, align="center", indent=False, space_after=0)
            self._rule(self.para(align="center", indent=False, space_after=0), 20)
        self.para(space_after=6)

    def table(self, headers: list[str], rows: list[list[str]], widths_mm: list[int]) -> None:
        t = self.doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.run(p, text, bold=True, size=12)
        for row in rows:
            for cell, text in zip(t.add_row().cells, row, strict=True):
                self.run(cell.paragraphs[0], text, size=12)
        self._widths(t, [Mm(w) for w in widths_mm])
        self.para(space_after=4)

    def signature(self, recipients: list[str] | None, authority: list[str], name: str) -> None:
        """Nơi nhận on the left, authority, title and signer's name on the right."""
        t = self.doc.add_table(rows=1, cols=2)
        self._widths(t, (Mm(80), Mm(85)))
        left, right = t.rows[0].cells
        if recipients:
            p = left.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            self.run(p, "Nơi nhận:", bold=True, italic=True, size=12)
            for i, r in enumerate(recipients):
                q = left.add_paragraph()
                q.paragraph_format.space_after = Pt(0)
                self.run(q, f"- {r}{'.' if i == len(recipients) - 1 else ';'}", size=11)
        for i, line in enumerate(authority):
            p = self._cell_para(right, first=(i == 0))
            self.run(p, line, bold=True, size=13)
        for _ in range(3):
            self._cell_para(right, first=False)
        p = self._cell_para(right, first=False)
        self.run(p, name or "", bold=True, size=13)

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def _step(case: Case, kind: str):
    return case.steps.filter(kind=kind).order_by("-cycle", "-opened_at").first()


def _decision_preamble(b, commune) -> None:
    """The commune chairman's decision up to "QUYẾT ĐỊNH:": who decides and the legal grounds (Mẫu 05, Mẫu 07)."""
    b.para(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {commune.full_name.upper()}", bold=True, align="center", indent=False)
    for line in (
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;",
        "Căn cứ Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ quy định chi tiết Luật Trẻ em;",
        "Xét đề nghị của công chức phụ trách công tác trẻ em.",
    ):
        b.para(line, italic=True)
    b.para("QUYẾT ĐỊNH:", bold=True, align="center", indent=False)


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


@translation.override(
    "vi"
)  # the forms of Decree 56 are official Vietnamese documents, whatever the UI language
def render(access: policy.CaseAccess, form_no: str, user) -> bytes:
    """The DOCX of one official form of the case, as the user may see it."""
    if form_no not in FORMS:
        raise KeyError(form_no)
    case = access.case
    content, reporter = access.sees(policy.CONTENT), access.sees(policy.REPORTER)
    b = Builder()
    commune = case.commune
    place = commune.name
    decision = form_no in ("05", "07")
    b.header(commune, "…/QĐ-UBND" if decision else None, place, cal.today(), form_no)
    child = case.child_label
    sex = case.get_child_sex_display() or "chưa rõ"
    age = f"{case.child_age} tuổi" if case.child_age is not None else "chưa rõ tuổi"
    if form_no == "01":
        b.title(
            "Phiếu ghi nhận thông tin", "Về trẻ em bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, bỏ rơi"
        )
        b.field("Số hồ sơ", case.number)
        b.field("Thời điểm tiếp nhận", _dt(case.received_at))
        b.field(
            "Kênh tiếp nhận",
            case.get_channel_display()
            + (f" (mã tham chiếu {case.external_ref})" if case.external_ref else ""),
        )
        b.para("1. Người báo tin", bold=True, indent=False)
        if case.reporter_anonymous:
            b.field("Người báo tin", "Giấu tên")
        elif reporter:
            b.field("Họ và tên", case.reporter_name)
            b.field("Điện thoại", case.reporter_phone)
            b.field("Địa chỉ", case.reporter_address)
        else:
            b.field("Người báo tin", HIDDEN)
        b.field("Quan hệ với trẻ em", case.get_reporter_relation_display())
        b.para("2. Trẻ em", bold=True, indent=False)
        b.field("Họ và tên", child)
        b.field("Giới tính, tuổi", f"{sex}, {age}")
        b.field("Thông tin khác", case.reported_child_details if content else HIDDEN)
        b.para("3. Sự việc", bold=True, indent=False)
        b.field(
            "Hình thức",
            f"{case.get_harm_kind_display()}"
            + (f" – {case.get_harm_subkind_display()}" if case.harm_subkind else ""),
        )
        b.field("Môi trường xảy ra", case.get_setting_display())
        b.field("Thời gian xảy ra", _d(case.occurred_on))
        b.field("Nơi xảy ra", case.place if content else HIDDEN)
        b.field("Nội dung", case.narrative if content else HIDDEN)
        b.field("Mức độ khẩn cấp", Urgency(case.urgency).label)
        b.signature(None, ["NGƯỜI TIẾP NHẬN"], _person(case.received_by))
    elif form_no == "02":
        step = _step(case, StepKind.INITIAL_ASSESSMENT)
        data = step.data if step else {}
        b.title("Biên bản", "Đánh giá nguy cơ ban đầu đối với trẻ em")
        b.field("Số hồ sơ", case.number)
        b.field("Trẻ em", f"{child} ({sex}, {age})")
        b.field("Thời điểm đánh giá", _dt(step.completed_at if step else None))
        b.field("Kết quả", Finding(data["finding"]).label if data.get("finding") else "…")
        b.field("Mức độ nguy cơ", RiskLevel(data["risk_level"]).label if data.get("risk_level") else "…")
        b.field("Cần can thiệp khẩn cấp", "Có" if data.get("emergency_needed") else "Không")
        b.field("Nhận định", (step.notes if step else "") if content else HIDDEN)
        b.signature(None, ["NGƯỜI ĐÁNH GIÁ"], _person(step.completed_by if step else None))
    elif form_no == "03":
        step = _step(case, StepKind.INFO_GATHERING)
        data = step.data if step else {}
        b.title("Báo cáo", "Thu thập thông tin, đánh giá nguy cơ và nhu cầu của trẻ em")
        b.field("Số hồ sơ", case.number)
        b.field("Trẻ em", f"{child} ({sex}, {age})")
        b.field("Ngày họp đánh giá nhu cầu", data.get("meeting_date", "…"))
        b.field("Thành phần", data.get("participants", ""))
        b.field("Mức độ nguy cơ", RiskLevel(data["risk_level"]).label if data.get("risk_level") else "…")
        b.field("Nhu cầu của trẻ em và gia đình", (step.notes if step else "") if content else HIDDEN)
        b.signature(None, ["NGƯỜI LẬP"], _person(step.completed_by if step else None))
    elif form_no in ("04", "05"):
        items = list(case.plan_items.filter(cycle=case.cycle))
        rows = [
            [
                str(i),
                it.service,
                f"{it.start:%d/%m/%Y} – {it.end:%d/%m/%Y}",
                ", ".join(x for x in (it.agency_name, it.responsible_person) if x),
                it.provider,
                format_vn_number(it.budget_vnd),
            ]
            for i, it in enumerate(items, 1)
        ]
        total = sum(it.budget_vnd for it in items)
        if form_no == "04":
            plan = _step(case, StepKind.PLAN)
            b.title("Kế hoạch", "Hỗ trợ, can thiệp đối với trẻ em")
            b.field("Số hồ sơ", f"{case.number} (chu kỳ {case.cycle})")
            b.field("Trẻ em", f"{child} ({sex}, {age})")
            b.field("Mục tiêu", (plan.data.get("objectives", "") if plan else "") or "…")
            b.table(
                [
                    "TT",
                    "Dịch vụ, hoạt động",
                    "Thời gian",
                    "Cơ quan, người chịu trách nhiệm",
                    "Cơ sở cung cấp",
                    "Kinh phí (đồng)",
                ],
                rows + [["", "Tổng cộng", "", "", "", format_vn_number(total)]],
                [10, 45, 30, 35, 25, 20],
            )
            b.signature(None, ["NGƯỜI LẬP KẾ HOẠCH"], _person(plan.completed_by if plan else None))
        else:
            approval = _step(case, StepKind.APPROVAL)
            b.title("Quyết định", "Về việc phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em")
            _decision_preamble(b, commune)
            p = b.para()
            b.run(p, "Điều 1. ", bold=True)
            b.run(
                p,
                f"Phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em {child} (hồ sơ số {case.number}) gồm {len(items)} "
                f"dịch vụ, hoạt động, tổng kinh phí {format_vn_number(total)} đồng (kế hoạch kèm theo).",
            )
            p = b.para()
            b.run(p, "Điều 2. ", bold=True)
            b.run(
                p,
                "Các cơ quan, tổ chức, cá nhân có tên trong kế hoạch thực hiện các dịch vụ, hoạt động đúng thời gian; "
                "công chức phụ trách công tác trẻ em điều phối, theo dõi và báo cáo kết quả.",
            )
            p = b.para()
            b.run(p, "Điều 3. ", bold=True)
            b.run(
                p,
                "Quyết định này có hiệu lực kể từ ngày ký. Văn phòng Ủy ban nhân dân, công chức phụ trách công tác trẻ em và "
                "các cơ quan, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.",
            )
            b.signature(
                ["Như Điều 3", "Cha, mẹ hoặc người chăm sóc trẻ em", "Lưu: VT, hồ sơ trẻ em"],
                ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
                _person(approval.completed_by if approval and approval.completed_at else None),
            )
    elif form_no == "06":
        review = _step(case, StepKind.REVIEW)
        data = review.data if review else {}
        items = list(case.plan_items.filter(cycle=case.cycle))
        b.title("Báo cáo", "Đánh giá kết quả thực hiện kế hoạch hỗ trợ, can thiệp")
        b.field("Số hồ sơ", f"{case.number} (chu kỳ {case.cycle})")
        b.field("Trẻ em", f"{child} ({sex}, {age})")
        b.table(
            ["TT", "Dịch vụ, hoạt động", "Đã thực hiện", "Kết quả"],
            [[str(i), it.service, "Có" if it.done else "Chưa", it.result] for i, it in enumerate(items, 1)],
            [10, 70, 25, 60],
        )
        b.field("Đánh giá", (review.notes if review else "") if content else HIDDEN)
        b.field("Kết luận", ReviewOutcome(data["outcome"]).label if data.get("outcome") else "…")
        b.signature(None, ["NGƯỜI ĐÁNH GIÁ"], _person(review.completed_by if review else None))
    elif form_no == "07":
        sep = case.separations.order_by("-start").first()
        b.title("Quyết định", "Về việc tạm thời cách ly trẻ em khỏi môi trường hoặc người gây tổn hại")
        _decision_preamble(b, commune)
        p = b.para()
        b.run(p, "Điều 1. ", bold=True)
        b.run(
            p,
            f"Tạm thời cách ly trẻ em {child} ({sex}, {age}) khỏi môi trường hoặc người gây tổn hại từ "
            f"{_dt(sep.start if sep else None)} đến {_dt(sep.end if sep else None)} (không quá 15 ngày).",
        )
        p = b.para()
        b.run(p, "Điều 2. ", bold=True)
        b.run(
            p,
            "Nơi chăm sóc tạm thời: "
            + (((sep.place if sep else "") or "…") if content else HIDDEN)
            + "; người, cơ sở chăm sóc: "
            + (((sep.carer if sep else "") or "…") if content else HIDDEN)
            + ".",
        )
        p = b.para()
        b.run(p, "Điều 3. ", bold=True)
        b.run(
            p,
            "Quyết định này có hiệu lực kể từ thời điểm ký. Công chức phụ trách công tác trẻ em, Công an xã và các cơ quan, "
            "cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.",
        )
        b.signature(
            ["Như Điều 3", "Cha, mẹ hoặc người chăm sóc trẻ em", "Lưu: VT, hồ sơ trẻ em"],
            ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
            _person(sep.decided_by if sep else None),
        )
    return b.bytes()
