"""Posting a dispute's decision on a booking's deposit held in trust (docs/decisions.md#disputes).

`deposit_settle_dispute` splits what trust holds for the booking in two, in one transaction:

1. locks the booking and its deposit; refuses a deposit not held, disputed with the card issuer,
   already refunded, or whose release already left trust; refuses an amount above what is held
   (nothing written);
2. a release the provider asked for and finance has not decided is rejected (the decision settles it);
3. the refund: trust → "refund payable" (a `Refund` with no fee, reason `dispute:<id>`), sent to
   Stripe after commit under `refund:<id>` by the refunds' own path (`refund_submit`);
4. the rest: a `Release` for it, approved by the finance member who approved the decision, through
   the releases' own path (`release_approve`: commission as for any release, transfer or wire) —
   unless the booking's discharge pack is required and incomplete: then the release waits in
   finance's queue, requested, and is approved like any other once the pack is complete (the
   decision never lets a provider skip the patient's aftercare documents).

Every leg goes through `ledger_post`, so each transaction balances and trust ends at zero. The
caller (disputes) moves its dispute to decided first in the same transaction, so `release_holds`
no longer holds the deposit back; one decision per dispute, one refund per booking and one live
release per booking make a second call a refusal, never a second payment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import Booking
from bookings.services import discharge_pack_release_check
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.money import Money, format_money
from core.state import transition
from payments import ledger
from payments.ledger import Leg, ledger_post
from payments.models import (
    Deposit,
    DepositStatus,
    DisputeStatus,
    Refund,
    RefundStatus,
    Release,
    ReleaseStatus,
)
from payments.services.refunds import refund_submit
from payments.services.releases import RELEASE, release_approve


@dataclass(frozen=True)
class Settlement:
    """What a decision posted: the refund (if any part went back) and the release (if any part went
    to the provider)."""

    refund: Refund | None
    release: Release | None
    held: int


def deposit_held_for_settlement(*, booking: Booking) -> int:
    """What trust holds for `booking`'s deposit (0 when there is no deposit held)."""
    deposit = Deposit.objects.filter(booking=booking).first()
    if deposit is None or deposit.status != DepositStatus.HELD:
        return 0
    return ledger.held(booking=booking, currency=deposit.currency)


def deposit_settle_dispute(
    *, booking: Booking, refund_amount: int, reference: str, actor: User, now: dt.datetime
) -> Settlement:
    """Refund `refund_amount` of the deposit held for `booking` to the card and release the rest to
    the provider (steps in the module's doc). `reference` names the decision (`dispute:<id>`);
    `actor` is the finance member who approved it."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        deposit = Deposit.objects.select_for_update().filter(booking=booking).first()
        if deposit is None or deposit.status != DepositStatus.HELD or deposit.payment_intent_id is None:
            raise Conflict(_("No deposit was paid for this booking."), code="deposit_not_held")
        if deposit.dispute_status == DisputeStatus.OPEN:
            raise Conflict(
                _("This deposit is disputed with the card issuer: nothing moves until that dispute ends."),
                code="deposit_disputed",
            )
        if Refund.objects.filter(booking=booking).exists():
            raise Conflict(_("This booking's deposit was already refunded."), code="deposit_not_held")
        currency = deposit.currency
        held = ledger.held(booking=booking, currency=currency)
        if held <= 0:
            raise Conflict(
                _("Nothing is held in trust for this booking any more: its deposit was released."),
                code="deposit_not_held",
            )
        if not 0 <= refund_amount <= held:
            message = _("The refund cannot be more than the %(held)s held for this booking.") % {
                "held": ledger_amount(held, currency)
            }
            raise ValidationFailed(message, code="amount_above_deposit", details={"refund_amount": [message]})
        for asked in Release.objects.select_for_update().filter(booking=booking, status=ReleaseStatus.REQUESTED):
            transition(
                machine=RELEASE,
                instance=asked,
                locked=True,
                target=ReleaseStatus.REJECTED,
                actor=actor,
                action="payments.release.rejected",
                now=now,
                fields={
                    "reject_reason": _("Settled by the decision of a dispute."),
                    "decided_by": actor,
                    "decided_at": now,
                },
                reason=reference,
            )
        refund = None
        if refund_amount:
            refund = Refund.objects.create(
                booking=booking,
                currency=currency,
                amount=refund_amount,
                reason=reference[:40],
                status=RefundStatus.PENDING,
                payment_intent_id=deposit.payment_intent_id,
                created_at=now,
                updated_at=now,
            )
            ledger_post(
                kind="refund_authorised",
                legs=[
                    Leg(ledger.trust(booking=booking, currency=currency), refund_amount),
                    Leg(ledger.refund_payable(booking=booking, currency=currency), -refund_amount),
                ],
                external_source=ledger.INTERNAL,
                external_id=f"refund:{refund.pk}",
                booking=booking,
                now=now,
                actor=actor,
            )
            made = refund
            transaction.on_commit(lambda: refund_submit(refund=made, now=now))
        release = None
        rest = held - refund_amount
        if rest:
            release = Release.objects.create(
                booking=booking,
                provider=booking.provider,
                currency=currency,
                amount=rest,
                requested_by=actor,
                requested_at=now,
            )
            audit_record(
                actor=actor,
                action="payments.release.requested",
                target=release,
                after={"amount": rest, "for": reference},
                now=now,
            )
            if discharge_pack_release_check(booking).allowed:
                release = release_approve(release=release, actor=actor, now=now)
        audit_record(
            actor=actor,
            action="payments.deposit.settled",
            target=deposit,
            after={"for": reference, "held": held, "refund": refund_amount, "released": rest},
            now=now,
        )
    return Settlement(refund=refund, release=release, held=held)


def ledger_amount(amount: int, currency: str) -> str:
    return format_money(Money(amount, currency), translation.get_language() or "en")
