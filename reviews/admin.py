"""Reviews in the admin: read-only (the services write them, with their audit events). The lists show
ids, states and dates, never what a review says (it may hold health details until moderated)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reviews.models import Review, ReviewReport, SupplierReview


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "provider", "booking", "status", "submitted_at", "moderation_due_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["provider"]
    fields = [
        "booking",
        "provider",
        "author",
        "status",
        "submitted_at",
        "moderation_due_at",
        "published_at",
        "reply_at",
    ]


@admin.register(ReviewReport)
class ReviewReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "review", "status", "reported_at", "respond_by", "decided_at"]
    list_filter = ["status"]
    fields = [
        "review",
        "reported_by",
        "status",
        "reported_at",
        "respond_by",
        "responded_at",
        "decided_by",
        "decided_at",
    ]


@admin.register(SupplierReview)
class SupplierReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "supplier", "order", "status", "submitted_at", "moderation_due_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["supplier"]
    fields = ["order", "supplier", "author", "status", "submitted_at", "moderation_due_at", "published_at"]
