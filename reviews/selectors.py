"""Reads of reviews, scoped to who asks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, F, QuerySet
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus
from concierge.models import AddonOrder, AddonOrderStatus
from core.errors import NotFound
from reviews.access import REVIEW_WINDOW, REVIEWED_SUPPLIER_KINDS, is_careteam, is_provider_member
from reviews.models import DIMENSIONS, ReportStatus, Review, ReviewReport, ReviewStatus, SupplierReview, dimension_label


@dataclass(frozen=True)
class Rating:
    """A provider's rating: the mean of its published reviews' ratings (1–5, one decimal), and their count."""

    average: Decimal | None
    count: int


NO_RATING = Rating(average=None, count=0)


def provider_ratings(provider_ids: Iterable[int]) -> dict[int, Rating]:
    """Each provider's rating from its published (hence verified) reviews; providers without any are absent."""
    rows = (
        Review.objects.filter(provider_id__in=list(provider_ids), status=ReviewStatus.PUBLISHED)
        .values("provider_id")
        .annotate(
            mean=Avg((F("care") + F("communication") + F("value") + F("cleanliness")) / 4.0),
            n=Count("id"),
        )
    )
    return {
        row["provider_id"]: Rating(
            average=Decimal(str(row["mean"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), count=row["n"]
        )
        for row in rows
    }


# --- who sees which reviews ---------------------------------------------------------------------------------


def published_reviews(*, provider_id: int) -> QuerySet[Review]:
    """What anyone sees of a provider: its published reviews with their replies, newest first."""
    return Review.objects.filter(provider_id=provider_id, status=ReviewStatus.PUBLISHED).order_by(
        "-published_at", "-pk"
    )


def dimension_ratings(*, provider_id: int) -> list[tuple[str, Decimal]]:
    """The mean stars of each dimension over the provider's published reviews, one decimal; [] without any."""
    row = Review.objects.filter(provider_id=provider_id, status=ReviewStatus.PUBLISHED).aggregate(
        **{name: Avg(name) for name in DIMENSIONS}
    )
    if row[DIMENSIONS[0]] is None:
        return []
    return [
        (
            dimension_label(Review, name),
            Decimal(str(row[name])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        )
        for name in DIMENSIONS
    ]


def reviews_by_author(*, user: Any) -> QuerySet[Review]:
    return Review.objects.filter(author_id=user.pk).select_related("provider", "booking").prefetch_related("reports")


def supplier_reviews_by_author(*, user: Any) -> QuerySet[SupplierReview]:
    return SupplierReview.objects.filter(author_id=user.pk).select_related("supplier", "order")


def review_for(*, user: Any, review_id: int) -> Review:
    """The review for its author, a member of its provider, or the careteam; NotFound for anyone else."""
    review = Review.objects.select_related("provider", "author", "booking").filter(pk=review_id).first()
    if review is None or not (
        (getattr(user, "is_authenticated", False) and review.author_id == user.pk)
        or is_careteam(user)
        or is_provider_member(provider_id=review.provider_id, actor=user)
    ):
        raise NotFound(_("No review you may see has this id."))
    return review


def supplier_review_for_careteam(*, user: Any, review_id: int) -> SupplierReview:
    """A supplier review for the careteam (its author reads it among their own reviews)."""
    review = SupplierReview.objects.select_related("supplier", "author", "order").filter(pk=review_id).first()
    if review is None or not is_careteam(user):
        raise NotFound(_("No review you may see has this id."))
    return review


def reviews_of_members_providers(*, user: Any) -> QuerySet[Review]:
    """The reviews of the providers `user` is a member of that the provider may see: published,
    reported or removed (never one awaiting moderation or rejected: those are not public)."""
    return (
        Review.objects.filter(
            provider__members__user_id=user.pk,
            status__in=[ReviewStatus.PUBLISHED, ReviewStatus.REPORTED, ReviewStatus.REMOVED],
        )
        .select_related("provider")
        .prefetch_related("reports")
        .distinct()
        .order_by("-published_at", "-pk")
    )


def moderation_queue() -> QuerySet[Review]:
    return (
        Review.objects.filter(status=ReviewStatus.SUBMITTED)
        .select_related("provider")
        .order_by("moderation_due_at", "pk")
    )


def supplier_moderation_queue() -> QuerySet[SupplierReview]:
    return (
        SupplierReview.objects.filter(status=ReviewStatus.SUBMITTED)
        .select_related("supplier")
        .order_by("moderation_due_at", "pk")
    )


def open_reports() -> QuerySet[ReviewReport]:
    return (
        ReviewReport.objects.filter(status__in=[ReportStatus.AWAITING_AUTHOR, ReportStatus.AWAITING_DECISION])
        .select_related("review__provider")
        .order_by("respond_by", "pk")
    )


def supplier_reviews(*, supplier_id: int) -> QuerySet[SupplierReview]:
    return SupplierReview.objects.filter(supplier_id=supplier_id).order_by("-submitted_at", "-pk")


def supplier_rating(*, supplier_id: int) -> Rating:
    """A supplier's rating from its published reviews (the careteam's supplier page)."""
    row = SupplierReview.objects.filter(supplier_id=supplier_id, status=ReviewStatus.PUBLISHED).aggregate(
        mean=Avg((F("service") + F("communication") + F("punctuality")) / 3.0), n=Count("id")
    )
    if not row["n"]:
        return NO_RATING
    return Rating(average=Decimal(str(row["mean"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), count=row["n"])


def bookings_to_review(*, user: Any, now: dt.datetime) -> list[Booking]:
    """The user's completed bookings without a review whose 90 days are not over."""
    return list(
        Booking.objects.filter(
            patient_id=user.pk,
            status=BookingStatus.COMPLETED,
            completed_at__gt=now - REVIEW_WINDOW,
            patient_review__isnull=True,
        )
        .select_related("provider")
        .order_by("-completed_at")
    )


def orders_to_review(*, user: Any, now: dt.datetime) -> list[AddonOrder]:
    """The user's fulfilled orders with an interpreter or driver, not reviewed, within 90 days."""
    return list(
        AddonOrder.objects.filter(
            patient_id=user.pk,
            status=AddonOrderStatus.FULFILLED,
            fulfilled_at__gt=now - REVIEW_WINDOW,
            supplier__kind__in=list(REVIEWED_SUPPLIER_KINDS),
            supplier_review__isnull=True,
        )
        .select_related("supplier")
        .order_by("-fulfilled_at")
    )


PAGE_REVIEWS = 10


def provider_page_reviews(*, provider_id: int) -> dict[str, Any]:
    """The public provider page's section: the rating, each dimension's, the latest published reviews."""
    return {
        "rating": provider_ratings([provider_id]).get(provider_id, NO_RATING),
        "dimensions": dimension_ratings(provider_id=provider_id),
        "latest": list(published_reviews(provider_id=provider_id).select_related("provider")[:PAGE_REVIEWS]),
    }
