"""Admin of administrative units, their closure rows and the 2025 succession."""

from django.contrib import admin

from treem.core.admin import ScopedAdmin, SystemAdminOnly
from treem.core.text import fold

from .models import AdministrativeUnit, UnitClosure, UnitSuccession


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ScopedAdmin):
    unit_path = ""
    list_display = ["code", "full_name", "level", "type", "generation", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "generation", "type"]
    search_fields = ["code", "name", "full_name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["created_by"]
    ordering = ["level", "generation", "code"]

    def get_search_results(self, request, queryset, search_term):
        """Also match names without accents ("van quan" finds "Huyện Văn Quan")."""
        results, distinct = super().get_search_results(request, queryset, search_term)
        if search_term:
            results = results | queryset.filter(name_folded__contains=fold(search_term))
        return results, distinct


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ScopedAdmin):
    unit_path = "predecessor"
    list_display = ["predecessor", "successor", "effective_date", "kind", "source"]
    list_filter = ["kind", "source", "effective_date"]
    search_fields = ["predecessor__full_name", "predecessor__code", "successor__full_name", "successor__code"]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]


@admin.register(UnitClosure)
class UnitClosureAdmin(SystemAdminOnly, admin.ModelAdmin):
    """Closure rows are derived from parent links: viewable, never edited by hand."""

    list_display = ["ancestor", "descendant", "depth"]
    list_filter = ["depth"]
    search_fields = ["ancestor__code", "descendant__code"]
    list_select_related = ["ancestor", "descendant"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
