"""What reviews hold about a person (`core.personal_data`): the reviews they wrote (of providers,
interpreters and drivers), the reports on them and their answers. Erasure deletes them: a review is
the person's account of their care, and an erased person's words are not kept (their provider's
rating loses it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.personal_data import Declaration, Subject
from reviews.models import Review, ReviewReport, SupplierReview


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    reviews = Review.objects.filter(author_id=person.pk).select_related("provider").prefetch_related("reports")
    supplier_reviews = SupplierReview.objects.filter(author_id=person.pk).select_related("supplier")
    return {
        "reviews": [
            {
                "booking": review.booking_id,
                "provider": review.provider.name,
                "status": review.status,
                "care": review.care,
                "communication": review.communication,
                "value": review.value,
                "cleanliness": review.cleanliness,
                "text": review.text,
                "submitted_at": _iso(review.submitted_at),
                "published_at": _iso(review.published_at),
                "rejection_reason": review.rejection_reason,
                "rejection_note": review.rejection_note,
                "provider_reply": review.reply_text,
                "reports": [
                    {
                        "reported_at": _iso(report.reported_at),
                        "reason": report.reason,
                        "your_answer": report.response,
                        "status": report.status,
                        "decision_note": report.decision_note,
                    }
                    for report in review.reports.all()
                ],
            }
            for review in reviews.order_by("submitted_at", "pk")
        ],
        "supplier_reviews": [
            {
                "order": review.order_id,
                "supplier": review.supplier.name,
                "status": review.status,
                "service": review.service,
                "communication": review.communication,
                "punctuality": review.punctuality,
                "text": review.text,
                "submitted_at": _iso(review.submitted_at),
                "published_at": _iso(review.published_at),
                "rejection_reason": review.rejection_reason,
                "rejection_note": review.rejection_note,
            }
            for review in supplier_reviews.order_by("submitted_at", "pk")
        ],
    }


@transaction.atomic
def erase(subject: Subject, now: dt.datetime) -> None:
    """Delete the person's reviews with the reports on them. Idempotent."""
    ReviewReport.objects.filter(review__author_id=subject.user_id).delete()
    Review.objects.filter(author_id=subject.user_id).delete()
    SupplierReview.objects.filter(author_id=subject.user_id).delete()


DECLARATION = Declaration(
    app="reviews",
    models={
        "reviews.Review": _("Your reviews of providers: your ratings and words, and the provider's reply"),
        "reviews.ReviewReport": _("Providers' reports of your reviews, and your answers"),
        "reviews.SupplierReview": _("Your reviews of interpreters and drivers"),
    },
    export=export,
    erase=erase,
    erased=_("Your reviews, of providers, interpreters and drivers"),
    order=50,
)
