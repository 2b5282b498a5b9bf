"""Admin of agencies, users and memberships."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from treem.core.admin import ScopedAdmin, SystemAdminOnly
from treem.core.text import fold

from .models import Agency, Membership, User


@admin.register(Agency)
class AgencyAdmin(ScopedAdmin):
    unit_path = "unit"
    list_display = ["name", "short_name", "unit", "sector", "active"]
    list_filter = ["sector", "active", "unit__level"]
    search_fields = ["name", "short_name", "unit__full_name", "unit__code"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]

    def get_search_results(self, request, queryset, search_term):
        """Also match names without accents."""
        results, distinct = super().get_search_results(request, queryset, search_term)
        if search_term:
            results = results | queryset.filter(name_folded__contains=fold(search_term))
        return results, distinct


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit", "agency"]
    fields = ["unit", "agency", "role", "valid_from", "valid_to"]


@admin.register(User)
class UserAdmin(SystemAdminOnly, DjangoUserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "email",
        "job_title",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["username", "first_name", "last_name", "email", "memberships__unit__full_name"]
    inlines = [MembershipInline]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Công tác"), {"fields": ["phone", "job_title"]}),)


@admin.register(Membership)
class MembershipAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["user", "role", "unit", "agency", "valid_from", "valid_to"]
    list_filter = ["role", "unit__level"]
    search_fields = ["user__username", "user__last_name", "unit__full_name", "agency__name"]
    list_select_related = ["user", "unit", "agency"]
    autocomplete_fields = ["user", "unit", "agency"]
