"""Monitoring pages (thin): they resolve what the user asked for, check scope, and render what services compute."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from treem.accounts.models import Agency
from treem.accounts.scoping import (
    active_memberships,
    can_edit_unit,
    can_see_unit,
    is_system_admin,
    visible_units,
)
from treem.geo.models import AdministrativeUnit
from treem.indicators.models import Indicator
from treem.plans.models import PlanDocument, PlanStatus, TargetComponent
from treem.plans.selectors import plans_for_user

from . import reports, services
from .forms import ReportForm
from .jobs import enqueue
from .models import ConsolidatedReport, Job, ReportFile
from .periods import parse_period
from .status import STATUS_COLOURS, STATUS_ORDER, Status
from .xlsx import workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": XLSX,
    "pdf": "application/pdf",
}


def _plan(user, plan_id: int) -> PlanDocument:
    return get_object_or_404(plans_for_user(user).select_related("issuing_unit"), pk=plan_id)


def _unit(request, default: AdministrativeUnit | None) -> AdministrativeUnit:
    """The unit asked for (?don-vi=id), else the default, else the user's first unit; 404 outside the user's scope."""
    raw = request.GET.get("don-vi")
    if raw:
        unit = get_object_or_404(AdministrativeUnit, pk=raw) if raw.isdigit() else None
        if unit is None or not can_see_unit(request.user, unit):
            raise Http404("Không có quyền xem đơn vị này.")
        return unit
    if default is not None and can_see_unit(request.user, default):
        return default
    m = active_memberships(request.user).select_related("unit").first()
    if m is None:
        raise PermissionDenied("Tài khoản chưa được phân quyền vào đơn vị nào.")
    return m.unit


def _period(request) -> str | None:
    raw = request.GET.get("ky") or None
    if raw:
        try:
            parse_period(raw)
        except ValueError as exc:
            raise Http404(str(exc)) from exc
    return raw


def _include_submitted(request) -> bool:
    return request.GET.get("nop", "1") != "0"


def _xlsx(filename: str, sheets, note: str = "") -> HttpResponse:
    resp = HttpResponse(workbook(sheets, note=note), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return resp


def _visible_children(user, unit, at, plan=None):
    children = services.child_units(unit, at, plan)
    if is_system_admin(user) or not children:
        return children
    ok = set(visible_units(user).filter(pk__in=[u.pk for u in children]).values_list("pk", flat=True))
    return [u for u in children if u.pk in ok]


@login_required
def index(request):
    """Plans with measurable targets that the user may read, the user's agencies, recent reports."""
    plans = (
        plans_for_user(request.user)
        .filter(status=PlanStatus.ACTIVE)
        .annotate(n=Count("targets__components", filter=Q(targets__components__indicator__isnull=False)))
        .filter(n__gt=0)
        .select_related("issuing_unit")
        .order_by("-issued_on")
    )
    agencies = Agency.objects.filter(memberships__in=active_memberships(request.user)).distinct()
    recent = (
        ConsolidatedReport.objects.filter(plan__in=plans, unit__in=visible_units(request.user).values("id"))[
            :10
        ]
        if not is_system_admin(request.user)
        else ConsolidatedReport.objects.all()[:10]
    )
    return render(request, "analytics/index.html", {"plans": plans, "agencies": agencies, "recent": recent})


