"""Helpers for the notification tests: a confirmed booking, Twilio configured against a stub."""

from __future__ import annotations

import datetime as dt

from bookings.services import booking_confirm_deposit
from bookings.tests.support import NOW, awaiting, bookable


def confirm(booking, *, at: dt.datetime = NOW):
    return booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=at, now=at)


def booked(patient, **offering):
    """A booking awaiting its deposit at a bookable offering (Paris), the provider's admin a member."""
    from providers.tests.factories import MemberFactory

    item = bookable(**offering)
    MemberFactory(provider=item.provider)
    return awaiting(patient, item.provider, offering=item)
