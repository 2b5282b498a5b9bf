"""Reporting pages (thin: the rules are in the services)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from treem.accounts import scoping
from treem.geo.models import AdministrativeUnit
from treem.indicators.models import DataElement
from treem.indicators.rules import total_combo
from treem.plans.models import TargetComponent

from . import access, completeness, excel
from .aggregation import aggregate, area_totals, indicator_values
from .entry import Change, SaveRejected, save_values, today
from .forms import Dhis2ImportForm, ReasonForm, UploadForm
from .models import (
    DataValue,
    Notification,
    Period,
    Round,
    Submission,
    SubmissionStatus,
    ValueSource,
    ValueStatus,
)
from .rounds import area_communes, plan_elements
from .services import ALL_STATUSES, form_layout, form_units
from .workflow import WorkflowError, approve, reopen, return_for_correction, submit


def _submission(request, pk) -> Submission:
    """A submission the user may open — 404 otherwise (nothing tells that it exists)."""
    sub = (
        access.submissions_for(request.user)
        .select_related("round__plan__issuing_unit", "round__period", "unit", "agency")
        .filter(pk=pk)
        .first()
    )
    if sub is None:
        raise Http404("Không tìm thấy báo cáo.")
    return sub


def _issues(request, issues, level=messages.ERROR):
    for issue in issues[:200]:
        messages.add_message(request, level, issue.message)
    if len(issues) > 200:
        more = len(issues) - 200
        messages.add_message(
            request, level, ngettext("… và %(n)s lỗi khác.", "… và %(n)s lỗi khác.", more) % {"n": more}
        )


@login_required
def index(request):
    """My reports (as reporter), reports waiting for my approval, rounds in my scope, my notifications."""
    on = today()
    own = (
        access.own_submissions(request.user)
        .filter(round__active=True)
        .select_related("round__period", "round__plan", "unit", "agency")
        .order_by("-round__deadline", "agency__name", "unit__code")
    )
    waiting = (
        access.managed_submissions(request.user)
        .filter(status=SubmissionStatus.SUBMITTED)
        .select_related("round__period", "round__plan", "unit", "agency")
        .order_by("round__deadline")
    )
    visible = access.submissions_for(request.user)
    rounds = (
        Round.objects.filter(
            pk__in=visible.values("round_id"), active=True, opens_on__lte=on + datetime.timedelta(days=60)
        )
        .select_related("period", "plan")
        .order_by("-deadline")[:30]
    )
    round_rates = [(r, completeness.rate_of(visible.filter(round=r))) for r in rounds]
    notes = Notification.objects.filter(user=request.user, read_at__isnull=True)[:10]
    return render(
        request,
        "reporting/index.html",
        {
            "demo": DataValue.objects.filter(source=ValueSource.DEMO).exists(),
            "own": own[:100],
            "waiting": waiting[:100],
            "round_rates": round_rates,
            "notes": notes,
            "today": on,
        },
    )


@login_required
def round_detail(request, pk):
    """A round: its dates, the area that reports (and why, after the reform), completeness up the
    hierarchy, every expected reporter with its status, and the area totals — live."""
    rnd = get_object_or_404(
        Round.objects.select_related("plan__issuing_unit", "period", "requirement"), pk=pk
    )
    visible = access.submissions_for(request.user).filter(round=rnd)
    if not visible.exists():
        raise Http404("Không tìm thấy kỳ báo cáo.")
    subs = visible.select_related("unit", "agency").order_by("agency__name", "unit__code")
    managed = set(access.managed_submissions(request.user).filter(round=rnd).values_list("pk", flat=True))
    communes, note = area_communes(rnd.plan, rnd.deadline)
    seen_units = set(
        scoping.visible_units(request.user)
        .filter(pk__in=[c.pk for c in communes])
        .values_list("pk", flat=True)
    )
    area = [c for c in communes if c.pk in seen_units]
    include_drafts = request.GET.get("nhap") == "1"
    statuses = ALL_STATUSES if include_drafts else (ValueStatus.SUBMITTED, ValueStatus.APPROVED)
    elements = [de for des in plan_elements(rnd.plan).values() for de in des]
    totals, rate_rows = {}, []
    if area:
        rows = area_totals(elements, [rnd.period], area, statuses=statuses, combos=[total_combo()])
        totals = {r.data_element_id: r for r in rows}
        comps = TargetComponent.objects.filter(target__plan=rnd.plan, indicator__isnull=False).select_related(
            "indicator", "target"
        )
        values = {v.indicator_id: v for v in indicator_values({c.indicator for c in comps}, rows=rows)}
        seen = set()
        for c in comps.order_by("target__order", "order"):
            if c.indicator_id not in seen:
                seen.add(c.indicator_id)
                rate_rows.append((c, values.get(c.indicator_id)))
    unique_elements = list(dict.fromkeys(elements))
    return render(
        request,
        "reporting/round.html",
        {
            "round": rnd,
            "subs": subs,
            "managed": managed,
            "area": area,
            "area_all": len(area) == len(communes),
            "note": note,
            "hierarchy": [
                (u, rate)
                for u, rate in completeness.hierarchy(rnd)
                if u.pk in set(scoping.context_units(request.user).values_list("pk", flat=True))
            ]
            if managed
            else [],
            "rate": completeness.rate_of(visible),
            "totals": totals,
            "elements": unique_elements,
            "rate_rows": rate_rows,
            "include_drafts": include_drafts,
            "today": today(),
            "demo": DataValue.objects.filter(period=rnd.period, source=ValueSource.DEMO).exists(),
        },
    )


@login_required
def form(request, pk):
    """The form of a submission for one of its units: values, last period's values, comments."""
    sub = _submission(request, pk)
    units = list(form_units(sub))
    if not units:
        raise Http404("Báo cáo không có đơn vị nào.")
    code = request.GET.get("don-vi") or request.POST.get("don-vi")
    unit = next((u for u in units if u.code == code), units[0])
    on = today()
    editable, why = access.can_edit(request.user, sub, on)
    typed, errors, warnings = {}, [], []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(why)
        layout = form_layout(sub, unit)
        changes = []
        for block in layout:
            for row in block.rows:
                if not row.owned:
                    continue
                for cell in row.cells:
                    key = f"{row.element.pk}-{cell.combo.pk}"
                    if f"v-{key}" not in request.POST:
                        continue
                    raw = request.POST.get(f"v-{key}", "").strip()
                    comment = request.POST.get(f"c-{key}", "").strip()
                    try:
                        version = int(request.POST.get(f"ver-{key}", "0") or 0)
                    except ValueError:
                        version = -1
                    typed[key] = (raw, comment)
                    changes.append(Change(row.element.pk, cell.combo.pk, unit.pk, raw, comment, version))
        try:
            result = save_values(sub, request.user, changes, source=ValueSource.FORM, on=on)
        except SaveRejected as e:
            errors = e.errors
            if e.conflict:
                messages.error(
                    request, _("Có người khác đã sửa số liệu này trong lúc bạn nhập: chưa lưu gì cả.")
                )
        else:
            messages.success(
                request,
                ngettext(
                    "Đã lưu %(saved)s giá trị (%(unchanged)s không đổi).",
                    "Đã lưu %(saved)s giá trị (%(unchanged)s không đổi).",
                    result.saved,
                )
                % {"saved": result.saved, "unchanged": result.unchanged},
            )
            _issues(request, result.warnings, messages.WARNING)
            return redirect(f"{sub.get_absolute_url()}?don-vi={unit.code}")
    layout = form_layout(sub, unit)
    bad = {(e.data_element, e.combo) for e in errors}
    for block in layout:
        for row in block.rows:
            for cell in row.cells:
                key = f"{row.element.pk}-{cell.combo.pk}"
                if key in typed:
                    cell.typed, cell.typed_comment = typed[key]
                cell.error = (row.element.pk, cell.combo.pk) in bad
    steps = sub.steps.select_related("user").order_by("at")
    level = access.approval_level(request.user, sub)
    return render(
        request,
        "reporting/form.html",
        {
            "sub": sub,
            "round": sub.round,
            "unit": unit,
            "units": units,
            "layout": layout,
            "editable": editable,
            "why": why,
            "typed": typed,
            "errors": errors,
            "warnings": warnings,
            "steps": steps,
            "can_manage": level is not None,
            "is_reporter": access.is_reporter(request.user, sub),
            "reason_form": ReasonForm(),
            "upload_form": UploadForm(),
            "owned_count": sum(1 for b in layout for r in b.rows if r.owned),
        },
    )


