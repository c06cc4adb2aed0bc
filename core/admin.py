from django.contrib import admin

from core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (they check the state, lock and audit) or that are
    append-only: the admin shows them, also to superusers, and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor_id", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_id"]
    date_hierarchy = "at"
