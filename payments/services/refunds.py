"""Settling a cancelled booking's deposit (docs/decisions.md#refunds; ledger flows F4, F5).

The booking's cancellation recorded a fee and a refund that add up to the deposit (bookings.policy).
Settling:
1. locks the booking, checks the decision is final, the deposit held and the ledger holding exactly it;
2. authorises in the ledger: the refund moves from trust to "refund payable", the fee from trust to
   the provider's payable less the platform's commission on it, so trust ends at zero;
3. after commit, asks Stripe for the refund under the key `refund:<id>` (a retry never refunds twice);
4. when Stripe says succeeded (the answer, or the webhook later), "refund payable" is paid from the
   Stripe balance; when it says failed, the refund goes back to trust and finance is told.

A refund's status moves only through `core.state.transition` with the `REFUND` machine. No page
offers an action on a refund (they move by the settling job and Stripe's answers), so there is no
`refund_<action>_check`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus
from core.audit import audit_record
from core.errors import Conflict, DomainError, NotFound
from core.money import bps_share, charge_step
from core.state import Machine, transition, transition_check
from payments import gateway, ledger
from payments.ledger import Leg, ledger_post
from payments.models import (
    REFUND_TRANSITIONS,
    Deposit,
    DepositStatus,
    DisputeStatus,
    PayoutAccount,
    Refund,
    RefundStatus,
)
from providers.models import Provider

logger = logging.getLogger(__name__)

SETTLED_STATUSES = (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)


def commission_bps(provider: Provider) -> int:
    account = PayoutAccount.objects.filter(provider=provider).first()
    if account is not None and account.commission_bps is not None:
        return account.commission_bps
    default: int = settings.PAYMENTS_COMMISSION_BPS
    return default


def refund_settle(*, booking: Booking, now: dt.datetime) -> Refund | None:
    """Settle a cancelled or no-show booking's held deposit; returns its Refund, or None when there
    is nothing to settle yet (not cancelled, decision pending, deposit not paid). Safe to run twice
    and concurrently: the booking's lock and one Refund per booking make the second call a no-op."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        existing = Refund.objects.filter(booking=booking).first()
        if existing is not None:
            return existing
        if booking.status not in SETTLED_STATUSES or not booking.cancellation_final:
            return None
        deposit = Deposit.objects.select_for_update().filter(booking=booking).first()
        # A deposit past pending has its PaymentIntent (a database constraint).
        if deposit is None or deposit.status == DepositStatus.PENDING or deposit.payment_intent_id is None:
            return None  # never paid: nothing is held
        if deposit.dispute_status == DisputeStatus.OPEN:
            raise Conflict(
                _("This deposit is disputed with the card issuer: nothing is refunded until the dispute ends."),
                code="deposit_disputed",
            )
        refund_amount, fee = booking.cancellation_refund or 0, booking.cancellation_fee or 0
        currency = deposit.currency
        held = ledger.held(booking=booking, currency=currency)
        if refund_amount + fee != held:
            raise Conflict(
                _("The ledger holds %(held)s for this booking, not the deposit of %(deposit)s: finance must check it.")
                % {"held": held, "deposit": refund_amount + fee},
                code="trust_mismatch",
            )
        commission = bps_share(fee, commission_bps(booking.provider), step=charge_step(currency))
        refund = Refund.objects.create(
            booking=booking,
            currency=currency,
            amount=refund_amount,
            fee=fee,
            fee_commission=commission,
            reason=booking.cancellation_rule or booking.status,
            status=RefundStatus.PENDING if refund_amount else RefundStatus.SUCCEEDED,
            payment_intent_id=deposit.payment_intent_id,
            created_at=now,
            updated_at=now,
        )
        trust = ledger.trust(booking=booking, currency=currency)
        if refund_amount:
            ledger_post(
                kind="refund_authorised",
                legs=[
                    Leg(trust, refund_amount),
                    Leg(ledger.refund_payable(booking=booking, currency=currency), -refund_amount),
                ],
                external_source=ledger.INTERNAL,
                external_id=f"refund:{refund.pk}",
                booking=booking,
                now=now,
            )
        if fee:
            legs = [Leg(trust, fee)]
            if fee - commission:
                legs.append(
                    Leg(ledger.provider_payable(provider=booking.provider, currency=currency), -(fee - commission))
                )
            if commission:
                legs.append(Leg(ledger.income("commission", currency), -commission))
            ledger_post(
                kind="cancellation_fee",
                legs=legs,
                external_source=ledger.INTERNAL,
                external_id=f"refund:{refund.pk}",
                booking=booking,
                now=now,
            )
        audit_record(
            actor=None,
            action="payments.refund.authorised",
            target=refund,
            after={"booking": booking.pk, "refund": refund_amount, "fee": fee, "commission": commission},
            now=now,
        )
        if refund_amount:
            transaction.on_commit(lambda: refund_submit(refund=refund, now=now))
    return refund


