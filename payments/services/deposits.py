"""Paying a booking's deposit by card through Stripe, and recording it once it is paid.

The page's flow (one code path for the local emulator and real Stripe, docs/decisions.md#payments):
1. `deposit_start`: a new payment attempt; a SetupIntent whose client secret lets Stripe.js
   collect the card (`confirmCardSetup`).
2. `deposit_pay`: the server charges the deposit with that card (PaymentIntent, automatic capture,
   confirmed at once). `succeeded` → recorded at once; `requires_action` → the page completes
   3-D Secure (`confirmCardPayment`) and calls `deposit_record_paid` through the confirm view.
3. `deposit_record_paid`: re-fetches the PaymentIntent from Stripe (never trusts the browser),
   checks it is this booking's deposit in full, confirms the booking through
   `booking_confirm_deposit` with the PaymentIntent id as reference, and posts the ledger. The
   webhook for `payment_intent.succeeded` calls it too; it records a payment once however often
   and however concurrently it runs.

A booking that cannot take its deposit (expired, cancelled, already paid) is refused before any
request goes to Stripe: `deposit_pay_check` says so, and the payment page reads it to offer the card
form only when paying would be accepted. The deposit's status moves only through
`core.state.transition` with the `DEPOSIT` machine.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import Booking, BookingStatus
from bookings.services import booking_confirm_deposit, booking_pay_check
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, NotFound, ValidationFailed
from core.state import Machine, transition, transition_check
from payments import gateway, ledger
from payments.models import DEPOSIT_TRANSITIONS, Deposit, DepositStatus
from payments.services.card_payments import (
    CardCheckout,
    CardIntent,
    CardPayment,
    card_intent,
    card_intent_reusable,
    card_payment_open,
    card_payment_refuse_unconfirmed,
)
from payments.services.orphans import ORPHAN_CODES, ChargeOrphaned, charge_orphan_found

# Payment attempts still open at Stripe: cancelled before a new attempt so they cannot succeed later.
_CANCELLABLE = frozenset({"requires_payment_method", "requires_confirmation", "requires_action"})
# No 0/O, 1/I/L: the code is read off paper and typed in.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# A deposit is paid as every card payment is (payments.services.card_payments): `succeeded` means
# the booking is confirmed.
DepositCheckout = CardCheckout
DepositPayment = CardPayment
DepositIntent = CardIntent


# --- checks -----------------------------------------------------------------------------------------


def deposit_pay_check(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Check:
    """May `actor` pay `booking`'s deposit now? Refused, in words the patient understands, when it
    is not their booking, or the booking cannot take its deposit (paid, expired, cancelled, not
    waiting for one, no deposit). `deposit_start` and `deposit_pay` enforce it under the booking's
    lock; the payment page offers the card form only when it is allowed."""
    if actor is None or not actor.is_authenticated or booking.patient_id != actor.pk:
        return refuse(NotFound(_("You have no booking with this number.")))
    # Whether the booking takes its deposit now is bookings' rule; payments adds only that someone
    # else's booking does not exist for this person (404, not 403).
    return booking_pay_check(booking=booking, actor=actor, now=now)


CONFIRMATION_WITHDRAWN = "confirmation_withdrawn"


def deposit_confirmation_withdrawn(*, booking: Booking) -> bool:
    """A cancelled booking's payment confirmation no longer stands: it is not served any more, and the
    public verification page says the booking was cancelled."""
    return booking.status == BookingStatus.CANCELLED


def deposit_confirmation_check(*, booking: Booking, actor: User | AnonymousUser | None) -> Check:
    """May `actor` download `booking`'s payment confirmation: their own booking, its deposit paid
    (held), the booking not cancelled. The pages offer the link only then; the download answers 404
    otherwise, and 410 for a cancelled booking's (`CONFIRMATION_WITHDRAWN`)."""
    if actor is None or not actor.is_authenticated or booking.patient_id != actor.pk:
        return refuse(NotFound(_("You have no booking with this number.")))
    if deposit_confirmation_withdrawn(booking=booking):
        return refuse(
            Conflict(
                _("This booking is cancelled: its payment confirmation is withdrawn and no longer valid."),
                code=CONFIRMATION_WITHDRAWN,
            )
        )
    if not Deposit.objects.filter(booking_id=booking.pk, status=DepositStatus.HELD).exists():
        return refuse(NotFound(_("There is no payment confirmation for this booking yet.")))
    return ALLOWED


