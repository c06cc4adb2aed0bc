"""The quotes' count on a provider's dashboard (`core.hooks.provider_dashboard_counts`): open quote
requests sent to the provider that it has not answered yet."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from quotes.models import QuoteRecipient, QuoteRequestStatus


def dashboard_counts(*, provider_id: int, viewer_id: int, now: dt.datetime) -> list[dict]:
    new = (
        QuoteRecipient.objects.filter(
            provider_id=provider_id,
            first_answered_at__isnull=True,
            request__status__in=[QuoteRequestStatus.SENT, QuoteRequestStatus.ANSWERED],
        )
        .filter(Q(request__expires_at__isnull=True) | Q(request__expires_at__gt=now))
        .count()
    )
    return [
        {
            "key": "quote_requests_new",
            "label": _("New quote requests"),
            "count": new,
            "url": reverse("quotes:inbox"),
            "order": 10,
        }
    ]
