"""Plan imports in the admin: read-only records of uploads, their failures and the plans they made."""

from django.contrib import admin

from .models import PlanImport


@admin.register(PlanImport)
class PlanImportAdmin(admin.ModelAdmin):
    """Uploads are made and reviewed on the import pages; the admin only shows them."""

    list_display = ("original_name", "unit", "uploaded_by", "status", "progress", "plan", "created_at")
    list_filter = ("status",)
    search_fields = ("original_name", "error_message", "unit__full_name")
    readonly_fields = [f.name for f in PlanImport._meta.fields]
    raw_id_fields = ("unit", "plan")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
