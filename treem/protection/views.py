"""Protection pages: dashboard, case list, intake, case file with its step actions, printed forms, transfers, statistics.

Views are thin: access and every rule live in `policy` and `services`; each page that shows a case logs the view.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from treem.accounts import scoping
from treem.geo.models import AdministrativeUnit
from treem.reporting.periods import PeriodError, parse_period

from . import forms, policy, printing, services, stats
from .codes import FORMS, OPEN_STATUSES, CaseStatus, HarmKind, StepKind, StepStatus
from .models import CasePhoto, PlanItem, Referral, Separation


@dataclass
class Action:
    """A step or action on a case: its form, who may do it, and the service call."""

    title: str
    form: type
    allowed: Callable
    do: Callable
    form_kwargs: Callable = lambda request, access: {}
    files: bool = False


def _step_open(kind):
    return lambda a: a.can_do_step(kind) and services.open_step(a.case, kind) is not None


ACTIONS = {
    "danh-gia-ban-dau": Action(
        gettext_noop("Đánh giá nguy cơ ban đầu (Mẫu 02)"),
        forms.AssessmentForm,
        _step_open(StepKind.INITIAL_ASSESSMENT),
        lambda r, a, d: services.complete_initial_assessment(r.user, a, **d),
        lambda r, a: {"children": services.registry_children(r.user, a.case)},
    ),
    "can-thiep-khan-cap": Action(
        gettext_noop("Can thiệp khẩn cấp (trong 12 giờ)"),
        forms.EmergencyForm,
        _step_open(StepKind.EMERGENCY),
        lambda r, a, d: services.record_emergency(r.user, a, **d),
    ),
    "cach-ly": Action(
        gettext_noop("Tạm thời cách ly trẻ em (Mẫu 07, tối đa 15 ngày)"),
        forms.SeparationForm,
        lambda a: (a.can_work or a.can_decide) and a.case.is_open,
        lambda r, a, d: services.start_separation(r.user, a, **d),
    ),
    "thu-thap-thong-tin": Action(
        gettext_noop("Thu thập thông tin, đánh giá nguy cơ, nhu cầu (Mẫu 03)"),
        forms.InfoForm,
        _step_open(StepKind.INFO_GATHERING),
        lambda r, a, d: services.complete_info_gathering(r.user, a, **d),
    ),
    "them-hoat-dong": Action(
        gettext_noop("Thêm dịch vụ, hoạt động vào kế hoạch (Mẫu 04)"),
        forms.PlanItemForm,
        lambda a: a.can_work and a.case.status in (CaseStatus.ASSESSMENT, CaseStatus.PLANNING),
        lambda r, a, d: services.add_plan_item(r.user, a, **d),
        lambda r, a: {"agencies": services.agencies_for(a.case.commune)},
    ),
    "trinh-ke-hoach": Action(
        gettext_noop("Trình kế hoạch để Chủ tịch UBND xã phê duyệt"),
        forms.SubmitPlanForm,
        _step_open(StepKind.PLAN),
        lambda r, a, d: services.submit_plan(r.user, a, **d),
    ),
    "phe-duyet": Action(
        gettext_noop("Phê duyệt kế hoạch (Mẫu 05)"),
        forms.ApproveForm,
        _step_open(StepKind.APPROVAL),
        lambda r, a, d: services.approve_plan(r.user, a, **d),
    ),
    "tra-lai": Action(
        gettext_noop("Trả lại kế hoạch để sửa"),
        forms.ReasonForm,
        _step_open(StepKind.APPROVAL),
        lambda r, a, d: services.return_plan(r.user, a, **d),
    ),
    "danh-gia-dong": Action(
        gettext_noop("Đánh giá kết quả, đóng hồ sơ (Mẫu 06)"),
        forms.ReviewForm,
        _step_open(StepKind.REVIEW),
        lambda r, a, d: services.review_case(r.user, a, **d),
    ),
    "mo-lai": Action(
        gettext_noop("Mở lại hồ sơ"),
        forms.ReasonForm,
        lambda a: a.can_reopen(),
        lambda r, a, d: services.reopen_case(r.user, a, **d),
    ),
    "dong-y": Action(
        gettext_noop("Ghi nhận sự đồng ý chia sẻ thông tin"),
        forms.ConsentForm,
        lambda a: a.can_work,
        lambda r, a, d: services.record_consent(r.user, a, **d),
    ),
    "chuyen-gui": Action(
        gettext_noop("Chuyển gửi dịch vụ"),
        forms.ReferralForm,
        lambda a: a.can_work and a.case.status != CaseStatus.RECEIVED,
        lambda r, a, d: services.create_referral(r.user, a, **d),
        lambda r, a: {"agencies": services.agencies_for(a.case.commune)},
    ),
    "phan-cong": Action(
        gettext_noop("Phân công người phụ trách"),
        forms.AssignForm,
        lambda a: bool(a.relations & policy.MANAGE_RELATIONS) and a.case.is_open,
        lambda r, a, d: services.assign(r.user, a, d["worker"], d["primary"]),
        lambda r, a: {"workers": services.eligible_workers(a.case.commune)},
    ),
    "chuyen-giao": Action(
        gettext_noop("Chuyển giao hồ sơ"),
        forms.TransferForm,
        lambda a: a.can_manage and a.case.is_open,
        lambda r, a, d: services.request_transfer(
            r.user, a, kind=d["kind"], reason=d["reason"], to_user=d["to_user"], to_unit=d["to_unit_code"]
        ),
        lambda r, a: {"workers": services.eligible_workers(a.case.commune)},
    ),
    "cap-quyen": Action(
        gettext_noop("Cấp quyền xem hồ sơ"),
        forms.GrantForm,
        lambda a: bool(a.relations & (policy.MANAGE_RELATIONS | {policy.CHAIRMAN})),
        lambda r, a, d: services.grant_access(
            r.user,
            a,
            reason=d["reason"],
            to_user=d["to_user"],
            role=d["role"],
            unit=d["unit"],
            sensitive=d["sensitive"],
            expires_at=d["expires_at"],
        ),
    ),
    "anh": Action(
        gettext_noop("Thêm ảnh"),
        forms.PhotoForm,
        lambda a: a.can_work,
        lambda r, a, d: services.add_photo(
            r.user, a, content=d["photo"].read(), content_type=d["photo"].content_type, caption=d["caption"]
        ),
        files=True,
    ),
}


def _detail(access) -> str:
    return reverse("protection:case", args=[access.case.uid])


@login_required
def dashboard(request):
    """My tasks and their deadlines, overdue steps, my cases by status and kind, average time per step."""
    cases = policy.visible_cases(request.user)
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    tasks = services.tasks_for(request.user)
    my_cases = list(services.my_cases(request.user)[:100])
    services.log_list(request.user, {t.case for t in tasks} | set(my_cases))
    return render(
        request,
        "protection/dashboard.html",
        {
            "tasks": tasks,
            "my_cases": my_cases,
            "now": services.cal.now(),
            "overdue": [t for t in tasks if t.overdue],
            "overdue_steps": services.overdue_steps(request.user)[:50],
            "by_status": stats.counts_by(open_cases, "status"),
            "by_kind": stats.counts_by(cases, "harm_kind"),
            "step_times": stats.average_step_days(cases),
            "incoming": services.incoming_transfers(request.user),
            "can_intake": services.intake_communes(request.user).exists(),
        },
    )


@login_required
def case_list(request):
    """The cases the user may see (need-to-know), filtered by status and kind."""
    qs = policy.visible_cases(request.user).select_related("commune", "child")
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if kind in HarmKind.values:
        qs = qs.filter(harm_kind=kind)
    cases = list(qs.order_by("-received_at")[:200])
    services.log_list(request.user, cases)
    return render(
        request,
        "protection/case_list.html",
        {
            "cases": cases,
            "status": status,
            "kind": kind,
            "statuses": CaseStatus.choices,
            "kinds": HarmKind.choices,
        },
    )


@login_required
def intake(request):
    """Record a notification (Mẫu 01); it goes at once to the commune where it happened."""
    communes = services.intake_communes(request.user)
    if not communes.exists():
        raise PermissionDenied(_("Vai trò của bạn không ghi nhận tin báo."))
    form = forms.IntakeForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("commune", "channel")}
        try:
            case, _created = services.intake(
                request.user, form.cleaned_data["commune"], form.cleaned_data["channel"], data
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(
                request,
                _("Đã ghi nhận hồ sơ %(number)s, chuyển về %(unit)s.")
                % {"number": case.number, "unit": case.commune.full_name},
            )
            if policy.visible_cases(request.user).filter(pk=case.pk).exists():
                return redirect("protection:case", uid=case.uid)
            return redirect("protection:dashboard")
    return render(request, "protection/intake.html", {"form": form})


@login_required
def case_detail(request, uid):
    """A case file: what the user may see of it, its steps and deadlines, and the actions open to them (logged)."""
    access = services.get_case_for(request.user, uid)
    case = access.case
    content = access.sees(policy.CONTENT)
    steps = list(case.steps.select_related("completed_by").order_by("cycle", "opened_at", "id"))
    ctx = {
        "access": access,
        "case": case,
        "view": services.case_view(access),
        "steps": steps,
        "plan_items": case.plan_items.filter(cycle=case.cycle),
        "referrals": case.referrals.select_related("to_agency", "to_unit"),
        "separations": case.separations.all(),
        "consents": case.consents.all(),
        "consent": services.consent_status(case),
        "assignments": case.assignments.filter(active=True).select_related("user"),
        "transfers": case.transfers.all()[:10],
        "grants": case.grants.filter(revoked_at__isnull=True) if access.can_manage else [],
        "photos": case.photos.all() if content else [],
        "content": content,
        "actions": [(slug, _(a.title)) for slug, a in ACTIONS.items() if a.allowed(access)],
        "forms": sorted(FORMS.items()),
        "now_open": StepStatus.OPEN,
        "is_police": policy.POLICE in access.relations,
    }
    return render(request, "protection/case_detail.html", ctx)


@login_required
def case_action(request, uid, action):
    """One step or action on a case: its form and the service it calls."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("Không có thao tác này.")
    access = services.get_case_for(request.user, uid, purpose=spec.title)
    if not spec.allowed(access):
        raise PermissionDenied(_("Bạn không thực hiện được thao tác này trên hồ sơ."))
    kwargs = spec.form_kwargs(request, access)
    form = (
        spec.form(request.POST or None, request.FILES or None, **kwargs)
        if spec.files
        else spec.form(request.POST or None, **kwargs)
    )
    if request.method == "POST" and form.is_valid():
        try:
            spec.do(request, access, form.cleaned_data)
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, _("Đã lưu: %(title)s.") % {"title": _(spec.title)})
            return redirect(_detail(access))
    return render(
        request,
        "protection/action.html",
        {
            "form": form,
            "title": _(spec.title),
            "case": access.case,
            "view": services.case_view(access),
            "multipart": spec.files,
        },
    )


