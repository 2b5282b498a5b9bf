"""Read-only representations of units, agencies, plans, targets and assignments."""

from rest_framework import serializers

from treem.accounts.models import Agency
from treem.geo.models import AdministrativeUnit
from treem.plans.models import Assignment, Objective, PlanDocument, PlanReference, Target, TargetComponent


class UnitSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = AdministrativeUnit
        fields = [
            "id",
            "code",
            "name",
            "full_name",
            "type",
            "type_label",
            "level",
            "level_label",
            "generation",
            "parent",
            "valid_from",
            "valid_to",
        ]


class AgencySerializer(serializers.ModelSerializer):
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "unit", "sector", "sector_label", "aliases", "active"]


class PlanReferenceSerializer(serializers.ModelSerializer):
    referenced = serializers.SerializerMethodField(
        help_text="id của văn bản trong TreEm (null nếu chưa có hoặc ngoài phạm vi)"
    )

    class Meta:
        model = PlanReference
        fields = ["number", "issued_on", "doc_type", "issuer", "title", "referenced"]

    def get_referenced(self, obj) -> int | None:
        readable = self.context.get("readable_plan_ids")
        if obj.referenced_id is None or (readable is not None and obj.referenced_id not in readable):
            return None
        return obj.referenced_id


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "number", "kind", "title", "text", "order"]


class PlanSerializer(serializers.ModelSerializer):
    doc_type_label = serializers.CharField(source="get_doc_type_display", read_only=True)
    references = PlanReferenceSerializer(many=True, read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = PlanDocument
        fields = [
            "id",
            "key",
            "doc_type",
            "doc_type_label",
            "number",
            "issuer",
            "issuer_kind",
            "issuing_unit",
            "issuing_agency",
            "issued_on",
            "place",
            "signer",
            "signer_title",
            "title",
            "period_start",
            "period_end",
            "status",
            "source_name",
            "references",
            "objectives",
        ]


class PlanDetailSerializer(PlanSerializer):
    class Meta(PlanSerializer.Meta):
        fields = PlanSerializer.Meta.fields + ["full_text"]


class TargetComponentSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = TargetComponent
        fields = [
            "id",
            "order",
            "indicator_text",
            "indicator",
            "comparator",
            "value",
            "unit",
            "year",
            "qualifier",
            "baseline_value",
            "baseline_year",
        ]


class TargetSerializer(serializers.ModelSerializer):
    components = TargetComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Target
        fields = ["id", "plan", "objective", "number", "group", "text", "order", "components"]


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = [
            "id",
            "plan",
            "agency_name",
            "agency",
            "sector",
            "role",
            "targets",
            "tasks",
            "text",
            "order",
        ]
