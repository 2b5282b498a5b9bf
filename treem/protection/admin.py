"""Admin of the protection app: channel keys (the holiday calendar is in core's admin). Case records are not in the admin:
they are read only through the need-to-know pages and API (every view logged)."""

from django.contrib import admin

from treem.core.admin import SystemAdminOnly

from .models import ChannelKey


@admin.register(ChannelKey)
class ChannelKeyAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["name", "channel", "prefix", "active", "created_at", "last_used_at"]
    list_filter = ["channel", "active"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request, *args):
        return False  # keys are issued by `treem protection_channel_key`, which shows the key once
