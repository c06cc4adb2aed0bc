"""Notifications in the admin: read-only. Messages and delivery reports are written by the sending
services and the provider's callbacks; a person's preferences (and an SMS STOP) are theirs to change."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from notifications.models import DeliveryReport, Message, NotificationPreference


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event", "channel", "recipient", "status", "booking_id", "attempts")
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient__email", "key", "provider_message_id")
    # The bodies may name care: not shown here either.
    exclude = ("body", "html", "attachments")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "email", "sms", "sms_opted_out_at")
    search_fields = ("user__email",)


@admin.register(DeliveryReport)
class DeliveryReportAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "provider_message_id", "status", "error_code", "applied")
