"""Helpers for tests that need a paid careteam-assistance order (concierge's and quotes')."""

from __future__ import annotations

import datetime as dt

from concierge.models import AddonOrder, PriceList, PriceListStatus
from concierge.services.assistance import assistance_quote, assistance_request
from concierge.services.orders import order_pay, order_start
from concierge.services.packages import order_quote_accept
from payments.tests.conftest import CARD_OK


def careteam_price(careteam, now, *, city="Istanbul", currency="EUR", amount=25_000) -> PriceList:
    return PriceList.objects.create(
        kind="careteam",
        city=city,
        country="TR",
        currency=currency,
        unit_amount=amount,
        status=PriceListStatus.ACTIVE,
        proposed_by=careteam,
        proposed_at=now,
        decided_by=careteam,
        decided_at=now,
    )


def requested_assistance(patient, now, *, days=30) -> AddonOrder:
    return assistance_request(
        patient=patient,
        scope=["find_providers", "request_quotes"],
        expires_at=now + dt.timedelta(days=days),
        note="Knee surgery in spring",
        city="Istanbul",
        now=now,
    )


def paid_assistance(emulator, patient, careteam, now, *, days=30) -> AddonOrder:
    careteam_price(careteam, now)
    order = assistance_quote(
        order=requested_assistance(patient, now, days=days), actor=careteam, currency="EUR", now=now
    )
    order = order_quote_accept(order=order, actor=patient, now=now)
    checkout = order_start(order=order, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    assert order_pay(order=order, actor=patient, payment_method=payment_method, now=now).status == "succeeded"
    order.refresh_from_db()
    return order
