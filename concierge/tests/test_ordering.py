"""Ordering transfers and interpreters for a confirmed booking: proposals, the exact price before
ordering, validation (nothing written on bad input), cancellation tiers through the Stripe emulator,
fulfilment, the hours worked, and legs re-timed when an appointment moves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from bookings.services import booking_cancel, booking_reschedule
from bookings.tests.support import FOUR_WEEKS_ON, NOW, paris
from concierge.models import AddonOrder, AddonOrderStatus, InterpreterRequest, OrderLine, TransferLeg
from concierge.services.ordering import (
    interpreter_hours_record,
    interpreter_hours_record_check,
    interpreter_minutes_proposed,
    order_assign,
    order_assign_check,
    order_cancel,
    order_cancel_check,
    order_create_interpreter,
    order_create_transfer,
    order_fulfil,
    order_preview_interpreter,
    order_preview_transfer,
    order_refund_schedule,
    transfer_legs_proposed,
)
from concierge.tests.ordering_support import (
    APPOINTMENT,
    HOURLY,
    PER_LEG,
    WHEELCHAIR,
    confirmed_booking,
    leg,
    paid,
    price_lists,
)
from core.audit import AuditEvent
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from payments import ledger
from payments.ledger import ledger_check

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
PICKUP = APPOINTMENT - dt.timedelta(minutes=45)
FIRST_DAY = FOUR_WEEKS_ON


@pytest.fixture
def booking(patient, careteam):
    price_lists(careteam)
    return confirmed_booking(patient)


def interpreter(patient, booking, *, minutes=180, now=NOW, **changes):
    values = {
        "patient": patient,
        "booking": booking,
        "language": "ar",
        "provider_language": "fr",
        "minutes": minutes,
        "first_day": FIRST_DAY,
        "last_day": FIRST_DAY,
        "currency": "EUR",
        "now": now,
    }
    values.update(changes)
    return order_create_interpreter(**values)


def counts():
    return (
        AddonOrder.objects.count(),
        OrderLine.objects.count(),
        TransferLeg.objects.count(),
        InterpreterRequest.objects.count(),
    )


# --- proposals and prices ---------------------------------------------------------------------------


def test_the_legs_proposed_follow_the_arrival_the_appointments_and_the_departure(booking):
    arrival = APPOINTMENT - dt.timedelta(days=2)
    departure = APPOINTMENT + dt.timedelta(days=3)

    legs = transfer_legs_proposed(
        booking=booking,
        arrival_at=arrival,
        arrival_flight="TK 1987",
        departure_at=departure,
        departure_flight="TK1988",
        hotel="Hôtel du Louvre",
    )

    appointment = booking.appointments.get()
    assert [(x.origin_kind, x.destination_kind) for x in legs] == [
        ("airport", "hotel"),
        ("hotel", "hospital"),
        ("hospital", "hotel"),
        ("hotel", "airport"),
    ]
    assert legs[0].pickup_at == arrival
    assert legs[1].pickup_at == APPOINTMENT - dt.timedelta(minutes=45)
    assert legs[2].pickup_at == appointment.end
    assert legs[3].pickup_at == departure - 3 * H
    assert [x.appointment_id for x in legs] == [None, appointment.pk, appointment.pk, None]
    assert "Paris" in legs[1].destination


def test_the_interpreter_minutes_proposed_are_the_appointments_total(booking):
    assert interpreter_minutes_proposed(booking=booking) == 60


def test_the_preview_gives_the_exact_price_and_writes_nothing(patient, booking):
    before = counts()

    price = order_preview_transfer(
        patient=patient,
        booking=booking,
        legs=[leg(PICKUP), leg(APPOINTMENT + H, wheelchair=True)],
        currency="EUR",
        now=NOW,
    )

    assert price.total == 2 * PER_LEG + WHEELCHAIR
    assert [line.label_key for line in price.lines] == ["transfer_legs", "transfer_wheelchair"]
    assert counts() == before


def test_a_transfer_order_awaits_payment_with_its_lines_and_legs(patient, booking):
    order = order_create_transfer(
        patient=patient,
        booking=booking,
        legs=[
            leg(PICKUP - dt.timedelta(days=1), origin_kind="airport", origin="CDG", flight_number="ba 117"),
            leg(PICKUP, appointment_id=booking.appointments.get().pk),
        ],
        currency="EUR",
        now=NOW,
    )

    assert order.status == AddonOrderStatus.AWAITING_PAYMENT
    assert (order.amount, order.currency, order.booking_id, order.city) == (2 * PER_LEG, "EUR", booking.pk, "Paris")
    assert list(order.lines.values_list("amount", flat=True)) == [2 * PER_LEG]
    legs = list(order.legs.all())
    assert legs[0].flight_number == "BA117"
    assert legs[1].appointment_start == APPOINTMENT


def test_an_interpreter_order_applies_the_two_hour_minimum(patient, booking):
    preview = order_preview_interpreter(
        patient=patient,
        booking=booking,
        language="ar",
        provider_language="fr",
        minutes=90,
        first_day=FIRST_DAY,
        last_day=FIRST_DAY,
        currency="EUR",
        now=NOW,
    )
    order = interpreter(patient, booking, minutes=90)

    assert preview.total == order.amount == 2 * HOURLY
    assert order.interpreter.booked_minutes == 120
    assert order.interpreter.language == "ar"


# --- who may order, and bad input -------------------------------------------------------------------


def test_someone_elses_booking_is_not_found_and_nothing_is_written(other_patient, booking):
    before = counts()

    with pytest.raises(NotFound):
        order_create_transfer(patient=other_patient, booking=booking, legs=[leg(PICKUP)], currency="EUR", now=NOW)
    with pytest.raises(NotFound):
        interpreter(other_patient, booking)

    assert counts() == before


def test_a_booking_not_confirmed_yet_is_refused_with_409(patient, careteam):
    price_lists(careteam)
    waiting = confirmed_booking(patient, confirmed=False)

    with pytest.raises(Conflict) as refused:
        order_create_transfer(patient=patient, booking=waiting, legs=[leg(PICKUP)], currency="EUR", now=NOW)

    assert refused.value.code == "booking_not_confirmed"
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"flight_number": "HELLO"}, "legs.0.flight_number"),
        ({"flight_number": "12345"}, "legs.0.flight_number"),
        ({"origin_kind": "airport", "flight_number": ""}, "legs.0.flight_number"),
        ({"pickup_at": NOW - H}, "legs.0.pickup_at"),
        ({"pickup_at": APPOINTMENT - dt.timedelta(days=3, minutes=1)}, "legs.0.pickup_at"),
        ({"pickup_at": APPOINTMENT + dt.timedelta(days=31)}, "legs.0.pickup_at"),
        ({"passengers": 0}, "legs.0.passengers"),
        ({"passengers": 9}, "legs.0.passengers"),
        ({"luggage": 13}, "legs.0.luggage"),
        ({"origin": "  "}, "legs.0.origin"),
        ({"appointment_id": 999_999}, "legs.0.appointment_id"),
    ],
)
def test_a_bad_leg_is_refused_with_its_field_named_and_nothing_written(patient, booking, changes, field):
    before = counts()

    with pytest.raises(ValidationFailed) as refused:
        order_create_transfer(patient=patient, booking=booking, legs=[leg(PICKUP, **changes)], currency="EUR", now=NOW)

    assert field in refused.value.details
    assert counts() == before


def test_flight_numbers_in_iata_style_are_accepted_and_normalised(patient, booking):
    for typed, stored in (("TK1987", "TK1987"), ("ba 117", "BA117"), ("U2 0431", "U2431"), ("9W302A", "9W302A")):
        order = order_create_transfer(
            patient=patient, booking=booking, legs=[leg(PICKUP, flight_number=typed)], currency="EUR", now=NOW
        )
        assert order.legs.get().flight_number == stored


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 10_000 * 60}, "minutes"),
        ({"language": "zz!"}, "language"),
        ({"language": "qq"}, "language"),
        ({"provider_language": "ar"}, "provider_language"),
        ({"last_day": FIRST_DAY - dt.timedelta(days=1)}, "last_day"),
        ({"first_day": dt.date(2029, 12, 31), "last_day": dt.date(2029, 12, 31)}, "first_day"),
        ({"currency": "USD"}, "currency"),
        ({"currency": "XXX"}, "currency"),
    ],
)
def test_bad_interpreter_input_is_refused_with_its_field_named_and_nothing_written(patient, booking, changes, field):
    before = counts()

    with pytest.raises(ValidationFailed) as refused:
        interpreter(patient, booking, **changes)

    assert field in refused.value.details
    assert counts() == before


def test_a_currency_without_a_price_list_says_so(patient, booking):
    with pytest.raises(ValidationFailed) as refused:
        order_preview_transfer(patient=patient, booking=booking, legs=[leg(PICKUP)], currency="USD", now=NOW)

    assert refused.value.code == "no_price_list"


# --- cancellation -----------------------------------------------------------------------------------


def test_an_unpaid_order_is_just_cancelled(patient, booking):
    order = order_create_transfer(patient=patient, booking=booking, legs=[leg(PICKUP)], currency="EUR", now=NOW)

    cancelled = order_cancel(order=order, actor=patient, now=NOW)

    assert cancelled.status == AddonOrderStatus.CANCELLED
    assert cancelled.refund_amount is None
    assert cancelled.stripe_refund_id is None


@pytest.mark.parametrize(
    ("before", "refund"),
    [(72 * H, 2 * PER_LEG), (48 * H, 2 * PER_LEG), (47 * H, PER_LEG), (24 * H, PER_LEG), (23 * H, 0)],
)
def test_cancelling_a_paid_transfer_refunds_each_leg_by_its_tier_at_stripe_and_in_the_ledger(
    stripe_emulator, patient, booking, before, refund
):
    order = order_create_transfer(
        patient=patient, booking=booking, legs=[leg(PICKUP), leg(PICKUP, flight_number="")], currency="EUR", now=NOW
    )
    order = paid(stripe_emulator, order, patient)

    cancelled = order_cancel(order=order, actor=patient, now=PICKUP - before)

    assert cancelled.status == AddonOrderStatus.CANCELLED
    assert cancelled.refund_amount == refund
    assert "48 hours" in cancelled.refund_explanation
    if refund:
        assert stripe_emulator.get(f"/v1/refunds/{cancelled.stripe_refund_id}")["amount"] == refund
    else:
        assert cancelled.stripe_refund_id is None
    assert ledger.income("addon:transfer", "EUR").balance == -(2 * PER_LEG - refund)
    assert ledger_check() == []
    call_command("check_ledger")


def test_an_interpreter_cancelled_the_day_before_is_billed_in_full(stripe_emulator, patient, booking):
    order = paid(stripe_emulator, interpreter(patient, booking), patient)

    late = order_cancel(order=order, actor=patient, now=APPOINTMENT - 23 * H)

    assert late.refund_amount == 0
    assert ledger.income("addon:interpreter", "EUR").balance == -order.amount


def test_a_cancelled_order_is_not_cancelled_twice_and_stripe_refunds_once(stripe_emulator, patient, booking):
    order = paid(stripe_emulator, interpreter(patient, booking), patient)
    cancelled = order_cancel(order=order, actor=patient, now=NOW)

    assert not order_cancel_check(order=cancelled, actor=patient)
    with pytest.raises(Conflict) as again:
        order_cancel(order=cancelled, actor=patient, now=NOW)

    assert again.value.code == "already_cancelled"
    assert ledger.income("addon:interpreter", "EUR").balance == 0
    assert ledger_check() == []


def test_only_the_patient_or_the_careteam_cancels(stripe_emulator, patient, other_patient, careteam, finance, booking):
    order = interpreter(patient, booking)

    with pytest.raises(NotFound):
        order_cancel(order=order, actor=other_patient, now=NOW)
    with pytest.raises(Forbidden):
        order_cancel(order=order, actor=finance, now=NOW)
    assert order_cancel(order=order, actor=careteam, now=NOW).status == AddonOrderStatus.CANCELLED


def test_the_refund_schedule_before_paying_shows_the_tiers_as_moments_and_amounts(patient, booking):
    order = order_create_transfer(patient=patient, booking=booking, legs=[leg(PICKUP)], currency="EUR", now=NOW)

    periods = order_refund_schedule(order=order, now=NOW)

    assert [(p.until, p.refund.amount) for p in periods] == [
        (PICKUP - 48 * H, PER_LEG),
        (PICKUP - 24 * H, PER_LEG // 2),
        (None, 0),
    ]
    assert "(Paris time)" in periods[0].label


# --- fulfilment -------------------------------------------------------------------------------------


def test_the_careteam_assigns_a_driver_and_the_order_is_in_progress(stripe_emulator, patient, careteam, booking):
    order = paid(
        stripe_emulator,
        order_create_transfer(patient=patient, booking=booking, legs=[leg(PICKUP)], currency="EUR", now=NOW),
        patient,
    )

    assigned = order_assign(
        order=order, actor=careteam, name="Mehmet Y.", phone="+33 6 12 34 56 78", detail="", now=NOW
    )

    assert assigned.status == AddonOrderStatus.IN_PROGRESS
    assert (assigned.supplier_name, assigned.supplier_phone) == ("Mehmet Y.", "+33612345678")
    again = order_assign(order=assigned, actor=careteam, name="Ali K.", phone="", detail="Black Mercedes", now=NOW)
    assert (again.status, again.supplier_name) == (AddonOrderStatus.IN_PROGRESS, "Ali K.")
    done = order_fulfil(order=again, actor=careteam, now=NOW)
    assert done.status == AddonOrderStatus.FULFILLED
    assert AuditEvent.objects.filter(action="concierge.order.assigned").count() == 1


def test_only_the_careteam_assigns_and_only_a_paid_order(patient, careteam, booking):
    order = interpreter(patient, booking)

    assert order_assign_check(order=order, actor=patient).refusal.code == "forbidden"
    with pytest.raises(Conflict) as refused:
        order_assign(order=order, actor=careteam, name="Leila", phone="", detail="ar ↔ fr", now=NOW)
    assert refused.value.code == "not_paid"
    with pytest.raises(ValidationFailed):
        order_assign(order=order, actor=careteam, name="", phone="abc", detail="", now=NOW)


def test_fewer_hours_worked_than_paid_refunds_the_difference(stripe_emulator, patient, careteam, booking):
    order = paid(stripe_emulator, interpreter(patient, booking, minutes=240), patient)

    result = interpreter_hours_record(order=order, actor=careteam, worked_minutes=140, now=APPOINTMENT + 5 * H)

    assert result.pk == order.pk
    record = InterpreterRequest.objects.get(order=order)
    # 2 h 20 is billed as 2 h 30: 4 h paid, 1 h 30 refunded.
    assert record.adjustment_amount == -int(1.5 * HOURLY)
    assert stripe_emulator.get(f"/v1/refunds/{record.adjustment_refund_id}")["amount"] == int(1.5 * HOURLY)
    assert ledger.income("addon:interpreter", "EUR").balance == -int(2.5 * HOURLY)
    assert ledger_check() == []
    assert not interpreter_hours_record_check(order=order, actor=careteam)
    with pytest.raises(Conflict) as again:
        interpreter_hours_record(order=order, actor=careteam, worked_minutes=100, now=APPOINTMENT + 6 * H)
    assert again.value.code == "hours_recorded"


def test_more_hours_worked_than_paid_open_a_follow_up_order_awaiting_payment(
    stripe_emulator, patient, careteam, booking
):
    order = paid(stripe_emulator, interpreter(patient, booking, minutes=120), patient)

    follow_up = interpreter_hours_record(order=order, actor=careteam, worked_minutes=200, now=APPOINTMENT + 5 * H)

    # 3 h 20 is billed as 3 h 30: 1 h 30 more than the 2 h paid.
    assert follow_up.pk != order.pk
    assert (follow_up.status, follow_up.amount, follow_up.booking_id) == (
        AddonOrderStatus.AWAITING_PAYMENT,
        int(1.5 * HOURLY),
        booking.pk,
    )
    assert InterpreterRequest.objects.get(order=order).follow_up_order_id == follow_up.pk
    follow_up = paid(stripe_emulator, follow_up, patient)
    assert ledger.income("addon:interpreter", "EUR").balance == -int(3.5 * HOURLY)
    assert ledger_check() == []


def test_hours_worked_matching_the_paid_hours_move_no_money(stripe_emulator, patient, careteam, booking):
    order = paid(stripe_emulator, interpreter(patient, booking, minutes=180), patient)

    result = interpreter_hours_record(order=order, actor=careteam, worked_minutes=171, now=APPOINTMENT + 5 * H)

    assert result.pk == order.pk
    assert InterpreterRequest.objects.get(order=order).adjustment_amount == 0


# --- the booking moves ------------------------------------------------------------------------------


def test_a_moved_appointment_re_times_its_legs_and_the_interpreters_days(patient, booking):
    appointment = booking.appointments.get()
    arrival = PICKUP - dt.timedelta(days=1)
    transfer = order_create_transfer(
        patient=patient,
        booking=booking,
        legs=[
            leg(arrival, origin_kind="airport", origin="CDG", flight_number="AF1"),
            leg(PICKUP, appointment_id=appointment.pk),
            leg(appointment.end, appointment_id=appointment.pk),
        ],
        currency="EUR",
        now=NOW,
    )
    interpreting = interpreter(patient, booking)
    new_start = paris(11, day=FOUR_WEEKS_ON + dt.timedelta(days=1))

    booking_reschedule(booking=booking, actor=patient, start=new_start, now=NOW)

    legs = list(TransferLeg.objects.filter(order=transfer).order_by("position"))
    assert legs[0].pickup_at == arrival  # the flight did not move
    assert legs[1].pickup_at == new_start - dt.timedelta(minutes=45)
    assert legs[2].pickup_at == new_start + H
    record = InterpreterRequest.objects.get(order=interpreting)
    assert (record.first_day, record.last_day) == (new_start.date(), new_start.date())
    assert AuditEvent.objects.filter(action="concierge.order.retimed").count() == 2


def test_a_cancelled_booking_leaves_its_orders_for_the_careteam(patient, booking):
    order = order_create_transfer(patient=patient, booking=booking, legs=[leg(PICKUP)], currency="EUR", now=NOW)

    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW)

    order.refresh_from_db()
    assert order.status == AddonOrderStatus.AWAITING_PAYMENT
    assert order.legs.get().pickup_at == PICKUP


# --- the patient is told ----------------------------------------------------------------------------


def test_the_patient_is_told_of_payment_assignment_re_timing_and_cancellation(
    stripe_emulator, patient, careteam, booking, django_capture_on_commit_callbacks
):
    from notifications.models import Message

    with django_capture_on_commit_callbacks(execute=True):
        order = order_create_transfer(
            patient=patient,
            booking=booking,
            legs=[leg(PICKUP, appointment_id=booking.appointments.get().pk)],
            currency="EUR",
            now=NOW,
        )
        order = paid(stripe_emulator, order, patient)
    with django_capture_on_commit_callbacks(execute=True):
        order_assign(order=order, actor=careteam, name="Mehmet Y.", phone="+33612345678", detail="", now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        booking_reschedule(booking=booking, actor=patient, start=paris(11, day=FOUR_WEEKS_ON), now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=patient, now=NOW)

    events = set(Message.objects.filter(recipient=patient).values_list("event", flat=True))
    assert {
        "addon_order_confirmed",
        "addon_supplier_assigned",
        "addon_order_changed",
        "addon_order_cancelled",
    } <= events


def test_a_leg_keeps_its_local_offset_when_its_appointment_moves_across_a_daylight_saving_change(patient, booking):
    """Paris moves to summer time on 31 March 2030: the 08:15 pickup before a 09:00 appointment on
    Monday 25 March stays at 08:15 local when the appointment moves to 09:00 on Monday 1 April."""
    appointment = booking.appointments.get()
    before_change = paris(9, day=dt.date(2030, 3, 25))
    after_change = paris(9, day=dt.date(2030, 4, 1))
    booking_reschedule(booking=booking, actor=patient, start=before_change, now=NOW)
    order = order_create_transfer(
        patient=patient,
        booking=booking,
        legs=[leg(before_change - dt.timedelta(minutes=45), appointment_id=appointment.pk)],
        currency="EUR",
        now=NOW,
    )

    booking_reschedule(booking=booking, actor=patient, start=after_change, now=NOW)

    pickup = order.legs.get().pickup_at.astimezone(after_change.tzinfo)
    assert (pickup.date(), pickup.hour, pickup.minute) == (dt.date(2030, 4, 1), 8, 15)