@login_required
def plan_item(request, uid, pk):
    """Record delivery of a plan service, or remove it while the plan is drafted."""
    access = services.get_case_for(request.user, uid, purpose="hoạt động của kế hoạch")
    item = get_object_or_404(PlanItem, pk=pk, case=access.case)
    if not access.can_work:
        raise PermissionDenied(_("Bạn không cập nhật được hoạt động này."))
    form = forms.PlanItemDoneForm(request.POST or None, initial={"done": item.done, "result": item.result})
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                services.delete_plan_item(request.user, access, item)
                return redirect(_detail(access))
            if form.is_valid():
                services.update_plan_item(request.user, access, item, **form.cleaned_data)
                return redirect(_detail(access))
        except ValidationError as error:
            form.apply(error)
    return render(
        request,
        "protection/action.html",
        {
            "form": form,
            "title": _("Hoạt động: %(service)s") % {"service": item.service},
            "case": access.case,
            "view": services.case_view(access),
            "delete": True,
        },
    )


@login_required
def referral(request, uid, pk):
    """Update a referral: accepted / refused → done, with its outcome (case workers; police for their referrals)."""
    access = services.get_case_for(request.user, uid, purpose="chuyển gửi")
    ref = get_object_or_404(Referral, pk=pk, case=access.case)
    if not services.can_respond_referral(request.user, ref):
        raise PermissionDenied(_("Bạn không cập nhật được chuyển gửi này."))
    form = forms.ReferralUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_referral(request.user, ref, **form.cleaned_data)
        except ValidationError as error:
            form.apply(error)
        else:
            return redirect(_detail(access))
    return render(
        request,
        "protection/action.html",
        {
            "form": form,
            "title": _("Chuyển gửi: %(service)s") % {"service": ref.get_service_display()},
            "case": access.case,
            "view": services.case_view(access),
        },
    )


