"""Read-only API endpoints; every queryset goes through the scoping helpers and plan selectors."""

from django.templatetags.static import static
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.views import ObtainAuthToken

from treem.accounts.models import Agency
from treem.accounts.scoping import scope, visible_units
from treem.plans.models import Assignment, Target
from treem.plans.selectors import plans_for_user

from . import filters, serializers


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Token first, so an anonymous caller gets 401 with `WWW-Authenticate: Token`."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]


@extend_schema(tags=["units"])
class UnitViewSet(ScopedViewSet):
    """Administrative units the caller may see (their memberships' units, everything below and their successors)."""

    serializer_class = serializers.UnitSerializer
    filterset_class = filters.UnitFilter

    def get_queryset(self):
        return visible_units(self.request.user).order_by("level", "generation", "code")


@extend_schema(tags=["agencies"])
class AgencyViewSet(ScopedViewSet):
    """Agencies of the units the caller may see."""

    serializer_class = serializers.AgencySerializer
    filterset_class = filters.AgencyFilter

    def get_queryset(self):
        return scope(Agency.objects.all(), self.request.user, "unit").order_by("unit_id", "name")


@extend_schema(tags=["plans"])
class PlanViewSet(ScopedViewSet):
    """Plans the caller may read, with the documents they implement and their objectives."""

    filterset_class = filters.PlanFilter

    def get_queryset(self):
        return (
            plans_for_user(self.request.user)
            .prefetch_related("references", "objectives")
            .order_by("-issued_on", "number", "id")
        )

    def get_serializer_class(self):
        return serializers.PlanDetailSerializer if self.action == "retrieve" else serializers.PlanSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["readable_plan_ids"] = set(plans_for_user(self.request.user).values_list("id", flat=True))
        return context


@extend_schema(tags=["targets"])
class TargetViewSet(ScopedViewSet):
    """Targets of the plans the caller may read, with their measurable components."""

    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter

    def get_queryset(self):
        readable = plans_for_user(self.request.user).values("id")
        return (
            Target.objects.filter(plan__in=readable)
            .prefetch_related("components__indicator")
            .order_by("plan_id", "order", "id")
        )


@extend_schema(tags=["assignments"])
class AssignmentViewSet(ScopedViewSet):
    """Assignments (agency → targets and tasks, with a role) of the plans the caller may read."""

    serializer_class = serializers.AssignmentSerializer
    filterset_class = filters.AssignmentFilter

    def get_queryset(self):
        readable = plans_for_user(self.request.user).values("id")
        return (
            Assignment.objects.filter(plan__in=readable)
            .prefetch_related("targets", "tasks")
            .order_by("plan_id", "order", "id")
        )


@extend_schema(tags=["auth"], summary="Lấy token API bằng tên đăng nhập và mật khẩu")
class TokenView(ObtainAuthToken):
    """Exchange a user name and password for the user's API token (send it as `Authorization: Token <key>`)."""


class LocalSwaggerView(SpectacularSwaggerView):
    """Swagger UI served from the locally installed drf-spectacular-sidecar assets (no CDN)."""

    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