def _workflow(request, pk, action):
    sub = _submission(request, pk)
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            warnings = submit(sub, request.user)
            messages.success(request, _("Đã nộp báo cáo."))
            _issues(request, warnings, messages.WARNING)
        elif action == "approve":
            approve(sub, request.user, comment)
            messages.success(request, _("Đã duyệt: số liệu đã khóa và được cộng vào tổng hợp các cấp."))
        elif action == "return":
            return_for_correction(sub, request.user, comment)
            messages.success(request, _("Đã trả lại báo cáo để sửa."))
        elif action == "reopen":
            reopen(sub, request.user, comment)
            messages.success(request, _("Đã mở lại báo cáo."))
    except WorkflowError as e:
        messages.error(request, str(e))
        _issues(request, e.issues)
    return redirect(request.POST.get("next") or sub.get_absolute_url())


@login_required
@require_POST
def do_submit(request, pk):
    return _workflow(request, pk, "submit")


@login_required
@require_POST
def do_approve(request, pk):
    return _workflow(request, pk, "approve")


@login_required
@require_POST
def do_return(request, pk):
    return _workflow(request, pk, "return")


@login_required
@require_POST
def do_reopen(request, pk):
    return _workflow(request, pk, "reopen")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def excel_download(request, pk):
    """The pre-filled workbook of one submission."""
    sub = _submission(request, pk)
    content = excel.build_workbook(sub.round, request.user, submissions=[sub])
    return _xlsx(content, excel.filename(sub.round, sub))