@login_required
def plan_dashboard(request, plan_id: int):
    """Every target of a plan with its status colour, actual vs milestone, trend and lead agency."""
    plan = _plan(request.user, plan_id)
    unit = _unit(request, plan.issuing_unit)
    dash = services.plan_dashboard(plan, unit, _period(request), _include_submitted(request))
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                tv.target.number,
                cv.component.indicator_text,
                cv.component.qualifier,
                services.short_milestone(cv.component),
                cv.actual,
                "tạm tính" if cv.provisional else "",
                cv.status_label,
                cv.reason_text,
                cv.projection,
                ", ".join(tv.leads),
            ]
            for tv in dash.targets
            for cv in tv.components
            if cv.current
        ]
        computed = reports.computed_rows(dash)
        sheets = [
            (
                "Chỉ tiêu",
                [
                    "Chỉ tiêu số",
                    "Chỉ số",
                    "Điều kiện",
                    "Mốc",
                    "Thực hiện",
                    "Tạm tính",
                    "Đánh giá",
                    "Lý do",
                    "Dự báo đến năm mốc",
                    "Cơ quan chủ trì",
                ],
                rows,
            )
        ]
        if computed:
            sheets.append(
                (
                    "Tính từ hồ sơ",
                    reports.COMPUTED_HEADERS,
                    computed,
                )
            )
        return _xlsx(
            f"chi-tieu-{plan.pk}-{unit.code}-{dash.period or 'chua-co'}",
            sheets,
            note=f"{plan} — {unit.full_name}, kỳ {dash.period or '—'}",
        )
    at = parse_period(dash.period).end if dash.period else datetime.date.today()
    # read only when the targets table is rendered, not when its cached fragment is served
    parents = SimpleLazyObject(
        lambda: {
            pc.component.pk: pc
            for pc in services.parent_comparison(plan)
            if pc.verdict in ("weaker", "stronger", "same")
        }
    )
    context = {
        "plan": plan,
        "unit": unit,
        "dash": dash,
        "parents": parents,
        "children": _visible_children(request.user, unit, at, plan),
        "counts": [(Status(s), dash.counts[str(s)], STATUS_COLOURS[s]) for s in STATUS_ORDER],
        "include_submitted": _include_submitted(request),
        "can_report": can_edit_unit(request.user, unit),
    }
    return render(request, "analytics/plan_dashboard.html", context)


def _component(plan, component_id) -> TargetComponent:
    return get_object_or_404(
        TargetComponent.objects.select_related("indicator", "target__plan__issuing_unit"),
        pk=component_id,
        target__plan=plan,
    )


@login_required
def target_detail(request, plan_id: int, component_id: int):
    """One target component for a unit: status explained, the series with the milestone, the parent plan's ask."""
    plan = _plan(request.user, plan_id)
    component = _component(plan, component_id)
    unit = _unit(request, plan.issuing_unit)
    dash = services.plan_dashboard(plan, unit, _period(request), _include_submitted(request))
    view = next((c for c in dash.components if c.component.pk == component.pk), None)
    if view is None:
        raise Http404
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            f"chuoi-{component.pk}-{unit.code}",
            [("Chuỗi số liệu", ["Kỳ", "Giá trị"], view.series)],
            note=f"{component} — {unit.full_name}",
        )
    parent = next((p for p in services.parent_comparison(plan) if p.component.pk == component.pk), None)
    chart = {
        "kind": "series",
        "title": component.indicator_text,
        "periods": [p for p, _ in view.series],
        "series": [{"name": unit.full_name, "values": [v for _, v in view.series]}],
        "milestone": view.target_value,
        "milestone_label": f"Mốc {services.short_milestone(component)}",
        "projection": view.projection,
        "milestone_year": component.year,
    }
    return render(
        request,
        "analytics/target_detail.html",
        {
            "plan": plan,
            "component": component,
            "unit": unit,
            "dash": dash,
            "view": view,
            "parent": parent,
            "chart": chart,
            "milestone": services.short_milestone(component),
        },
    )


@login_required
def ranking(request, plan_id: int, component_id: int):
    """The units below a unit ranked on a component's indicator: bar chart, table and a status schematic."""
    plan = _plan(request.user, plan_id)
    component = _component(plan, component_id)
    unit = _unit(request, plan.issuing_unit)
    dash_period = _period(request)
    if dash_period is None:
        dash_period = services.plan_dashboard(plan, unit, None, _include_submitted(request)).period
    rows = (
        services.rank_units(component, unit, dash_period, _include_submitted(request)) if dash_period else []
    )
    if not is_system_admin(request.user):
        ok = set(
            visible_units(request.user).filter(pk__in=[r.unit.pk for r in rows]).values_list("pk", flat=True)
        )
        rows = [r for r in rows if r.unit.pk in ok]
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            f"xep-hang-{component.pk}-{unit.code}-{dash_period}",
            [
                (
                    "Xếp hạng",
                    ["Hạng", "Mã", "Đơn vị", "Giá trị", "Tử số", "Mẫu số", "Tạm tính", "Đánh giá"],
                    [
                        [
                            r.rank,
                            r.unit.code,
                            r.unit.full_name,
                            r.value,
                            r.numerator,
                            r.denominator,
                            "có" if r.provisional else "",
                            r.status_label,
                        ]
                        for r in rows
                    ],
                )
            ],
            note=f"{component} — {unit.full_name}, kỳ {dash_period}",
        )
    chart = {
        "kind": "ranking",
        "title": component.indicator_text,
        "units": [r.unit.name for r in rows if r.value is not None],
        "values": [round(r.value, 4) for r in rows if r.value is not None],
        "colours": [r.colour for r in rows if r.value is not None],
        "milestone": float(component.value)
        if component.comparator in ("lt", "le", "eq", "ge", "gt", "maintain") and component.value is not None
        else None,
    }
    return render(
        request,
        "analytics/ranking.html",
        {
            "plan": plan,
            "component": component,
            "unit": unit,
            "period": dash_period,
            "rows": rows,
            "chart": chart,
            "period_label": parse_period(dash_period).label if dash_period else "",
            "counts": [
                (Status(s), sum(1 for r in rows if r.status == s), STATUS_COLOURS[s]) for s in STATUS_ORDER
            ],
        },
    )


