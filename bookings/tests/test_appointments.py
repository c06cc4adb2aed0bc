"""Closing bookings (completed, no-show) and moving appointments within availability."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.models import BookingStatus
from bookings.services import (
    booking_cancel,
    booking_complete,
    booking_confirm_deposit,
    booking_hold,
    booking_mark_no_show,
    booking_reschedule,
)
from bookings.tests.support import MONDAY, NOW, awaiting, paris
from core.errors import Conflict, Forbidden, ValidationFailed
from core.models import AuditEvent
from providers.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + dt.timedelta(days=1)


def confirmed(patient, offering, hour=10):
    booking = booking_hold(patient=patient, offering=offering, start=paris(hour), now=NOW)
    return booking_confirm_deposit(booking=booking, payment_reference=f"pi_{hour}", paid_at=NOW, now=NOW)


def test_a_member_completes_a_booking_after_its_appointment_began(patient, offering, clinic_admin):
    booking = confirmed(patient, offering)

    done = booking_complete(booking=booking, actor=clinic_admin, now=paris(10, 5))
    again = booking_complete(booking=booking, actor=clinic_admin, now=paris(11))

    assert done.status == again.status == BookingStatus.COMPLETED
    again.refresh_from_db()
    assert again.completed_at == paris(10, 5)
    assert AuditEvent.objects.filter(action="bookings.booking.completed").count() == 1
    with pytest.raises(Conflict) as error:
        booking_cancel(booking=booking, actor=patient, reason="none", now=paris(12))
    assert error.value.code == "booking_completed"


def test_completing_before_the_appointment_is_refused(patient, offering, clinic_admin):
    booking = confirmed(patient, offering)

    with pytest.raises(Conflict) as error:
        booking_complete(booking=booking, actor=clinic_admin, now=paris(9, 59))

    assert error.value.code == "appointment_not_started"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_only_the_providers_members_close_a_booking(patient, offering):
    booking = confirmed(patient, offering)
    stranger = MemberFactory().user

    for actor in (patient, stranger):
        with pytest.raises(Forbidden):
            booking_complete(booking=booking, actor=actor, now=paris(11))
        with pytest.raises(Forbidden):
            booking_mark_no_show(booking=booking, actor=actor, now=paris(11))


def test_an_unpaid_booking_cannot_be_completed(patient, offering, clinic_admin):
    booking = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)

    with pytest.raises(Conflict) as error:
        booking_complete(booking=booking, actor=clinic_admin, now=paris(11))

    assert error.value.code == "invalid_transition"


def test_a_no_show_records_the_no_show_fee(patient, offering, clinic_admin):
    booking = confirmed(patient, offering)

    closed = booking_mark_no_show(booking=booking, actor=clinic_admin, now=paris(10, 30))
    again = booking_mark_no_show(booking=booking, actor=clinic_admin, now=paris(11))

    assert closed.status == again.status == BookingStatus.NO_SHOW
    assert (closed.cancellation_fee, closed.cancellation_refund, closed.cancellation_rule) == (4500, 0, "no_show")
    assert AuditEvent.objects.filter(action="bookings.booking.no_show").count() == 1


# --- rescheduling -------------------------------------------------------------------------------------


def test_the_patient_moves_an_appointment_to_another_free_slot(patient, offering):
    booking = confirmed(patient, offering)

    moved = booking_reschedule(booking=booking, actor=patient, start=paris(14, day=TUESDAY), now=NOW)

    appointment = moved.appointments.get()
    assert (appointment.start, appointment.end) == (paris(14, day=TUESDAY), paris(14, 30, day=TUESDAY))
    assert moved.status == BookingStatus.CONFIRMED
    # The old time is free again: someone else can hold it.
    assert booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW).status == BookingStatus.HELD
    assert AuditEvent.objects.filter(action="bookings.appointment.rescheduled").count() == 1


def test_moving_onto_a_taken_slot_is_refused_and_nothing_moves(patient, other_patient, offering, clinic_admin):
    booking = confirmed(patient, offering)
    confirmed(other_patient, offering, hour=11)

    with pytest.raises(Conflict) as error:
        booking_reschedule(booking=booking, actor=clinic_admin, start=paris(11), now=NOW)

    assert error.value.code == "slot_taken"
    assert booking.appointments.get().start == paris(10)


def test_moving_outside_the_opening_hours_is_refused(patient, offering):
    booking = confirmed(patient, offering)

    with pytest.raises(ValidationFailed) as error:
        booking_reschedule(booking=booking, actor=patient, start=paris(19), now=NOW)

    assert error.value.code == "slot_not_offered"


def test_a_stranger_cannot_move_an_appointment(patient, other_patient, offering):
    booking = confirmed(patient, offering)

    with pytest.raises(Forbidden):
        booking_reschedule(booking=booking, actor=other_patient, start=paris(14), now=NOW)


def test_a_cancelled_booking_cannot_be_moved(patient, offering):
    booking = confirmed(patient, offering)
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW)

    with pytest.raises(Conflict):
        booking_reschedule(booking=booking, actor=patient, start=paris(14), now=NOW)


def test_a_quote_booking_is_moved_by_the_provider_not_through_slots(patient, offering):
    booking = awaiting(patient, offering.provider)

    with pytest.raises(Conflict) as error:
        booking_reschedule(booking=booking, actor=patient, start=paris(14, day=TUESDAY), now=NOW)

    assert error.value.code == "reschedule_needs_offering"


def test_an_appointment_that_has_started_cannot_be_moved(patient, offering):
    booking = confirmed(patient, offering)

    with pytest.raises(Conflict) as error:
        booking_reschedule(booking=booking, actor=patient, start=paris(14), now=paris(10, 1))

    assert error.value.code == "appointment_started"
