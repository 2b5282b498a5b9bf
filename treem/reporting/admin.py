"""Admin of reporting: settings per plan, rounds, submissions, values (read-mostly), code mapping."""

from django.contrib import admin

from .models import (
    ApprovalStep,
    DataValue,
    ExternalCode,
    Notification,
    Period,
    Reminder,
    ReportingSettings,
    Round,
    Submission,
)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "type", "start", "end"]
    list_filter = ["type"]
    search_fields = ["code"]


@admin.register(ReportingSettings)
class ReportingSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "plan",
        "cutoff",
        "open_days_before_deadline",
        "lock_days_after_deadline",
        "reminder_days",
    ]
    autocomplete_fields = ["plan"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["period", "plan", "reporters", "opens_on", "deadline", "locks_on", "active"]
    list_filter = ["active", "frequency", "reporters"]
    search_fields = ["plan__number", "plan__title", "period__code"]
    readonly_fields = ["plan", "requirement", "period", "generated_at"]


class StepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0
    readonly_fields = ["action", "level", "unit", "user", "at", "comment"]
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "approved_level", "submitted_at", "extended_until"]
    list_filter = ["status", "round__period"]
    search_fields = ["unit__name", "agency__name"]
    readonly_fields = [
        "round",
        "unit",
        "agency",
        "status",
        "version",
        "submitted_at",
        "first_submitted_at",
        "submitted_by",
        "approved_level",
        "approved_at",
        "approved_by",
    ]
    inlines = [StepInline]


@admin.register(DataValue)
class DataValueAdmin(admin.ModelAdmin):
    """Values are changed through forms, Excel, the API or DHIS2 imports (audited, locked); here they are read."""

    list_display = [
        "data_element",
        "combo",
        "unit",
        "period",
        "value",
        "status",
        "source",
        "version",
        "updated_at",
    ]
    list_filter = ["status", "source", "period"]
    search_fields = ["data_element__code", "unit__code", "unit__name"]
    list_select_related = ["data_element", "combo", "unit", "period"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ExternalCode)
class ExternalCodeAdmin(admin.ModelAdmin):
    list_display = ["system", "kind", "local", "external"]
    list_filter = ["system", "kind"]
    search_fields = ["local", "external"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["submission", "kind", "key", "sent_at"]
    list_filter = ["kind"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
