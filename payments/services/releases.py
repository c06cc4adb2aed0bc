"""Releasing a deposit to its provider (docs/decisions.md#releases; ledger flow F6).

1. After the first appointment has begun, a member of the provider asks for the deposit.
2. Finance approves (or the provider's payout account approves automatically) or rejects with a
   reason. Approving moves the whole amount held out of trust: the platform's commission to its
   income (waived when the collaboration ended after the first meeting), the rest to what the
   platform owes the provider.
3. The provider is paid by a Stripe Transfer to its connected account, tied to the deposit's
   charge (`source_transaction`) under the key `transfer:<release id>`; a provider without a
   usable connected account is paid by bank wire, which finance records with its reference.

Every step locks the release (and the booking) first, so two clicks make one transfer.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from bookings.models import Booking, BookingStatus
from core.audit import audit_record
from core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from core.money import Money, bps_share, charge_step
from payments import gateway, ledger
from payments.ledger import Leg, ledger_post
from payments.models import (
    RELEASE_TRANSITIONS,
    Deposit,
    DepositStatus,
    DisputeStatus,
    PayoutAccount,
    Release,
    ReleaseStatus,
)
from payments.notifications import notify_release_paid
from payments.services.refunds import commission_bps
from providers.services.permissions import require_member

logger = logging.getLogger(__name__)


def _require_finance(actor: User) -> None:
    if not (actor.is_authenticated and actor.in_group(StaffGroup.FINANCE)):
        raise Forbidden(_("Only finance can decide on releases."))


def _transition(release: Release, target: str) -> None:
    if target not in RELEASE_TRANSITIONS[release.status]:
        raise Conflict(
            _("This release is already %(status)s.") % {"status": ReleaseStatus(release.status).label.lower()},
            code="release_decided",
        )


@dataclass(frozen=True)
class ReleaseCheck:
    """Whether a booking's deposit may be asked for now: `refusal` says why not."""

    refusal: Conflict | None
    live: Release | None = None  # the release already asked for, if any
    deposit: Deposit | None = None
    held: int = 0

    @property
    def can_ask(self) -> bool:
        return self.refusal is None


def release_check(*, booking: Booking, now: dt.datetime) -> ReleaseCheck:
    """The rules of `release_request`, also read by the pages to offer the button only when the
    request would be accepted."""
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return ReleaseCheck(
            Conflict(
                _("A booking that is %(status)s has no deposit to release.")
                % {"status": BookingStatus(booking.status).label.lower()},
                code="release_not_allowed",
            )
        )
    live = Release.objects.filter(booking=booking).exclude(status=ReleaseStatus.REJECTED).first()
    if live is not None:
        return ReleaseCheck(
            Conflict(
                _("The deposit of this booking was already asked for (%(status)s).")
                % {"status": ReleaseStatus(live.status).label.lower()},
                code="release_exists",
            ),
            live=live,
        )
    first = booking.appointments.order_by("start").first()
    if first is None or first.start > now:
        return ReleaseCheck(
            Conflict(_("The deposit can be asked for once the first appointment has begun."), code="release_too_early")
        )
    deposit = Deposit.objects.filter(booking=booking).first()
    if deposit is None or deposit.status != DepositStatus.HELD or deposit.dispute_status == DisputeStatus.OPEN:
        return ReleaseCheck(
            Conflict(
                _("No deposit is held for this booking (it is disputed, refunded or was never paid)."),
                code="deposit_not_held",
            )
        )
    held = ledger.held(booking=booking, currency=deposit.currency)
    if held <= 0:
        return ReleaseCheck(Conflict(_("Nothing is held in trust for this booking."), code="deposit_not_held"))
    return ReleaseCheck(None, deposit=deposit, held=held)