def _locked_booking(booking_id: int, *, actor: User | AnonymousUser | None = None) -> Booking:
    """The booking under a row lock; a patient sees only their own (NotFound for anyone else's)."""
    query = Booking.objects.select_for_update().filter(pk=booking_id)
    if actor is not None:
        query = query.filter(patient_id=actor.pk)
    locked = query.first()
    if locked is None:
        raise NotFound(_("You have no booking with this number."))
    return locked


def _deposit_of(booking: Booking, *, now: dt.datetime) -> Deposit:
    """The booking's Deposit row, locked (the caller holds the booking's lock, so creating is safe)."""
    deposit = Deposit.objects.select_for_update().filter(booking_id=booking.pk).first()
    if deposit is None:
        deposit = Deposit.objects.create(
            booking=booking,
            amount=booking.deposit_amount,
            currency=booking.currency,
            created_at=now,
            updated_at=now,
        )
    return deposit


def _refuse_deposit(current: str, target: str) -> Conflict:
    return Conflict(
        _("A deposit cannot go from “%(current)s” to “%(target)s”.") % {"current": current, "target": target},
        code="invalid_transition",
    )


# Paying is the deposit's one move; `deposit_record_paid` returns early itself for a deposit
# already held by the same payment, so a repeat reaching the machine is refused.
DEPOSIT = Machine(model=Deposit, table=DEPOSIT_TRANSITIONS, refuse=_refuse_deposit, repeat_is_noop=False)


# --- the services -----------------------------------------------------------------------------------


def deposit_start(*, booking: Booking, actor: User | AnonymousUser, now: dt.datetime) -> DepositCheckout:
    """Begin a payment attempt for `booking`'s deposit: a SetupIntent to collect the card.

    1. Lock the booking (the patient's own), refuse it if it cannot take its deposit.
    2. If the previous attempt's PaymentIntent succeeded after all (3-D Secure completed in
       another tab), record it and refuse; if it is still open, cancel it so it cannot.
    3. Count the attempt and create the SetupIntent under `setup:<booking>:<attempt>`.
    """
    with transaction.atomic():
        locked = _locked_booking(booking.pk, actor=actor)
        deposit_pay_check(booking=locked, actor=actor, now=now).enforce()
        deposit = _deposit_of(locked, now=now)
        previous = gateway.payment_intent_retrieve(deposit.payment_intent_id) if deposit.payment_intent_id else None
        if previous is None or not previous.succeeded:
            if previous is not None and previous.status in _CANCELLABLE:
                gateway.payment_intent_cancel(previous.id)
            deposit.attempts += 1
            setup = gateway.setup_intent_create(
                booking_id=locked.pk, idempotency_key=f"setup:{locked.pk}:{deposit.attempts}"
            )
            deposit.setup_intent_id = setup.id
            deposit.payment_intent_id = None
            deposit.updated_at = now
            deposit.save(update_fields=["attempts", "setup_intent_id", "payment_intent_id", "updated_at"])
            audit_record(
                actor=actor,
                action="payments.deposit.attempt_started",
                target=deposit,
                after={"attempt": deposit.attempts, "setup_intent": setup.id},
                now=now,
            )
    if previous is not None and previous.succeeded:
        deposit_record_paid(payment_intent_id=previous.id, now=now)
        raise Conflict(_("This booking's deposit is already paid."), code="already_paid")
    return DepositCheckout(
        setup_client_secret=setup.client_secret,
        publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
        attempt=deposit.attempts,
    )


