"""A seeded run of random orders, payments, cancellations, hours worked and refunds through the Stripe
emulator, after which the ledger must balance (`check_ledger`) and the add-on income must equal what
Stripe kept: every charge less every refund."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command

from bookings.tests.support import NOW
from concierge.models import AddonOrder, InterpreterRequest
from concierge.services.ordering import (
    interpreter_hours_record,
    order_cancel,
    order_create_interpreter,
    order_create_transfer,
)
from concierge.tests.ordering_support import APPOINTMENT, confirmed_booking, leg, paid, price_lists
from payments import ledger
from payments.ledger import ledger_check

pytestmark = pytest.mark.django_db

ORDERS = 30


def test_a_random_run_of_orders_payments_cancellations_and_refunds_leaves_the_ledger_clean(
    stripe_emulator, patient, careteam
):
    rng = random.Random(13)
    price_lists(careteam)
    booking = confirmed_booking(patient)
    appointment = booking.appointments.get()
    charged: list[str] = []
    refunds: list[str] = []

    for _ in range(ORDERS):
        if rng.random() < 0.5:
            legs = [
                leg(
                    APPOINTMENT - dt.timedelta(minutes=rng.choice([45, 60, 24 * 60, 47 * 60, 70 * 60])),
                    wheelchair=rng.random() < 0.3,
                )
                for _ in range(rng.randint(1, 4))
            ]
            order = order_create_transfer(patient=patient, booking=booking, legs=legs, currency="EUR", now=NOW)
        else:
            order = order_create_interpreter(
                patient=patient,
                booking=booking,
                language="ar",
                provider_language="fr",
                minutes=rng.randint(1, 16 * 60),
                first_day=appointment.start.date(),
                last_day=appointment.start.date(),
                currency="EUR",
                now=NOW,
            )
        if rng.random() < 0.8:
            order = paid(stripe_emulator, order, patient)
        roll = rng.random()
        if roll < 0.5:
            # Anywhere from weeks before to just after the first pickup.
            when = APPOINTMENT - dt.timedelta(minutes=rng.randint(-60, 80 * 60))
            order_cancel(order=order, actor=rng.choice([patient, careteam]), now=max(when, NOW))
        elif roll < 0.8 and order.kind == "interpreter" and order.status == "confirmed":
            result = interpreter_hours_record(
                order=order,
                actor=careteam,
                worked_minutes=rng.randint(0, 16 * 60),
                now=APPOINTMENT + dt.timedelta(hours=9),
            )
            if result.pk != order.pk and rng.random() < 0.7:
                paid(stripe_emulator, result, patient)

    for order in AddonOrder.objects.all():
        if order.payment_intent_id and order.paid_at:
            charged.append(order.payment_intent_id)
        if order.stripe_refund_id:
            refunds.append(order.stripe_refund_id)
    refunds += list(
        InterpreterRequest.objects.exclude(adjustment_refund_id=None).values_list("adjustment_refund_id", flat=True)
    )
    taken = sum(stripe_emulator.get(f"/v1/payment_intents/{pi}")["amount"] for pi in charged)
    given_back = sum(stripe_emulator.get(f"/v1/refunds/{refund}")["amount"] for refund in refunds)
    income = ledger.income("addon:transfer", "EUR").balance + ledger.income("addon:interpreter", "EUR").balance

    assert refunds, "the run refunded something"
    assert income == -(taken - given_back)
    assert ledger_check() == []
    call_command("check_ledger")
