"""Admin: the immunisation schedule (data) and read-only logs. Children are not in the admin: their
records are read and changed only through the logged, audited registry pages and services."""

from django.contrib import admin

from .models import EpiDose, ImportBatch, LinkageRun, ListExport


@admin.register(EpiDose)
class EpiDoseAdmin(admin.ModelAdmin):
    """The EPI schedule, including which doses make a child under 1 'fully immunised'."""

    list_display = [
        "schedule",
        "order",
        "name_vi",
        "antigen",
        "dose",
        "due_age_days",
        "min_age_days",
        "for_full_under1",
    ]
    list_editable = ["for_full_under1"]
    list_filter = ["schedule", "for_full_under1"]


class ReadOnly(admin.ModelAdmin):
    """A log: visible, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnly):
    list_display = ["file_name", "unit", "uploaded_by", "created_at", "status", "total_rows"]
    list_filter = ["status"]
    exclude = ["file", "mapping", "headers"]


@admin.register(LinkageRun)
class LinkageRunAdmin(ReadOnly):
    list_display = ["kind", "unit", "started_by", "started_at", "n_records", "n_pairs", "n_auto", "n_review"]


@admin.register(ListExport)
class ListExportAdmin(ReadOnly):
    list_display = ["at", "user", "format", "n_rows"]