def deposit_intent(*, booking: Booking, actor: User | AnonymousUser, now: dt.datetime) -> DepositIntent:
    """The PaymentIntent a client confirms itself for `booking`'s deposit (the API's payment).

    1. Lock the booking (the patient's own), refuse it if it cannot take its deposit: nothing is
       sent to Stripe then.
    2. The attempt's PaymentIntent is answered again while the client may still confirm it
       (`card_intent_reusable`): a retry, or another card after a decline, never opens a second.
    3. Otherwise one that succeeded after all is recorded and answered as succeeded; one still open
       (the card page's, 3-D Secure abandoned) is cancelled so it cannot succeed later; and a new
       attempt opens a PaymentIntent under `deposit-intent:<booking>:<attempt>`, without a
       SetupIntent (the card page's next charge then asks to start again).
    """
    with transaction.atomic():
        locked = _locked_booking(booking.pk, actor=actor)
        deposit_pay_check(booking=locked, actor=actor, now=now).enforce()
        deposit = _deposit_of(locked, now=now)
        current = gateway.payment_intent_retrieve(deposit.payment_intent_id) if deposit.payment_intent_id else None
        if current is not None and current.succeeded:
            pass  # recorded below, outside this transaction (deposit_record_paid takes its own locks)
        elif current is not None and card_intent_reusable(
            payment=current,
            opened_for_client=not deposit.setup_intent_id,
            amount=deposit.amount,
            currency=deposit.currency,
        ):
            return card_intent(payment=current, attempt=deposit.attempts)
        else:
            if current is not None and current.status in _CANCELLABLE:
                gateway.payment_intent_cancel(current.id)
            deposit.attempts += 1
            intent = card_payment_open(
                amount=deposit.amount,
                currency=deposit.currency,
                metadata={"booking": str(locked.pk), "purpose": "deposit"},
                idempotency_key=f"deposit-intent:{locked.pk}:{deposit.attempts}",
            )
            deposit.setup_intent_id = ""
            deposit.payment_intent_id = intent.id
            deposit.updated_at = now
            deposit.save(update_fields=["attempts", "setup_intent_id", "payment_intent_id", "updated_at"])
            audit_record(
                actor=actor,
                action="payments.deposit.attempt_started",
                target=deposit,
                after={"attempt": deposit.attempts, "payment_intent": intent.id, "confirmed_by": "client"},
                now=now,
            )
            return card_intent(payment=intent, attempt=deposit.attempts)
    deposit_record_paid(payment_intent_id=current.id, now=now)
    return card_intent(payment=current, attempt=deposit.attempts)


def deposit_pay(
    *, booking: Booking, actor: User | AnonymousUser, payment_method: str, now: dt.datetime
) -> DepositPayment:
    """Charge `booking`'s deposit to the card collected by this attempt's SetupIntent.

    1. Lock the booking (the patient's own), refuse it if it cannot take its deposit: nothing is
       sent to Stripe then.
    2. Check with Stripe that this attempt's SetupIntent succeeded with `payment_method` (a card
       declined while being collected is explained here, and not charged).
    3. If this attempt already has a PaymentIntent (a double click), answer with it; otherwise
       create and confirm one under `deposit:<booking>:<attempt>`.
    4. `succeeded` → `deposit_record_paid`; `requires_action` → the client secret for 3-D Secure;
       anything else → the decline explained.
    """
    payment_method = (payment_method or "").strip()
    if not payment_method.startswith("pm_") or len(payment_method) > 255:
        raise ValidationFailed(
            _("The card details did not reach us. Please enter your card again."),
            code="invalid_payment_method",
            details={"payment_method": [_("A card is required.")]},
        )
    with transaction.atomic():
        locked = _locked_booking(booking.pk, actor=actor)
        deposit_pay_check(booking=locked, actor=actor, now=now).enforce()
        deposit = _deposit_of(locked, now=now)
        if not deposit.setup_intent_id or deposit.attempts == 0:
            raise Conflict(_("Please enter your card again."), code="start_again")
        if deposit.payment_intent_id:
            intent = gateway.payment_intent_retrieve(deposit.payment_intent_id)
        else:
            setup = gateway.setup_intent_retrieve(deposit.setup_intent_id)
            if setup.payment_method != payment_method:
                raise ValidationFailed(
                    _("The card details did not reach us. Please enter your card again."),
                    code="invalid_payment_method",
                )
            if setup.status != "succeeded":
                raise gateway.PaymentDeclined(
                    _("Your card was declined by your bank. No money was taken. Please try another card.")
                )
            intent = gateway.deposit_payment_intent_create(
                amount=deposit.amount,
                currency=deposit.currency,
                payment_method=payment_method,
                booking_id=locked.pk,
                idempotency_key=f"deposit:{locked.pk}:{deposit.attempts}",
            )
            deposit.payment_intent_id = intent.id
            deposit.updated_at = now
            deposit.save(update_fields=["payment_intent_id", "updated_at"])
            audit_record(
                actor=actor,
                action="payments.deposit.charged",
                target=deposit,
                after={"attempt": deposit.attempts, "payment_intent": intent.id, "status": intent.status},
                now=now,
            )
    if intent.succeeded:
        deposit_record_paid(payment_intent_id=intent.id, now=now)
        return DepositPayment(status="succeeded", payment_intent_id=intent.id)
    if intent.requires_action:
        return DepositPayment(status="requires_action", payment_intent_id=intent.id, client_secret=intent.client_secret)
    raise gateway.PaymentDeclined(
        _("Your card was declined by your bank. No money was taken. Please try another card.")
        + (f" ({intent.last_error})" if intent.last_error else ""),
        details={"status": intent.status},
    )


