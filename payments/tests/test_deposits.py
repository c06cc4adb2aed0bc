"""Paying a booking's deposit against the local Stripe emulator: good, declined and 3-D Secure
cards, bookings that cannot be paid, and D1 (a paid deposit confirms the booking, recorded once
however often and however concurrently it is reported)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel, booking_confirm_deposit, booking_hold
from bookings.tests.support import NOW, awaiting, bookable, paris
from core.errors import Conflict, NotFound
from core.models import AuditEvent
from payments import gateway
from payments.models import Deposit, DepositStatus
from payments.services.deposits import (
    deposit_confirm,
    deposit_pay,
    deposit_record_paid,
    deposit_start,
)
from payments.tests.conftest import CARD_3DS, CARD_DECLINED, CARD_DECLINED_ON_CHARGE, CARD_OK

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(patient):
    return awaiting(patient, bookable().provider)


def pay_with(emulator, booking, patient, number):
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment_method = emulator.collect_card(checkout.setup_client_secret, number)
    return deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=NOW)


def test_paying_with_a_good_card_charges_the_deposit_in_full_and_confirms_the_booking(
    stripe_emulator, booking, patient
):
    payment = pay_with(stripe_emulator, booking, patient, CARD_OK)

    assert payment.status == "succeeded"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payment_reference == payment.payment_intent_id
    assert booking.paid_at == NOW
    deposit = Deposit.objects.get(booking=booking)
    assert deposit.status == DepositStatus.HELD
    assert (deposit.amount, deposit.currency) == (50_000, "EUR")
    assert deposit.payment_intent_id == payment.payment_intent_id
    assert deposit.charge_id.startswith("ch_")
    assert deposit.verification_code
    # D9: automatic capture, the booking in metadata, the exact amount.
    intent = stripe_emulator.get(f"/v1/payment_intents/{payment.payment_intent_id}")
    assert intent["capture_method"] == "automatic"
    assert intent["metadata"] == {"booking": str(booking.pk), "purpose": "deposit"}
    assert (intent["amount"], intent["currency"]) == (50_000, "eur")


def test_a_direct_booking_held_while_paying_is_confirmed_by_its_deposit(stripe_emulator, patient):
    offering = bookable()
    held = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)
    assert held.status == BookingStatus.HELD

    payment = pay_with(stripe_emulator, held, patient, CARD_OK)

    held.refresh_from_db()
    assert held.status == BookingStatus.CONFIRMED
    assert held.payment_reference == payment.payment_intent_id
    intent = stripe_emulator.get(f"/v1/payment_intents/{payment.payment_intent_id}")
    assert (intent["amount"], intent["currency"].upper()) == (held.deposit_amount, held.currency)


def test_a_card_declined_while_collected_is_explained_and_nothing_is_charged(stripe_emulator, booking, patient):
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    response = stripe_emulator.confirm_card_setup(checkout.setup_client_secret, CARD_DECLINED)
    assert response.status_code == 402  # what Stripe.js shows the patient first
    payment_method = stripe_emulator.collect_card(checkout.setup_client_secret, CARD_DECLINED)

    with pytest.raises(gateway.PaymentDeclined) as declined:
        deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=NOW)

    assert declined.value.code == "card_declined"
    assert "declined" in declined.value.message
    assert "No money was taken" in declined.value.message
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_DEPOSIT
    assert booking.paid_at is None
    assert stripe_emulator.get("/v1/payment_intents")["data"] == []


def test_a_card_declined_when_charged_is_explained_and_the_booking_stays_unpaid(stripe_emulator, booking, patient):
    with pytest.raises(gateway.PaymentDeclined) as declined:
        pay_with(stripe_emulator, booking, patient, CARD_DECLINED_ON_CHARGE)

    assert declined.value.code == "card_declined"
    assert declined.value.message.startswith("Your card was declined")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_DEPOSIT
    assert Deposit.objects.get(booking=booking).status == DepositStatus.PENDING


def test_a_3d_secure_card_requires_action_then_the_completed_check_confirms_the_booking(
    stripe_emulator, booking, patient
):
    payment = pay_with(stripe_emulator, booking, patient, CARD_3DS)

    assert payment.status == "requires_action"
    assert payment.client_secret.startswith(payment.payment_intent_id + "_secret_")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_DEPOSIT

    stripe_emulator.authenticate(payment.client_secret, success=True)
    confirmed = deposit_confirm(booking=booking, actor=patient, now=NOW)

    assert confirmed.status == "succeeded"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payment_reference == payment.payment_intent_id


def test_a_failed_3d_secure_check_is_explained_and_the_booking_stays_unpaid(stripe_emulator, booking, patient):
    payment = pay_with(stripe_emulator, booking, patient, CARD_3DS)
    stripe_emulator.authenticate(payment.client_secret, success=False)

    with pytest.raises(gateway.PaymentDeclined) as declined:
        deposit_confirm(booking=booking, actor=patient, now=NOW)

    assert declined.value.code == "authentication_failed"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_DEPOSIT


def test_a_new_attempt_cancels_an_abandoned_3d_secure_payment_so_it_cannot_succeed_later(
    stripe_emulator, booking, patient
):
    abandoned = pay_with(stripe_emulator, booking, patient, CARD_3DS)

    payment = pay_with(stripe_emulator, booking, patient, CARD_OK)

    assert payment.status == "succeeded"
    assert stripe_emulator.get(f"/v1/payment_intents/{abandoned.payment_intent_id}")["status"] == "canceled"
    assert Deposit.objects.get(booking=booking).attempts == 2


def test_a_double_click_on_pay_charges_once(stripe_emulator, booking, patient):
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment_method = stripe_emulator.collect_card(checkout.setup_client_secret, CARD_3DS)

    first = deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=NOW)
    second = deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=NOW)

    assert first.payment_intent_id == second.payment_intent_id
    assert len(stripe_emulator.get("/v1/payment_intents")["data"]) == 1


@pytest.mark.parametrize("state", ["expired", "lapsed", "cancelled", "paid"])
def test_a_booking_that_cannot_take_its_deposit_is_refused_and_nothing_goes_to_stripe(
    stripe_emulator, booking, patient, state
):
    now = NOW
    if state == "expired":
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.EXPIRED)
    elif state == "lapsed":
        now = booking.deposit_due_at + dt.timedelta(minutes=1)
    elif state == "cancelled":
        booking_cancel(booking=booking, actor=patient, reason="none", now=NOW)
    else:
        booking_confirm_deposit(booking=booking, payment_reference="bank-transfer-1", paid_at=NOW, now=NOW)

    with pytest.raises(Conflict) as refused:
        deposit_start(booking=booking, actor=patient, now=now)

    expected = {"expired": "booking_expired", "lapsed": "booking_expired", "cancelled": "booking_cancelled"}
    assert refused.value.code == expected.get(state, "already_paid")
    assert "Nothing was charged" in refused.value.message or state == "paid"
    with pytest.raises(Conflict):
        deposit_pay(booking=booking, actor=patient, payment_method="pm_anything", now=now)
    assert stripe_emulator.get("/v1/setup_intents")["data"] == []
    assert stripe_emulator.get("/v1/payment_intents")["data"] == []


def test_another_patient_cannot_pay_or_see_someone_elses_booking(stripe_emulator, booking, other_patient):
    with pytest.raises(NotFound):
        deposit_start(booking=booking, actor=other_patient, now=NOW)
    with pytest.raises(NotFound):
        deposit_pay(booking=booking, actor=other_patient, payment_method="pm_x", now=NOW)
    assert stripe_emulator.get("/v1/setup_intents")["data"] == []


def test_d1_a_paid_deposit_reported_twice_is_recorded_once(stripe_emulator, booking, patient):
    payment = pay_with(stripe_emulator, booking, patient, CARD_OK)

    again = deposit_record_paid(payment_intent_id=payment.payment_intent_id, now=NOW + dt.timedelta(minutes=5))

    assert again.paid_at == NOW
    assert AuditEvent.objects.filter(action="payments.deposit.held").count() == 1
    assert AuditEvent.objects.filter(action="bookings.booking.confirmed").count() == 1


def test_a_payment_for_another_amount_is_not_taken_as_the_deposit(stripe_emulator, booking, patient):
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment_method = stripe_emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    intent = gateway.deposit_payment_intent_create(
        amount=100, currency="EUR", payment_method=payment_method, booking_id=booking.pk, idempotency_key="test:1"
    )

    with pytest.raises(Conflict) as refused:
        deposit_record_paid(payment_intent_id=intent.id, now=NOW)

    assert refused.value.code == "amount_mismatch"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_DEPOSIT


def test_a_second_payment_of_a_paid_deposit_is_flagged_for_refund(stripe_emulator, booking, patient):
    pay_with(stripe_emulator, booking, patient, CARD_OK)
    checkout_secret = gateway.setup_intent_create(booking_id=booking.pk, idempotency_key="test:2").client_secret
    payment_method = stripe_emulator.collect_card(checkout_secret, CARD_OK)
    second = gateway.deposit_payment_intent_create(
        amount=50_000, currency="EUR", payment_method=payment_method, booking_id=booking.pk, idempotency_key="test:3"
    )

    with pytest.raises(Conflict) as refused:
        deposit_record_paid(payment_intent_id=second.id, now=NOW)

    assert refused.value.code == "deposit_paid_twice"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_d1_the_same_payment_reported_concurrently_is_recorded_once_on_postgresql(stripe_emulator, patient):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    booking = awaiting(patient, bookable().provider)
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment_method = stripe_emulator.collect_card(checkout.setup_client_secret, CARD_3DS)
    payment = deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=NOW)
    stripe_emulator.authenticate(payment.client_secret, success=True)
    barrier = threading.Barrier(6)
    results: list[str] = []

    def report():
        try:
            barrier.wait(timeout=30)
            deposit_record_paid(payment_intent_id=payment.payment_intent_id, now=NOW)
            results.append("ok")
        except Exception as error:  # the assertion shows it
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert results == ["ok"] * 6
    assert AuditEvent.objects.filter(action="payments.deposit.held").count() == 1
    assert AuditEvent.objects.filter(action="bookings.booking.confirmed").count() == 1
    assert Deposit.objects.get(booking=booking).status == DepositStatus.HELD
