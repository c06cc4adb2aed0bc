"""{% deposit_release booking as release %}: whether a provider's member may ask for a booking's
deposit now, and the release already asked for. For the provider's calendar and booking page."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils import timezone

from bookings.models import BookingStatus
from payments.models import DepositStatus, Release, ReleaseStatus

register = template.Library()


@dataclass(frozen=True)
class ReleaseState:
    can_ask: bool
    release: Release | None


@register.simple_tag
def deposit_release(booking) -> ReleaseState:
    """The service (`release_request`) decides; this only hides the button when it would refuse."""
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return ReleaseState(can_ask=False, release=None)  # no query for the calendar's other rows
    release = Release.objects.filter(booking=booking).exclude(status=ReleaseStatus.REJECTED).first()
    if release is not None:
        return ReleaseState(can_ask=False, release=release)
    deposit = getattr(booking, "deposit_payment", None)
    if deposit is None or deposit.status != DepositStatus.HELD or deposit.dispute_status == "open":
        return ReleaseState(can_ask=False, release=None)
    first = booking.appointments.order_by("start").first()
    return ReleaseState(can_ask=first is not None and first.start <= timezone.now(), release=None)
