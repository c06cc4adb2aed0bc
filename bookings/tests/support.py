"""Shared test helpers for bookings: a fixed Monday, Paris times, a bookable offering, a quote booking,
the deposit paid."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bookings.models import Booking
from bookings.services import booking_confirm_deposit, booking_create_awaiting_deposit
from core.money import Money
from providers.tests.factories import MemberFactory, OfferingFactory, open_weekdays

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
MONDAY = dt.date(2030, 1, 7)
NOW = dt.datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris
FOUR_WEEKS_ON = dt.date(2030, 2, 4)  # a Monday


def paris(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def bookable(**kwargs):
    """A verified provider's 30-minute consultation, open Monday to Friday 09:00–17:00 in Paris."""
    offering = OfferingFactory(**kwargs)
    open_weekdays(offering.location)
    return offering


def awaiting(patient, provider, *, now: dt.datetime = NOW, **changes) -> Booking:
    """A booking from an accepted quote: €500 deposit of €4,000, 09:00–10:00 four weeks on, 3 days to pay."""
    arguments = {
        "patient": patient,
        "provider": provider,
        "deposit": Money(50_000, "EUR"),
        "total": Money(400_000, "EUR"),
        "slots": [(paris(9, day=FOUR_WEEKS_ON), paris(10, day=FOUR_WEEKS_ON))],
        "payment_deadline": now + dt.timedelta(days=3),
        "policy_code": "platform_default",
        "actor": patient,
        "now": now,
    }
    arguments.update(changes)
    return booking_create_awaiting_deposit(**arguments)


def confirm(booking, *, at: dt.datetime = NOW):
    """The deposit paid at `at`: the booking confirmed."""
    return booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=at, now=at)


def booked(patient, **offering):
    """A booking awaiting its deposit at a bookable offering (Paris), the provider's admin a member."""
    item = bookable(**offering)
    MemberFactory(provider=item.provider)
    return awaiting(patient, item.provider, offering=item)