def deposit_confirm(*, booking: Booking, actor: User | AnonymousUser, now: dt.datetime) -> DepositPayment:
    """After 3-D Secure in the browser: record the current attempt if Stripe says it succeeded."""
    with transaction.atomic():
        locked = _locked_booking(booking.pk, actor=actor)
        deposit = Deposit.objects.filter(booking_id=locked.pk).first()
        if deposit is None or not deposit.payment_intent_id:
            raise Conflict(_("Please enter your card again."), code="start_again")
        payment_intent_id = deposit.payment_intent_id
        if deposit.status == DepositStatus.HELD:
            return DepositPayment(status="succeeded", payment_intent_id=payment_intent_id)
    intent = gateway.payment_intent_retrieve(payment_intent_id)
    if intent.succeeded:
        deposit_record_paid(payment_intent_id=intent.id, now=now)
        return DepositPayment(status="succeeded", payment_intent_id=intent.id)
    if intent.requires_action:
        return DepositPayment(status="requires_action", payment_intent_id=intent.id, client_secret=intent.client_secret)
    card_payment_refuse_unconfirmed(intent)
    raise gateway.PaymentDeclined(
        _("The payment was not authorised by your bank (3-D Secure). No money was taken. Please try again."),
        code="authentication_failed",
        details={"status": intent.status},
    )