@login_required
def indicator_page(request, indicator_id: int):
    """An indicator's time series for a unit and the units below it, with the milestone line of a plan's component."""
    indicator = get_object_or_404(Indicator, pk=indicator_id)
    unit = _unit(request, None)
    component = None
    if request.GET.get("thanh-phan", "").isdigit():
        component = TargetComponent.objects.filter(
            pk=request.GET["thanh-phan"], indicator=indicator, target__plan__in=plans_for_user(request.user)
        ).first()
    at = unit.valid_to - datetime.timedelta(days=1) if unit.valid_to else datetime.date.today()
    units = [unit] + _visible_children(request.user, unit, at)
    series = services.indicator_series(indicator, units, include_submitted=_include_submitted(request))
    types = sorted(
        {parse_period(p).type for pts in series.values() for p, _ in pts}, key=lambda t: t != "annual"
    )
    ptype = request.GET.get("loai") if request.GET.get("loai") in types else (types[0] if types else "annual")
    periods = sorted(
        {p for pts in series.values() for p, _ in pts if parse_period(p).type == ptype},
        key=lambda c: parse_period(c).time,
    )
    table = [(u, [dict(series[u.pk]).get(p) for p in periods]) for u in units]
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            f"chi-so-{indicator.code}-{unit.code}",
            [
                (
                    indicator.code,
                    ["Mã", "Đơn vị"] + periods,
                    [[u.code, u.full_name] + vals for u, vals in table],
                )
            ],
            note=f"{indicator.name_vi} ({indicator.get_unit_display()})",
        )
    chart = {
        "kind": "series",
        "title": indicator.name_vi,
        "periods": periods,
        "series": [
            {"name": u.full_name, "values": vals} for u, vals in table if any(v is not None for v in vals)
        ][:25],
        "milestone": float(component.value)
        if component
        and component.value is not None
        and component.comparator not in ("reduce_by", "increase_by")
        else None,
        "milestone_label": f"Mốc {services.short_milestone(component)}" if component else "",
    }
    return render(
        request,
        "analytics/indicator.html",
        {
            "indicator": indicator,
            "unit": unit,
            "component": component,
            "periods": periods,
            "table": table,
            "chart": chart,
            "types": [
                (
                    t,
                    {
                        "annual": _("Năm"),
                        "semiannual": _("6 tháng"),
                        "quarterly": _("Quý"),
                        "monthly": _("Tháng"),
                    }[t],
                )
                for t in types
            ],
            "ptype": ptype,
        },
    )


@login_required
def agency_view(request, agency_id: int):
    """The targets an agency leads across plans, with their status, and its overdue reports."""
    agency = get_object_or_404(Agency.objects.select_related("unit"), pk=agency_id)
    if not can_see_unit(request.user, agency.unit):
        raise Http404
    readable = set(plans_for_user(request.user).values_list("pk", flat=True))
    led = [(p, t) for p, t in services.agency_targets(agency) if p.pk in readable]
    dashboards = {
        p.pk: services.plan_dashboard(p, include_submitted=_include_submitted(request))
        for p in {p for p, _ in led}
    }
    rows = []
    for p, t in led:
        tv = next((x for x in dashboards[p.pk].targets if x.target.pk == t.pk), None)
        rows.append((p, tv, dashboards[p.pk].period))
    overdue = list(services.overdue_submissions(agency))
    if request.GET.get("format") == "xlsx":
        if request.GET.get("bang") == "qua-han":
            return _xlsx(
                f"qua-han-{agency.pk}",
                [
                    (
                        "Quá hạn",
                        ["Kế hoạch", "Kỳ", "Hạn", "Trạng thái"],
                        [
                            [str(s.round.plan), s.round.period.code, s.round.deadline, s.get_status_display()]
                            for s in overdue
                        ],
                    )
                ],
            )
        return _xlsx(
            f"chi-tieu-chu-tri-{agency.pk}",
            [
                (
                    "Chỉ tiêu chủ trì",
                    ["Kế hoạch", "Chỉ tiêu", "Kỳ", "Đánh giá"],
                    [
                        [str(p), tv.target.number if tv else "", period, tv.status_label if tv else ""]
                        for p, tv, period in rows
                    ],
                )
            ],
        )
    return render(
        request,
        "analytics/agency.html",
        {"agency": agency, "rows": rows, "overdue": overdue, "today": datetime.date.today()},
    )