def refund_submit(*, refund: Refund, now: dt.datetime) -> Refund:
    """Ask Stripe for a pending refund. The key `refund:<id>` makes a retry (after a lost answer, or
    by the periodic job) return the refund Stripe already made, never a second one."""
    refund = Refund.objects.get(pk=refund.pk)
    if refund.status != RefundStatus.PENDING:
        return refund
    try:
        made = gateway.refund_create(
            payment_intent_id=refund.payment_intent_id,
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
            metadata={"booking": refund.booking_id, "refund": refund.pk},
        )
    except DomainError as error:
        logger.warning("refund %s not accepted by Stripe yet: %s", refund.pk, error)
        return refund  # still pending: the periodic job tries again with the same key
    recorded = refund_record(stripe_refund_id=made.id, status=made.status, refund=refund, now=now)
    if recorded is None:
        raise NotFound(_("This refund no longer exists."))
    return recorded


def refund_record(
    *, stripe_refund_id: str, status: str, now: dt.datetime, refund: Refund | None = None
) -> Refund | None:
    """Record what Stripe says of a refund (its answer, or a `refund.*` event after re-fetching it).

    succeeded → `refund_mark_succeeded`; failed or canceled → `refund_mark_failed`; anything else →
    `refund_mark_submitted`. A refund already succeeded or failed stays so: a later answer changes
    nothing (reconciliation reports a refund Stripe turned around)."""
    query = Refund.objects.all()
    refund = (
        query.filter(pk=refund.pk).first()
        if refund is not None
        else query.filter(stripe_refund_id=stripe_refund_id).first()
    )
    if refund is None:
        return None  # not one of ours (made in Stripe's dashboard): reconciliation reports it
    with transaction.atomic():
        refund = _locked(refund)
        if not REFUND_TRANSITIONS[refund.status]:
            return refund  # succeeded or failed: final
        if status == "succeeded":
            return refund_mark_succeeded(refund=refund, stripe_refund_id=stripe_refund_id, now=now)
        if status in ("failed", "canceled"):
            return refund_mark_failed(refund=refund, stripe_refund_id=stripe_refund_id, reason=status, now=now)
        return refund_mark_submitted(refund=refund, stripe_refund_id=stripe_refund_id, stripe_status=status, now=now)


def _locked(refund: Refund) -> Refund:
    return Refund.objects.select_for_update().get(pk=refund.pk)


def _refuse_refund(current: str, target: str) -> Conflict:
    return Conflict(
        _("This refund has already %(status)s.") % {"status": RefundStatus(current).label.lower()},
        code="refund_final",
    )


# Stripe's answer repeated (succeeded twice) changes nothing; another answer after a final one is refused.
REFUND = Machine(model=Refund, table=REFUND_TRANSITIONS, refuse=_refuse_refund)