def release_request(*, booking: Booking, actor: User, now: dt.datetime) -> Release:
    """A member of the booking's provider asks for its deposit, once the first appointment began."""
    require_member(user=actor, provider=booking.provider)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        check = release_check(booking=booking, now=now)
        if check.refusal is not None:
            raise check.refusal
        deposit, held = check.deposit, check.held
        release = Release.objects.create(
            booking=booking,
            provider=booking.provider,
            currency=deposit.currency,
            amount=held,
            requested_by=actor,
            requested_at=now,
        )
        audit_record(actor=actor, action="payments.release.requested", target=release, after={"amount": held}, now=now)
        payout = PayoutAccount.objects.filter(provider=booking.provider).first()
        if payout is not None and payout.auto_release:
            return _approve(release=release, actor=None, waive_commission=False, now=now)
    return release


def release_approve(*, release: Release, actor: User, waive_commission: bool = False, now: dt.datetime) -> Release:
    """Finance approves: the money leaves trust and goes out by transfer or waits for a wire."""
    _require_finance(actor)
    return _approve(release=release, actor=actor, waive_commission=waive_commission, now=now)


def _approve(*, release: Release, actor: User | None, waive_commission: bool, now: dt.datetime) -> Release:
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        booking = Booking.objects.select_for_update().get(pk=release.booking_id)
        deposit = Deposit.objects.select_for_update().get(booking=booking)
        payout = PayoutAccount.objects.filter(provider=release.provider).first()
        by_transfer = payout is not None and payout.can_receive_transfers
        _transition(release, ReleaseStatus.APPROVED if by_transfer else ReleaseStatus.AWAITING_WIRE)
        if deposit.dispute_status == DisputeStatus.OPEN:
            raise Conflict(
                _("The deposit is disputed with the card issuer: it cannot be released until the dispute is won."),
                code="deposit_disputed",
            )
        commission = (
            0
            if waive_commission
            else bps_share(release.amount, commission_bps(release.provider), step=charge_step(release.currency))
        )
        legs = [Leg(ledger.trust(booking=booking, currency=release.currency), release.amount)]
        if release.amount - commission:
            legs.append(
                Leg(
                    ledger.provider_payable(provider=release.provider, currency=release.currency),
                    -(release.amount - commission),
                )
            )
        if commission:
            legs.append(Leg(ledger.income("commission", release.currency), -commission))
        # Refused, with nothing written, when the ledger holds less than the release says.
        ledger_post(
            kind="release",
            legs=legs,
            external_source=ledger.INTERNAL,
            external_id=f"release:{release.pk}",
            booking=booking,
            now=now,
            actor=actor,
        )
        release.commission = commission
        release.commission_waived = waive_commission
        release.status = ReleaseStatus.APPROVED if by_transfer else ReleaseStatus.AWAITING_WIRE
        release.decided_by = actor
        release.decided_at = now
        release.save(update_fields=["commission", "commission_waived", "status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="payments.release.approved",
            target=release,
            after={"commission": commission, "waived": waive_commission, "by": "transfer" if by_transfer else "wire"},
            now=now,
        )
        if by_transfer:
            transaction.on_commit(lambda: release_transfer(release=release, now=now))
    return release


def release_reject(*, release: Release, actor: User, reason: str, now: dt.datetime) -> Release:
    _require_finance(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            _("Say why, for the provider."),
            code="reason_required",
            details={"reason": [_("Say why, for the provider.")]},
        )
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        _transition(release, ReleaseStatus.REJECTED)
        release.status = ReleaseStatus.REJECTED
        release.reject_reason = reason[:500]
        release.decided_by = actor
        release.decided_at = now
        release.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
        audit_record(actor=actor, action="payments.release.rejected", target=release, after={"reason": reason}, now=now)
    return release


def release_transfer(*, release: Release, now: dt.datetime) -> Release:
    """Send an approved release to the provider's connected account (retried with the same key)."""
    release = Release.objects.select_related("provider__payout_account").get(pk=release.pk)
    if release.status != ReleaseStatus.APPROVED:
        return release
    deposit = Deposit.objects.get(booking_id=release.booking_id)
    try:
        transfer = gateway.transfer_create(
            amount=release.payout,
            currency=release.currency,
            destination=release.provider.payout_account.stripe_account_id,
            source_transaction=deposit.charge_id,
            transfer_group=f"booking:{release.booking_id}",
            idempotency_key=release.idempotency_key,
            metadata={"booking": release.booking_id, "release": release.pk},
        )
    except DomainError as error:
        logger.error("transfer of release %s failed: %s", release.pk, error)
        with transaction.atomic():
            locked = Release.objects.select_for_update().get(pk=release.pk)
            if locked.status == ReleaseStatus.APPROVED:
                locked.status = ReleaseStatus.FAILED
                locked.save(update_fields=["status"])
                audit_record(
                    actor=None, action="payments.release.failed", target=locked, after={"error": str(error)}, now=now
                )
        return Release.objects.get(pk=release.pk)
    return release_record_transfer(stripe_transfer_id=transfer.id, release=release, now=now)


def release_record_transfer(
    *, stripe_transfer_id: str, now: dt.datetime, release: Release | None = None
) -> Release | None:
    """Record a transfer Stripe made (its answer, or `transfer.created` re-fetched): the provider's
    payable is paid from the Stripe balance, once."""
    with transaction.atomic():
        query = Release.objects.select_for_update()
        release = (
            query.filter(pk=release.pk).first()
            if release is not None
            else query.filter(stripe_transfer_id=stripe_transfer_id).first()
        )
        if release is None or release.status == ReleaseStatus.PAID:
            return release
        _transition(release, ReleaseStatus.PAID)
        ledger_post(
            kind="transfer",
            legs=[
                Leg(ledger.provider_payable(provider=release.provider, currency=release.currency), release.payout),
                Leg(ledger.stripe_balance(release.currency), -release.payout),
            ],
            external_source=ledger.STRIPE,
            external_id=stripe_transfer_id,
            booking=release.booking,
            now=now,
        )
        release.status = ReleaseStatus.PAID
        release.stripe_transfer_id = stripe_transfer_id
        release.paid_at = now
        release.save(update_fields=["status", "stripe_transfer_id", "paid_at"])
        audit_record(
            actor=None, action="payments.release.paid", target=release, after={"transfer": stripe_transfer_id}, now=now
        )
        notify_release_paid(release=release, now=now)
    return release


def release_record_wire(*, release: Release, actor: User, reference: str, now: dt.datetime) -> Release:
    """Finance records the bank wire that paid a provider without a usable connected account."""
    _require_finance(actor)
    reference = reference.strip()
    if not reference:
        message = _("Enter the bank's reference of the wire.")
        raise ValidationFailed(message, code="reference_required", details={"reference": [message]})
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.status == ReleaseStatus.FAILED:
            release.status = ReleaseStatus.AWAITING_WIRE  # a failed transfer is paid by wire instead
        _transition(release, ReleaseStatus.PAID)
        if release.payout:
            ledger_post(
                kind="bank_wire",
                legs=[
                    Leg(ledger.provider_payable(provider=release.provider, currency=release.currency), release.payout),
                    Leg(ledger.bank_account(release.currency), -release.payout),
                ],
                external_source=ledger.BANK_WIRE,
                external_id=reference,
                booking=release.booking,
                now=now,
                actor=actor,
            )
        release.status = ReleaseStatus.PAID
        release.wire_reference = reference[:100]
        release.paid_at = now
        release.save(update_fields=["status", "wire_reference", "paid_at"])
        audit_record(actor=actor, action="payments.release.paid", target=release, after={"wire": reference}, now=now)
        notify_release_paid(release=release, now=now)
    return release


def release_summary(release: Release) -> dict[str, Money]:
    return {
        "amount": Money(release.amount, release.currency),
        "commission": Money(release.commission, release.currency),
        "payout": Money(release.payout, release.currency),
    }
