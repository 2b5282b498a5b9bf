"""Protection API routes, to include under /api/v1/ (`path("v1/", include("treem.protection.api_urls"))`)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("protection/cases", api.CaseViewSet, basename="protection-case")
router.register("protection/referrals", api.ReferralViewSet, basename="protection-referral")

urlpatterns = [
    path("protection/hotline-111/notifications/", api.HotlineView.as_view(), name="protection-hotline"),
    path("protection/tasks/", api.TaskView.as_view(), name="protection-tasks"),
    path("protection/statistics/", api.StatisticsView.as_view(), name="protection-statistics"),
    path("", include(router.urls)),
]