@login_required
def round_excel_download(request, pk):
    """One workbook for every form of a round the user may fill (a manager's communes)."""
    rnd = get_object_or_404(Round, pk=pk)
    subs = excel.fillable_submissions(rnd, request.user)
    if not subs:
        raise Http404("Không có báo cáo nào bạn được nhập trong kỳ này.")
    return _xlsx(excel.build_workbook(rnd, request.user, submissions=subs), excel.filename(rnd))


def _upload(request, rnd, back):
    form_ = UploadForm(request.POST, request.FILES)
    if not form_.is_valid():
        for errs in form_.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect(back)
    try:
        result = excel.apply_workbook(rnd, request.user, form_.cleaned_data["file"])
    except excel.WorkbookRejected as e:
        messages.error(
            request,
            ngettext(
                "Tệp bị từ chối, CHƯA ghi giá trị nào: %(n)s lỗi.",
                "Tệp bị từ chối, CHƯA ghi giá trị nào: %(n)s lỗi.",
                len(e.errors),
            )
            % {"n": len(e.errors)},
        )
        return render(
            request,
            "reporting/upload_errors.html",
            {"round": rnd, "errors": e.errors, "back": back},
            status=400,
        )
    messages.success(
        request,
        ngettext(
            "Đã nhận tệp: %(saved)s giá trị được ghi, %(unchanged)s không đổi.",
            "Đã nhận tệp: %(saved)s giá trị được ghi, %(unchanged)s không đổi.",
            result.saved,
        )
        % {"saved": result.saved, "unchanged": result.unchanged},
    )
    _issues(request, result.warnings, messages.WARNING)
    return redirect(back)


@login_required
@require_POST
def excel_upload(request, pk):
    sub = _submission(request, pk)
    return _upload(request, sub.round, sub.get_absolute_url())


@login_required
@require_POST
def round_excel_upload(request, pk):
    rnd = get_object_or_404(Round, pk=pk)
    if not access.submissions_for(request.user).filter(round=rnd).exists():
        raise Http404
    return _upload(request, rnd, rnd.get_absolute_url())


