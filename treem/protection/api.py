"""REST API of protection cases (DRF): the hotline-111 intake endpoint (per-channel API key, idempotent on the
caller's reference), and need-to-know case, referral, task and statistics endpoints for signed-in users.

Include under /api/v1/ with `path("v1/", include("treem.protection.api_urls"))` in treem/api/urls.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import authentication, exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from treem.accounts import scoping
from treem.core import calendar as cal
from treem.geo.models import AdministrativeUnit, Generation, Level, UnitSuccession
from treem.reporting.periods import PeriodError, parse_period

from . import policy, services, stats
from .codes import SUBKIND_CHOICES, Channel, HarmKind, ReferralStatus, ReporterRelation, Setting, Urgency
from .models import ChannelKey, Referral

LABELS = {
    "reference": "Mã tham chiếu cuộc gọi (reference)",
    "received_at": "Thời điểm tiếp nhận (received_at)",
    "commune_code": "Mã xã nơi xảy ra (commune_code)",
    "old_commune_code": "Mã xã cũ trước 01/7/2025 (old_commune_code)",
    "harm_kind": "Hình thức xâm hại (harm_kind)",
    "harm_subkind": "Loại cụ thể (harm_subkind)",
    "setting": "Môi trường (setting)",
    "occurred_on": "Ngày xảy ra (occurred_on)",
    "place": "Nơi xảy ra (place)",
    "narrative": "Nội dung (narrative)",
    "sexual_abuse_details": "Chi tiết xâm hại tình dục (sexual_abuse_details)",
    "urgency": "Mức độ khẩn cấp (urgency)",
    "child": "Trẻ em (child)",
    "reporter": "Người báo tin (reporter)",
    "full_name": "Họ và tên (full_name)",
    "birth_date": "Ngày sinh (birth_date)",
    "age": "Tuổi (age)",
    "sex": "Giới tính (sex)",
    "details": "Thông tin khác (details)",
    "anonymous": "Giấu tên (anonymous)",
    "name": "Họ tên (name)",
    "phone": "Điện thoại (phone)",
    "address": "Địa chỉ (address)",
    "relationship": "Quan hệ với trẻ em (relationship)",
    "status": "Tình trạng (status)",
    "outcome": "Kết quả (outcome)",
    "channel": "Kênh tiếp nhận (channel)",
}
MESSAGES = {
    "required": "{label}: bắt buộc.",
    "null": "{label}: không được để trống.",
    "blank": "{label}: không được để trống.",
    "invalid": "{label}: không đúng định dạng.",
    "invalid_choice": "{label}: «{{input}}» không có trong danh mục.",
    "max_length": "{label}: dài quá {{max_length}} ký tự.",
    "max_value": "{label}: không lớn hơn {{max_value}}.",
    "min_value": "{label}: không nhỏ hơn {{min_value}}.",
    "date": "{label}: phải là ngày (YYYY-MM-DD).",
    "not_a_dict": "{label}: phải là một đối tượng JSON.",
}


def vn(cls, name: str, **kwargs):
    """A serializer field whose error messages are Vietnamese and name the field."""
    label = LABELS.get(name, name)
    messages = {key: text.format(label=label) for key, text in MESSAGES.items()}
    if issubclass(cls, serializers.DateTimeField):
        messages["invalid"] = f"{label}: phải là thời điểm ISO 8601 (vd 2026-04-23T09:15:00+07:00)."
    elif issubclass(cls, serializers.DateField):
        messages["invalid"] = f"{label}: phải là ngày dạng YYYY-MM-DD."
    elif issubclass(cls, serializers.IntegerField):
        messages["invalid"] = f"{label}: phải là số nguyên."
    elif issubclass(cls, serializers.BooleanField):
        messages["invalid"] = f"{label}: phải là true hoặc false."
    return cls(error_messages=messages, **kwargs)


def _django_to_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )


# ---------------------------------------------------------------------------------------- channel-key authentication


class ChannelUser:
    """The caller authenticated by a channel key (no TreEm account)."""

    is_authenticated = True
    is_active = True
    is_staff = is_superuser = False
    pk = id = None

    def __init__(self, key: ChannelKey):
        self.key = key
        self.username = f"channel:{key.prefix}"

    def __str__(self) -> str:
        return self.username


class ChannelKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`: a key issued to an intake channel (`treem protection_channel_key`)."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Khóa API không đúng dạng: Authorization: Api-Key <khóa>.")
        key = ChannelKey.objects.filter(key_hash=ChannelKey.digest(header[1]), active=True).first()
        if key is None:
            raise exceptions.AuthenticationFailed("Khóa API không hợp lệ hoặc đã bị thu hồi.")
        ChannelKey.objects.filter(pk=key.pk).update(last_used_at=cal.now())
        return ChannelUser(key), key

    def authenticate_header(self, request):
        return self.keyword


class ChannelKeyScheme(OpenApiAuthenticationExtension):
    target_class = "treem.protection.api.ChannelKeyAuthentication"
    name = "channelKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <khóa>`: khóa của kênh tiếp nhận (tổng đài 111 …), cấp bằng `treem protection_channel_key`.",
        }


class HasChannelKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ChannelKey)


# ---------------------------------------------------------------------------------------- hotline intake


class HotlineChildSerializer(serializers.Serializer):
    full_name = vn(serializers.CharField, "full_name", required=False, allow_blank=True, max_length=200)
    birth_date = vn(serializers.DateField, "birth_date", required=False, allow_null=True)
    age = vn(serializers.IntegerField, "age", required=False, allow_null=True, min_value=0, max_value=15)
    sex = vn(
        serializers.ChoiceField,
        "sex",
        choices=[("m", "nam"), ("f", "nữ"), ("", "chưa rõ")],
        required=False,
        allow_blank=True,
    )
    details = vn(
        serializers.CharField,
        "details",
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="địa chỉ, trường, người chăm sóc …",
    )


class HotlineReporterSerializer(serializers.Serializer):
    anonymous = vn(serializers.BooleanField, "anonymous", default=False)
    name = vn(serializers.CharField, "name", required=False, allow_blank=True, max_length=200)
    phone = vn(serializers.CharField, "phone", required=False, allow_blank=True, max_length=30)
    address = vn(serializers.CharField, "address", required=False, allow_blank=True, max_length=300)
    relationship = vn(
        serializers.ChoiceField,
        "relationship",
        choices=ReporterRelation.choices,
        required=False,
        allow_blank=True,
    )


class HotlineNotificationSerializer(serializers.Serializer):
    """A notification from hotline 111 (Mẫu 01)."""

    reference = vn(
        serializers.CharField,
        "reference",
        max_length=100,
        help_text="mã của cuộc gọi ở tổng đài: gửi lại cùng mã không tạo hồ sơ mới",
    )
    received_at = vn(
        serializers.DateTimeField,
        "received_at",
        required=False,
        help_text="thời điểm tổng đài nhận tin (mặc định: bây giờ)",
    )
    commune_code = vn(
        serializers.CharField,
        "commune_code",
        required=False,
        allow_blank=True,
        max_length=5,
        help_text="mã xã, phường nơi xảy ra theo danh mục từ 01/7/2025 (5 chữ số)",
    )
    old_commune_code = vn(
        serializers.CharField,
        "old_commune_code",
        required=False,
        allow_blank=True,
        max_length=5,
        help_text="hoặc mã xã cũ (trước 01/7/2025), khi chỉ chuyển về đúng một xã mới",
    )
    place = vn(serializers.CharField, "place", required=False, allow_blank=True, max_length=500)
    occurred_on = vn(serializers.DateField, "occurred_on", required=False, allow_null=True)
    harm_kind = vn(serializers.ChoiceField, "harm_kind", choices=HarmKind.choices)
    harm_subkind = vn(
        serializers.ChoiceField, "harm_subkind", choices=SUBKIND_CHOICES, required=False, allow_blank=True
    )
    setting = vn(
        serializers.ChoiceField, "setting", choices=Setting.choices, required=False, allow_blank=True
    )
    urgency = vn(serializers.ChoiceField, "urgency", choices=Urgency.choices, default=Urgency.NORMAL)
    narrative = vn(serializers.CharField, "narrative", required=False, allow_blank=True, max_length=20000)
    sexual_abuse_details = vn(
        serializers.CharField, "sexual_abuse_details", required=False, allow_blank=True, max_length=20000
    )
    child = HotlineChildSerializer(required=False)
    reporter = HotlineReporterSerializer(required=False)

    def validate(self, attrs):
        new, old = (attrs.get("commune_code") or "").strip(), (attrs.get("old_commune_code") or "").strip()
        if new:
            unit = AdministrativeUnit.objects.filter(
                generation=Generation.Y2025, level=Level.COMMUNE, code=new
            ).first()
            if unit is None:
                raise exceptions.ValidationError(
                    {
                        "commune_code": [
                            f"{LABELS['commune_code']}: «{new}» không có trong danh mục xã, phường từ 01/7/2025."
                        ]
                    }
                )
        elif old:
            succ = list(
                UnitSuccession.objects.filter(
                    predecessor__generation=Generation.PRE_2025,
                    predecessor__level=Level.COMMUNE,
                    predecessor__code=old,
                ).select_related("successor")
            )
            if not succ:
                raise exceptions.ValidationError(
                    {
                        "old_commune_code": [
                            f"{LABELS['old_commune_code']}: «{old}» không có trong danh mục cũ."
                        ]
                    }
                )
            if len({s.successor_id for s in succ}) > 1:
                names = ", ".join(sorted({s.successor.full_name for s in succ}))
                raise exceptions.ValidationError(
                    {
                        "old_commune_code": [
                            f"{LABELS['old_commune_code']}: xã cũ «{old}» nay thuộc nhiều xã ({names}); gửi commune_code của xã mới."
                        ]
                    }
                )
            unit = succ[0].successor
        else:
            raise exceptions.ValidationError(
                {"commune_code": [f"{LABELS['commune_code']}: bắt buộc (hoặc old_commune_code)."]}
            )
        attrs["commune"] = unit
        return attrs

    def intake_data(self) -> dict:
        d = self.validated_data
        child, reporter = d.get("child") or {}, d.get("reporter") or {}
        return {
            "received_at": d.get("received_at"),
            "harm_kind": d["harm_kind"],
            "harm_subkind": d.get("harm_subkind", ""),
            "setting": d.get("setting", ""),
            "occurred_on": d.get("occurred_on"),
            "place": d.get("place", ""),
            "narrative": d.get("narrative", ""),
            "sexual_abuse_details": d.get("sexual_abuse_details", ""),
            "urgency": d.get("urgency"),
            "reported_child_name": child.get("full_name", ""),
            "child_birth_date": child.get("birth_date"),
            "child_age": child.get("age"),
            "child_sex": child.get("sex", ""),
            "reported_child_details": child.get("details", ""),
            "reporter_anonymous": reporter.get("anonymous", False),
            "reporter_name": reporter.get("name", ""),
            "reporter_phone": reporter.get("phone", ""),
            "reporter_address": reporter.get("address", ""),
            "reporter_relation": reporter.get("relationship", ""),
        }


HotlineResult = inline_serializer(
    "HotlineResult",
    {
        "case": serializers.UUIDField(),
        "number": serializers.CharField(),
        "created": serializers.BooleanField(),
        "commune_code": serializers.CharField(),
        "commune": serializers.CharField(),
        "status": serializers.CharField(),
        "assessment_due_at": serializers.DateTimeField(),
    },
)


class HotlineView(APIView):
    """Hotline 111: receive a notification and forward it at once to the commune where it happened."""

    authentication_classes = [ChannelKeyAuthentication]
    permission_classes = [HasChannelKey]

    @extend_schema(
        tags=["protection"],
        summary="Tổng đài 111 gửi tin báo (Mẫu 01)",
        request=HotlineNotificationSerializer,
        responses={201: HotlineResult, 200: HotlineResult},
        description="Tạo một hồ sơ ở xã, phường nơi xảy ra và chuyển ngay cho công chức phụ trách trẻ em của xã. "
        "Gửi lại cùng `reference` trả về hồ sơ đã tạo (200) thay vì tạo hồ sơ mới.",
    )
    def post(self, request):
        key: ChannelKey = request.auth
        s = HotlineNotificationSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            case, created = services.intake(
                None,
                s.validated_data["commune"],
                key.channel,
                s.intake_data(),
                external_ref=s.validated_data["reference"],
                channel_key=key,
            )
        except DjangoValidationError as error:
            raise _django_to_drf(error) from error
        step = case.steps.filter(kind="initial_assessment").first()
        body = {
            "case": str(case.uid),
            "number": case.number,
            "created": created,
            "commune_code": case.commune.code,
            "commune": case.commune.full_name,
            "status": case.status,
            "assessment_due_at": step.due_at if step else None,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# ---------------------------------------------------------------------------------------- cases for signed-in users


class CaseSerializer(serializers.Serializer):
    """A case as the caller may see it: sensitive fields are null when their role is not allowed them."""

    uid = serializers.UUIDField()
    number = serializers.CharField()
    status = serializers.CharField()
    commune_code = serializers.CharField()
    commune = serializers.CharField()
    channel = serializers.CharField()
    received_at = serializers.DateTimeField()
    child_uid = serializers.UUIDField(allow_null=True)
    child_name = serializers.CharField()
    child_sex = serializers.CharField()
    child_age = serializers.IntegerField(allow_null=True)
    harm_kind = serializers.CharField()
    harm_subkind = serializers.CharField()
    setting = serializers.CharField()
    occurred_on = serializers.DateField(allow_null=True)
    urgency = serializers.CharField()
    finding = serializers.CharField()
    cycle = serializers.IntegerField()
    place = serializers.CharField(allow_null=True)
    narrative = serializers.CharField(allow_null=True)
    sexual_abuse_details = serializers.CharField(allow_null=True)
    reporter_anonymous = serializers.BooleanField()
    reporter_name = serializers.CharField(allow_null=True)
    reporter_phone = serializers.CharField(allow_null=True)
    relations = serializers.ListField(child=serializers.CharField())
    next_deadline = serializers.DateTimeField(allow_null=True, required=False)


class CaseIntakeSerializer(HotlineNotificationSerializer):
    """A notification recorded by a signed-in user (channel chosen, reference optional)."""

    reference = vn(serializers.CharField, "reference", max_length=100, required=False, allow_blank=True)
    channel = vn(serializers.ChoiceField, "channel", choices=Channel.choices)


class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Protection cases on a need-to-know basis; every case returned is logged as viewed."""

    lookup_field = "uid"
    serializer_class = CaseSerializer

    def get_queryset(self):
        return (
            policy.visible_cases(self.request.user)
            .select_related("commune", "child")
            .order_by("-received_at")
        )

    def _rows(self, cases):
        services.log_list(self.request.user, cases, channel="api")
        out = []
        for case in cases:
            row = services.case_view(policy.CaseAccess(self.request.user, case))
            step = case.steps.filter(status="open", due_at__isnull=False).order_by("due_at").first()
            row["next_deadline"] = step.due_at if step else None
            out.append(row)
        return out

    @extend_schema(tags=["protection"], summary="Hồ sơ bảo vệ trẻ em được xem (cần biết)")
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CaseSerializer(self._rows(page), many=True).data)

    @extend_schema(tags=["protection"], summary="Một hồ sơ (ghi nhật ký truy cập)")
    def retrieve(self, request, *args, **kwargs):
        access = services.get_case_for(request.user, kwargs["uid"], channel="api")
        row = services.case_view(access)
        return Response(CaseSerializer(row).data)

    @extend_schema(
        tags=["protection"],
        summary="Ghi nhận tin báo (Mẫu 01) từ một kênh",
        request=CaseIntakeSerializer,
        responses={201: CaseSerializer},
    )
    def create(self, request, *args, **kwargs):
        s = CaseIntakeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            case, created = services.intake(
                request.user,
                s.validated_data["commune"],
                s.validated_data["channel"],
                s.intake_data(),
                external_ref=s.validated_data.get("reference", ""),
            )
        except DjangoValidationError as error:
            raise _django_to_drf(error) from error
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        body = {
            "uid": str(case.uid),
            "number": case.number,
            "commune_code": case.commune.code,
            "created": created,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReferralSerializer(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case.uid")
    case_number = serializers.CharField(source="case.number")

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_number",
            "service",
            "to_agency",
            "to_unit",
            "to_name",
            "purpose",
            "status",
            "sent_at",
            "responded_at",
            "done_at",
        ]


class ReferralUpdateSerializer(serializers.Serializer):
    status = vn(
        serializers.ChoiceField,
        "status",
        choices=[c for c in ReferralStatus.choices if c[0] != ReferralStatus.SENT],
    )
    outcome = vn(serializers.CharField, "outcome", required=False, allow_blank=True, max_length=5000)


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referrals of the cases the caller may see; police answer the referrals sent to them."""

    serializer_class = ReferralSerializer

    def get_queryset(self):
        return (
            Referral.objects.filter(case__in=policy.visible_cases(self.request.user).values("id"))
            .select_related("case")
            .order_by("-sent_at")
        )

    @extend_schema(tags=["protection"], summary="Chuyển gửi")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["protection"], summary="Một chuyển gửi")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=["protection"],
        summary="Cập nhật chuyển gửi: tiếp nhận / từ chối → hoàn thành",
        request=ReferralUpdateSerializer,
        responses={200: ReferralSerializer},
    )
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        ref = get_object_or_404(self.get_queryset(), pk=pk)
        s = ReferralUpdateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            ref = services.update_referral(
                request.user,
                ref,
                status=s.validated_data["status"],
                outcome=s.validated_data.get("outcome", ""),
            )
        except DjangoValidationError as error:
            raise _django_to_drf(error) from error
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        return Response(ReferralSerializer(ref).data)


TASK_FIELDS = {
    "case": serializers.UUIDField(),
    "number": serializers.CharField(),
    "kind": serializers.CharField(),
    "title": serializers.CharField(),
    "due_at": serializers.DateTimeField(allow_null=True),
    "overdue": serializers.BooleanField(),
}


class TaskView(APIView):
    """The caller's tasks on cases, soonest deadline first, overdue flagged."""

    @extend_schema(
        tags=["protection"],
        summary="Việc cần làm và hạn",
        responses={200: inline_serializer("ProtectionTask", TASK_FIELDS, many=True)},
    )
    def get(self, request):
        tasks = services.tasks_for(request.user)
        return Response(
            [
                {
                    "case": str(t.case.uid),
                    "number": t.case.number,
                    "kind": t.kind,
                    "title": t.title,
                    "due_at": t.due_at,
                    "overdue": t.overdue,
                }
                for t in tasks
            ]
        )


STAT_FIELDS = {
    "data_element": serializers.CharField(),
    "combo": serializers.CharField(),
    "unit_id": serializers.IntegerField(),
    "unit_code": serializers.CharField(),
    "period": serializers.CharField(),
    "value": serializers.IntegerField(allow_null=True),
    "suppressed": serializers.BooleanField(),
}


class StatisticsView(APIView):
    """Case statistics for units the caller may see: counts only, no identity, small counts suppressed below the commune."""

    @extend_schema(
        tags=["protection"],
        summary="Thống kê từ hồ sơ (không có thông tin nhận dạng)",
        responses={200: inline_serializer("ProtectionValue", STAT_FIELDS, many=True)},
        parameters=[
            OpenApiParameter("period", str, required=True, description="2025, 2025S1, 2025Q1, 202501"),
            OpenApiParameter(
                "unit", str, many=True, description="id đơn vị (mặc định: đơn vị của người gọi)"
            ),
            OpenApiParameter("code", str, many=True, description="mã phần tử dữ liệu hoặc chỉ số"),
        ],
    )
    def get(self, request):
        period = request.query_params.get("period", "")
        try:
            parse_period(period)
        except PeriodError as error:
            raise exceptions.ValidationError({"period": [f"Kỳ (period): {error}"]}) from error
        visible = scoping.visible_units(request.user)
        ids = [i for i in request.query_params.getlist("unit") if i.isdigit()]
        units = (
            list(visible.filter(pk__in=ids))
            if ids
            else list(
                AdministrativeUnit.objects.filter(
                    id__in=scoping.active_memberships(request.user).values("unit_id")
                )
            )
        )
        codes = request.query_params.getlist("code") or list(stats.DATA_ELEMENTS)
        rows = stats.suppress(stats.case_values(codes, units, period))
        unit_codes = dict(
            AdministrativeUnit.objects.filter(pk__in=[u.pk for u in units]).values_list("pk", "code")
        )
        return Response([{**r, "unit_code": unit_codes.get(r["unit_id"], "")} for r in rows])
