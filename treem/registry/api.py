"""REST endpoints of the registry (mounted under /api/v1/ by the api app through :func:`register`).

Children are scoped by commune through ``policy``; sensitive fields appear only for roles allowed them;
every child returned (list or detail) is logged as a read; writes go through the audited services.
"""

import datetime

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from treem.accounts.scoping import visible_units
from treem.core.audit import record_access
from treem.core.text import fold
from treem.geo.models import AdministrativeUnit

from . import indicators, linkage, policy, services
from .cleaning import ERROR, resolve_date, split_date
from .codes import ChildStatus, DatePrecision
from .models import Child, GrowthMeasurement, MatchCandidate, Vaccination


class ChildSerializer(serializers.ModelSerializer):
    """A child as the caller may see it (sensitive fields dropped for roles not allowed them)."""

    uid = serializers.UUIDField(read_only=True)
    commune = serializers.SlugRelatedField(
        slug_field="code", queryset=AdministrativeUnit.objects.current().filter(level=3)
    )
    birth_date = serializers.CharField(
        required=False, allow_blank=True, help_text="05/03/2019, 03/2019, 2019 hoặc 2019-03-05"
    )
    birth_date_display = serializers.CharField(read_only=True)

    class Meta:
        model = Child
        fields = [
            "uid",
            "full_name",
            "birth_date",
            "birth_date_precision",
            "birth_date_display",
            "sex",
            "ethnicity_code",
            "ethnicity_list",
            "personal_id",
            "birth_registration",
            "birth_registration_date",
            "birth_registration_place",
            "commune",
            "village_name",
            "address",
            "disability_type",
            "disability_level",
            "status",
            "fully_immunised_on",
        ]
        read_only_fields = ["birth_date_precision", "fully_immunised_on"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["birth_date"] = instance.birth_date.isoformat() if instance.birth_date else None
        groups = self.context["access"].groups(instance)
        for group, names in policy.CHILD_FIELDS.items():
            if group not in groups:
                for n in names:
                    data.pop(n, None)
        return data

    def validate_birth_date(self, value):
        if not value:
            return None, DatePrecision.DAY
        result = resolve_date(split_date(value), "dmy", "Ngày sinh", value)
        errors = [i.message for i in result.issues if i.severity == ERROR]
        if errors:
            raise ValidationError(errors[0])
        return result.value, result.extra.get("precision", DatePrecision.DAY)

    def validate_status(self, value):
        if value == ChildStatus.MERGED:
            raise ValidationError("Chỉ gộp hồ sơ qua chức năng gộp.")
        return value

    def service_data(self) -> dict:
        data = dict(self.validated_data)
        if "birth_date" in data:
            data["birth_date"], data["birth_date_precision"] = data.pop("birth_date")
        return data


class MeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = GrowthMeasurement
        fields = [
            "id",
            "measured_on",
            "weight_kg",
            "lenhei_cm",
            "measure",
            "oedema",
            "age_days",
            "zlen",
            "zwei",
            "zwfl",
            "zbmi",
            "flen",
            "fwei",
            "fwfl",
            "fbmi",
            "stunted",
            "underweight",
            "wasted",
            "overweight",
            "obese",
        ]
        read_only_fields = [
            "age_days",
            "zlen",
            "zwei",
            "zwfl",
            "zbmi",
            "flen",
            "fwei",
            "fwfl",
            "fbmi",
            "stunted",
            "underweight",
            "wasted",
            "overweight",
            "obese",
        ]


class VaccinationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vaccination
        fields = ["id", "antigen", "dose", "date", "place"]


class CandidateSerializer(serializers.ModelSerializer):
    left = serializers.UUIDField(source="left.uid")
    right = serializers.UUIDField(source="right.uid", allow_null=True, default=None)

    class Meta:
        model = MatchCandidate
        fields = ["id", "left", "right", "register_key", "probability", "method", "reasons", "status"]


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    keep = serializers.ChoiceField(choices=["left", "right"], default="left")


class RegistryValueSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField()
    indicator = serializers.CharField()
    numerator_element = serializers.CharField()
    denominator_element = serializers.CharField(allow_null=True)
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    n_records = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    source = serializers.CharField()


class _Auth:
    authentication_classes = [TokenAuthentication, SessionAuthentication]


def _denied(exc):
    return PermissionDenied(str(exc.args[0]) if exc.args else "Không có quyền.")


@extend_schema(tags=["registry"])
class ChildViewSet(
    _Auth,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Children of the caller's communes. Every child returned is logged as read; writes are audited."""

    serializer_class = ChildSerializer
    lookup_field = "uid"
    filterset_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = (
            policy.visible_children(self.request.user).select_related("commune").order_by("name_folded", "pk")
        )
        p = self.request.query_params
        if self.action == "list":
            qs = qs.exclude(status=ChildStatus.MERGED)
            for word in fold(p.get("q", "")).split():
                qs = qs.filter(name_folded__contains=word)
            if p.get("commune"):
                qs = qs.filter(commune__code=p["commune"])
            if p.get("born_from", "").isdigit():
                qs = qs.filter(birth_date__year__gte=int(p["born_from"]))
            if p.get("born_to", "").isdigit():
                qs = qs.filter(birth_date__year__lte=int(p["born_to"]))
        return qs

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        ctx["access"] = policy.Access(self.request.user)
        return ctx

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="họ tên (không dấu cũng được)"),
            OpenApiParameter("commune", str, description="mã xã (5 số)"),
            OpenApiParameter("born_from", int),
            OpenApiParameter("born_to", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        results = (
            response.data.get("results", response.data) if isinstance(response.data, dict) else response.data
        )
        uids = [r["uid"] for r in results]
        for child in Child.objects.filter(uid__in=uids):
            record_access(request.user, child, channel="api", purpose="danh sách")
        return response

    def get_object(self):
        try:
            return services.get_child_for(self.request.user, self.kwargs["uid"], channel="api")
        except (Child.DoesNotExist, ValueError) as exc:
            raise NotFound("Không tìm thấy hồ sơ trẻ em.") from exc

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            child = services.create_child(request.user, ser.service_data(), source="api")
        except services.RegistryError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from exc
        return Response(self.get_serializer(child).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        child = self.get_object()
        ser = self.get_serializer(child, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        try:
            child = services.update_child(request.user, child, ser.service_data())
        except services.RegistryError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from exc
        return Response(self.get_serializer(child).data)

    @extend_schema(request=MeasurementSerializer, responses=MeasurementSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def measurements(self, request, uid=None):
        """Growth measurements with WHO z-scores; POST adds one (z-scores computed)."""
        child = self.get_object()
        if request.method == "POST":
            ser = MeasurementSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            try:
                m = services.add_measurement(
                    request.user, GrowthMeasurement(child=child, **ser.validated_data)
                )
            except services.RegistryError as exc:
                raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
            except DjangoPermissionDenied as exc:
                raise _denied(exc) from exc
            return Response(MeasurementSerializer(m).data, status=status.HTTP_201_CREATED)
        return Response(MeasurementSerializer(child.measurements.all(), many=True).data)

    @extend_schema(request=VaccinationSerializer, responses=VaccinationSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def vaccinations(self, request, uid=None):
        """Doses received; POST records one of the EPI schedule."""
        child = self.get_object()
        if request.method == "POST":
            ser = VaccinationSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            d = ser.validated_data
            try:
                v = services.record_vaccination(
                    request.user, child, d["antigen"], d["dose"], d["date"], d.get("place", "")
                )
            except services.RegistryError as exc:
                raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
            except DjangoPermissionDenied as exc:
                raise _denied(exc) from exc
            return Response(VaccinationSerializer(v).data, status=status.HTTP_201_CREATED)
        return Response(VaccinationSerializer(child.vaccinations.all(), many=True).data)


@extend_schema(tags=["registry"])
class MatchCandidateViewSet(_Auth, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Pairs awaiting review whose two records the caller may link; POST …/decide/ to merge or reject."""

    serializer_class = CandidateSerializer

    def get_queryset(self):
        return linkage.review_queue(self.request.user).order_by("-probability", "pk")

    @extend_schema(request=DecisionSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Accept (merge, or link to the register) or reject a pair."""
        ser = DecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            cand = linkage.get_candidate_for(request.user, int(pk))
            cand = linkage.decide(
                request.user, cand, ser.validated_data["accept"], ser.validated_data["keep"]
            )
        except MatchCandidate.DoesNotExist as exc:
            raise NotFound("Không tìm thấy cặp hồ sơ.") from exc
        except linkage.LinkageError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from exc
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from exc
        return Response(CandidateSerializer(cand).data)


@extend_schema(tags=["registry"])
class RegistryValueViewSet(_Auth, viewsets.ViewSet):
    """Indicators computed from the registry per unit (counts only), for units the caller may see."""

    @extend_schema(
        parameters=[
            OpenApiParameter("units", str, required=True, description="id đơn vị, cách nhau bởi dấu phẩy"),
            OpenApiParameter("period_end", datetime.date, required=True),
            OpenApiParameter("period_start", datetime.date),
            OpenApiParameter(
                "indicators",
                str,
                description="mã chỉ số, cách nhau bởi dấu phẩy (mặc định: tất cả chỉ số sổ tính được)",
            ),
        ],
        responses=RegistryValueSerializer(many=True),
    )
    def list(self, request):
        p = request.query_params
        try:
            ids = [int(x) for x in p.get("units", "").split(",") if x.strip()]
            end = datetime.date.fromisoformat(p["period_end"])
            start = datetime.date.fromisoformat(p["period_start"]) if p.get("period_start") else None
        except (KeyError, ValueError) as exc:
            raise ValidationError(
                {"non_field_errors": ["Cần units (số) và period_end (YYYY-MM-DD) hợp lệ."]}
            ) from exc
        units = list(visible_units(request.user).filter(id__in=ids))
        if len(units) != len(set(ids)):
            raise NotFound("Có đơn vị không tồn tại hoặc ngoài phạm vi của bạn.")
        codes = [c for c in p.get("indicators", "").split(",") if c] or None
        rows = indicators.registry_values(codes, units, end, start)
        return Response(RegistryValueSerializer(rows, many=True).data)


def register(router) -> None:
    """Add the registry endpoints to the API router (called by treem/api/urls.py)."""
    router.register("children", ChildViewSet, basename="child")
    router.register("match-candidates", MatchCandidateViewSet, basename="match-candidate")
    router.register("registry-values", RegistryValueViewSet, basename="registry-value")
