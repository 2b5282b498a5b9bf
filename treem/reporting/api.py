"""REST API of reporting (DRF), mounted by the lead under /api/v1/reporting/:

    path("v1/reporting/", include("treem.reporting.api"))   # in treem/api/urls.py

- GET  rounds/, rounds/{id}/                      rounds with at least one form the caller may open
- GET  submissions/, submissions/{id}/             the caller's forms (scoped like the pages)
- GET  submissions/{id}/values/                     values with their versions
- POST submissions/{id}/values/                     [{dataElement, categoryOptionCombo, orgUnit, value, comment, version}]
                                                    → 200, 400 (every error listed) or 409 (someone changed a value)
- POST submissions/{id}/submit|approve|return|reopen/   {comment}
- GET  dataValueSets?period=2025S1&orgUnit=184&children=true[&format=csv]
- POST dataValueSets[?dryRun=true&importStrategy=…] (application/json or application/csv) → DHIS2 ImportSummary
"""

import json

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from treem.geo.models import AdministrativeUnit
from treem.indicators.models import CategoryOptionCombo, DataElement

from . import access
from . import dhis2 as exchange
from .entry import Change, SaveRejected, save_values, today
from .models import DataValue, Round, Submission, ValueSource
from .workflow import WorkflowError, approve, reopen, return_for_correction, submit


class RoundSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code")
    period_label = serializers.CharField(source="period.label")
    plan = serializers.CharField(source="plan.__str__")

    class Meta:
        model = Round
        fields = [
            "id",
            "plan",
            "plan_id",
            "period",
            "period_label",
            "frequency",
            "reporters",
            "data_from",
            "data_to",
            "opens_on",
            "deadline",
            "locks_on",
            "area_note",
            "active",
        ]


class SubmissionSerializer(serializers.ModelSerializer):
    reporter = serializers.CharField(source="reporter_name")
    unit_code = serializers.CharField(source="unit.code")
    period = serializers.CharField(source="round.period.code")
    deadline = serializers.DateField(source="round.deadline")

    class Meta:
        model = Submission
        fields = [
            "id",
            "round_id",
            "period",
            "deadline",
            "reporter",
            "unit_code",
            "agency_id",
            "status",
            "version",
            "submitted_at",
            "approved_level",
            "approved_at",
            "return_comment",
        ]


class ValueSerializer(serializers.ModelSerializer):
    dataElement = serializers.CharField(source="data_element.code")
    categoryOptionCombo = serializers.CharField(source="combo.code")
    orgUnit = serializers.CharField(source="unit.code")
    period = serializers.CharField(source="period.code")

    class Meta:
        model = DataValue
        fields = [
            "dataElement",
            "categoryOptionCombo",
            "orgUnit",
            "period",
            "value",
            "comment",
            "status",
            "version",
            "followup",
            "updated_at",
        ]


class ValueInSerializer(serializers.Serializer):
    dataElement = serializers.CharField()
    categoryOptionCombo = serializers.CharField(required=False, default="default")
    orgUnit = serializers.CharField()
    value = serializers.CharField(allow_blank=True, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, default=0)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RoundSerializer

    def get_queryset(self):
        visible = access.submissions_for(self.request.user)
        return (
            Round.objects.filter(pk__in=visible.values("round_id"))
            .select_related("period", "plan")
            .order_by("-deadline")
        )


