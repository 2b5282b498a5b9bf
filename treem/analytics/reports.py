"""Consolidated reports: defaults from the plan, the document model, DOCX / XLSX / PDF and the background job."""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import translation

from treem.core.text import fold, format_vn_date
from treem.geo.models import AdministrativeUnit
from treem.plans.models import PlanDocument

from . import docx_report as dx
from . import services
from .charts import status_bar_png
from .jobs import register
from .models import NARRATIVE_SECTIONS, ConsolidatedReport, ReportFile
from .periods import parse_period
from .status import Status
from .xlsx import workbook

DEMO_NOTE = "Số liệu minh họa (demo) do TreEm sinh tự động, không phải số liệu thật."


def period_label(code: str) -> str:
    """'6 tháng đầu năm 2025'."""
    return parse_period(code).label


def issuing_body_lines(unit: AdministrativeUnit) -> list[str]:
    """['ỦY BAN NHÂN DÂN', 'HUYỆN VĂN QUAN'] for a unit's People's Committee."""
    return ["ỦY BAN NHÂN DÂN", unit.full_name.upper()]


@translation.override("vi")
def plan_reference(plan: PlanDocument) -> str:
    """'Kế hoạch số 194/KH-UBND ngày 12/8/2024 của UBND tỉnh Lạng Sơn' (what is known of it)."""
    parts = [plan.get_doc_type_display()]
    if plan.number:
        parts.append(f"số {plan.number}")
    if plan.issued_on:
        parts.append(f"ngày {plan.issued_on.day}/{plan.issued_on.month}/{plan.issued_on.year}")
    if plan.issuer:
        parts.append(f"của {plan.issuer}")
    return " ".join(parts)


@translation.override("vi")  # the report is an official Vietnamese document, whatever the UI language
def default_report(
    plan: PlanDocument, unit: AdministrativeUnit, period: str, user=None
) -> ConsolidatedReport:
    """A new (unsaved) report with its header and introduction filled from the plan."""
    label = period_label(period)
    issuer = f"UBND {unit.full_name[0].lower()}{unit.full_name[1:]}"
    recipients = []
    for r in plan.reporting_requirements.all():
        if r.recipient and r.recipient not in recipients:
            recipients.append(r.recipient)
    signer = (
        [s.strip() for s in (plan.signer_title or "").split("/") if s.strip()]
        if unit.pk == plan.issuing_unit_id
        else []
    )
    return ConsolidatedReport(
        plan=plan,
        unit=unit,
        period=period,
        issuing_body="\n".join(issuing_body_lines(unit)),
        symbol="BC-UBND",
        place=unit.name,
        report_date=datetime.date.today(),
        title=f"Kết quả thực hiện {plan.get_doc_type_display()}{' số ' + plan.number if plan.number else ''} "
        f"về công tác chăm sóc, giáo dục và bảo vệ trẻ em {label}",
        intro=f"Thực hiện {plan_reference(plan)}, {issuer} báo cáo kết quả thực hiện {label} như sau:",
        recipients="\n".join(recipients),
        archive="Lưu: VT.",
        signer_lines=" / ".join(signer or ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
        signer_name=plan.signer if unit.pk == plan.issuing_unit_id else "",
        narrative={key: "" for key, _ in NARRATIVE_SECTIONS},
        created_by=user if getattr(user, "pk", None) else None,
    )


def _lines(text: str) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip()]


def _target_label(c) -> str:
    text = c.indicator_text[:1].upper() + c.indicator_text[1:]
    return f"{text} ({c.qualifier})" if c.qualifier else text


def target_rows(dash: services.PlanDashboard) -> list[dx.TargetRow]:
    """One row per current component of every target (a target without a measurable component still has its row)."""
    rows = []
    for tv in dash.targets:
        number = tv.target.number or str(tv.target.order + 1)
        current = [c for c in tv.components if c.current]
        if not current:
            rows.append(
                dx.TargetRow(
                    number,
                    tv.target.text[:300],
                    "—",
                    "—",
                    Status.NO_DATA,
                    "Chỉ tiêu định tính, chưa gắn chỉ số",
                )
            )
            continue
        for i, cv in enumerate(current, start=1):
            c = cv.component
            rows.append(
                dx.TargetRow(
                    f"{number}.{i}" if len(current) > 1 else number,
                    _target_label(c),
                    services.short_milestone(c),
                    cv.actual_text,
                    cv.status,
                    cv.status_label,
                    "(tạm tính)" if cv.provisional else "",
                )
            )
    return rows


COMPUTED_HEADERS = [
    "Chỉ tiêu số",
    "Chỉ số",
    "Mốc",
    "Nguồn",
    "Kỳ",
    "Giá trị",
    "Tử số",
    "Mẫu số",
    "Số hồ sơ",
    "Đánh giá",
    "Ghi chú",
]


