"""Second opinions in the admin: read-only (the services write them), and without medical content:
a case shows its id, status, people and dates, never its questions, documents, notes or opinion."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from secondopinion.models import OpinionCase, SpecialistProfile


@admin.register(OpinionCase)
class OpinionCaseAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "specialty", "specialist", "created_at", "due_at", "delivered_at", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["specialty", "specialist__provider"]
    date_hierarchy = "created_at"
    # the detail page too: no questions, skills, notes or opinion text (medical content)
    fields = [
        "status",
        "patient",
        "specialty",
        "language",
        "currency",
        "order",
        "coordinator",
        "specialist",
        "consent_at",
        "chosen_at",
        "accept_due_at",
        "accepted_at",
        "clock_started_at",
        "due_at",
        "breached_at",
        "delivered_at",
        "closed_at",
        "withdrawn_at",
        "created_at",
        "updated_at",
    ]


@admin.register(SpecialistProfile)
class SpecialistProfileAdmin(ReadOnlyAdmin):
    list_display = ["provider", "price_amount", "currency", "weekly_capacity", "timezone", "country", "active"]
    list_filter = ["active", "currency", "country"]
    list_select_related = ["provider"]
