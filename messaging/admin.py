"""Messaging in the admin: read-only, and without the words: a thread shows its subject and dates,
never its messages (medical content between a patient and their carers)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from messaging.models import ProviderMessaging, Thread


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "subject_id", "created_at", "last_message_at", "awaiting_reply_since"]
    list_filter = ["kind"]
    fields = ["kind", "subject_id", "patient", "created_at", "last_message_at", "awaiting_reply_since"]


@admin.register(ProviderMessaging)
class ProviderMessagingAdmin(ReadOnlyAdmin):
    list_display = ["provider", "quote_requests", "timezone", "opens_at", "closes_at", "updated_at"]
    fields = [
        "provider",
        "offering_ids",
        "quote_requests",
        "timezone",
        "weekdays",
        "opens_at",
        "closes_at",
        "updated_at",
    ]
