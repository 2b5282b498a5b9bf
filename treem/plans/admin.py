"""Admin of plans and everything in them, with inlines for their parts."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from treem.core.admin import ScopedAdmin

from .models import (
    Assignment,
    Objective,
    PlanDocument,
    PlanReference,
    ReportingRequirement,
    Target,
    TargetComponent,
    Task,
)


class PlanReferenceInline(admin.TabularInline):
    model = PlanReference
    fk_name = "plan"
    extra = 0
    fields = ["order", "number", "issued_on", "doc_type", "issuer", "title", "referenced"]
    raw_id_fields = ["referenced"]


class ObjectiveInline(admin.StackedInline):
    model = Objective
    extra = 0
    fields = [("order", "number", "kind"), "title", "text"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["order", "number", "group", "text", "objective"]
    show_change_link = True


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["order", "number", "title"]
    show_change_link = True


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["order", "agency_name", "agency", "sector", "role"]
    autocomplete_fields = ["agency"]
    show_change_link = True


class ReportingRequirementInline(admin.TabularInline):
    model = ReportingRequirement
    extra = 0
    fields = [
        "order",
        "frequency",
        "deadline_day",
        "deadline_month",
        "reporters",
        "recipient",
        "through",
        "cutoff",
    ]


@admin.register(PlanDocument)
class PlanDocumentAdmin(ScopedAdmin):
    plan_path = ""
    list_display = ["__str__", "issued_on", "issuer", "issuing_unit", "period", "status"]
    list_filter = ["status", "doc_type", "issuing_unit__level", "issuer_kind"]
    search_fields = ["number", "title", "issuer", "key"]
    list_select_related = ["issuing_unit"]
    autocomplete_fields = ["issuing_unit", "issuing_agency"]
    date_hierarchy = "issued_on"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("doc_type", "number", "status"),
                    "title",
                    ("issuer", "issuer_kind"),
                    ("issuing_unit", "issuing_agency"),
                    ("issued_on", "place"),
                    ("signer", "signer_title"),
                    ("period_start", "period_end"),
                ]
            },
        ),
        (
            _("Nguồn"),
            {
                "fields": ["key", "source_name", "full_text", ("created_at", "updated_at")],
                "classes": ["collapse"],
            },
        ),
    ]
    inlines = [
        PlanReferenceInline,
        ObjectiveInline,
        TargetInline,
        TaskInline,
        AssignmentInline,
        ReportingRequirementInline,
    ]

    @admin.display(description=_("giai đoạn"))
    def period(self, obj):
        """The period as written, 2021 - 2025 (not 2.021)."""
        return obj.period_label or "—"


class TargetComponentInline(admin.TabularInline):
    model = TargetComponent
    extra = 0
    fields = [
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
    autocomplete_fields = ["indicator"]


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    plan_path = "plan"
    list_display = ["__str__", "plan", "group", "order"]
    list_filter = ["plan__issuing_unit__level"]
    search_fields = ["number", "text", "plan__number"]
    list_select_related = ["plan"]
    raw_id_fields = ["plan", "objective"]
    inlines = [TargetComponentInline]


@admin.register(TargetComponent)
class TargetComponentAdmin(ScopedAdmin):
    plan_path = "target__plan"
    list_display = ["target", "indicator_text", "comparator", "value", "unit", "milestone_year", "qualifier"]
    list_filter = ["comparator", "unit", "year"]
    search_fields = ["indicator_text", "target__plan__number"]
    list_select_related = ["target", "target__plan"]
    raw_id_fields = ["target"]
    autocomplete_fields = ["indicator"]

    @admin.display(description=_("năm mốc"), ordering="year")
    def milestone_year(self, obj):
        """The year without a thousands separator."""
        return str(obj.year) if obj.year else "—"


@admin.register(Objective)
class ObjectiveAdmin(ScopedAdmin):
    plan_path = "plan"
    list_display = ["__str__", "plan", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["title", "text", "plan__number"]
    list_select_related = ["plan"]
    raw_id_fields = ["plan"]


@admin.register(Task)
class TaskAdmin(ScopedAdmin):
    plan_path = "plan"
    list_display = ["__str__", "plan", "order"]
    search_fields = ["number", "title", "text", "plan__number"]
    list_select_related = ["plan"]
    raw_id_fields = ["plan"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    plan_path = "plan"
    list_display = ["agency_name", "role", "plan", "agency", "sector"]
    list_filter = ["role", "sector"]
    search_fields = ["agency_name", "text", "plan__number"]
    list_select_related = ["plan", "agency"]
    raw_id_fields = ["plan"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["targets", "tasks"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Offer only the targets and tasks of the assignment's own plan."""
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        plan_id = (
            Assignment.objects.filter(pk=object_id).values_list("plan_id", flat=True).first()
            if object_id
            else None
        )
        if plan_id and db_field.name in ("targets", "tasks"):
            kwargs["queryset"] = db_field.related_model.objects.filter(plan_id=plan_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(PlanReference)
class PlanReferenceAdmin(ScopedAdmin):
    plan_path = "plan"
    list_display = ["number", "issued_on", "doc_type", "issuer", "plan", "referenced"]
    list_filter = ["doc_type"]
    search_fields = ["number", "title", "issuer", "plan__number"]
    list_select_related = ["plan", "referenced"]
    raw_id_fields = ["plan", "referenced"]


@admin.register(ReportingRequirement)
class ReportingRequirementAdmin(ScopedAdmin):
    plan_path = "plan"
    list_display = ["plan", "frequency", "deadline_label", "reporters", "recipient", "through"]
    list_filter = ["frequency", "reporters", "cutoff"]
    search_fields = ["plan__number", "recipient", "through", "text"]
    list_select_related = ["plan"]
    raw_id_fields = ["plan"]
