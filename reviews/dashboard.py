"""Reviews' count on a provider's dashboard (`core.hooks.provider_dashboard_counts`): published
reviews the provider has not replied to yet, linked to its reviews page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from reviews.models import Review, ReviewStatus


def dashboard_counts(*, provider_id: int, viewer_id: int, now: dt.datetime) -> list[dict]:
    unanswered = Review.objects.filter(
        provider_id=provider_id, status=ReviewStatus.PUBLISHED, reply_at__isnull=True
    ).count()
    return [
        {
            "key": "reviews_unanswered",
            "label": _("Reviews without your reply"),
            "count": unanswered,
            "url": reverse("reviews:provider_reviews"),
            "order": 40,
        }
    ]
