"""Card disputes of a deposit's charge (F8): a dispute freezes the deposit (no release, no refund);
the money it withdraws leaves trust, and comes back if the dispute is won.

`Deposit.dispute_status` moves as `DISPUTE_TRANSITIONS` allows (the `DISPUTE` machine, through
`core.state.transition`): none → open → won or lost, or straight to won or lost when the closing
event is the first to arrive. Each service locks the deposit, returns early when its transition is
already done, audits, and posts each balance transaction once, so events delivered twice or out of
order end in the same state:

- a dispute event that arrives before the payment's own event records the payment first;
- "won" and "lost" are final, so an earlier event delivered late cannot reopen the dispute;
- a reinstatement before its withdrawal fails (LookupError) and is retried.

Disputes move only by Stripe's events: no page offers an action on them, so there is no
`dispute_<action>_check`; the refund and the release refuse a disputed deposit in their own checks.
Each move calls `core.hooks.card_dispute_changed` in its transaction (the disputes app shows the
chargeback beside the disputes people open).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import Booking
from core.errors import Conflict
from core.hooks import card_dispute_changed
from core.state import Machine, transition
from payments import gateway, ledger
from payments.ledger import Leg, ledger_post
from payments.models import DISPUTE_TRANSITIONS, NO_DISPUTE, Deposit, DisputeStatus, LedgerTransaction
from payments.services.deposits import deposit_record_paid


def _locked_deposit(*, dispute: gateway.Dispute, now: dt.datetime) -> Deposit | None:
    """The deposit the dispute's charge paid, locked; the payment is recorded first when the dispute
    is the first to tell us of it. None when the charge is not a deposit's."""
    charge_id, payment_intent_id = dispute.charge_id, dispute.payment_intent_id
    if charge_id and payment_intent_id and not Deposit.objects.filter(charge_id=charge_id).exists():
        deposit_record_paid(payment_intent_id=payment_intent_id, now=now)
    if not charge_id:
        return None
    return Deposit.objects.select_for_update().filter(charge_id=charge_id).first()


def _refuse_dispute(current: str, target: str) -> Conflict:
    return Conflict(
        _("The dispute of this deposit is already closed (%(status)s).")
        % {"status": DisputeStatus(current).label.lower()},
        code="dispute_closed",
    )


# The deposit's dispute, in its own field: opened once, closed once (won and lost are final).
DISPUTE = Machine(model=Deposit, table=DISPUTE_TRANSITIONS, field="dispute_status", refuse=_refuse_dispute)


def _move(deposit: Deposit, target: str, *, now: dt.datetime, dispute: gateway.Dispute) -> Deposit:
    """Move the deposit's dispute to `target` and tell `card_dispute_changed`'s receivers (the
    disputes app records the chargeback beside the disputes users open), in this transaction."""
    moved = transition(
        machine=DISPUTE,
        instance=deposit,
        locked=True,
        target=target,
        actor=None,
        action="payments.deposit.dispute",
        now=now,
    ).instance
    card_dispute_changed.call(
        booking_id=moved.booking_id,
        status=target,
        amount=dispute.amount or moved.amount,
        currency=dispute.currency or moved.currency,
        reason=dispute.reason,
        now=now,
    )
    return moved


def dispute_open(*, dispute: gateway.Dispute, now: dt.datetime) -> Deposit | None:
    """`charge.dispute.created` (and any event of a dispute not yet known): none → open. A dispute
    already open, won or lost stays as it is. Returns the deposit, or None when it is not a deposit's
    charge (reconciliation reports it)."""
    with transaction.atomic():
        deposit = _locked_deposit(dispute=dispute, now=now)
        if deposit is None or deposit.dispute_status != NO_DISPUTE:
            return deposit
        return _move(deposit, DisputeStatus.OPEN, now=now, dispute=dispute)


def dispute_close_won(*, dispute: gateway.Dispute, now: dt.datetime) -> Deposit | None:
    """`charge.dispute.closed`, won: the deposit is free again (refund, release)."""
    return _close(dispute=dispute, target=DisputeStatus.WON, now=now)


def dispute_close_lost(*, dispute: gateway.Dispute, now: dt.datetime) -> Deposit | None:
    """`charge.dispute.closed`, lost: the money withdrawn stays with the card's holder."""
    return _close(dispute=dispute, target=DisputeStatus.LOST, now=now)


def _close(*, dispute: gateway.Dispute, target: str, now: dt.datetime) -> Deposit | None:
    with transaction.atomic():
        deposit = _locked_deposit(dispute=dispute, now=now)
        if deposit is None or deposit.dispute_status == target:
            return deposit
        return _move(deposit, target, now=now, dispute=dispute)


def dispute_record_funds_withdrawn(*, dispute: gateway.Dispute, now: dt.datetime) -> Deposit | None:
    """`charge.dispute.funds_withdrawn`: the card network took the money back. The dispute is open
    (if nothing closed it yet) and each of its balance transactions is posted once."""
    with transaction.atomic():
        deposit = dispute_open(dispute=dispute, now=now)
        if deposit is None:
            return None
        for bt in dispute.balance_transactions:
            _post_withdrawal(booking=deposit.booking, bt=bt, now=now)
    return deposit


def dispute_record_funds_reinstated(*, dispute: gateway.Dispute, now: dt.datetime) -> Deposit | None:
    """`charge.dispute.funds_reinstated`: a won dispute gives the money back, once per balance
    transaction."""
    with transaction.atomic():
        deposit = dispute_open(dispute=dispute, now=now)
        if deposit is None:
            return None
        for bt in dispute.balance_transactions:
            _post_reinstatement(booking=deposit.booking, bt=bt, now=now)
    return deposit


def _post_withdrawal(*, booking: Booking, bt: gateway.BalanceTransaction, now: dt.datetime) -> None:
    """The money leaves trust (as far as trust still holds it; the rest is a loss when the deposit
    was already released), and Stripe's dispute fee is an expense."""
    amount, fee, currency = abs(bt.amount), abs(bt.fee), bt.currency
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
        external_id=bt.id,
        booking=booking,
        now=now,
    )


def _post_reinstatement(*, booking: Booking, bt: gateway.BalanceTransaction, now: dt.datetime) -> None:
    """The withdrawal's entries are reversed (trust holds the deposit again, or the loss is
    cancelled); Stripe keeps its fee."""
    withdrawal = (
        LedgerTransaction.objects.filter(booking=booking, kind="dispute_withdrawal")
        .prefetch_related("entries__account")
        .order_by("pk")
        .first()
    )
    if withdrawal is None:
        raise LookupError(f"no dispute withdrawal posted for booking {booking.pk} yet")  # out of order: retried
    legs = [
        Leg(e.account, -e.amount)
        for e in withdrawal.entries.all()
        if e.account.code not in ("A:stripe", "E:dispute_fees")
    ]
    # Stripe keeps its dispute fee: only the amount comes back.
    legs.append(Leg(ledger.stripe_balance(bt.currency), abs(bt.amount)))
    ledger_post(
        kind="dispute_reinstatement",
        legs=legs,
        external_source=ledger.STRIPE,
        external_id=bt.id,
        booking=booking,
        now=now,
    )
