"""One patient cannot keep a calendar busy without paying (docs/decisions.md#holds-per-patient).

Reproduces the finding: 30 consecutive slots held by one patient, and a lapsing hold renewed forever.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel, booking_hold
from bookings.tests.support import MONDAY, NOW, awaiting, paris
from core.errors import Conflict
from providers.availability import offering_first_free_slot, offering_free_slots

pytestmark = pytest.mark.django_db


def test_a_patient_cannot_hold_a_whole_calendar(patient, other_patient, offering):
    # Monday to Wednesday, 09:00 to 14:00: 30 consecutive half-hour slots.
    starts = [
        paris(9, day=MONDAY + dt.timedelta(days=n // 10)) + dt.timedelta(minutes=30 * (n % 10)) for n in range(30)
    ]
    outcomes = []
    for start in starts:
        try:
            booking_hold(patient=patient, offering=offering, start=start, now=NOW)
            outcomes.append("held")
        except Conflict as refused:
            outcomes.append(refused.code)

    assert outcomes == ["held"] * 3 + ["too_many_holds"] * 27  # BOOKING_MAX_LIVE_HOLDS
    assert Booking.objects.filter(patient=patient).count() == 3
    # Another patient still finds the rest of the day free.
    assert booking_hold(patient=other_patient, offering=offering, start=starts[3], now=NOW)


def test_the_limit_is_a_setting_and_counts_bookings_awaiting_their_deposit(settings, patient, clinic, offering):
    settings.BOOKING_MAX_LIVE_HOLDS = 2
    awaiting(patient, clinic, offering=offering)
    booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)

    with pytest.raises(Conflict) as refused:
        booking_hold(patient=patient, offering=offering, start=paris(11), now=NOW)

    assert refused.value.code == "too_many_holds"


def test_holds_that_lapsed_or_were_paid_no_longer_count(patient, offering):
    for hour in (9, 10, 11):
        booking_hold(patient=patient, offering=offering, start=paris(hour), now=NOW)
    paid = Booking.objects.filter(patient=patient).order_by("pk").first()
    Booking.objects.filter(pk=paid.pk).update(status=BookingStatus.CONFIRMED)

    # One confirmed: a fourth hold is allowed now; 16 minutes on, all holds have lapsed.
    booking_hold(patient=patient, offering=offering, start=paris(12), now=NOW)
    later = NOW + dt.timedelta(minutes=16)
    for hour in (13, 14, 15):
        booking_hold(patient=patient, offering=offering, start=paris(hour), now=later)


def test_a_hold_is_renewed_at_most_once(patient, other_patient, offering):
    first = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)
    renewed = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW + dt.timedelta(minutes=15))
    # Cancelling and holding again is a renewal too.
    booking_cancel(booking=renewed, actor=patient, reason="none", now=NOW + dt.timedelta(minutes=20))

    for minutes in (21, 30, 45):
        with pytest.raises(Conflict) as refused:
            booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW + dt.timedelta(minutes=minutes))
        assert refused.value.code == "hold_renewal_limit"

    assert first.pk != renewed.pk
    # The slot is left for others.
    assert booking_hold(patient=other_patient, offering=offering, start=paris(10), now=NOW + dt.timedelta(minutes=46))


def test_the_same_slot_may_be_held_again_the_next_day(patient, offering):
    start = paris(10, day=dt.date(2030, 1, 9))
    for minutes in (0, 15):
        booking_hold(patient=patient, offering=offering, start=start, now=NOW + dt.timedelta(minutes=minutes))

    assert booking_hold(patient=patient, offering=offering, start=start, now=NOW + dt.timedelta(days=1, minutes=1))


# --- the API ---------------------------------------------------------------------------------------------


def _hold(client, offering, start):
    return client.post("/api/v1/bookings/hold/", {"offering": offering.pk, "start": start.isoformat()}, format="json")


def test_the_api_answers_too_many_holds_with_409(api_as, patient, offering):
    now = timezone.now()
    slots = offering_free_slots(
        offering=offering,
        first_day=now.date() + dt.timedelta(days=3),
        last_day=now.date() + dt.timedelta(days=10),
        now=now,
    )
    client = api_as(patient)
    statuses = [_hold(client, offering, slot.start).status_code for slot in slots[:4]]

    assert statuses == [201, 201, 201, 409]
    response = _hold(client, offering, slots[5].start)
    assert response.json()["code"] == "too_many_holds"


def test_holds_are_throttled_per_patient(settings, api_as, patient, other_patient, offering):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"holds": "2/hour"}}
    slot = offering_first_free_slot(offering=offering, now=timezone.now())
    client = api_as(patient)

    statuses = [_hold(client, offering, slot.start).status_code for _ in range(3)]

    assert statuses[2] == 429
    assert _hold(client, offering, slot.start).json()["code"] == "throttled"
    # Another patient has their own allowance.
    assert _hold(api_as(other_patient), offering, slot.start).status_code != 429


def test_a_booking_of_several_appointments_counts_as_one_live_hold(settings, patient, clinic, offering):
    settings.BOOKING_MAX_LIVE_HOLDS = 2
    two_days = [
        (paris(9, day=MONDAY + dt.timedelta(days=n)), paris(9, 30, day=MONDAY + dt.timedelta(days=n))) for n in (7, 8)
    ]
    awaiting(patient, clinic, offering=offering, slots=two_days)

    held = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)

    assert held.status == BookingStatus.HELD
    with pytest.raises(Conflict) as refused:
        booking_hold(patient=patient, offering=offering, start=paris(11), now=NOW)
    assert refused.value.code == "too_many_holds"
