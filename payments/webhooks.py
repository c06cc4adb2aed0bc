"""Stripe webhooks (docs/decisions.md#webhooks): verify, store once, process after commit.

1. The view checks the signature of the raw body (`stripe.Webhook.construct_event`, default
   tolerance, through the gateway) before anything is written: a missing, wrong or stale signature
   is a 400 and leaves no trace.
2. The event is stored once: its id is the primary key, so a duplicate delivery finds it.
3. After commit, the event is processed (a Celery task; inline without a broker). Processing locks
   the event row, re-fetches the object the event names from Stripe, and hands it to the service
   that owns it, which locks its own rows and posts only what is missing. Duplicates and events out
   of order therefore end in the same state.
4. A handler that fails rolls back everything it wrote; the event stays unprocessed with its error
   and is tried again (Stripe's retries, the periodic job). Unknown types are marked processed.
5. A periodic job fetches the events of the last days from Stripe and stores those never delivered.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from bookings.models import Booking
from core.audit import audit_record
from core.errors import ValidationFailed
from payments import gateway, ledger
from payments.ledger import Leg, ledger_post
from payments.models import Deposit, LedgerTransaction, PayoutAccount, StripeEvent
from payments.models import Refund as RefundRow
from payments.services.refunds import refund_record
from payments.services.releases import release_record_transfer

logger = logging.getLogger(__name__)


def _created(event: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(event.get("created") or 0), tz=dt.UTC)


def stripe_event_store(*, event: dict[str, Any], connect: bool, now: dt.datetime) -> tuple[StripeEvent, bool]:
    """Store a verified event once; returns (the event, whether this call stored it)."""
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                id=event["id"],
                type=event.get("type") or "",
                account=(event.get("account") or "") if connect else "",
                livemode=bool(event.get("livemode")),
                api_version=event.get("api_version") or "",
                created=_created(event),
                payload=event,
                received_at=now,
            )
    except IntegrityError:
        return StripeEvent.objects.get(pk=event["id"]), False
    return stored, True


# --- handlers: each re-fetches the object and calls the service that owns it ------------------------


def _object(event: StripeEvent) -> dict[str, Any]:
    return (event.payload.get("data") or {}).get("object") or {}


def _payment_intent_succeeded(event: StripeEvent, now: dt.datetime) -> None:
    from payments.services.deposits import deposit_record_paid
    from payments.services.orders import order_record_paid

    obj = _object(event)
    if (obj.get("metadata") or {}).get("purpose") == "addon":
        order_record_paid(payment_intent_id=obj["id"], now=now)
    else:
        deposit_record_paid(payment_intent_id=obj["id"], now=now)


def _refund_changed(event: StripeEvent, now: dt.datetime) -> None:
    obj = _object(event)
    refund_ids = [obj["id"]] if obj.get("object") == "refund" else []
    if obj.get("object") == "charge":  # charge.refunded lists the charge's refunds
        refund_ids = [r["id"] for r in ((obj.get("refunds") or {}).get("data") or [])]
    for refund_id in refund_ids:
        refund = gateway.refund_retrieve(refund_id)
        # Ours carry our id in metadata: it finds a refund whose answer from Stripe was lost.
        ours = refund.metadata.get("refund", "")
        known = RefundRow.objects.filter(pk=int(ours)).first() if ours.isdigit() else None
        refund_record(stripe_refund_id=refund.id, status=refund.status, refund=known, now=now)


def _transfer_created(event: StripeEvent, now: dt.datetime) -> None:
    from payments.models import Release

    transfer = gateway.transfer_retrieve(_object(event)["id"])
    release_id = str((_object(event).get("metadata") or {}).get("release") or "")
    release = Release.objects.filter(pk=int(release_id)).first() if release_id.isdigit() else None
    release_record_transfer(stripe_transfer_id=transfer.id, release=release, now=now)


def _deposit_of_charge(charge_id: str) -> Deposit | None:
    return Deposit.objects.select_for_update().filter(charge_id=charge_id).first()


def _dispute(event: StripeEvent, now: dt.datetime) -> None:
    """F8: a dispute freezes the deposit (no release, no refund); the money it withdraws leaves
    trust, and comes back if the dispute is won.

    Order-proof: a dispute event that arrives before the payment's own event records the payment
    first; "won" and "lost" (from `charge.dispute.closed`) are final, so an earlier event delivered
    late cannot reopen the dispute; a reinstatement before its withdrawal fails and is retried."""
    dispute = _object(event)
    charge_id = gateway._id_of(dispute.get("charge"))
    payment_intent_id = gateway._id_of(dispute.get("payment_intent"))
    if charge_id and payment_intent_id and not Deposit.objects.filter(charge_id=charge_id).exists():
        from payments.services.deposits import deposit_record_paid

        deposit_record_paid(payment_intent_id=payment_intent_id, now=now)
    with transaction.atomic():
        deposit = _deposit_of_charge(charge_id) if charge_id else None
        if deposit is None:
            return  # not a deposit: reconciliation reports it
        booking = Booking.objects.get(pk=deposit.booking_id)
        if event.type == "charge.dispute.closed":
            status = "won" if dispute.get("status") == "won" else "lost"
        else:
            status = deposit.dispute_status or "open"
        if status != deposit.dispute_status:
            before = deposit.dispute_status
            deposit.dispute_status = status
            deposit.save(update_fields=["dispute_status"])
            audit_record(
                actor=None,
                action="payments.deposit.dispute",
                target=deposit,
                before={"dispute": before},
                after={"dispute": status},
                now=now,
            )
        if event.type == "charge.dispute.funds_withdrawn":
            for bt in dispute.get("balance_transactions") or []:
                _post_withdrawal(booking=booking, bt=bt, now=now)
        elif event.type == "charge.dispute.funds_reinstated":
            for bt in dispute.get("balance_transactions") or []:
                _post_reinstatement(booking=booking, bt=bt, now=now)


def _post_withdrawal(*, booking: Booking, bt: dict[str, Any], now: dt.datetime) -> None:
    """The card network took the money back: it leaves trust (as far as trust still holds it; the
    rest is a loss when the deposit was already released), and Stripe's dispute fee is an expense."""
    amount, fee = abs(int(bt["amount"])), abs(int(bt.get("fee") or 0))
    currency = str(bt["currency"]).upper()
    from_trust = min(amount, ledger.held(booking=booking, currency=currency))
    legs = [Leg(ledger.stripe_balance(currency), -(amount + fee))]
    if from_trust:
        legs.append(Leg(ledger.trust(booking=booking, currency=currency), from_trust))
    if amount - from_trust:
        legs.append(Leg(ledger.expense("dispute_loss", currency), amount - from_trust))
    if fee:
        legs.append(Leg(ledger.expense("dispute_fees", currency), fee))
    ledger_post(
        kind="dispute_withdrawal",
        legs=legs,
        external_source=ledger.STRIPE,
        external_id=bt["id"],
        booking=booking,
        now=now,
    )


