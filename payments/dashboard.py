"""The payments' count on a provider's dashboard (`core.hooks.provider_dashboard_counts`): bookings whose
deposit the provider may ask for now (what `release_request_check` allows, asked booking by booking)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import Booking, BookingStatus
from payments.models import DepositStatus, ReleaseStatus
from payments.services.releases import release_request_check


def dashboard_counts(*, provider_id: int, viewer_id: int, now: dt.datetime) -> list[dict]:
    viewer = User.objects.get(pk=viewer_id)
    # The candidates in one query, then the release's own check on each (the few that pass the filter).
    candidates = (
        Booking.objects.filter(
            provider_id=provider_id,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED],
            deposit_payment__status=DepositStatus.HELD,
            appointments__start__lte=now,
        )
        .exclude(releases__status__in=[s for s in ReleaseStatus.values if s != ReleaseStatus.REJECTED])
        .select_related("provider")
        .distinct()
    )
    count = sum(1 for booking in candidates if release_request_check(booking=booking, actor=viewer, now=now).allowed)
    query = urlencode({"tab": "past"})
    return [
        {
            "key": "releases_to_ask",
            "label": _("Deposits you can ask for"),
            "count": count,
            "url": f"{reverse('bookings:provider_bookings', args=[provider_id])}?{query}",
            "order": 30,
        }
    ]
