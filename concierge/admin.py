"""Add-on orders in the admin: read-only, as everything that moves money (the services write them)."""

from django.contrib import admin

from concierge.models import AddonOrder
from core.admin import ReadOnlyAdmin


@admin.register(AddonOrder)
class AddonOrderAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "patient", "kind", "amount", "currency", "status"]
    list_filter = ["status", "kind"]