def _report_or_404(user, report_id) -> ConsolidatedReport:
    report = get_object_or_404(
        ConsolidatedReport.objects.select_related("plan__issuing_unit", "unit"), pk=report_id
    )
    if not plans_for_user(user).filter(pk=report.plan_id).exists() or not can_see_unit(user, report.unit):
        raise Http404
    return report


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request, plan_id: int):
    """Start a consolidated report for a plan, a unit and a period (the form is pre-filled from the plan)."""
    plan = _plan(request.user, plan_id)
    unit = _unit(request, plan.issuing_unit)
    if not can_edit_unit(request.user, unit):
        raise PermissionDenied("Chỉ người có quyền cập nhật của đơn vị mới lập được báo cáo.")
    period = _period(request) or services.plan_dashboard(plan, unit).period or str(datetime.date.today().year)
    initial = reports.default_report(plan, unit, period, request.user)
    form = ReportForm(request.POST or None, instance=initial)
    if request.method == "POST" and form.is_valid():
        report = form.save()
        job = enqueue("consolidated_report", {"report_id": report.pk}, request.user)
        messages.success(request, _("Đã lưu báo cáo; TreEm đang tạo các tệp Word, Excel và PDF."))
        return redirect(f"{report.get_absolute_url()}?tac-vu={job.pk}")
    return render(
        request,
        "analytics/report_form.html",
        {
            "form": form,
            "plan": plan,
            "unit": unit,
            "period": period,
            "period_label": parse_period(period).label,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, report_id: int):
    """A consolidated report: edit the narrative, generate the files, follow the progress, download."""
    report = _report_or_404(request.user, report_id)
    editable = can_edit_unit(request.user, report.unit)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            form.save()
            job = enqueue("consolidated_report", {"report_id": report.pk}, request.user)
            messages.success(request, _("Đã lưu; đang tạo lại các tệp."))
            return redirect(f"{report.get_absolute_url()}?tac-vu={job.pk}")
    job = None
    if request.GET.get("tac-vu", "").isdigit():
        job = Job.objects.filter(pk=request.GET["tac-vu"], params__report_id=report.pk).first()
    files = ReportFile.objects.filter(report=report).defer("content").order_by("-created_at")
    latest = {}
    for f in files:
        latest.setdefault(f.format, f)
    return render(
        request,
        "analytics/report_detail.html",
        {
            "report": report,
            "form": form,
            "editable": editable,
            "job": job,
            "files": [latest[k] for k in ("docx", "pdf", "xlsx") if k in latest],
            "period_label": parse_period(report.period).label,
        },
    )


@login_required
def report_file(request, file_id: int):
    """Download a generated file."""
    f = get_object_or_404(ReportFile.objects.select_related("report"), pk=file_id)
    _report_or_404(request.user, f.report_id)
    resp = HttpResponse(
        bytes(f.content), content_type=CONTENT_TYPES.get(f.format, "application/octet-stream")
    )
    resp["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    return resp


@login_required
def job_status(request, job_id: int):
    """Progress of a background job as JSON (polled by the progress bar)."""
    job = get_object_or_404(Job, pk=job_id)
    report_id = job.params.get("report_id")
    if report_id:
        _report_or_404(request.user, report_id)
    elif job.created_by_id != request.user.pk:
        raise Http404
    files = [
        {"format": f.format, "filename": f.filename, "url": reverse("analytics:report_file", args=[f.pk])}
        for f in ReportFile.objects.filter(job=job).defer("content")
    ]
    return JsonResponse(
        {
            "status": job.status,
            "progress": job.progress,
            "message": job.message,
            "error": job.message if job.status == "failed" else "",
            "files": files,
            "warnings": (job.result or {}).get("warnings", []),
        }
    )