def deposit_record_paid(*, payment_intent_id: str, now: dt.datetime) -> Deposit:
    """Record that the PaymentIntent `payment_intent_id` paid a booking's deposit.

    1. Re-fetch the PaymentIntent from Stripe: it must have succeeded, name a booking in its
       metadata, and be for exactly the deposit's amount and currency.
    2. Lock the booking and its deposit. Already held by this PaymentIntent → return (webhooks
       and the page both call this, possibly at once). Held by another → Conflict: a second
       payment that must be given back.
    3. Confirm the booking (`booking_confirm_deposit`, reference = the PaymentIntent id), mark
       the deposit held with its charge, a verification code for the confirmation letter, an
       audit event, and the ledger posting (F1).
    """
    intent = gateway.payment_intent_retrieve(payment_intent_id)
    if not intent.succeeded:
        raise Conflict(
            _("This payment has not succeeded (%(status)s).") % {"status": intent.status},
            code="payment_not_succeeded",
            details={"payment_intent": intent.id, "status": intent.status},
        )
    try:
        if intent.metadata.get("purpose", "deposit") != "deposit":
            raise ValueError
        booking_id = int(intent.metadata.get("booking", ""))
    except ValueError:
        raise ValidationFailed(
            _("This payment is not for a booking."), code="not_a_deposit", details={"payment_intent": intent.id}
        ) from None
    try:
        with transaction.atomic():
            booking = _locked_booking(booking_id)
            deposit = _deposit_of(booking, now=now)
            if deposit.status == DepositStatus.HELD:
                if deposit.payment_intent_id == intent.id:
                    return deposit  # already recorded
                raise Conflict(
                    _("This booking's deposit was already paid by another payment; this one must be refunded."),
                    code="deposit_paid_twice",
                    details={"booking": booking.pk, "payment_intent": intent.id, "paid_by": deposit.payment_intent_id},
                )
            if (intent.amount, intent.currency) != (deposit.amount, deposit.currency) or (
                intent.amount,
                intent.currency,
            ) != (booking.deposit_amount, booking.currency):
                raise Conflict(
                    _("The amount paid does not match the booking's deposit."),
                    code="amount_mismatch",
                    details={
                        "payment": [intent.amount, intent.currency],
                        "deposit": [booking.deposit_amount, booking.currency],
                    },
                )
            refusal = transition_check(machine=DEPOSIT, instance=deposit, target=DepositStatus.HELD)
            if refusal is not None:
                raise refusal
            booking_confirm_deposit(booking=booking, payment_reference=intent.id, paid_at=now, now=now)
            deposit = transition(
                machine=DEPOSIT,
                instance=deposit,
                locked=True,
                target=DepositStatus.HELD,
                actor=None,
                action="payments.deposit.held",
                now=now,
                fields={
                    "payment_intent_id": intent.id,
                    "charge_id": intent.charge_id,
                    "balance_transaction_id": intent.balance_transaction_id or "",
                    "paid_at": now,
                    "verification_code": _new_verification_code(),
                },
                audit_after={
                    "payment_intent": intent.id,
                    "charge": intent.charge_id,
                    "amount": [intent.amount, intent.currency],
                },
            ).instance
            _post_deposit_to_ledger(deposit=deposit, payment_intent=intent, now=now)
    except Conflict as error:
        if error.code not in ORPHAN_CODES:
            raise
        # The money came in and nothing can keep it: recorded and refunded, once (orphans).
        orphan = charge_orphan_found(
            payment_intent=intent, reason=error.code, booking_id=booking_id, purpose="deposit", now=now
        )
        raise ChargeOrphaned(
            error.message + " " + _("Your payment is being refunded to your card."),
            code=error.code,
            details={"booking": booking_id, "payment_intent": intent.id, "reason": error.code, "refund": orphan.status},
        ) from error
    return deposit


def _post_deposit_to_ledger(*, deposit: Deposit, payment_intent: gateway.PaymentIntent, now: dt.datetime) -> None:
    """Ledger flow F1 (docs/decisions.md#ledger): the deposit now sits in the booking's trust account, Stripe's
    fee is an expense. Keyed by the charge's balance transaction, so it is posted once. The
    platform settles in the charge's currency (multi-currency settlement), so the amounts are the
    deposit's; the fee comes from the balance transaction."""
    balance_transaction_id = deposit.balance_transaction_id
    fee = gateway.balance_transaction_retrieve(balance_transaction_id).fee if balance_transaction_id else 0
    ledger.ledger_record_deposit(
        booking=deposit.booking,
        amount=deposit.amount,
        fee=fee,
        currency=deposit.currency,
        balance_transaction_id=balance_transaction_id or f"pi:{payment_intent.id}",
        now=now,
    )


def _new_verification_code() -> str:
    while True:
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not Deposit.objects.filter(verification_code=code).exists():
            return code


# --- reads ------------------------------------------------------------------------------------------


def deposit_of_booking(*, booking: Booking) -> Deposit | None:
    return Deposit.objects.filter(booking_id=booking.pk).first()


def deposit_by_verification_code(*, code: str) -> Deposit | None:
    """The held deposit a payment confirmation's code names, or None (unknown or malformed code)."""
    normalised = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(normalised) != 12:
        return None
    formatted = f"{normalised[:4]}-{normalised[4:8]}-{normalised[8:]}"
    return (
        Deposit.objects.select_related("booking__provider", "booking__patient", "booking__offering")
        .filter(verification_code=formatted, status=DepositStatus.HELD)
        .first()
    )
