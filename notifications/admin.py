from django.contrib import admin

from notifications.models import DeliveryReport, Message, NotificationPreference


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "recipient", "status", "booking_id", "attempts")
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient__email", "key", "provider_message_id")
    # The bodies may name care: not shown here either.
    exclude = ("body", "html", "attachments")
    readonly_fields = [f.name for f in Message._meta.fields if f.name not in {"body", "html", "attachments"}]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "sms", "sms_opted_out_at")
    search_fields = ("user__email",)


@admin.register(DeliveryReport)
class DeliveryReportAdmin(admin.ModelAdmin):
    list_display = ("received_at", "provider_message_id", "status", "error_code", "applied")
