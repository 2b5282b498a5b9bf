"""REST API routes: /api/v1/ (read-only, scoped), the OpenAPI schema and its Swagger UI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from treem.registry.api import register as register_registry

from . import views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("targets", views.TargetViewSet, basename="target")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
register_registry(router)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/reporting/", include("treem.reporting.api")),
    path("v1/", include("treem.protection.api_urls")),
    path("v1/auth/token/", views.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", views.LocalSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
