"""Registry pages: list and search, a child's record, edits, exports, imports, the review queue."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from treem.accounts.scoping import visible_units
from treem.core.models import AuditEvent
from treem.core.text import fold

from . import exports, imports, jobs, linkage, policy, services
from .codes import DEFAULT_ETHNIC_LIST, Article10, ChildStatus, ethnic_groups
from .connectors import RegisterUnavailable
from .forms import (
    CaregiverForm,
    ChildForm,
    ChildSearchForm,
    CircumstanceForm,
    DecisionForm,
    LinkageRunForm,
    MappingForm,
    MeasurementForm,
    SchoolingForm,
    SupportForm,
    UploadForm,
    VaccinationForm,
)
from .models import (
    Caregiver,
    Child,
    EpiDose,
    GrowthMeasurement,
    ImportBatch,
    LinkageRun,
    MatchCandidate,
    MergeEvent,
    Schooling,
    SpecialCircumstance,
    Support,
    Vaccination,
)

PAGE_SIZE = 50


def _child_or_404(request, uid, purpose=""):
    try:
        return services.get_child_for(request.user, uid, purpose=purpose)
    except (Child.DoesNotExist, ValueError) as exc:
        raise Http404("Không tìm thấy hồ sơ trẻ em.") from exc


def _communes(user):
    from treem.geo.models import AdministrativeUnit, Level

    return (
        AdministrativeUnit.objects.current()
        .filter(level=Level.COMMUNE, id__in=visible_units(user).values("id"))
        .select_related("parent")
        .order_by("code")
    )


def search_children(user, data: dict):
    """The children a user may see, filtered by a search form's cleaned data."""
    qs = policy.visible_children(user).select_related("commune")
    status = data.get("status")
    qs = (
        qs.filter(status=status)
        if status
        else qs.filter(status__in=[ChildStatus.ACTIVE, ChildStatus.PROVISIONAL])
    )
    if data.get("q"):
        for word in fold(data["q"]).split():
            qs = qs.filter(name_folded__contains=word)
    if data.get("commune"):
        qs = qs.filter(commune=data["commune"])
    if data.get("born_from"):
        qs = qs.filter(birth_date__year__gte=data["born_from"])
    if data.get("born_to"):
        qs = qs.filter(birth_date__year__lte=data["born_to"])
    if data.get("sex"):
        qs = qs.filter(sex=data["sex"])
    if data.get("group"):
        allowed = policy.Access(user)
        qs = qs.filter(circumstances__group=data["group"]).distinct()
        if not allowed.admin:
            qs = qs.filter(commune_id__in=allowed.unit_ids(policy.CIRCUMSTANCES))
    return qs


