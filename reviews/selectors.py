"""Reads of reviews, scoped to who asks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F

from reviews.models import Review, ReviewStatus


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
