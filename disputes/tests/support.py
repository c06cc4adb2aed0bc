"""Helpers of the disputes' tests: a booking whose €500 deposit is held (paid through the emulator),
its appointment over, and a paid transfer order."""

from __future__ import annotations

import datetime as dt

from bookings.tests.support import FOUR_WEEKS_ON, paris
from concierge.models import AddonOrder
from concierge.services.orders import order_create, order_pay, order_start
from core.money import Money
from payments.tests.conftest import CARD_OK
from payments.tests.support import paid_booking

# The booking's only appointment is 09:00–10:00 in Paris on FOUR_WEEKS_ON.
AFTER = paris(12, day=FOUR_WEEKS_ON)
# In UTC: adding days to a Paris time would keep its wall-clock time across the change to summer time.
LAST_END = paris(10, day=FOUR_WEEKS_ON).astimezone(dt.UTC)


def held_booking(emulator, patient, provider):
    return paid_booking(emulator, patient, provider)


def paid_order(emulator, patient, *, now: dt.datetime, amount: int = 9_000) -> AddonOrder:
    order = order_create(
        patient=patient, kind="transfer", description="Airport to hotel", price=Money(amount, "EUR"), now=now
    )
    checkout = order_start(order=order, actor=patient, now=now)
    card = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    order_pay(order=order, actor=patient, payment_method=card, now=now)
    order.refresh_from_db()
    return order
