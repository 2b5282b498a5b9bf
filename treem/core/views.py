"""Home page and health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from treem.accounts.scoping import active_memberships


def healthz(request):
    """Liveness and database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    """The user's starting page: their memberships and the plans that concern them."""
    from treem.plans.selectors import plans_for_user

    memberships = active_memberships(request.user).select_related("unit", "agency")
    plans = plans_for_user(request.user).select_related("issuing_unit")[:12]
    return render(request, "core/home.html", {"memberships": memberships, "plans": plans})