class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SubmissionSerializer
    filterset_fields = ["status", "round"]

    def get_queryset(self):
        return (
            access.submissions_for(self.request.user)
            .select_related("round__period", "unit", "agency")
            .order_by("-round__deadline", "pk")
        )

    @extend_schema(request=ValueInSerializer(many=True), responses={200: ValueSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def values(self, request, pk=None):
        sub = self.get_object()
        units = AdministrativeUnit.objects.filter(pk__in=sub.responsibilities.values("unit_id"))
        if request.method == "GET":
            qs = (
                DataValue.objects.filter(
                    period=sub.round.period,
                    unit__in=units,
                    data_element__in=sub.responsibilities.values("data_element_id"),
                )
                .select_related("data_element", "combo", "unit", "period")
                .order_by("unit__code", "data_element__code", "combo__code")
            )
            return Response(ValueSerializer(qs, many=True).data)
        ser = ValueInSerializer(data=request.data, many=True)
        ser.is_valid(raise_exception=True)
        de_by_code = {d.code: d.pk for d in DataElement.objects.all()}
        combo_by_code = {c.code: c.pk for c in CategoryOptionCombo.objects.all()}
        unit_by_code = {u.code: u.pk for u in units}
        errors, changes = [], []
        for i, item in enumerate(ser.validated_data):
            de, combo, unit = (
                de_by_code.get(item["dataElement"]),
                combo_by_code.get(item["categoryOptionCombo"]),
                unit_by_code.get(item["orgUnit"]),
            )
            if de is None or combo is None or unit is None:
                errors.append(
                    {"index": i, "message": "Mã phần tử, phân tổ hoặc đơn vị không thuộc báo cáo này."}
                )
                continue
            changes.append(
                Change(de, combo, unit, item["value"], item["comment"], item["version"], where=f"[{i}]")
            )
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            result = save_values(sub, request.user, changes, source=ValueSource.API)
        except SaveRejected as e:
            code = status.HTTP_409_CONFLICT if e.conflict else status.HTTP_400_BAD_REQUEST
            if not e.conflict and not access.can_edit(request.user, sub, today())[0]:
                code = status.HTTP_403_FORBIDDEN
            return Response({"errors": [{"message": x.message} for x in e.errors]}, status=code)
        return Response(
            {
                "saved": result.saved,
                "unchanged": result.unchanged,
                "warnings": [w.message for w in result.warnings],
            }
        )

    def _step(self, request, name: str):
        sub = self.get_object()
        ser = CommentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        comment = ser.validated_data["comment"]
        warnings = []
        try:
            if name == "submit":
                warnings = submit(sub, request.user)
            elif name == "approve":
                approve(sub, request.user, comment)
            elif name == "return":
                return_for_correction(sub, request.user, comment)
            else:
                reopen(sub, request.user, comment)
        except WorkflowError as e:
            return Response(
                {"detail": str(e), "errors": [i.message for i in e.issues]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        sub.refresh_from_db()
        return Response({**SubmissionSerializer(sub).data, "warnings": [w.message for w in warnings]})

    @extend_schema(request=CommentSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, "submit")

    @extend_schema(request=CommentSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, "approve")

    @extend_schema(request=CommentSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._step(request, "return")

    @extend_schema(request=CommentSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._step(request, "reopen")


class CsvParser(BaseParser):
    media_type = "application/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class TextCsvParser(CsvParser):
    media_type = "text/csv"


class CsvRenderer(BaseRenderer):
    """Lets `?format=csv` through content negotiation (the view returns the file itself)."""

    media_type = "application/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8")


class DataValueSetsView(APIView):
    """DHIS2-compatible dataValueSets: export (GET) and import (POST, JSON or CSV)."""

    parser_classes = [JSONParser, CsvParser, TextCsvParser]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CsvRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="2025, 2025S1, 2025Q1, 202501"),
            OpenApiParameter("orgUnit", str, required=False),
            OpenApiParameter("children", bool, required=False),
            OpenApiParameter("format", str, required=False, description="json (mặc định) hoặc csv"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        fmt = (
            "csv"
            if request.query_params.get("format") == "csv" or "csv" in request.headers.get("Accept", "")
            else "json"
        )
        try:
            content, ctype, name = exchange.export_for_user(
                request.user,
                request.query_params.get("period", ""),
                request.query_params.get("orgUnit", ""),
                fmt,
                children=request.query_params.get("children", "true").lower() != "false",
            )
        except exchange.ExchangeError as e:
            return Response({"detail": str(e)}, status=status.HTTP_400_BAD_REQUEST)
        return HttpResponse(content, content_type=ctype)

    @extend_schema(request=dict, responses={200: dict, 409: dict})
    def post(self, request):
        is_csv = "csv" in (request.content_type or "")
        raw = request.data if is_csv else json.dumps(request.data)
        try:
            summary = exchange.import_values(
                raw,
                "csv" if is_csv else "json",
                request.user,
                dry_run=request.query_params.get("dryRun", "false").lower() == "true",
                strategy=request.query_params.get("importStrategy", "CREATE_AND_UPDATE"),
            )
        except exchange.ExchangeError as e:
            return Response({"detail": str(e)}, status=status.HTTP_400_BAD_REQUEST)
        body, code = exchange.web_message(summary)
        return Response(body, status=code)


router = SimpleRouter()
router.register("rounds", RoundViewSet, basename="reporting-round")
router.register("submissions", SubmissionViewSet, basename="reporting-submission")

urlpatterns = [
    *router.urls,
    path("dataValueSets", DataValueSetsView.as_view(), name="reporting-datavaluesets"),
]