@login_required
def child_list(request):
    """Search the children of the user's units; export the result."""
    form = ChildSearchForm(request.GET or None, user=request.user, communes=_communes(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    qs = search_children(request.user, data)
    page = Paginator(qs.order_by("name_folded", "birth_date", "pk"), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    query = request.GET.copy()
    query.pop("trang", None)
    access = policy.Access(request.user)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_add": _communes_editable(request.user),
        "can_link": access.can_link(),
        "total": page.paginator.count,
    }
    return render(request, "registry/child_list.html", context)


def _communes_editable(user) -> bool:
    from .forms import commune_queryset

    return commune_queryset(user).exists()


@login_required
def child_export(request, fmt):
    """Export the searched list as CSV or XLSX with the fields the role may see (logged)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = ChildSearchForm(request.GET or None, user=request.user, communes=_communes(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    content, name, ctype = exports.export_children(
        request.user, search_children(request.user, data), fmt, filters=request.GET.dict()
    )
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def child_detail(request, uid):
    """A child's record (logged read): identity, residence, caregivers, circumstances, schooling, health, history."""
    child = _child_or_404(request, uid, purpose="xem hồ sơ")
    access = policy.Access(request.user)
    groups = access.groups(child)
    doses = {(v.antigen, v.dose): v for v in child.vaccinations.all()}
    schedule = [(d, doses.get((d.antigen, d.dose))) for d in EpiDose.objects.filter(schedule="tt10_2024")]
    history = child_history(child)
    context = {
        "child": child,
        "data": services.child_view(child, access),
        "groups": groups,
        "can_edit": access.can_edit(child),
        "caregivers": child.caregivers.all(),
        "circumstances": child.circumstances.prefetch_related("supports")
        if policy.CIRCUMSTANCES in groups
        else None,
        "schooling": child.schooling.all(),
        "schedule": schedule,
        "measurements": child.measurements.all(),
        "history": history,
        "merged_from": child.merged_records.all(),
        "merges": MergeEvent.objects.filter(survivor=child, undone_at__isnull=True),
        "links": child.register_links.all(),
        "today": timezone.localdate(),
        "show_identity": policy.IDENTITY in groups,
        "ethnicity": ethnic_groups(child.ethnicity_list or DEFAULT_ETHNIC_LIST).get(child.ethnicity_code, ""),
    }
    return render(request, "registry/child_detail.html", context)


def child_history(child, limit: int = 50):
    """Audit events of the child and of its related records (field names only; values of personal fields are not logged)."""
    from django.db.models import Q

    q = Q(object_type="registry.child", object_id=str(child.pk))
    related = {
        "registry.caregiver": child.caregivers.values_list("pk", flat=True),
        "registry.specialcircumstance": child.circumstances.values_list("pk", flat=True),
        "registry.schooling": child.schooling.values_list("pk", flat=True),
        "registry.vaccination": child.vaccinations.values_list("pk", flat=True),
        "registry.growthmeasurement": child.measurements.values_list("pk", flat=True),
    }
    for label, ids in related.items():
        ids = [str(i) for i in ids]
        if ids:
            q |= Q(object_type=label, object_id__in=ids)
    if child.import_batch_id:
        q |= Q(
            object_type="registry.importbatch", object_id=str(child.import_batch_id), reason__contains="ghi"
        )
    from django.apps import apps

    events = list(AuditEvent.objects.filter(q).select_related("user")[:limit])
    for e in events:
        e.kind = apps.get_model(e.object_type)._meta.verbose_name
    return events


@login_required
def child_create(request):
    """Add a child to the registry (audited)."""
    form = ChildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.create_child(request.user, form.child_data())
        except services.RegistryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Đã thêm hồ sơ {child.full_name}.")
            return redirect("registry:detail", uid=child.uid)
    if not form.fields["commune"].queryset.exists():
        raise PermissionDenied("Bạn không có quyền thêm hồ sơ trẻ em.")
    return render(request, "registry/child_form.html", {"form": form})


@login_required
def child_edit(request, uid):
    """Change a child's record (audited; sensitive fields only for roles allowed them)."""
    child = _child_or_404(request, uid, purpose="sửa hồ sơ")
    if not policy.Access(request.user).can_edit(child):
        raise PermissionDenied("Bạn không có quyền sửa hồ sơ này.")
    form = ChildForm(request.POST or None, instance=Child.objects.get(pk=child.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_child(
                request.user, child, form.child_data(), reason=request.POST.get("reason", "")[:500]
            )
        except services.RegistryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Đã lưu thay đổi.")
            return redirect("registry:detail", uid=child.uid)
    return render(request, "registry/child_form.html", {"form": form, "child": child})


RELATED_FORMS = {
    "nguoi-cham-soc": (CaregiverForm, Caregiver, services.save_caregiver, "Người chăm sóc"),
    "hoan-canh": (CircumstanceForm, SpecialCircumstance, services.save_circumstance, "Hoàn cảnh đặc biệt"),
    "tro-giup": (SupportForm, Support, services.save_support, "Trợ giúp"),
    "hoc-tap": (SchoolingForm, Schooling, services.save_schooling, "Học tập"),
    "can-do": (MeasurementForm, GrowthMeasurement, services.add_measurement, "Cân đo"),
    "tiem-chung": (VaccinationForm, Vaccination, None, "Tiêm chủng"),
}


@login_required
def related_add(request, uid, kind):
    """Add a caregiver, circumstance, support, schooling year, measurement or dose to a child (audited)."""
    if kind not in RELATED_FORMS:
        raise Http404
    child = _child_or_404(request, uid, purpose="sửa hồ sơ")
    access = policy.Access(request.user)
    if not access.can_edit(child) or (
        kind in ("hoan-canh", "tro-giup") and not access.sees(child, policy.CIRCUMSTANCES)
    ):
        raise PermissionDenied("Bạn không có quyền thêm thông tin này.")
    form_class, model, save, title = RELATED_FORMS[kind]
    kwargs = {"child": child} if form_class is SupportForm else {}
    form = form_class(request.POST or None, **kwargs)
    if kind == "nguoi-cham-soc" and not access.sees(child, policy.IDENTITY):
        form.fields.pop("personal_id")
    if request.method == "POST" and form.is_valid():
        try:
            if kind == "tiem-chung":
                d = form.cleaned_data
                services.record_vaccination(
                    request.user, child, d["dose"].antigen, d["dose"].dose, d["date"], d["place"]
                )
            else:
                obj = form.save(commit=False)
                if kind != "tro-giup":
                    obj.child = child
                save(request.user, obj)
        except services.RegistryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Đã thêm: {title.lower()}.")
            return redirect("registry:detail", uid=child.uid)
    return render(request, "registry/related_form.html", {"form": form, "child": child, "title": title})


@login_required
@require_POST
def related_delete(request, uid, kind, pk):
    """Delete a related record of a child (audited)."""
    if kind not in RELATED_FORMS:
        raise Http404
    child = _child_or_404(request, uid, purpose="sửa hồ sơ")
    model = RELATED_FORMS[kind][1]
    lookup = {"circumstance__child": child} if model is Support else {"child": child}
    obj = get_object_or_404(model, pk=pk, **lookup)
    services.delete_related(request.user, obj, reason=request.POST.get("reason", "")[:500])
    messages.success(request, "Đã xóa.")
    return redirect("registry:detail", uid=child.uid)


# ---------------------------------------------------------------------------------------- imports


def _batch_or_404(request, uid) -> ImportBatch:
    batch = ImportBatch.objects.filter(uid=uid, uploaded_by=request.user).select_related("unit").first()
    if batch is None:
        raise Http404("Không tìm thấy lần nhập này.")
    return batch


@login_required
def import_list(request):
    """The user's uploads and a form to upload a new list."""
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            batch = imports.upload(
                request.user,
                form.cleaned_data["unit"],
                f.name,
                f.read(),
                sheet=form.cleaned_data["sheet"],
                list_generation=form.cleaned_data["list_generation"],
                ethnicity_list=form.cleaned_data["ethnicity_list"],
            )
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("registry:import_detail", uid=batch.uid)
    batches = ImportBatch.objects.filter(uploaded_by=request.user).select_related("unit")[:30]
    return render(request, "registry/import_list.html", {"form": form, "batches": batches})


@login_required
def import_detail(request, uid):
    """Map the columns, check, read the row-by-row report, apply; progress while a step runs."""
    batch = _batch_or_404(request, uid)
    form = MappingForm(request.POST or None, batch=batch)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "check" and form.is_valid():
                imports.set_mapping(request.user, batch, form.mapping())
                ImportBatch.objects.filter(pk=batch.pk).update(skip_errors=form.cleaned_data["skip_errors"])
                jobs.start_check(request.user, batch)
                return redirect("registry:import_detail", uid=batch.uid)
            if action == "apply":
                batch.refresh_from_db()
                imports.precheck_apply(request.user, batch)
                jobs.start_apply(request.user, batch)
                return redirect("registry:import_detail", uid=batch.uid)
            if action == "discard" and batch.status not in (
                ImportBatch.Status.APPLIED,
                ImportBatch.Status.APPLYING,
            ):
                imports.discard(request.user, batch)
                messages.info(request, "Đã hủy lần nhập này.")
                return redirect("registry:import_list")
        except imports.ImportRefused as exc:
            messages.error(request, str(exc))
            return redirect("registry:import_detail", uid=batch.uid)
    batch.refresh_from_db()
    sev = request.GET.get("muc") or ""
    report = imports.issues_by_row(batch, severity=sev or None)
    context = {
        "batch": batch,
        "form": form,
        "report": report,
        "severity": sev,
        "progress": imports.get_progress(batch),
        "running": batch.status in (ImportBatch.Status.CHECKING, ImportBatch.Status.APPLYING),
        "counts": batch.counts or {},
    }
    return render(request, "registry/import_detail.html", context)


@login_required
def import_progress(request, uid):
    """Progress of the running step (JSON, polled by the page)."""
    return JsonResponse(imports.get_progress(_batch_or_404(request, uid)))


@login_required
def import_report(request, uid):
    """The full row-by-row report as CSV."""
    batch = _batch_or_404(request, uid)
    response = HttpResponse("\ufeff" + imports.report_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bao-cao-nhap-{batch.uid.hex[:8]}.csv"'
    return response


# ---------------------------------------------------------------------------------------- linkage


@login_required
def review_list(request):
    """Pending pairs that may be the same child, and runs to start."""
    access = policy.Access(request.user)
    if not access.can_link():
        raise PermissionDenied("Bạn không có quyền tìm trùng, đối chiếu hồ sơ trẻ em.")
    units = (
        policy.units_for_roles(request.user, policy.LINKAGE_ROLES)
        .current()
        .filter(level__lte=3)
        .order_by("level", "code")
    )
    form = LinkageRunForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["kind"] == "dedupe":
                run = linkage.run_dedupe(request.user, form.cleaned_data["unit"])
            else:
                run = linkage.run_register(request.user, form.cleaned_data["unit"])
        except (linkage.LinkageError, RegisterUnavailable) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Đã xét {run.n_records} hồ sơ: {run.n_auto} cặp khớp chắc chắn, {run.n_review} cặp cần xem xét.",
            )
        return redirect("registry:review")
    page = Paginator(linkage.review_queue(request.user), 30).get_page(request.GET.get("trang"))
    runs = LinkageRun.objects.filter(started_by=request.user)[:10]
    return render(request, "registry/review_list.html", {"page": page, "form": form, "runs": runs})


@login_required
def review_pair(request, pk):
    """Two records side by side (reads logged); decide: same child (merge) or not."""
    try:
        cand = linkage.get_candidate_for(request.user, pk)
    except MatchCandidate.DoesNotExist as exc:
        raise Http404("Không tìm thấy cặp hồ sơ.") from exc
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            linkage.decide(
                request.user,
                cand,
                form.cleaned_data["decision"] == "accept",
                keep=form.cleaned_data.get("keep") or "left",
            )
        except linkage.LinkageError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Đã ghi quyết định.")
            return redirect("registry:review")
    access = policy.Access(request.user)
    left = services.child_view(cand.left, access)
    right = services.child_view(cand.right, access) if cand.right_id else cand.register_data
    rows = [
        ("Họ và tên", left.get("full_name"), right.get("full_name"), "given"),
        (
            "Ngày sinh",
            left.get("birth_date_display"),
            right.get("birth_date_display") or right.get("birth_date"),
            "dob",
        ),
        ("Giới tính", left.get("sex"), right.get("sex"), "sex"),
        ("Xã, phường", left.get("commune"), right.get("commune") or right.get("commune_code"), "commune"),
    ]
    if "personal_id" in left:
        rows.append(("Số định danh", left.get("personal_id"), right.get("personal_id"), "personal_id"))
    return render(request, "registry/review_pair.html", {"cand": cand, "rows": rows, "form": form})


@login_required
@require_POST
def merge_undo(request, pk):
    """Undo a merge (the records and their related data are separated again)."""
    event = get_object_or_404(MergeEvent, pk=pk, survivor__in=policy.linkable_children(request.user))
    try:
        linkage.undo_merge(request.user, event)
    except linkage.LinkageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã hoàn tác việc gộp hồ sơ.")
    return redirect("registry:detail", uid=event.survivor.uid)


# ---------------------------------------------------------------------------------------- indicators


@login_required
def stats(request):
    """Registry-computed indicators for the user's units (counts only, no names)."""
    from .indicators import DEFINITIONS, registry_values

    try:
        year = int(request.GET.get("nam") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    end = min(datetime.date(year, 12, 31), timezone.localdate())
    from treem.accounts.scoping import active_memberships

    units = [m.unit for m in active_memberships(request.user).select_related("unit")]
    rows = registry_values(None, units, end)
    for r in rows:
        r["label"] = DEFINITIONS[r["indicator"]].label
        r["unit"] = next(u for u in units if u.id == r["unit_id"])
        r["value"] = round(100 * r["numerator"] / r["denominator"], 1) if r["denominator"] else None
    return render(
        request, "registry/stats.html", {"rows": rows, "year": year, "end": end, "groups": Article10.choices}
    )
