"""The bookings' count on a provider's dashboard (`core.hooks.provider_dashboard_counts`): bookings whose
appointment is ahead and whose deposit the patient has not paid yet."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus


def dashboard_counts(*, provider_id: int, viewer_id: int, now: dt.datetime) -> list[dict]:
    awaiting = (
        Booking.objects.filter(provider_id=provider_id, status=BookingStatus.AWAITING_DEPOSIT)
        .annotate(first_start=Min("appointments__start"))
        .filter(first_start__gte=now)
        .count()
    )
    query = urlencode({"tab": "upcoming", "status": BookingStatus.AWAITING_DEPOSIT})
    return [
        {
            "key": "bookings_awaiting_deposit",
            "label": _("Bookings awaiting the patient's deposit"),
            "count": awaiting,
            "url": f"{reverse('bookings:provider_bookings', args=[provider_id])}?{query}",
            "order": 20,
        }
    ]
