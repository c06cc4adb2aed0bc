"""Helpers of the visa-letter tests: a confirmed booking in Paris whose deposit was paid through the
Stripe emulator, the visa-letter price list there, passport details, and an order paid by card."""

from __future__ import annotations

import datetime as dt

from bookings.tests.support import NOW, awaiting, bookable
from concierge.models import AddonKind, PriceList, PriceListStatus
from concierge.services.orders import order_pay, order_start
from concierge.services.visa import PassportDetails, visa_letters_order
from payments.services.deposits import deposit_pay, deposit_start
from payments.tests.conftest import CARD_OK
from providers.tests.factories import SpecialtyFactory

LETTER_PRICE = 4_500  # €45.00 a letter


def price_list(*, city: str = "Paris", country: str = "FR", currency: str = "EUR", staff=None) -> PriceList:
    from accounts.tests.factories import UserFactory

    staff = staff or UserFactory()
    return PriceList.objects.create(
        kind=AddonKind.VISA_LETTER,
        city=city,
        country=country,
        currency=currency,
        unit_amount=LETTER_PRICE,
        status=PriceListStatus.ACTIVE,
        proposed_by=staff,
        proposed_at=NOW - dt.timedelta(days=30),
        decided_by=staff,
        decided_at=NOW - dt.timedelta(days=29),
    )


def unpaid_booking(patient, **offering):
    """A booking at a Paris cardiology consultation, awaiting its €500 deposit (of €4,000)."""
    offering.setdefault("title", "Coronary angioplasty consultation")
    offering.setdefault("specialty", SpecialtyFactory(code="cardiology", name_en="Cardiology", name_fr="Cardiologie"))
    item = bookable(**offering)
    return awaiting(patient, item.provider, offering=item)


def deposit_paid(emulator, booking, patient):
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=NOW)
    booking.refresh_from_db()
    return booking


def paid_booking_in_paris(emulator, patient, **offering):
    return deposit_paid(emulator, unpaid_booking(patient, **offering), patient)


def person(
    surname="DUPONT",
    given_names="MARIE CLAIRE",
    passport_number="19AB12345",
    nationality="FR",
    birth_date=dt.date(1980, 5, 17),
) -> PassportDetails:
    return PassportDetails(surname, given_names, passport_number, nationality, birth_date)


COMPANION = person(surname="DUPONT", given_names="JEAN", passport_number="18CD67890", birth_date=dt.date(1978, 2, 1))


def pay_order(emulator, order, patient, *, now=NOW):
    checkout = order_start(order=order, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    payment = order_pay(order=order, actor=patient, payment_method=payment_method, now=now)
    assert payment.status == "succeeded"
    order.refresh_from_db()
    return order


def issued_letters(emulator, patient, *, persons=None, **offering):
    """A paid booking in Paris, the price list there, and letters ordered and paid: the order."""
    booking = paid_booking_in_paris(emulator, patient, **offering)
    price_list()
    order = visa_letters_order(
        patient=patient, booking=booking, persons=persons or [person(), COMPANION], currency="EUR", now=NOW
    )
    return pay_order(emulator, order, patient)
