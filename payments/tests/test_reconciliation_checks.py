"""The reconciliation's further checks: each automatic payout against the balance transactions it
carries, and the ledger's Stripe balance against Stripe's. The emulator has neither payouts nor a
real balance nor `BalanceTransaction.list(payout=…)`, so Stripe is the HTTP stand-in here
(`stripe_stub`), at the boundary the real client talks to."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from payments import ledger
from payments.ledger import Leg, ledger_post
from payments.services.reconciliation import BALANCE_DIFFERENCE, MISSING_IN_LEDGER, PAYOUT_MISMATCH, reconcile

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_side(stripe_stub, settings):
    """A day at Stripe: a charge of €500 paid out automatically by po_1, both in the ledger."""
    settings.STRIPE_EMULATED = False  # Stripe's own balance is compared
    now = int(time.time())
    stripe_stub.objects["balance_transactions"] = {
        "txn_ch": {
            "id": "txn_ch",
            "object": "balance_transaction",
            "amount": 50_000,
            "fee": 0,
            "net": 50_000,
            "currency": "eur",
            "type": "charge",
            "source": "ch_1",
            "status": "available",
            "created": now,
            "payout": "po_1",
        },
        "txn_po": {
            "id": "txn_po",
            "object": "balance_transaction",
            "amount": -50_000,
            "fee": 0,
            "net": -50_000,
            "currency": "eur",
            "type": "payout",
            "source": "po_1",
            "status": "available",
            "created": now,
            "payout": "po_1",
        },
    }
    stripe_stub.objects["payouts"] = {
        "po_1": {
            "id": "po_1",
            "object": "payout",
            "amount": 50_000,
            "currency": "eur",
            "status": "paid",
            "automatic": True,
        }
    }
    stripe_stub.balance = {"object": "balance", "available": [{"amount": 0, "currency": "eur"}], "pending": []}
    stamp = dt.datetime.now(dt.UTC)
    ledger_post(
        kind="addon_paid",
        legs=[Leg(ledger.stripe_balance("EUR"), 50_000), Leg(ledger.income("addon:test", "EUR"), -50_000)],
        external_source=ledger.STRIPE,
        external_id="txn_ch",
        now=stamp,
    )
    ledger_post(
        kind="payout",
        legs=[Leg(ledger.bank_account("EUR"), 50_000), Leg(ledger.stripe_balance("EUR"), -50_000)],
        external_source=ledger.STRIPE,
        external_id="po_1",
        now=stamp,
    )
    return stripe_stub


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def test_a_day_whose_payout_and_balance_agree_has_no_difference(stripe_side):
    report = reconcile(day=_today())

    assert report.items == []
    assert report.balance_source == "stripe"
    assert any(r.params.get("payout") == "po_1" for r in stripe_side.received)


def test_an_automatic_payout_that_is_not_the_sum_of_what_it_carries_is_reported(stripe_side):
    stripe_side.objects["payouts"]["po_1"]["amount"] = 40_000

    report = reconcile(day=_today())

    [item] = [i for i in report.items if i.kind == PAYOUT_MISMATCH]
    assert (item.source_id, item.stripe_amount, item.ledger_amount) == ("po_1", 40_000, 50_000)
    assert "txn_ch" in item.detail


def test_a_balance_difference_the_day_explains_is_not_reported_and_one_it_does_not_is(stripe_side):
    now = int(time.time())
    stripe_side.objects["balance_transactions"]["txn_extra"] = {
        "id": "txn_extra",
        "object": "balance_transaction",
        "amount": 1_000,
        "fee": 0,
        "net": 1_000,
        "currency": "eur",
        "type": "charge",
        "source": "ch_2",
        "status": "pending",
        "created": now,
    }
    stripe_side.balance["available"][0]["amount"] = 1_000  # Stripe has €10 the ledger lacks: txn_extra

    explained = reconcile(day=_today())
    assert [i.kind for i in explained.items] == [MISSING_IN_LEDGER]

    stripe_side.balance["available"][0]["amount"] = 1_700  # €7 more that nothing of the day explains
    unexplained = reconcile(day=_today())

    [item] = [i for i in unexplained.items if i.kind == BALANCE_DIFFERENCE]
    assert (item.currency, item.stripe_amount, item.ledger_amount) == ("EUR", 1_700, 0)
    assert "+700" in item.detail
    assert "txn_extra" in item.detail
