"""Helpers of the payment tests: a booking whose deposit was paid through the emulator, and
Stripe events signed as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from bookings.tests.support import NOW, awaiting
from payments.services.deposits import deposit_pay, deposit_start
from payments.tests.conftest import CARD_OK
from providers.tests.factories import ProviderFactory


def paid_booking(emulator, patient, provider=None, *, now=NOW):
    """A €500 deposit (of €4,000) paid by card, four weeks before its appointment (bookings' support)."""
    booking = awaiting(patient, provider or ProviderFactory(), now=now)
    checkout = deposit_start(booking=booking, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=now)
    booking.refresh_from_db()
    return booking


def signature(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send: HMAC-SHA256 of "<t>.<body>"."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(event_id: str, event_type: str, obj: dict, *, livemode: bool = False, account: str | None = None) -> bytes:
    body = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": livemode,
        "api_version": "2026-10-28.endive",
        "data": {"object": obj},
    }
    if account:
        body["account"] = account
    return json.dumps(body).encode()
