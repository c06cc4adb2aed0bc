"""Helpers of the ordering tests: a confirmed booking in Paris (a bookable offering, 09:00–10:00
four weeks on), the price lists in force there, and an order paid through the Stripe emulator."""

from __future__ import annotations

import datetime as dt

from bookings.tests.support import FOUR_WEEKS_ON, NOW, awaiting, bookable, confirm, paris
from concierge.models import AddonOrder, PriceList, PriceListStatus
from concierge.services.ordering import LegInput
from concierge.services.orders import order_pay, order_start
from payments.tests.conftest import CARD_OK
from providers.tests.factories import MemberFactory

APPOINTMENT = paris(9, day=FOUR_WEEKS_ON)  # Monday, 4 February 2030, 09:00–10:00 in Paris
PER_LEG = 4_500
WHEELCHAIR = 1_500
HOURLY = 6_000
REDUCED_HOURLY = 4_500


def price_lists(user, *, city: str = "Paris", currency: str = "EUR", now: dt.datetime = NOW) -> None:
    for kind, unit, reduced, supplement in (
        ("transfer", PER_LEG, None, WHEELCHAIR),
        ("interpreter", HOURLY, REDUCED_HOURLY, None),
    ):
        PriceList.objects.create(
            kind=kind,
            city=city,
            country="FR",
            currency=currency,
            unit_amount=unit,
            reduced_unit_amount=reduced,
            supplement_amount=supplement,
            status=PriceListStatus.ACTIVE,
            proposed_by=user,
            proposed_at=now,
        )


def confirmed_booking(patient, *, now: dt.datetime = NOW, confirmed: bool = True):
    """A booking of a bookable Paris offering (so it can be rescheduled), its deposit recorded paid."""
    offering = bookable()
    MemberFactory(provider=offering.provider)
    booking = awaiting(patient, offering.provider, offering=offering, now=now)
    if confirmed:
        confirm(booking, at=now)
    booking.refresh_from_db()
    return booking


def leg(pickup: dt.datetime, **changes) -> LegInput:
    values = {
        "origin_kind": "hotel",
        "origin": "Hôtel du Louvre",
        "destination_kind": "hospital",
        "destination": "Clinique, 1 rue de la Paix",
        "pickup_at": pickup,
    }
    values.update(changes)
    return LegInput(**values)


def paid(emulator, order: AddonOrder, patient, *, now: dt.datetime = NOW) -> AddonOrder:
    checkout = order_start(order=order, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    payment = order_pay(order=order, actor=patient, payment_method=payment_method, now=now)
    assert payment.status == "succeeded"
    order.refresh_from_db()
    return order
