"""Read-only admin for bookings: every change goes through the services (pages, API, tasks), which
check the state, lock the rows and write the audit trail."""

from django.contrib import admin

from bookings.models import Appointment, Booking, CancellationEvidence, CancellationPolicy
from core.admin import ReadOnlyAdmin


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0
    fields = readonly_fields = ("start", "end", "live")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = CancellationEvidence
    extra = 0
    fields = readonly_fields = (
        "document",
        "submitted_by",
        "submitted_at",
        "status",
        "reviewed_by",
        "reviewed_at",
        "note",
    )

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "provider", "patient", "deposit_amount", "currency", "created_at"]
    list_filter = ["status", "evidence_status", "cancellation_final"]
    search_fields = ["pk", "patient__email", "provider__name", "payment_reference"]
    list_select_related = ["provider", "patient"]
    inlines = [AppointmentInline, EvidenceInline]


@admin.register(CancellationPolicy)
class CancellationPolicyAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "no_show_fee_bps", "refund_window_days", "published_at"]
