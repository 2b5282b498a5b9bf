"""Unit pages: search, a unit with its ancestors, children at a date, successors and agencies; adding a village."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.accounts.scoping import active_memberships, can_manage_unit, visible_units
from treem.core.audit import record_change
from treem.plans.selectors import plans_for_user

from . import services
from .forms import UnitDateForm, UnitSearchForm, VillageForm
from .models import REFORM_DATE, Level

MAX_RESULTS = 200


@login_required
def unit_list(request):
    """The user's own units and a search over the units they may see."""
    form = UnitSearchForm(request.GET or None)
    results = None
    if form.is_valid() and any(form.cleaned_data.values()):
        data = form.cleaned_data
        qs = services.search(data["q"] or "", level=data["level"]).filter(
            id__in=visible_units(request.user).values("id")
        )
        if data["generation"]:
            qs = qs.filter(generation=data["generation"])
        results = list(qs.select_related("parent").order_by("level", "generation", "code")[:MAX_RESULTS])
    memberships = active_memberships(request.user).select_related("unit", "unit__parent", "agency")
    return render(
        request,
        "geo/unit_list.html",
        {"form": form, "results": results, "memberships": memberships, "max_results": MAX_RESULTS},
    )


def _default_date(unit) -> datetime.date:
    """Today, or the unit's last day in force when it no longer is (so its children show)."""
    today = timezone.localdate()
    if unit.valid_to and unit.valid_to <= today:
        return unit.valid_to - datetime.timedelta(days=1)
    if unit.valid_from and unit.valid_from > today:
        return unit.valid_from
    return today


@login_required
def unit_detail(request, pk):
    """A unit the user may see: breadcrumb, children in force at a date, successors, agencies, plans."""
    unit = get_object_or_404(visible_units(request.user).select_related("parent"), pk=pk)
    form = UnitDateForm(request.GET or None)
    at = (form.cleaned_data.get("at") if form.is_valid() else None) or _default_date(unit)
    if not form.is_bound:
        form = UnitDateForm(initial={"at": at})
    chain = list(services.ancestors(unit))
    visible_ids = set(
        visible_units(request.user).filter(pk__in=[u.pk for u in chain]).values_list("pk", flat=True)
    )
    context = {
        "unit": unit,
        "form": form,
        "at": at,
        "today": timezone.localdate(),
        "before_reform": REFORM_DATE - datetime.timedelta(days=1),
        "breadcrumb": [(u, u.pk in visible_ids) for u in chain],
        "children": unit.children.valid_at(at).order_by("level", "code"),
        "successors": [] if unit.is_current else services.successors(unit),
        "predecessors": services.predecessors(unit).select_related("parent"),
        "agencies": unit.agencies.order_by("name"),
        "plans": plans_for_user(request.user).filter(issuing_unit=unit),
        "can_add_village": unit.level == Level.COMMUNE
        and unit.is_current
        and can_manage_unit(request.user, unit),
    }
    return render(request, "geo/unit_detail.html", context)


@login_required
def village_add(request, pk):
    """A manager adds a village or residential group (thôn, tổ dân phố) under a commune in force."""
    commune = get_object_or_404(visible_units(request.user), pk=pk)
    if not can_manage_unit(request.user, commune):
        raise PermissionDenied(_("Chỉ lãnh đạo, quản lý của đơn vị mới được thêm thôn, tổ dân phố."))
    form = VillageForm(request.POST or None)
    if commune.level != Level.COMMUNE:
        form.add_error(None, _("Thôn, tổ dân phố chỉ được thêm dưới một xã, phường, thị trấn hoặc đặc khu."))
    elif not commune.is_current:
        form.add_error(None, _("Đơn vị này đã hết hiệu lực; hãy thêm thôn, tổ dân phố vào đơn vị kế thừa."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            village = services.add_village(
                commune, data["name"], data["type"], data["code"], user=request.user
            )
        except services.UnitError as error:
            form.add_error(None, str(error))
        else:
            record_change(request.user, "create", village, unit=commune)
            messages.success(
                request,
                _("Đã thêm %(name)s vào %(commune)s.")
                % {"name": village.full_name, "commune": commune.full_name},
            )
            return redirect("geo:detail", pk=commune.pk)
    return render(request, "geo/village_form.html", {"unit": commune, "form": form})
