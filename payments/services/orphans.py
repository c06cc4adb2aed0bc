"""Orphaned charges: card payments that succeeded for something that could no longer take them
(docs/decisions.md#orphaned-charges).

A 3-D Secure payment completed after its booking expired or was cancelled, a second payment of a
deposit already paid, a payment of an add-on order already paid or refunded: the money came in and
nothing can keep it. `charge_orphan_found` records it once per PaymentIntent (the row is the key),
posts it to the ledger as money in owed back to the card (`L:payable:orphaned`), audits it, and
refunds it under its own key `orphan-refund:<payment intent>`, so a webhook delivered twice, the
page and the webhook at once, or the retry job all refund it once. A refund Stripe does not answer
stays pending with its error: the periodic job (`charges_orphaned_refund_pending`) sends it again
under the same key, and finance sees the list on the finance pages.

The service that owns the payment raises `ChargeOrphaned` once the charge is recorded; the webhook
takes it as done (the event is processed), the page shows its message to the patient.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, DomainError, Forbidden
from core.state import Machine, transition
from payments import gateway, ledger
from payments.ledger import Leg, ledger_post
from payments.models import ORPHAN_TRANSITIONS, OrphanedCharge, OrphanStatus
from payments.notifications import notify_finance_alert

logger = logging.getLogger(__name__)

# The refusals of recording a payment that mean the money cannot be kept (bookings' and payments'
# codes): the booking expired or was cancelled, or the thing was paid already by another payment.
ORPHAN_CODES = frozenset({"booking_expired", "booking_cancelled", "already_paid", "deposit_paid_twice"})


def _refuse_orphan(current: str, target: str) -> Conflict:
    return Conflict(_("This payment was already refunded."), code="orphan_refunded")


# Refunded once: the service returns early for a refunded row, so a repeat reaching the machine is refused.
ORPHAN = Machine(model=OrphanedCharge, table=ORPHAN_TRANSITIONS, refuse=_refuse_orphan, repeat_is_noop=False)


class ChargeOrphaned(Conflict):
    """A payment succeeded that nothing can keep: it is recorded as orphaned and refunded."""

    code = "charge_orphaned"


def charge_orphan_found(
    *,
    payment_intent: gateway.PaymentIntent,
    reason: str,
    now: dt.datetime,
    booking_id: int | None = None,
    purpose: str = "",
) -> OrphanedCharge:
    """Record a succeeded payment nothing can keep (once per PaymentIntent) and refund it."""
    if not payment_intent.succeeded:
        raise Conflict(
            _("This payment has not succeeded (%(status)s).") % {"status": payment_intent.status},
            code="payment_not_succeeded",
        )
    orphan = _record(payment_intent=payment_intent, reason=reason, now=now, booking_id=booking_id, purpose=purpose)
    return charge_orphan_refund(orphan=orphan, now=now)


def _record(
    *, payment_intent: gateway.PaymentIntent, reason: str, now: dt.datetime, booking_id: int | None, purpose: str
) -> OrphanedCharge:
    with transaction.atomic():
        found = OrphanedCharge.objects.select_for_update().filter(payment_intent_id=payment_intent.id).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                orphan = OrphanedCharge.objects.create(
                    payment_intent_id=payment_intent.id,
                    charge_id=payment_intent.charge_id or "",
                    amount=payment_intent.amount,
                    currency=payment_intent.currency,
                    booking_id=booking_id,
                    purpose=purpose[:100],
                    reason=reason[:40],
                    found_at=now,
                )
        except IntegrityError:  # recorded a moment ago by the page or another delivery
            return OrphanedCharge.objects.select_for_update().get(payment_intent_id=payment_intent.id)
        # Money in: the Stripe balance grew by the net, Stripe kept its fee, all of it owed back.
        balance_transaction_id = payment_intent.balance_transaction_id
        fee = gateway.balance_transaction_retrieve(balance_transaction_id).fee if balance_transaction_id else 0
        legs = [Leg(ledger.orphan_payable(orphan.currency), -orphan.amount)]
        if orphan.amount - fee:
            legs.append(Leg(ledger.stripe_balance(orphan.currency), orphan.amount - fee))
        if fee:
            legs.append(Leg(ledger.expense("stripe_fees", orphan.currency), fee))
        ledger_post(
            kind="orphan_paid",
            legs=legs,
            external_source=ledger.STRIPE,
            external_id=balance_transaction_id or f"pi:{payment_intent.id}",
            booking=orphan.booking,
            now=now,
        )
        audit_record(
            actor=None,
            action="payments.orphan.found",
            target=orphan,
            after={
                "payment_intent": payment_intent.id,
                "amount": [orphan.amount, orphan.currency],
                "reason": reason,
                "booking": booking_id,
                "purpose": purpose,
            },
            now=now,
        )
        logger.warning("payment %s cannot be kept (%s): refunding it", payment_intent.id, reason)
    return orphan


def charge_orphan_refund(*, orphan: OrphanedCharge, now: dt.datetime) -> OrphanedCharge:
    """Refund an orphaned charge in full under `orphan-refund:<payment intent>` and post it (money
    out), once. Stripe not answering leaves it pending with the error, for the retry job."""
    with transaction.atomic():
        orphan = OrphanedCharge.objects.select_for_update().get(pk=orphan.pk)
        if orphan.status == OrphanStatus.REFUNDED:
            return orphan
        orphan.refund_attempts += 1
        try:
            refund = gateway.refund_create(
                payment_intent_id=orphan.payment_intent_id,
                amount=orphan.amount,
                idempotency_key=orphan.idempotency_key,
                metadata={"orphan": orphan.payment_intent_id},
            )
        except DomainError as error:
            orphan.last_error = str(error)[:500]
            orphan.save(update_fields=["refund_attempts", "last_error"])
            logger.error("orphaned payment %s not refunded: %s", orphan.payment_intent_id, error)
            if orphan.refund_attempts == 3:
                notify_finance_alert(
                    subject=_("A payment to give back cannot be refunded"),
                    detail=_("Payment %(payment)s could not be refunded after %(count)s tries: %(error)s")
                    % {"payment": orphan.payment_intent_id, "count": orphan.refund_attempts, "error": error},
                    key=f"orphan_refund_failing:{orphan.pk}",
                    now=now,
                )
            return orphan
        ledger_post(
            kind="orphan_refund",
            legs=[
                Leg(ledger.orphan_payable(orphan.currency), orphan.amount),
                Leg(ledger.stripe_balance(orphan.currency), -orphan.amount),
            ],
            external_source=ledger.STRIPE,
            external_id=refund.id,
            booking=orphan.booking,
            now=now,
        )
        orphan.save(update_fields=["refund_attempts"])
        orphan = transition(
            machine=ORPHAN,
            instance=orphan,
            locked=True,
            target=OrphanStatus.REFUNDED,
            actor=None,
            action="payments.orphan.refunded",
            now=now,
            fields={"stripe_refund_id": refund.id, "refunded_at": now, "last_error": ""},
            audit_after={"refund": refund.id, "amount": [orphan.amount, orphan.currency]},
        ).instance
    return orphan


def charges_orphaned_refund_pending(*, now: dt.datetime) -> int:
    """The periodic job: orphaned charges whose refund Stripe has not answered are sent again
    (same key). Returns how many are now refunded."""
    done = 0
    for orphan in OrphanedCharge.objects.filter(status=OrphanStatus.PENDING).order_by("pk")[:200]:
        done += charge_orphan_refund(orphan=orphan, now=now).status == OrphanStatus.REFUNDED
    return done


def charge_orphan_refund_check(*, orphan: OrphanedCharge, actor: User) -> Check:
    """May `actor` send an orphaned charge's refund again now: finance, and not refunded yet."""
    if not (getattr(actor, "is_authenticated", False) and actor.in_group(StaffGroup.FINANCE)):
        return refuse(Forbidden(_("Only finance can refund orphaned payments.")))
    if orphan.status == OrphanStatus.REFUNDED:
        return refuse(Conflict(_("This payment was already refunded."), code="orphan_refunded"))
    return ALLOWED


def charge_orphan_refund_now(*, orphan: OrphanedCharge, actor: User, now: dt.datetime) -> OrphanedCharge:
    """Finance sends an orphaned charge's refund again (same key) instead of waiting for the job."""
    charge_orphan_refund_check(orphan=orphan, actor=actor).enforce()
    audit_record(actor=actor, action="payments.orphan.refund_retried", target=orphan, now=now)
    refunded = charge_orphan_refund(orphan=orphan, now=now)
    if refunded.status != OrphanStatus.REFUNDED:
        raise Conflict(
            _("Stripe did not take the refund: %(error)s") % {"error": refunded.last_error}, code="orphan_not_refunded"
        )
    return refunded