@login_required
def separation(request, uid, pk):
    """End a temporary separation (the child returns or goes to alternative care)."""
    access = services.get_case_for(request.user, uid, purpose="tạm thời cách ly")
    sep = get_object_or_404(Separation, pk=pk, case=access.case, ended_at__isnull=True)
    if not (access.can_work or access.can_decide):
        raise PermissionDenied(_("Bạn không kết thúc được cách ly này."))
    form = forms.EndSeparationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_separation(request.user, access, sep, form.cleaned_data["outcome"])
        except ValidationError as error:
            form.apply(error)
        else:
            return redirect(_detail(access))
    return render(
        request,
        "protection/action.html",
        {
            "form": form,
            "title": _("Kết thúc tạm thời cách ly"),
            "case": access.case,
            "view": services.case_view(access),
        },
    )


@login_required
@require_POST
def unassign(request, uid, pk):
    """End an assignment."""
    access = services.get_case_for(request.user, uid, purpose="thôi phân công")
    services.unassign(request.user, access, get_object_or_404(access.case.assignments, pk=pk, active=True))
    return redirect(_detail(access))


@login_required
@require_POST
def revoke(request, uid, pk):
    """Revoke an explicit grant."""
    access = services.get_case_for(request.user, uid, purpose="thu hồi quyền")
    services.revoke_grant(
        request.user, access, get_object_or_404(access.case.grants, pk=pk, revoked_at__isnull=True)
    )
    return redirect(_detail(access))


