"""Plan pages: the list with filters, a plan with its cascade, targets, assignments, tasks and reporting; a target."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from . import services
from .forms import PlanFilter
from .models import AssignmentRole, Target
from .selectors import plans_for_user

PAGE_SIZE = 30
ROLE_ORDER = [AssignmentRole.LEAD, AssignmentRole.GUIDE, AssignmentRole.COORDINATE]


@login_required
def plan_list(request):
    """Plans the user may read, filtered and searched."""
    filterset = PlanFilter(
        request.GET or None,
        queryset=plans_for_user(request.user).select_related("issuing_unit"),
        request=request,
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "plans/plan_list.html", {"filter": filterset, "page": page, "query": query.urlencode()}
    )


def _readable_levels(user, levels):
    """Keep, level by level, only the plans the user may read (dropping emptied levels)."""
    ids = {p.pk for level in levels for p in level}
    readable = set(plans_for_user(user).filter(pk__in=ids).values_list("pk", flat=True))
    kept = [[p for p in level if p.pk in readable] for level in levels]
    return [level for level in kept if level]


def _matrix(targets, assignments):
    """Rows of the agency × target matrix: (agency name, [(target, roles)], tasks), one row per agency."""
    rows: dict = {}
    for a in assignments:
        key = a.agency_id or a.agency_name
        row = rows.setdefault(
            key,
            {
                "name": a.agency.name if a.agency_id else a.agency_name,
                "roles": {},
                "tasks": [],
                "kinds": set(),
            },
        )
        row["kinds"].add(a.role)
        for t in a.targets.all():
            row["roles"].setdefault(t.pk, set()).add(a.role)
        row["tasks"].extend(t for t in a.tasks.all() if t not in row["tasks"])
    return [
        {
            "name": row["name"],
            "cells": [(t, [r for r in ROLE_ORDER if r in row["roles"].get(t.pk, ())]) for t in targets],
            "tasks": row["tasks"],
            "roles": [r for r in ROLE_ORDER if r in row["kinds"]],
        }
        for row in rows.values()
    ]


def _lead_agencies(target):
    """Names of the agencies leading a target (from prefetched assignments)."""
    return [
        a.agency.name if a.agency_id else a.agency_name
        for a in target.assignments.all()
        if a.role == AssignmentRole.LEAD
    ]


@login_required
def plan_detail(request, pk):
    """A plan the user may read, with everything it says."""
    plan = get_object_or_404(
        plans_for_user(request.user).select_related("issuing_unit", "issuing_agency"), pk=pk
    )
    targets = list(
        plan.targets.select_related("objective").prefetch_related("components", "assignments__agency")
    )
    for t in targets:
        t.lead_agencies = _lead_agencies(t)
    assignments = list(plan.assignments.select_related("agency").prefetch_related("targets", "tasks"))
    readable_refs = set(
        plans_for_user(request.user)
        .filter(pk__in=[r.referenced_id for r in plan.references.all() if r.referenced_id])
        .values_list("pk", flat=True)
    )
    context = {
        "plan": plan,
        "references": [
            (r, r.referenced_id in readable_refs) for r in plan.references.select_related("referenced")
        ],
        "above": list(reversed(_readable_levels(request.user, services.cascade_above(plan)))),
        "below": _readable_levels(request.user, services.cascade_below(plan)),
        "objectives": plan.objectives.all(),
        "targets": targets,
        "component_count": sum(len(t.components.all()) for t in targets),
        "matrix": _matrix(targets, assignments),
        "assignments": assignments,
        "tasks": plan.tasks.prefetch_related("assignments__agency"),
        "reporting": plan.reporting_requirements.all(),
        "roles": AssignmentRole,
    }
    return render(request, "plans/plan_detail.html", context)


@login_required
def target_detail(request, plan_pk, pk):
    """A target of a plan the user may read: its text, components and the agencies assigned to it."""
    readable = Target.objects.filter(plan__in=plans_for_user(request.user).values("id"))
    target = get_object_or_404(
        readable.select_related("plan", "plan__issuing_unit", "objective"), pk=pk, plan_id=plan_pk
    )
    siblings = list(target.plan.targets.values_list("pk", flat=True))
    index = siblings.index(target.pk)
    assignments = list(target.assignments.select_related("agency").order_by("order"))
    context = {
        "target": target,
        "plan": target.plan,
        "components": target.components.all(),
        "assignments": sorted(assignments, key=lambda a: ROLE_ORDER.index(a.role)),
        "previous": target.plan.targets.get(pk=siblings[index - 1]) if index > 0 else None,
        "next": target.plan.targets.get(pk=siblings[index + 1]) if index + 1 < len(siblings) else None,
    }
    return render(request, "plans/target_detail.html", context)