@login_required
def missing(request):
    """Who has not reported: every open or past form in the user's scope not yet submitted."""
    on = today()
    subs = completeness.not_reported(access.submissions_for(request.user), on)
    return render(request, "reporting/missing.html", {"subs": subs[:500], "count": subs.count(), "today": on})


@login_required
def totals(request):
    """Values summed at a unit and each unit below it, for a period — straight from the value table."""
    visible = scoping.visible_units(request.user)
    periods = Period.objects.filter(values__isnull=False).distinct().order_by("-start")
    code = request.GET.get("ky") or (periods.first().code if periods.exists() else "")
    period = Period.objects.filter(code=code).first()
    unit_id = request.GET.get("don-vi")
    unit = visible.filter(pk=unit_id).first() if unit_id and unit_id.isdigit() else None
    if unit is None:
        roots = scoping.active_memberships(request.user).values("unit_id")
        unit = visible.filter(pk__in=roots).order_by("level").first() or visible.order_by("level").first()
    include_drafts = request.GET.get("nhap") == "1"
    statuses = ALL_STATUSES if include_drafts else (ValueStatus.SUBMITTED, ValueStatus.APPROVED)
    children = list(visible.filter(parent=unit).order_by("code")) if unit else []
    if unit and not children:
        # An abolished district: show the communes that succeeded it.
        children = list(visible.filter(predecessions__predecessor__parent=unit).distinct().order_by("code"))
    rows, elements = {}, []
    if unit and period:
        agg = aggregate(None, [period], [unit, *children], statuses=statuses, combos=[total_combo()])
        for r in agg:
            rows.setdefault(r.data_element_id, {})[r.unit_id] = r.value
        elements = list(DataElement.objects.filter(pk__in=rows).order_by("code"))
    table = (
        [(de, rows[de.pk].get(unit.pk), [rows[de.pk].get(c.pk) for c in children]) for de in elements]
        if unit
        else []
    )
    return render(
        request,
        "reporting/totals.html",
        {
            "unit": unit,
            "children": children,
            "table": table,
            "periods": periods[:40],
            "period": period,
            "include_drafts": include_drafts,
            "ancestors": list(
                AdministrativeUnit.objects.filter(
                    descendant_links__descendant=unit, pk__in=visible.values("id")
                )
                .exclude(pk=unit.pk)
                .order_by("level")
            )
            if unit
            else [],
        },
    )


@login_required
def notifications(request):
    notes = Notification.objects.filter(user=request.user)[:200]
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("reporting:notifications")
    return render(request, "reporting/notifications.html", {"notes": notes})


@login_required
def dhis2(request):
    """Export values as DHIS2 dataValueSets (JSON or CSV) and import them (managers, within their units)."""
    from . import dhis2 as exchange

    import_form = Dhis2ImportForm()
    summary = None
    if request.method == "POST":
        import_form = Dhis2ImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            f = import_form.cleaned_data["file"]
            raw = f.read()
            fmt = "csv" if f.name.lower().endswith(".csv") else "json"
            summary = exchange.import_values(
                raw, fmt, request.user, dry_run=import_form.cleaned_data["dry_run"]
            )
    elif "ky" in request.GET:
        fmt = request.GET.get("dinh-dang", "json")
        try:
            content, ctype, name = exchange.export_for_user(
                request.user,
                request.GET.get("ky", ""),
                request.GET.get("don-vi", ""),
                fmt,
                children=request.GET.get("cap-duoi") == "1",
            )
        except exchange.ExchangeError as e:
            messages.error(request, str(e))
        else:
            response = HttpResponse(content, content_type=ctype)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    periods = (
        Period.objects.filter(Q(values__isnull=False) | Q(rounds__isnull=False))
        .distinct()
        .order_by("-start")[:40]
    )
    return render(
        request, "reporting/dhis2.html", {"import_form": import_form, "summary": summary, "periods": periods}
    )