def computed_rows(dash: services.PlanDashboard, with_reported: bool = False) -> list[list]:
    """Rows of the "Tính từ hồ sơ" sheet (COMPUTED_HEADERS), one per computed value; counts only, never a name.
    ``with_reported`` adds the reported figure beside it (the report's workbook)."""
    return [
        [
            tv.target.number,
            cv.component.indicator_text,
            services.short_milestone(cv.component),
            v.source_label,
            v.period,
            v.value,
            v.numerator,
            v.denominator,
            v.n_records,
            v.status_label,
            v.denominator_note,
            *([cv.actual] if with_reported else []),
        ]
        for tv in dash.targets
        for cv in tv.components
        if cv.current
        for v in cv.computed
    ]


def computed_lines(dash: services.PlanDashboard) -> list[str]:
    """One line per value computed from the registry or the cases (counts only, never a name)."""
    lines = []
    for tv in dash.targets:
        for cv in tv.components:
            if not cv.current:
                continue
            for v in cv.computed:
                note = f"; {v.denominator_note}" if v.denominator_note else ""
                lines.append(
                    f"- Chỉ tiêu {tv.target.number} ({_target_label(cv.component)}, mốc {services.short_milestone(cv.component)}): "
                    f"{v.value_text} theo {v.source_label.lower()} ({v.basis_text}{note}) — {v.status_label.lower()}; "
                    f"số liệu báo cáo: {cv.actual_text}."
                )
    return lines


def is_demo_data(plan: PlanDocument, period: str | None) -> bool:
    """Whether the figures of a plan's period come from generated demo values."""
    from treem.reporting.models import DataValue

    if not period:
        return False
    return DataValue.objects.filter(period__code=period, source="demo", submission__round__plan=plan).exists()


@translation.override("vi")
def build_report_document(report: ConsolidatedReport, progress=lambda pct, msg="": None):
    """(ReportDocument, dashboard, completeness) for a saved report."""
    progress(10, "Đang tính tình trạng các chỉ tiêu")
    dash = services.plan_dashboard(report.plan, report.unit, report.period, report.include_submitted)
    progress(30, "Đang tổng hợp tình hình báo cáo")
    comp = services.completeness(report.plan, report.period)
    progress(40, "Đang vẽ biểu đồ")
    chart = status_bar_png(dash.counts)
    narrative = report.narrative or {}
    label = period_label(report.period)
    sections = [
        dx.Section(NARRATIVE_SECTIONS[0][1], narrative.get("situation", "")),
        dx.Section(NARRATIVE_SECTIONS[1][1], narrative.get("results", "")),
        dx.Section(
            "1. Kết quả thực hiện các mục tiêu, chỉ tiêu",
            f"Kết quả thực hiện các chỉ tiêu của Kế hoạch {label} (số liệu tổng hợp trong TreEm"
            f"{', gồm cả số liệu đã nộp chưa duyệt, ghi «tạm tính»' if report.include_submitted else ''}):",
            kind="targets",
        ),
        dx.Section("2. Tình hình báo cáo số liệu", "", kind="completeness"),
    ] + [dx.Section(heading, narrative.get(key, "")) for key, heading in NARRATIVE_SECTIONS[2:]]
    if dash.note:
        sections[2].text += "\n" + dash.note
    checks = computed_lines(dash)
    if checks:
        sections.insert(3, dx.Section("Đối chiếu với số liệu tính từ hồ sơ trong TreEm", "\n".join(checks)))
    if comp.expected:
        completeness_note = (
            f"Kỳ {label}: {comp.submitted}/{comp.expected} đơn vị, cơ quan đã nộp báo cáo "
            f"({comp.rate:.0f}%), {comp.approved} đã được duyệt, {comp.on_time} nộp đúng hạn"
            f"{' (hạn ' + format_vn_date(comp.deadline) + ')' if comp.deadline else ''}."
        )
    else:
        completeness_note = f"Kỳ {label} chưa có đợt báo cáo trong TreEm."
    doc = dx.ReportDocument(
        issuing_body=_lines(report.issuing_body) or issuing_body_lines(report.unit),
        supervising_body=report.supervising_body,
        number=report.number,
        symbol=report.symbol,
        place=report.place,
        date=report.report_date,
        title=report.title,
        intro=report.intro,
        sections=sections,
        rows=target_rows(dash),
        signer_lines=[s.strip() for s in report.signer_lines.split("/") if s.strip()],
        signer_name=report.signer_name,
        recipients=_lines(report.recipients),
        archive=report.archive or "Lưu: VT.",
        kinh_gui=_lines(report.kinh_gui),
        completeness=[
            dx.CompletenessRow(r["reporter"], 1, int(r["submitted"]), int(r["approved"]), int(r["on_time"]))
            for r in comp.rows
        ],
        completeness_note=completeness_note,
        chart_png=chart,
        chart_caption=f"Biểu đồ: số chỉ tiêu theo mức độ thực hiện, {label}",
        period_label=label,
        demo_note=DEMO_NOTE if is_demo_data(report.plan, report.period) else "",
    )
    return doc, dash, comp


