"""Disputes in the admin: read-only, as everything that moves money (the services write them)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from disputes.models import Dispute, DisputeEvidence


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["opened_at", "kind", "booking", "order", "status", "outcome", "amount", "currency"]
    list_filter = ["kind", "status", "outcome"]
    # The statement and the answer are read on the dispute's page, where reads are scoped.
    exclude = ["statement", "answer", "decision_note"]


@admin.register(DisputeEvidence)
class DisputeEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["added_at", "dispute", "kind", "side"]
    list_filter = ["kind"]
