"""The messages reviews send. Each `notify_*` is called inside its service's transaction and only
registers work for after the commit; message keys make each message go once. A review's text never
goes into a message (it may hold health details until moderated): the messages name the provider or
supplier and link to the page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from notifications.messages import after_commit
from notifications.services import notify, site_url
from providers.selectors import provider_members_to_notify
from reviews.models import RejectionReason, ReviewReport, ReviewStatus, SupplierReview
from reviews.models import Review as ReviewModel


def _mine_url() -> str:
    return site_url(reverse("reviews:mine"))


def notify_review_published(*, review_id: int, now: dt.datetime) -> None:
    """Published: its author is told, and the provider's members hear of a new review."""
    after_commit(_review_published, review_id=review_id, now=now)


def _review_published(*, review_id: int, now: dt.datetime) -> None:
    review = ReviewModel.objects.select_related("author", "provider").get(pk=review_id)
    context = {"reviewed": review.provider.name, "url": _mine_url()}
    notify(
        event="review_published", recipient=review.author, context=context, key=f"review_published:{review.pk}", now=now
    )
    provider_url = site_url(reverse("reviews:provider_reviews"))
    for member in provider_members_to_notify(provider_id=review.provider_id):
        notify(
            event="review_new",
            recipient=member,
            context={"provider": review.provider.name, "url": provider_url},
            key=f"review_new:{review.pk}",
            now=now,
        )


def notify_review_rejected(*, review_id: int, now: dt.datetime) -> None:
    after_commit(_review_rejected, review_id=review_id, now=now)


def _review_rejected(*, review_id: int, now: dt.datetime) -> None:
    review = ReviewModel.objects.select_related("author", "provider").get(pk=review_id)
    notify(
        event="review_rejected",
        recipient=review.author,
        context={
            "reviewed": review.provider.name,
            "rule": RejectionReason(review.rejection_reason).label if review.rejection_reason else "",
            "note": review.rejection_note,
            "url": _mine_url(),
        },
        key=f"review_rejected:{review.pk}",
        now=now,
    )


def notify_review_reported(*, report_id: int, now: dt.datetime) -> None:
    """The author hears that the provider reported their review, and until when they may answer."""
    after_commit(_review_reported, report_id=report_id, now=now)


def _review_reported(*, report_id: int, now: dt.datetime) -> None:
    report = ReviewReport.objects.select_related("review__author", "review__provider").get(pk=report_id)
    notify(
        event="review_reported",
        recipient=report.review.author,
        context={
            "reviewed": report.review.provider.name,
            "respond_by": report.respond_by,
            "url": site_url(reverse("reviews:detail", args=[report.review_id])),
        },
        key=f"review_reported:{report.pk}",
        now=now,
    )


def notify_report_decided(*, report_id: int, now: dt.datetime) -> None:
    after_commit(_report_decided, report_id=report_id, now=now)


def _report_decided(*, report_id: int, now: dt.datetime) -> None:
    report = ReviewReport.objects.select_related("review__author", "review__provider").get(pk=report_id)
    notify(
        event="review_report_decided",
        recipient=report.review.author,
        context={
            "reviewed": report.review.provider.name,
            "kept": report.review.status == ReviewStatus.PUBLISHED,
            "note": report.decision_note,
            "url": site_url(reverse("reviews:detail", args=[report.review_id])),
        },
        key=f"review_report_decided:{report.pk}",
        now=now,
    )


def notify_supplier_review_moderated(*, review_id: int, now: dt.datetime) -> None:
    after_commit(_supplier_review_moderated, review_id=review_id, now=now)


def _supplier_review_moderated(*, review_id: int, now: dt.datetime) -> None:
    review = SupplierReview.objects.select_related("author", "supplier").get(pk=review_id)
    published = review.status == ReviewStatus.PUBLISHED
    notify(
        event="review_published" if published else "review_rejected",
        recipient=review.author,
        context={
            "reviewed": review.supplier.name,
            "rule": RejectionReason(review.rejection_reason).label if review.rejection_reason else "",
            "note": review.rejection_note,
            "url": _mine_url(),
        },
        key=f"supplier_review_{review.status}:{review.pk}",
        now=now,
    )
