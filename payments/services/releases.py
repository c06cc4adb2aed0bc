"""Releasing a deposit to its provider (docs/decisions.md#releases; ledger flow F6).

1. After the first appointment has begun, a member of the provider asks for the deposit.
2. Finance approves (or the provider's payout account approves automatically) or rejects with a
   reason. Approving moves the whole amount held out of trust: the platform's commission to its
   income (waived when the collaboration ended after the first meeting), the rest to what the
   platform owes the provider.
3. The provider is paid by a Stripe Transfer to its connected account, tied to the deposit's
   charge (`source_transaction`) under the key `transfer:<release id>`; a provider without a
   usable connected account is paid by bank wire, which finance records with its reference.

Every step locks the release (and the booking) first, so two clicks make one transfer. A status
changes only through `core.state.transition` with the `RELEASE` machine. Each action a page offers
has its check, enforced by the service under its locks and read by the pages to offer a button
only when the service would accept it: `release_request_check` (a provider's member asks),
`release_approve_check`, `release_reject_check`, `release_wire_check` and `release_retry_check`
(finance).

A transfer whose answer from Stripe was lost stays approved and is sent again under the same key;
before a wire, the transfer is looked up at Stripe (docs/decisions.md#releases-retry).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from bookings.models import Booking, BookingStatus
from bookings.services import discharge_pack_release_check
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from core.hooks import release_holds
from core.money import Money, bps_share, charge_step
from core.state import Machine, transition, transition_check
from payments import gateway, ledger
from payments.ledger import Leg, ledger_post
from payments.models import (
    RELEASE_TRANSITIONS,
    Deposit,
    DepositStatus,
    DisputeStatus,
    LedgerTransaction,
    PayoutAccount,
    Release,
    ReleaseStatus,
)
from payments.notifications import notify_finance_alert, notify_release_paid
from payments.services.refunds import commission_bps
from providers.services.permissions import member_role

logger = logging.getLogger(__name__)


def _refuse_release(current: str, target: str) -> Conflict:
    return Conflict(
        _("This release is already %(status)s.") % {"status": ReleaseStatus(current).label.lower()},
        code="release_decided",
    )


# Every move is a decision made once: a move to the state the release is already in is refused
# ("already approved"), except where a service returns early itself (a transfer recorded twice).
RELEASE = Machine(model=Release, table=RELEASE_TRANSITIONS, refuse=_refuse_release, repeat_is_noop=False)


# --- checks -----------------------------------------------------------------------------------------


def release_holds_check(*, booking_id: int, now: dt.datetime | None = None) -> Check:
    """Whether anything above payments holds the booking's deposit back now (`core.hooks.release_holds`:
    a dispute open on the booking): refused with `deposit_in_dispute` and every receiver's sentence.
    Every release check asks it: asking, approving, the transfer and the wire."""
    sentences = [
        str(sentence)
        for answer in release_holds.call(booking_id=booking_id, now=now or timezone.now())
        for sentence in answer or ()
    ]
    if sentences:
        return refuse(Conflict(" ".join(sentences), code="deposit_in_dispute"))
    return ALLOWED


@dataclass(frozen=True)
class ReleaseRequestCheck(Check):
    """`release_request_check`'s answer: a `Check`, with what the provider's pages show beside the
    button (`live`, the release already asked for) and what the service goes on with (`deposit`,
    `held`) when it is allowed."""

    live: Release | None = None  # the release already asked for, if any
    deposit: Deposit | None = None
    held: int = 0

    @property
    def can_ask(self) -> bool:
        """The provider's templates' name for `allowed`."""
        return self.allowed


def release_request_check(*, booking: Booking, actor: User | AnonymousUser, now: dt.datetime) -> ReleaseRequestCheck:
    """May `actor` ask for `booking`'s deposit now: a member of its provider, the booking confirmed
    or completed, no live release, the first appointment begun, the deposit held, not disputed,
    and something in trust. `release_request` enforces it under the booking's lock; the provider's
    calendar and booking page offer the button only when it is allowed."""
    if member_role(user=actor, provider=booking.provider) is None:
        return ReleaseRequestCheck(Forbidden(_("You are not a member of this provider.")))
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return ReleaseRequestCheck(
            Conflict(
                _("A booking that is %(status)s has no deposit to release.")
                % {"status": BookingStatus(booking.status).label.lower()},
                code="release_not_allowed",
            )
        )
    live = Release.objects.filter(booking=booking).exclude(status=ReleaseStatus.REJECTED).first()
    if live is not None:
        return ReleaseRequestCheck(
            Conflict(
                _("The deposit of this booking was already asked for (%(status)s).")
                % {"status": ReleaseStatus(live.status).label.lower()},
                code="release_exists",
            ),
            live=live,
        )
    first = booking.appointments.order_by("start").first()
    if first is None or first.start > now:
        return ReleaseRequestCheck(
            Conflict(_("The deposit can be asked for once the first appointment has begun."), code="release_too_early")
        )
    # Aftercare: a procedure's deposit waits for its complete discharge pack (the provider's setting).
    pack = discharge_pack_release_check(booking)
    if pack.refusal is not None:
        return ReleaseRequestCheck(pack.refusal)
    deposit = Deposit.objects.filter(booking=booking).first()
    if deposit is None or deposit.status != DepositStatus.HELD or deposit.dispute_status == DisputeStatus.OPEN:
        return ReleaseRequestCheck(
            Conflict(
                _("No deposit is held for this booking (it is disputed, refunded or was never paid)."),
                code="deposit_not_held",
            )
        )
    held = ledger.held(booking=booking, currency=deposit.currency)
    if held <= 0:
        return ReleaseRequestCheck(Conflict(_("Nothing is held in trust for this booking."), code="deposit_not_held"))
    holds = release_holds_check(booking_id=booking.pk, now=now)
    if holds.refusal is not None:
        return ReleaseRequestCheck(holds.refusal)
    return ReleaseRequestCheck(None, deposit=deposit, held=held)


def _finance(actor: User) -> Check:
    if getattr(actor, "is_authenticated", False) and actor.in_group(StaffGroup.FINANCE):
        return ALLOWED
    return refuse(Forbidden(_("Only finance can decide on releases.")))


def _by_transfer(release: Release) -> bool:
    """Whether approving `release` pays it by Stripe transfer (a usable connected account), else by wire."""
    payout = PayoutAccount.objects.filter(provider_id=release.provider_id).first()
    return payout is not None and payout.can_receive_transfers


def _approved_status(by_transfer: bool) -> str:
    return ReleaseStatus.APPROVED if by_transfer else ReleaseStatus.AWAITING_WIRE


def _approvable(
    *, release: Release, deposit: Deposit | None, by_transfer: bool, now: dt.datetime | None = None
) -> Check:
    """The state rules of approving (finance's or the automatic approval): the release may move to
    its approved state, the deposit is not disputed with the card issuer and nothing holds it back
    (`release_holds`: a dispute open on the booking)."""
    refusal = transition_check(machine=RELEASE, instance=release, target=_approved_status(by_transfer))
    if refusal is not None:
        return refuse(refusal)
    if deposit is not None and deposit.dispute_status == DisputeStatus.OPEN:
        return refuse(
            Conflict(
                _("The deposit is disputed with the card issuer: it cannot be released until the dispute is won."),
                code="deposit_disputed",
            )
        )
    holds = release_holds_check(booking_id=release.booking_id, now=now)
    if not holds.allowed:
        return holds
    # Aftercare: a procedure's deposit waits for its complete discharge pack (the provider's setting).
    return discharge_pack_release_check(
        Booking.objects.select_related("provider", "offering").get(pk=release.booking_id)
    )


def release_approve_check(*, release: Release, actor: User, now: dt.datetime | None = None) -> Check:
    """May `actor` approve `release` now: finance, a release still to decide, its deposit not disputed."""
    finance = _finance(actor)
    if not finance.allowed:
        return finance
    deposit = Deposit.objects.filter(booking_id=release.booking_id).first()
    return _approvable(release=release, deposit=deposit, by_transfer=_by_transfer(release), now=now)


def release_reject_check(*, release: Release, actor: User) -> Check:
    """May `actor` reject `release` now: finance, and a release still to decide."""
    return first_refusal(
        _finance(actor),
        Check(transition_check(machine=RELEASE, instance=release, target=ReleaseStatus.REJECTED)),
    )


def release_wire_check(*, release: Release, actor: User, now: dt.datetime | None = None) -> Check:
    """May `actor` record the bank wire that paid `release`: finance, a release approved to be
    paid by wire (or whose transfer failed), and nothing holding the deposit back."""
    finance = _finance(actor)
    if not finance.allowed:
        return finance
    holds = release_holds_check(booking_id=release.booking_id, now=now)
    if not holds.allowed:
        return holds
    if release.status == ReleaseStatus.FAILED:  # a failed transfer is paid by wire instead, then paid
        return Check(transition_check(machine=RELEASE, instance=release, target=ReleaseStatus.AWAITING_WIRE))
    if release.status == ReleaseStatus.APPROVED:
        # Its transfer is under way, or its answer was lost: a wire now could pay the provider twice.
        return refuse(
            Conflict(
                _("This release is being paid by transfer; retry the transfer instead of wiring it."),
                code="release_transfer_under_way",
            )
        )
    return Check(transition_check(machine=RELEASE, instance=release, target=ReleaseStatus.PAID))


# --- the services -----------------------------------------------------------------------------------


def release_request(*, booking: Booking, actor: User, now: dt.datetime) -> Release:
    """A member of the booking's provider asks for its deposit, once the first appointment began."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        check = release_request_check(booking=booking, actor=actor, now=now)
        check.enforce()
        deposit, held = check.deposit, check.held
        if deposit is None:
            raise Conflict(
                _("No deposit is held for this booking (it is disputed, refunded or was never paid)."),
                code="deposit_not_held",
            )
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
            return _approve(release=release, actor=None, waive_commission=False, now=now, automatic=True)
    return release


def release_approve(*, release: Release, actor: User, waive_commission: bool = False, now: dt.datetime) -> Release:
    """Finance approves: the money leaves trust and goes out by transfer or waits for a wire."""
    return _approve(release=release, actor=actor, waive_commission=waive_commission, now=now, automatic=False)


def _approve(
    *, release: Release, actor: User | None, waive_commission: bool, now: dt.datetime, automatic: bool
) -> Release:
    """Approve `release` as finance (`actor`), or `automatic`ally (no actor: the provider's payout
    account says so, and only the state rules apply)."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        booking = Booking.objects.select_for_update().get(pk=release.booking_id)
        deposit = Deposit.objects.select_for_update().get(booking=booking)
        by_transfer = _by_transfer(release)
        if automatic:
            _approvable(release=release, deposit=deposit, by_transfer=by_transfer, now=now).enforce()
        elif actor is None:
            raise Forbidden(_("Only finance can decide on releases."))
        else:
            release_approve_check(release=release, actor=actor, now=now).enforce()
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
        release = transition(
            machine=RELEASE,
            instance=release,
            locked=True,
            target=_approved_status(by_transfer),
            actor=actor,
            action="payments.release.approved",
            now=now,
            fields={
                "commission": commission,
                "commission_waived": waive_commission,
                "decided_by": actor,
                "decided_at": now,
            },
            audit_after={
                "commission": commission,
                "waived": waive_commission,
                "by": "transfer" if by_transfer else "wire",
            },
        ).instance
        if by_transfer:
            transaction.on_commit(lambda: release_transfer(release=release, now=now))
    return release


def release_reject(*, release: Release, actor: User, reason: str, now: dt.datetime) -> Release:
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        release_reject_check(release=release, actor=actor).enforce()
        reason = reason.strip()
        if not reason:
            raise ValidationFailed(
                _("Say why, for the provider."),
                code="reason_required",
                details={"reason": [_("Say why, for the provider.")]},
            )
        return transition(
            machine=RELEASE,
            instance=release,
            locked=True,
            target=ReleaseStatus.REJECTED,
            actor=actor,
            action="payments.release.rejected",
            now=now,
            fields={"reject_reason": reason[:500], "decided_by": actor, "decided_at": now},
            reason=reason,
        ).instance


def release_transfer(*, release: Release, now: dt.datetime) -> Release:
    """Send an approved release to the provider's connected account, always under the key
    `transfer:<release id>`, so however often it is tried Stripe makes one transfer.

    When Stripe's answer is lost (no connection, a timeout, Stripe's own error), the transfer may
    have been made: the release stays approved, with the error, and is tried again with the same
    key (`releases_retry_transfers`, finance's retry) or recorded by `transfer.created`. Only a
    refusal Stripe stated (an unusable destination, say) marks it failed."""
    release = Release.objects.select_related("provider__payout_account").get(pk=release.pk)
    if release.status != ReleaseStatus.APPROVED:
        return release
    holds = release_holds_check(booking_id=release.booking_id, now=now)
    if not holds.allowed:
        # A dispute opened since the approval: the transfer waits (the retry job asks again).
        logger.warning("transfer of release %s held back: %s", release.pk, holds.reason)
        return release
    deposit = Deposit.objects.get(booking_id=release.booking_id)
    if deposit.charge_id is None:
        raise Conflict(
            _("No deposit is held for this booking (it is disputed, refunded or was never paid)."),
            code="deposit_not_held",
        )
    Release.objects.filter(pk=release.pk).update(transfer_attempts=F("transfer_attempts") + 1)
    try:
        transfer = gateway.transfer_create(
            amount=release.payout,
            currency=release.currency,
            destination=release.provider.payout_account.stripe_account_id,
            source_transaction=deposit.charge_id,
            transfer_group=transfer_group_of(release),
            idempotency_key=release.idempotency_key,
            metadata={"booking": release.booking_id, "release": release.pk},
        )
    except DomainError as error:
        unknown = gateway.outcome_unknown(error)
        logger.error("transfer of release %s %s: %s", release.pk, "unanswered" if unknown else "refused", error)
        with transaction.atomic():
            locked = Release.objects.select_for_update().get(pk=release.pk)
            locked.transfer_error = str(error)[:500]
            locked.save(update_fields=["transfer_error"])
            if locked.status == ReleaseStatus.APPROVED and unknown:
                audit_record(
                    actor=None,
                    action="payments.release.transfer_unanswered",
                    target=locked,
                    after={"error": str(error), "attempt": locked.transfer_attempts},
                    now=now,
                )
            elif locked.status == ReleaseStatus.APPROVED:
                transition(
                    machine=RELEASE,
                    instance=locked,
                    locked=True,
                    target=ReleaseStatus.FAILED,
                    actor=None,
                    action="payments.release.failed",
                    now=now,
                    audit_after={"error": str(error)},
                )
        return Release.objects.get(pk=release.pk)
    recorded = release_record_transfer(stripe_transfer_id=transfer.id, amount=transfer.amount, release=release, now=now)
    if recorded is None:
        raise NotFound(_("This release no longer exists."))
    return recorded


def transfer_group_of(release: Release) -> str:
    return f"booking:{release.booking_id}"


def release_of_transfer(transfer: gateway.Transfer) -> Release | None:
    """The release a Stripe transfer pays: named in its metadata, else the live release of the
    booking its transfer group names."""
    ours = transfer.metadata.get("release", "")
    if ours.isdigit():
        return Release.objects.filter(pk=int(ours)).first()
    group = transfer.transfer_group or ""
    if group.startswith("booking:") and group[len("booking:") :].isdigit():
        return (
            Release.objects.filter(booking_id=int(group[len("booking:") :]))
            .exclude(status=ReleaseStatus.REJECTED)
            .first()
        )
    return None


def release_find_transfer(*, release: Release) -> gateway.Transfer | None:
    """The transfer Stripe made for `release`, looked up by its transfer group (and its id in the
    metadata), or None. Asked before a wire is offered or recorded, so a transfer whose answer was
    lost is recorded instead of paying the provider a second time."""
    for transfer in gateway.transfers_of_group(transfer_group_of(release)):
        if transfer.metadata.get("release", str(release.pk)) == str(release.pk):
            return transfer
    return None


# Where a transfer can be recorded as the payment of its release.
_PAYABLE_BY_TRANSFER = frozenset({ReleaseStatus.APPROVED, ReleaseStatus.AWAITING_WIRE, ReleaseStatus.FAILED})


def release_record_transfer(
    *, stripe_transfer_id: str, now: dt.datetime, release: Release | None = None, amount: int | None = None
) -> Release | None:
    """Record a transfer Stripe made (its answer, `transfer.created` re-fetched, or found by
    `release_find_transfer`): the provider's payable is paid from the Stripe balance, once, whatever
    the release's state. A release approved, awaiting its wire or failed becomes paid. A transfer
    for a release already paid otherwise (a wire) or never approved is still money that left: it
    is posted (the provider then owes it back), audited and finance is told, never refused, so its
    webhook does not fail on every delivery."""
    with transaction.atomic():
        query = Release.objects.select_for_update()
        release = (
            query.filter(pk=release.pk).first()
            if release is not None
            else query.filter(stripe_transfer_id=stripe_transfer_id).first()
        )
        if release is None or release.stripe_transfer_id == stripe_transfer_id:
            return release
        if LedgerTransaction.objects.filter(
            external_source=ledger.STRIPE, external_id=stripe_transfer_id, kind="transfer"
        ).exists():
            return release  # posted already (a transfer recorded against this release earlier)
        if release.status not in _PAYABLE_BY_TRANSFER:
            paid = amount if amount is not None else release.payout
            ledger_post(
                kind="transfer",
                legs=[
                    Leg(ledger.provider_payable(provider=release.provider, currency=release.currency), paid),
                    Leg(ledger.stripe_balance(release.currency), -paid),
                ],
                external_source=ledger.STRIPE,
                external_id=stripe_transfer_id,
                booking=release.booking,
                now=now,
            )
            audit_record(
                actor=None,
                action="payments.release.paid_twice",
                target=release,
                after={"transfer": stripe_transfer_id, "amount": paid, "status": release.status},
                now=now,
            )
            logger.error("transfer %s for release %s (%s): paid twice", stripe_transfer_id, release.pk, release.status)
            notify_finance_alert(
                subject=_("A provider was paid twice (release %(release)s)") % {"release": release.pk},
                detail=_("Stripe transfer %(transfer)s paid release %(release)s, which was %(status)s.")
                % {"transfer": stripe_transfer_id, "release": release.pk, "status": release.status},
                key=f"release_paid_twice:{stripe_transfer_id}",
                now=now,
            )
            return release
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
        release = transition(
            machine=RELEASE,
            instance=release,
            locked=True,
            target=ReleaseStatus.PAID,
            actor=None,
            action="payments.release.paid",
            now=now,
            fields={"stripe_transfer_id": stripe_transfer_id, "paid_at": now, "transfer_error": ""},
            audit_after={"transfer": stripe_transfer_id},
        ).instance
        notify_release_paid(release=release, now=now)
    return release


def release_retry_check(*, release: Release, actor: User, now: dt.datetime | None = None) -> Check:
    """May `actor` send `release`'s transfer again (same key): finance, a release approved whose
    answer was lost or whose transfer failed, to a provider with a usable connected account, and
    nothing holding the deposit back."""
    finance = _finance(actor)
    if not finance.allowed:
        return finance
    holds = release_holds_check(booking_id=release.booking_id, now=now)
    if not holds.allowed:
        return holds
    if release.status not in (ReleaseStatus.APPROVED, ReleaseStatus.FAILED) or (
        release.status == ReleaseStatus.APPROVED and not release.transfer_attempts
    ):
        return refuse(Conflict(_("This release has no transfer to send again."), code="release_not_retryable"))
    if not _by_transfer(release):
        return refuse(
            Conflict(
                _("The provider has no usable connected account: pay this release by bank wire."),
                code="no_connected_account",
            )
        )
    return ALLOWED


def release_retry_transfer(*, release: Release, actor: User, now: dt.datetime) -> Release:
    """Finance sends a release's transfer again, under the same key: a transfer Stripe made already
    is answered again, not made twice. A failed release goes back to approved first."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        release_retry_check(release=release, actor=actor, now=now).enforce()
        if release.status == ReleaseStatus.FAILED:
            release = transition(
                machine=RELEASE,
                instance=release,
                locked=True,
                target=ReleaseStatus.APPROVED,
                actor=actor,
                action="payments.release.transfer_retried",
                now=now,
            ).instance
        else:
            audit_record(actor=actor, action="payments.release.transfer_retried", target=release, now=now)
    return release_transfer(release=release, now=now)


# An approved release whose transfer has not been recorded after this long is sent again.
RETRY_AFTER = dt.timedelta(minutes=5)


def releases_retry_transfers(*, now: dt.datetime) -> int:
    """The periodic job: approved releases whose transfer was never answered (or never sent: a
    worker lost) are sent again under their key; failed ones are looked up at Stripe, in case the
    transfer was made after all. Returns how many were paid."""
    paid = 0
    stuck = Release.objects.filter(status=ReleaseStatus.APPROVED, decided_at__lte=now - RETRY_AFTER)
    for release in stuck.order_by("pk")[:200]:
        try:
            paid += release_transfer(release=release, now=now).status == ReleaseStatus.PAID
        except DomainError as error:
            logger.error("release %s: transfer not sent again: %s", release.pk, error)
    for release in Release.objects.filter(status=ReleaseStatus.FAILED, transfer_attempts__gt=0).order_by("pk")[:200]:
        try:
            found = release_find_transfer(release=release)
        except DomainError as error:
            logger.error("release %s: transfers not looked up: %s", release.pk, error)
            continue
        if found is not None:
            recorded = release_record_transfer(
                stripe_transfer_id=found.id, amount=found.amount, release=release, now=now
            )
            paid += recorded is not None and recorded.status == ReleaseStatus.PAID
    return paid


def release_record_wire(*, release: Release, actor: User, reference: str, now: dt.datetime) -> Release:
    """Finance records the bank wire that paid a provider without a usable connected account (or
    whose transfer failed: failed → awaiting wire → paid).

    A release whose transfer was ever tried is looked up at Stripe first: a transfer found there
    (its answer was lost) is recorded instead and the release returned paid by it, with no wire
    posted, so the provider is paid once."""
    release_wire_check(release=release, actor=actor, now=now).enforce()
    if Release.objects.filter(pk=release.pk, transfer_attempts__gt=0).exists():
        found = release_find_transfer(release=release)  # Stripe unreachable: no wire until it answers
        if found is not None:
            # Returned, not refused: a refusal would roll the recording back with it. The page
            # tells finance (the release comes back paid with its transfer, not a wire).
            recorded = release_record_transfer(
                stripe_transfer_id=found.id, amount=found.amount, release=release, now=now
            )
            if recorded is None:
                raise NotFound(_("This release no longer exists."))
            return recorded
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        release_wire_check(release=release, actor=actor, now=now).enforce()
        reference = reference.strip()
        if not reference:
            message = _("Enter the bank's reference of the wire.")
            raise ValidationFailed(message, code="reference_required", details={"reference": [message]})
        if release.status == ReleaseStatus.FAILED:  # a failed transfer is paid by wire instead
            release = transition(
                machine=RELEASE,
                instance=release,
                locked=True,
                target=ReleaseStatus.AWAITING_WIRE,
                actor=actor,
                action="payments.release.wire_instead",
                now=now,
            ).instance
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
        release = transition(
            machine=RELEASE,
            instance=release,
            locked=True,
            target=ReleaseStatus.PAID,
            actor=actor,
            action="payments.release.paid",
            now=now,
            fields={"wire_reference": reference[:100], "paid_at": now},
            audit_after={"wire": reference},
        ).instance
        notify_release_paid(release=release, now=now)
    return release


def release_summary(release: Release) -> dict[str, Money]:
    return {
        "amount": Money(release.amount, release.currency),
        "commission": Money(release.commission, release.currency),
        "payout": Money(release.payout, release.currency),
    }