@login_required
def print_form(request, uid, form_no):
    """An official form of the case as DOCX (Decree 30 format), as the user may see it; logged."""
    if form_no not in FORMS:
        raise Http404("Không có mẫu này.")
    access = services.get_case_for(request.user, uid, purpose=f"in Mẫu {form_no}")
    data = printing.render(access, form_no, request.user)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="{access.case.number}-mau-{form_no}.docx"'
    return response


@login_required
def photo(request, uid, pk):
    """A photo of the case, for users allowed the case's content; logged."""
    access = services.get_case_for(request.user, uid, purpose="xem ảnh")
    if not access.sees(policy.CONTENT):
        raise PermissionDenied(_("Vai trò của bạn không được xem ảnh của hồ sơ."))
    p = get_object_or_404(CasePhoto, pk=pk, case=access.case)
    response = HttpResponse(p.content, content_type=p.content_type)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def transfers(request):
    """Transfers waiting for the user's acceptance (shown without opening the case)."""
    return render(
        request, "protection/transfers.html", {"incoming": services.incoming_transfers(request.user)}
    )


@login_required
def transfer_respond(request, pk):
    """Accept or refuse a transfer."""
    t = get_object_or_404(services.incoming_transfers(request.user), pk=pk)
    form = forms.TransferResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_transfer(
                request.user, t, accept=form.cleaned_data["accept"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, _("Đã trả lời chuyển giao."))
            return redirect("protection:dashboard")
    return render(request, "protection/transfer_respond.html", {"form": form, "transfer": t})


def _stats_units(user):
    roots = AdministrativeUnit.objects.filter(id__in=scoping.active_memberships(user).values("unit_id"))
    if scoping.is_system_admin(user):
        return list(AdministrativeUnit.objects.current().filter(level__lte=1).order_by("level", "code"))
    children = AdministrativeUnit.objects.filter(parent__in=roots).filter(
        id__in=scoping.visible_units(user).values("id")
    )
    return list(roots) + list(children.order_by("code")[:200])


@login_required
def statistics(request):
    """Counts by unit for a period (children harmed, supported, criterion 6, timeliness); small counts suppressed."""
    period = request.GET.get("period") or str(services.cal.today().year)
    error = ""
    try:
        parse_period(period)
        rows = stats.unit_table(_stats_units(request.user), period)
    except PeriodError as e:
        rows, error = [], str(e)
    if request.GET.get("format") == "csv" and not error:
        return _csv(request, period)
    return render(
        request,
        "protection/statistics.html",
        {"rows": rows, "period": period, "error": error, "columns": stats.TABLE_COLUMNS},
    )


def _csv(request, period):
    """The statistics as CSV: codes, units and counts only, small counts suppressed (logged export)."""
    from treem.core.audit import record_change

    units = _stats_units(request.user)
    rows = stats.suppress(stats.case_values(list(stats.DATA_ELEMENTS), units, period))
    names = {u.pk: (u.code, u.full_name) for u in units}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bao-ve-tre-em-{period}.csv"'
    response.write("\ufeff")
    w = csv.writer(response)
    w.writerow(["ma_don_vi", "don_vi", "ky", "ma_chi_tieu", "chi_tieu", "phan_to", "gia_tri"])
    for r in rows:
        code, name = names.get(r["unit_id"], ("", ""))
        w.writerow(
            [
                code,
                name,
                r["period"],
                r["data_element"],
                stats.DATA_ELEMENTS[r["data_element"]][0],
                stats.combo_label(r["combo"]),
                "<5" if r["suppressed"] else r["value"],
            ]
        )
    if units:
        record_change(
            request.user,
            "export",
            units[0],
            {"rows": len(rows)},
            reason=f"xuất thống kê bảo vệ trẻ em {period}",
        )
    return response