@translation.override("vi")
def report_xlsx(
    report: ConsolidatedReport, dash: services.PlanDashboard, comp: services.Completeness
) -> bytes:
    """Every figure of the report: targets, series by period, reporting completeness."""
    targets = []
    for tv in dash.targets:
        for cv in tv.components:
            c = cv.component
            targets.append(
                [
                    tv.target.number,
                    c.indicator_text,
                    c.qualifier,
                    c.get_comparator_display(),
                    float(c.value) if c.value is not None else None,
                    c.get_unit_display(),
                    c.year,
                    "hiện hành" if cv.current else "mốc khác",
                    cv.actual,
                    "có" if cv.provisional else "",
                    cv.target_value,
                    cv.expected,
                    cv.status_label,
                    cv.reason_text,
                    cv.projection,
                    cv.projection_text,
                    ", ".join(tv.leads),
                ]
            )
    series = []
    for tv in dash.targets:
        for cv in tv.components:
            for period, value in cv.series:
                series.append(
                    [tv.target.number, cv.component.indicator_text, cv.component.qualifier, period, value]
                )
    computed = computed_rows(dash, with_reported=True)
    completeness_rows = [
        [
            r["reporter"],
            r["status"],
            "có" if r["submitted"] else "",
            "có" if r["approved"] else "",
            "có" if r["on_time"] else "",
        ]
        for r in comp.rows
    ]
    note = f"{report.title} — {report.unit.full_name}, {period_label(report.period)} (TreEm, {format_vn_date(datetime.date.today())})"
    return workbook(
        [
            (
                "Chỉ tiêu",
                [
                    "Chỉ tiêu số",
                    "Chỉ số",
                    "Điều kiện",
                    "So sánh",
                    "Giá trị mốc",
                    "Đơn vị",
                    "Năm mốc",
                    "Mốc",
                    "Thực hiện",
                    "Tạm tính",
                    "Mức phải đạt",
                    "Lộ trình kỳ này",
                    "Đánh giá",
                    "Lý do",
                    "Dự báo",
                    "Ghi chú dự báo",
                    "Cơ quan chủ trì",
                ],
                targets,
            ),
            ("Chuỗi số liệu", ["Chỉ tiêu số", "Chỉ số", "Điều kiện", "Kỳ", "Giá trị"], series),
            (
                "Tình hình báo cáo",
                ["Đơn vị, cơ quan", "Trạng thái", "Đã nộp", "Đã duyệt", "Đúng hạn"],
                completeness_rows,
            ),
            (
                "Tính từ hồ sơ",
                [*COMPUTED_HEADERS, "Số liệu báo cáo"],
                computed,
            ),
        ],
        note=note,
    )


def filename_base(report: ConsolidatedReport) -> str:
    """'bao-cao-huyen-van-quan-2025S1'."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(report.unit.full_name)).strip("-")
    return f"bao-cao-{slug}-{report.period}"


@register("consolidated_report")
def generate(job, progress) -> dict:
    """The job: build the report and store DOCX, XLSX and (when LibreOffice is there) PDF."""
    from .pdf import ConversionError, docx_to_pdf

    report = ConsolidatedReport.objects.select_related("plan__issuing_unit", "unit").get(
        pk=job.params["report_id"]
    )
    formats = job.params.get("formats") or ["docx", "xlsx", "pdf"]
    doc, dash, comp = build_report_document(report, progress)
    progress(55, "Đang tạo tệp Word")
    docx = dx.build_docx(doc)
    base = filename_base(report)
    files = {"docx": docx}
    if "xlsx" in formats:
        progress(65, "Đang tạo tệp Excel")
        files["xlsx"] = report_xlsx(report, dash, comp)
    warnings = []
    if "pdf" in formats:
        progress(75, "Đang chuyển sang PDF (LibreOffice)")
        try:
            files["pdf"] = docx_to_pdf(docx)
        except ConversionError as exc:
            warnings.append(str(exc))
    with transaction.atomic():
        ids = {}
        for fmt, content in files.items():
            f = ReportFile.objects.create(
                report=report, job=job, format=fmt, filename=f"{base}.{fmt}", content=content
            )
            ids[fmt] = f.pk
    progress(99, "Đang lưu")
    return {"files": ids, "warnings": warnings, "rows": len(doc.rows)}