def _move(
    refund: Refund, target: str, *, stripe_refund_id: str, answer: str, now: dt.datetime, failure_reason: str = ""
) -> Refund:
    """Move the locked `refund` to `target`, with Stripe's id of the refund and its answer audited."""
    fields = {"stripe_refund_id": stripe_refund_id}
    if failure_reason:
        fields["failure_reason"] = failure_reason
    return transition(
        machine=REFUND,
        instance=refund,
        locked=True,
        target=target,
        actor=None,
        action=f"payments.refund.{target}",
        now=now,
        fields=fields,
        audit_after={"stripe": answer},
    ).instance


def _refuse_unless_allowed(refund: Refund, target: str) -> None:
    """Refuse (`refund_final`) before the ledger is touched when `refund` may not move to `target`."""
    refusal = transition_check(machine=REFUND, instance=refund, target=target)
    if refusal is not None:
        raise refusal


def refund_mark_submitted(*, refund: Refund, stripe_refund_id: str, stripe_status: str, now: dt.datetime) -> Refund:
    """Stripe has the refund and has not finished it (`pending`, `requires_action`): pending → submitted."""
    with transaction.atomic():
        refund = _locked(refund)
        return _move(refund, RefundStatus.SUBMITTED, stripe_refund_id=stripe_refund_id, answer=stripe_status, now=now)


def refund_mark_succeeded(*, refund: Refund, stripe_refund_id: str, now: dt.datetime) -> Refund:
    """Stripe paid the refund: "refund payable" is paid from the Stripe balance, once."""
    with transaction.atomic():
        refund = _locked(refund)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        _refuse_unless_allowed(refund, RefundStatus.SUCCEEDED)
        booking, currency = refund.booking, refund.currency
        ledger_post(
            kind="refund_paid",
            legs=[
                Leg(ledger.refund_payable(booking=booking, currency=currency), refund.amount),
                Leg(ledger.stripe_balance(currency), -refund.amount),
            ],
            external_source=ledger.STRIPE,
            external_id=stripe_refund_id,
            booking=booking,
            now=now,
        )
        return _move(refund, RefundStatus.SUCCEEDED, stripe_refund_id=stripe_refund_id, answer="succeeded", now=now)


def refund_mark_failed(*, refund: Refund, stripe_refund_id: str, reason: str, now: dt.datetime) -> Refund:
    """Stripe could not refund the card (`failed`, `canceled`): the money goes back to trust, once,
    and finance is told."""
    with transaction.atomic():
        refund = _locked(refund)
        if refund.status == RefundStatus.FAILED:
            return refund
        _refuse_unless_allowed(refund, RefundStatus.FAILED)
        booking, currency = refund.booking, refund.currency
        ledger_post(
            kind="refund_failed",
            legs=[
                Leg(ledger.refund_payable(booking=booking, currency=currency), refund.amount),
                Leg(ledger.trust(booking=booking, currency=currency), -refund.amount),
            ],
            external_source=ledger.STRIPE,
            external_id=stripe_refund_id,
            booking=booking,
            now=now,
        )
        logger.error("refund %s of booking %s failed at Stripe: back in trust", refund.pk, booking.pk)
        return _move(
            refund,
            RefundStatus.FAILED,
            stripe_refund_id=stripe_refund_id,
            answer=reason,
            now=now,
            failure_reason=reason,
        )


def refunds_settle_pending(*, now: dt.datetime) -> int:
    """The periodic job: settle cancelled bookings whose decision became final (cancelled, evidence
    accepted or run out, no-show) and resubmit refunds Stripe never acknowledged. Returns how many
    refunds it created or submitted."""
    count = 0
    unsettled = (
        Booking.objects.filter(
            status__in=SETTLED_STATUSES, cancellation_final=True, deposit_payment__status=DepositStatus.HELD
        )
        .filter(refunds__isnull=True)
        .values_list("pk", flat=True)[:500]
    )
    for pk in unsettled:
        try:
            if refund_settle(booking=Booking(pk=pk), now=now) is not None:
                count += 1
        except DomainError as error:
            logger.error("booking %s cannot be settled: %s", pk, error)
    for refund in Refund.objects.filter(status=RefundStatus.PENDING).order_by("pk")[:500]:
        refund_submit(refund=refund, now=now)
        count += 1
    return count