def _post_reinstatement(*, booking: Booking, bt: dict[str, Any], now: dt.datetime) -> None:
    """A won dispute gives the money back: the withdrawal's entries are reversed (trust holds the
    deposit again, or the loss is cancelled); Stripe keeps its fee."""
    withdrawal = (
        LedgerTransaction.objects.filter(booking=booking, kind="dispute_withdrawal")
        .prefetch_related("entries__account")
        .order_by("pk")
        .first()
    )
    if withdrawal is None:
        raise LookupError(f"no dispute withdrawal posted for booking {booking.pk} yet")  # out of order: retried
    amount = abs(int(bt["amount"]))
    legs = [
        Leg(e.account, -e.amount)
        for e in withdrawal.entries.all()
        if e.account.code not in ("A:stripe", "E:dispute_fees")
    ]
    # Stripe keeps its dispute fee: only the amount comes back.
    legs.append(Leg(ledger.stripe_balance(str(bt["currency"]).upper()), amount))
    ledger_post(
        kind="dispute_reinstatement",
        legs=legs,
        external_source=ledger.STRIPE,
        external_id=bt["id"],
        booking=booking,
        now=now,
    )


def _account_updated(event: StripeEvent, now: dt.datetime) -> None:
    """Connect: keep each provider's payout account usable or not (a release waits for a wire)."""
    account = gateway.account_retrieve(_object(event)["id"])
    PayoutAccount.objects.filter(stripe_account_id=account.id).update(
        country=account.country,
        payouts_enabled=account.payouts_enabled,
        transfers_active=account.transfers_active,
        updated_at=now,
    )


