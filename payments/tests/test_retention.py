"""Retention of Stripe event payloads (docs/decisions.md, "Retention"): reduced to ids after 18 months."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from payments.models import StripeEvent
from payments.tasks import purge_stripe_payloads

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2028, 7, 1, 4, 15, tzinfo=dt.UTC)


def _event(event_id, received_at, *, processed=True):
    payload = {
        "id": event_id,
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": "pi_1",
                "object": "payment_intent",
                "billing_details": {"name": "Alice Martin", "email": "alice@example.test"},
            }
        },
    }
    return StripeEvent.objects.create(
        id=event_id,
        type="payment_intent.succeeded",
        created=received_at,
        payload=payload,
        received_at=received_at,
        processed_at=received_at if processed else None,
    )


def test_payloads_are_reduced_to_ids_after_548_days_only_when_processed(settings):
    assert settings.RETENTION_STRIPE_PAYLOAD_DAYS == 548
    old = _event("evt_old", NOW - dt.timedelta(days=548, seconds=1))
    young = _event("evt_young", NOW - dt.timedelta(days=548) + dt.timedelta(seconds=1))
    unprocessed = _event("evt_waiting", NOW - dt.timedelta(days=600), processed=False)

    with time_machine.travel(NOW, tick=False):
        assert purge_stripe_payloads.apply().get() == 1
        assert purge_stripe_payloads.apply().get() == 0

    old.refresh_from_db()
    assert old.payload == {
        "id": "evt_old",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_1", "object": "payment_intent"}},
    }
    assert old.payload_purged_at == NOW
    for kept in (young, unprocessed):
        kept.refresh_from_db()
        assert "Alice Martin" in str(kept.payload)
        assert kept.payload_purged_at is None
