"""Stripe payouts: the platform's balance paid out to its bank (F9), and what Stripe says of a
provider's connected account (whether transfers can reach it). Both re-fetch from Stripe, so events
delivered twice or out of order end in the same state."""

from __future__ import annotations

import datetime as dt

from payments import gateway, ledger
from payments.ledger import Leg, ledger_post
from payments.models import LedgerTransaction, PayoutAccount


def payout_record(*, stripe_payout_id: str, now: dt.datetime) -> None:
    """F9: the platform's Stripe balance paid out to its bank. Re-fetched, so the order of
    `payout.paid` and `payout.failed` does not matter: a paid payout moves the money once, and a
    failed one that had been posted as paid comes back once."""
    payout = gateway.payout_retrieve(stripe_payout_id)
    stripe, bank = ledger.stripe_balance(payout.currency), ledger.bank_account(payout.currency)
    posted = LedgerTransaction.objects.filter(
        external_source=ledger.STRIPE, external_id=payout.id, kind="payout"
    ).exists()
    if payout.status == "paid":
        ledger_post(
            kind="payout",
            legs=[Leg(bank, payout.amount), Leg(stripe, -payout.amount)],
            external_source=ledger.STRIPE,
            external_id=payout.id,
            now=now,
        )
    elif payout.status in ("failed", "canceled") and posted:
        ledger_post(
            kind="payout_failed",
            legs=[Leg(stripe, payout.amount), Leg(bank, -payout.amount)],
            external_source=ledger.STRIPE,
            external_id=payout.id,
            now=now,
        )


def payout_account_refresh(*, stripe_account_id: str, now: dt.datetime) -> None:
    """Connect: keep each provider's payout account usable or not (a release waits for a wire)."""
    account = gateway.account_retrieve(stripe_account_id)
    PayoutAccount.objects.filter(stripe_account_id=account.id).update(
        country=account.country,
        payouts_enabled=account.payouts_enabled,
        transfers_active=account.transfers_active,
        updated_at=now,
    )