def _payout(event: StripeEvent, now: dt.datetime) -> None:
    """F9: the platform's Stripe balance paid out to its bank. Re-fetched, so the order of
    `payout.paid` and `payout.failed` does not matter: a paid payout moves the money once, and a
    failed one that had been posted as paid comes back once."""
    payout = gateway.payout_retrieve(_object(event)["id"])
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


HANDLERS: dict[str, Callable[[StripeEvent, dt.datetime], None]] = {
    "payout.paid": _payout,
    "payout.failed": _payout,
    "payout.canceled": _payout,
    "payment_intent.succeeded": _payment_intent_succeeded,
    "refund.created": _refund_changed,
    "refund.updated": _refund_changed,
    "refund.failed": _refund_changed,
    "charge.refunded": _refund_changed,
    "transfer.created": _transfer_created,
    "charge.dispute.created": _dispute,
    "charge.dispute.funds_withdrawn": _dispute,
    "charge.dispute.funds_reinstated": _dispute,
    "charge.dispute.closed": _dispute,
    "account.updated": _account_updated,
}


def stripe_event_process(*, event_id: str, now: dt.datetime) -> bool:
    """Process a stored event once; returns True when it is (now or already) processed.

    A handler's failure rolls back what it wrote, records the error on the event and raises again
    (so the webhook answers 500 and Stripe retries, or the retry job tries later). A refusal that
    cannot change (ValidationFailed: the object is not ours) ends the event with its reason."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return event is not None
        handler = HANDLERS.get(event.type)
        # A live event reaching a test setup, or the reverse (Connect endpoints get both), is ignored.
        mode_ok = event.livemode == settings.STRIPE_SECRET_KEY.startswith("sk_live")
        failed, message = False, ""
        try:
            if handler is not None and mode_ok:
                with transaction.atomic():
                    handler(event, now)
        except ValidationFailed as error:
            # The object is not one of ours, or not what the event type says: trying again would
            # give the same answer, so the event is done, with the reason kept for finance.
            message = f"{type(error).__name__}: {error}"[:2000]
            logger.warning("Stripe event %s (%s) ignored: %s", event_id, event.type, message)
        except Exception as error:
            failed = True
            message = f"{type(error).__name__}: {error}"[:2000]
        event.attempts += 1
        event.last_error = message
        if not failed:
            event.processed_at = now
        event.save(update_fields=["attempts", "last_error", "processed_at"])
    if failed:
        logger.error("Stripe event %s (%s) failed: %s", event_id, event.type, message)
        raise StripeEventFailed(message)
    return True


class StripeEventFailed(Exception):
    """A handler failed; the event stays unprocessed and will be tried again."""


def stripe_events_retry(*, now: dt.datetime, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Process events left unprocessed (a failed handler, a worker lost); returns how many succeeded."""
    done = 0
    pending = StripeEvent.objects.filter(processed_at__isnull=True, received_at__lte=now - older_than)
    for event_id in pending.order_by("created").values_list("pk", flat=True)[:500]:
        try:
            done += stripe_event_process(event_id=event_id, now=now)
        except StripeEventFailed:
            continue
    return done


def stripe_events_fetch_missed(*, now: dt.datetime, days: int = 3) -> int:
    """Store and process the events of the last `days` that never reached the webhook."""
    since = int((now - dt.timedelta(days=days)).timestamp())
    stored = 0
    for event in gateway.events_list(created_gte=since, types=list(HANDLERS)):
        record, new = stripe_event_store(event=event, connect=bool(event.get("account")), now=now)
        if new:
            stored += 1
            try:
                stripe_event_process(event_id=record.pk, now=now)
            except StripeEventFailed:
                continue
    return stored
