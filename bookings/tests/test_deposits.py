"""Bookings awaiting their deposit (from a quote), payment confirmation, and unpaid expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from bookings.models import Appointment, Booking, BookingStatus
from bookings.services import (
    booking_cancel,
    booking_confirm_deposit,
    booking_create_awaiting_deposit,
    booking_expire_unpaid,
    booking_hold,
)
from bookings.tasks import expire_unpaid_bookings
from bookings.tests.support import FOUR_WEEKS_ON, NOW, awaiting, bookable, paris
from core.errors import Conflict, ValidationFailed
from core.models import AuditEvent
from core.money import Money
from providers.models import VerificationStatus
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

DEADLINE = NOW + dt.timedelta(days=3)
LATER = FOUR_WEEKS_ON


def test_an_accepted_quote_creates_a_booking_awaiting_its_deposit_with_live_appointments(patient, careteam):
    provider = bookable().provider
    slots = [(paris(9, day=LATER), paris(10, day=LATER)), (paris(14, day=LATER), paris(15, 30, day=LATER))]

    booking = booking_create_awaiting_deposit(
        patient=patient,
        provider=provider,
        deposit=Money(50_000, "EUR"),
        total=Money(400_000, "EUR"),
        slots=list(reversed(slots)),
        payment_deadline=DEADLINE,
        policy_code="platform_default",
        actor=careteam,
        now=NOW,
    )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_DEPOSIT
    assert booking.offering is None
    assert (booking.deposit, booking.total) == (Money(50_000, "EUR"), Money(400_000, "EUR"))
    assert booking.deposit_due_at == DEADLINE
    assert booking.timezone == "Europe/Paris"
    assert booking.cancellation_policy.code == "platform_default"
    assert [(a.start, a.end, a.live) for a in booking.appointments.all()] == [(*s, True) for s in slots]
    event = AuditEvent.objects.get(action="bookings.booking.awaiting_deposit")
    assert event.actor_id == careteam.pk


def test_a_quote_slot_overlapping_a_live_appointment_is_taken_and_nothing_is_written(patient, other_patient):
    offering = bookable()
    booking_hold(patient=other_patient, offering=offering, start=paris(10), now=NOW)

    with pytest.raises(Conflict) as error:
        awaiting(patient, offering.provider, slots=[(paris(10, 15), paris(11))], payment_deadline=paris(9))

    assert error.value.code == "slot_taken"
    assert Booking.objects.count() == 1
    assert Appointment.objects.count() == 1


def test_a_lapsed_hold_does_not_block_a_quote_booking(patient, other_patient):
    offering = bookable()
    booking_hold(patient=other_patient, offering=offering, start=paris(10), now=NOW)

    booking = awaiting(
        patient,
        offering.provider,
        slots=[(paris(10), paris(11))],
        payment_deadline=paris(9),
        now=NOW + dt.timedelta(minutes=16),
    )

    assert booking.status == BookingStatus.AWAITING_DEPOSIT
    assert Booking.objects.filter(status=BookingStatus.EXPIRED).count() == 1


def test_an_unverified_provider_cannot_take_a_quote_booking(patient):
    provider = ProviderFactory(status=VerificationStatus.PENDING)

    with pytest.raises(Conflict) as error:
        awaiting(patient, provider)

    assert error.value.code == "provider_unverified"
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slots": []}, "slots"),
        ({"slots": [(paris(10), paris(9))]}, "slots"),
        ({"slots": [(paris(5), paris(6))]}, "slots"),  # before now
        (
            {"slots": [(paris(9, day=LATER), paris(11, day=LATER)), (paris(10, day=LATER), paris(12, day=LATER))]},
            "slots",
        ),
        ({"payment_deadline": NOW}, "payment_deadline"),
        ({"payment_deadline": paris(11, day=LATER)}, "payment_deadline"),
        ({"total": Money(100, "EUR")}, "total"),
        ({"total": Money(900_000, "USD")}, "total"),
        ({"deposit": Money(-1, "EUR")}, "deposit"),
    ],
)
def test_a_malformed_quote_booking_is_refused_with_the_field_named(patient, changes, field):
    provider = bookable().provider

    with pytest.raises(ValidationFailed) as error:
        awaiting(patient, provider, **changes)

    assert field in error.value.details
    assert Booking.objects.count() == 0


def test_an_offering_of_another_provider_is_refused(patient):
    provider = bookable().provider
    foreign = bookable()

    with pytest.raises(ValidationFailed):
        awaiting(patient, provider, offering=foreign)


# --- paying -------------------------------------------------------------------------------------


def test_paying_the_deposit_confirms_the_booking_once(patient):
    booking = awaiting(patient, bookable().provider)
    paid_at = NOW + dt.timedelta(hours=2)

    first = booking_confirm_deposit(booking=booking, payment_reference="pi_123", paid_at=paid_at, now=paid_at)
    again = booking_confirm_deposit(
        booking=booking, payment_reference="pi_123", paid_at=paid_at, now=paid_at + dt.timedelta(minutes=1)
    )

    assert first.status == again.status == BookingStatus.CONFIRMED
    again.refresh_from_db()
    assert (again.paid_at, again.payment_reference, again.updated_at) == (paid_at, "pi_123", paid_at)
    assert AuditEvent.objects.filter(action="bookings.booking.confirmed").count() == 1


def test_a_held_booking_paid_within_its_hold_is_confirmed(patient):
    booking = booking_hold(patient=patient, offering=bookable(), start=paris(10), now=NOW)

    booking = booking_confirm_deposit(booking=booking, payment_reference="pi_1", paid_at=NOW, now=NOW)

    assert booking.status == BookingStatus.CONFIRMED
    assert booking.appointments.get().live


def test_a_second_payment_under_another_reference_is_a_conflict(patient):
    booking = awaiting(patient, bookable().provider)
    booking_confirm_deposit(booking=booking, payment_reference="pi_1", paid_at=NOW, now=NOW)

    with pytest.raises(Conflict) as error:
        booking_confirm_deposit(booking=booking, payment_reference="pi_2", paid_at=NOW, now=NOW)

    assert error.value.code == "already_paid"
    booking.refresh_from_db()
    assert booking.payment_reference == "pi_1"


def test_confirming_an_expired_booking_is_refused_and_changes_nothing(patient):
    booking = awaiting(patient, bookable().provider)
    booking_expire_unpaid(now=DEADLINE)

    with pytest.raises(Conflict) as error:
        booking_confirm_deposit(booking=booking, payment_reference="pi_1", paid_at=DEADLINE, now=DEADLINE)

    assert error.value.code == "booking_expired"
    assert "expired" in error.value.message
    booking.refresh_from_db()
    assert (booking.status, booking.paid_at, booking.payment_reference) == (BookingStatus.EXPIRED, None, "")


def test_confirming_a_cancelled_booking_is_refused(patient):
    booking = awaiting(patient, bookable().provider)
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW)

    with pytest.raises(Conflict) as error:
        booking_confirm_deposit(booking=booking, payment_reference="pi_1", paid_at=NOW, now=NOW)

    assert error.value.code == "booking_cancelled"


def test_a_blank_payment_reference_is_refused(patient):
    booking = awaiting(patient, bookable().provider)

    with pytest.raises(ValidationFailed):
        booking_confirm_deposit(booking=booking, payment_reference="  ", paid_at=NOW, now=NOW)


# --- expiry -------------------------------------------------------------------------------------


def test_an_unpaid_booking_expires_at_its_deadline_and_frees_its_time_once(patient, other_patient):
    offering = bookable()
    booking = awaiting(patient, offering.provider, slots=[(paris(10, day=LATER), paris(11, day=LATER))])

    assert booking_expire_unpaid(now=DEADLINE - dt.timedelta(seconds=1)) == 0
    assert booking_expire_unpaid(now=DEADLINE) == 1
    assert booking_expire_unpaid(now=DEADLINE) == 0

    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert not booking.appointments.get().live
    assert AuditEvent.objects.filter(action="bookings.booking.expired", target_id=str(booking.pk)).count() == 1
    again = booking_hold(
        patient=other_patient, offering=offering, start=paris(10, day=LATER), now=DEADLINE + dt.timedelta(minutes=1)
    )
    assert again.status == BookingStatus.HELD


def test_a_paid_booking_does_not_expire(patient):
    booking = awaiting(patient, bookable().provider)
    booking_confirm_deposit(booking=booking, payment_reference="pi_1", paid_at=NOW, now=NOW)

    assert booking_expire_unpaid(now=DEADLINE + dt.timedelta(days=1)) == 0


def test_the_unpaid_expiry_task_runs_every_five_minutes(patient):
    real_now = timezone.now()
    start = real_now + dt.timedelta(days=10)
    awaiting(
        patient,
        bookable().provider,
        slots=[(start, start + dt.timedelta(hours=1))],
        payment_deadline=real_now - dt.timedelta(minutes=1),
        now=real_now - dt.timedelta(days=1),
    )

    assert expire_unpaid_bookings.delay().get() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["expire-unpaid-bookings"]
    assert entry["task"] == "bookings.tasks.expire_unpaid_bookings"
    assert entry["schedule"] == dt.timedelta(minutes=5)
