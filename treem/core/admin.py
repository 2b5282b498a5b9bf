"""Admin of the audit trail, and the scoping base every TreEm admin page uses.

Superusers and system administrators see and edit everything. Other staff (given model permissions)
see only rows in their scope and change only rows in units they may edit — through the same
scoping helpers as the web pages and the API.
"""

from django.contrib import admin
from django.db.models import Model, QuerySet

from .models import AccessEvent, AuditEvent, Holiday


def _follow(obj: Model, path: str):
    """The object at the end of a double-underscore path ("plan__issuing_unit")."""
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


class ScopedAdmin(admin.ModelAdmin):
    """A model admin restricted to the user's scope.

    unit_path: path from the model to its AdministrativeUnit ("" = the model is a unit);
    plan_path: path to its PlanDocument (plans are read through plans_for_user).
    """

    unit_path: str | None = None
    plan_path: str | None = None
    list_per_page = 50

    def _admin(self, request) -> bool:
        from treem.accounts.scoping import is_system_admin

        return is_system_admin(request.user)

    def get_queryset(self, request) -> QuerySet:
        from treem.accounts.scoping import visible_units
        from treem.plans.selectors import plans_for_user

        qs = super().get_queryset(request)
        if self._admin(request):
            return qs
        if self.plan_path is not None:
            readable = plans_for_user(request.user).values("id")
            return qs.filter(**{f"{self.plan_path}__in" if self.plan_path else "id__in": readable})
        if self.unit_path is not None:
            return qs.filter(
                **{
                    f"{self.unit_path}__in" if self.unit_path else "id__in": visible_units(
                        request.user
                    ).values("id")
                }
            )
        return qs

    def _unit_of(self, obj):
        if self.plan_path is not None:
            plan = _follow(obj, self.plan_path) if self.plan_path else obj
            return plan.issuing_unit if plan is not None else None
        if self.unit_path is not None:
            return _follow(obj, self.unit_path) if self.unit_path else obj
        return None

    def _may_edit(self, request, obj) -> bool:
        from treem.accounts.scoping import can_edit_unit

        if obj is None or self._admin(request) or (self.unit_path is None and self.plan_path is None):
            return True
        unit = self._unit_of(obj)
        return unit is not None and can_edit_unit(request.user, unit)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Units offered to non-administrators are those they may edit."""
        from treem.accounts.scoping import editable_units
        from treem.geo.models import AdministrativeUnit

        if db_field.related_model is AdministrativeUnit and not self._admin(request):
            kwargs["queryset"] = editable_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SystemAdminOnly:
    """Mixin: only superusers and system administrators may see these pages."""

    def _allowed(self, request) -> bool:
        from treem.accounts.scoping import is_system_admin

        return is_system_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and super().has_delete_permission(request, obj)


class ReadOnlyLogAdmin(SystemAdminOnly, admin.ModelAdmin):
    """Logs are written by the system, never edited by hand."""

    date_hierarchy = "at"
    list_per_page = 100

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyLogAdmin):
    list_display = ["at", "user", "action", "object_type", "object_id", "unit"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_type", "object_id", "user__username", "reason"]
    list_select_related = ["user", "unit"]
    readonly_fields = ["at", "user", "action", "object_type", "object_id", "unit", "changes", "reason"]


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyLogAdmin):
    list_display = ["at", "user", "object_type", "object_id", "channel", "purpose"]
    list_filter = ["channel", "object_type"]
    search_fields = ["object_type", "object_id", "user__username", "purpose"]
    list_select_related = ["user"]
    readonly_fields = ["at", "user", "object_type", "object_id", "channel", "purpose"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind"]
    search_fields = ["name", "source"]
    date_hierarchy = "date"
