"""Card payments for what the apps above sell (add-on orders today): the same code path as deposits.

The card is collected as for a deposit (a SetupIntent, then a PaymentIntent confirmed by the server,
3-D Secure in the browser when asked), so the payment page's script serves both. The caller names
its object in the metadata (`{"addon_order": "<id>"}`); payments' webhook hands a succeeded payment
whose metadata names a key to the service registered for it in `core.hooks.payment_succeeded`.

Such a payment is the platform's income at once, never money held in trust: `addon_income_record_*`
post it to `I:addon:<kind>`, the kind being the caller's own name for what it sold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import Conflict
from payments import gateway, ledger
from payments.gateway import PaymentDeclined, PaymentIntent, SetupIntent
from payments.ledger import Leg, ledger_post
from payments.models import LedgerTransaction

__all__ = [
    "CardCheckout",
    "CardIntent",
    "CardPayment",
    "PaymentDeclined",
    "PaymentIntent",
    "SetupIntent",
    "addon_income_record_paid",
    "addon_income_record_refunded",
    "card_checkout",
    "card_intent",
    "card_intent_reusable",
    "card_payment_cancel",
    "card_payment_create",
    "card_payment_open",
    "card_payment_refuse_unconfirmed",
    "card_payment_retrieve",
    "card_refund_create",
    "card_setup_create",
]


@dataclass(frozen=True)
class CardCheckout:
    """What the payment page needs to collect a card for one attempt."""

    setup_client_secret: str
    publishable_key: str
    attempt: int


@dataclass(frozen=True)
class CardPayment:
    """Where a payment attempt stands: `succeeded` (recorded) or `requires_action` (the browser
    completes 3-D Secure with `client_secret`)."""

    status: str
    payment_intent_id: str
    client_secret: str = ""


@dataclass(frozen=True)
class CardIntent:
    """A PaymentIntent the client confirms itself (Stripe's mobile and web SDKs): what they need to
    collect the card, confirm and complete 3-D Secure. `stripe_account` is the connected account the
    PaymentIntent lives on (the SDKs' `stripeAccount`), None for the platform's own, as every
    charge here is (separate charges and transfers)."""

    payment_intent_id: str
    client_secret: str
    status: str
    amount: int
    currency: str
    publishable_key: str
    attempt: int
    stripe_account: str | None = None


# Stripe's code of a 3-D Secure the cardholder did not complete.
AUTHENTICATION_FAILED = "payment_intent_authentication_failure"

# Where a PaymentIntent the client confirms may be answered again rather than replaced: it waits
# for a card (a first one, or another after a decline), its confirmation or 3-D Secure.
_OPEN_FOR_CLIENT = frozenset({"requires_payment_method", "requires_confirmation", "requires_action"})


# --- Stripe's side -----------------------------------------------------------------------------------


def card_setup_create(*, metadata: dict[str, str], idempotency_key: str) -> SetupIntent:
    """A SetupIntent to collect a card for one attempt; the key is built from the caller's ids."""
    return gateway.card_setup_intent_create(metadata=metadata, idempotency_key=idempotency_key)


def card_checkout(*, setup: SetupIntent, attempt: int) -> CardCheckout:
    return CardCheckout(
        setup_client_secret=setup.client_secret, publishable_key=settings.STRIPE_PUBLISHABLE_KEY, attempt=attempt
    )


def card_payment_open(*, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str) -> PaymentIntent:
    """A PaymentIntent for `amount` that the client confirms with the card it collects (nothing is
    charged before); the key is built from the caller's ids."""
    return gateway.card_payment_intent_open(
        amount=amount, currency=currency, metadata=metadata, idempotency_key=idempotency_key
    )


def card_intent_reusable(*, payment: PaymentIntent, opened_for_client: bool, amount: int, currency: str) -> bool:
    """May the attempt's PaymentIntent be answered again to a client asking to pay? When it is still
    being paid (`processing`: it may yet succeed, so it is never replaced); or when it was opened for
    a client (not by the card page, which confirms on the server), waits for the client, and is for
    `amount` in `currency`."""
    if payment.status == "processing":
        return True
    return (
        opened_for_client
        and payment.status in _OPEN_FOR_CLIENT
        and (payment.amount, payment.currency) == (amount, currency.upper())
    )


def card_payment_refuse_unconfirmed(payment: PaymentIntent) -> None:
    """Raise what a PaymentIntent that neither succeeded nor asks for 3-D Secure waits for, when it
    is not a failed 3-D Secure: still processing, or opened for a client that has not confirmed it
    yet (the card page's are confirmed on the server, so they never wait without an error), or
    declined (the client confirmed it with a card the bank refused: another card may be tried on
    the same PaymentIntent). The caller explains the rest as a failed authentication."""
    if payment.status == "processing":
        raise Conflict(
            _("Your bank is still processing this payment. Ask again in a moment."),
            code="payment_processing",
            details={"status": payment.status},
        )
    if payment.status in {"requires_payment_method", "requires_confirmation"} and not payment.last_error:
        raise Conflict(
            _("This payment is not confirmed yet: confirm it with a card first. No money was taken."),
            code="payment_not_confirmed",
            details={"status": payment.status},
        )
    if payment.status == "requires_payment_method" and payment.last_error_code not in {"", AUTHENTICATION_FAILED}:
        raise PaymentDeclined(
            _("Your card was declined by your bank. No money was taken. Please try another card."),
            details={"status": payment.status, "decline_code": payment.last_error_code},
        )


def card_intent(*, payment: PaymentIntent, attempt: int) -> CardIntent:
    return CardIntent(
        payment_intent_id=payment.id,
        client_secret=payment.client_secret,
        status=payment.status,
        amount=payment.amount,
        currency=payment.currency,
        publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
        attempt=attempt,
    )


def card_payment_create(
    *, amount: int, currency: str, payment_method: str, metadata: dict[str, str], idempotency_key: str
) -> PaymentIntent:
    """Charge `amount` now with the card the attempt's SetupIntent collected."""
    return gateway.card_payment_intent_create(
        amount=amount,
        currency=currency,
        payment_method=payment_method,
        metadata=metadata,
        idempotency_key=idempotency_key,
    )


def card_payment_cancel(*, payment_intent_id: str) -> PaymentIntent:
    """Cancel an attempt that never completed, so it cannot succeed later."""
    return gateway.payment_intent_cancel(payment_intent_id)


def card_payment_retrieve(*, payment_intent_id: str) -> PaymentIntent:
    """The PaymentIntent as Stripe has it now (never what the browser says)."""
    return gateway.payment_intent_retrieve(payment_intent_id)


def card_refund_create(
    *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: dict[str, Any] | None = None
) -> gateway.Refund:
    """Give `amount` of a card payment back (a retry with the same key never refunds twice)."""
    return gateway.refund_create(
        payment_intent_id=payment_intent_id, amount=amount, idempotency_key=idempotency_key, metadata=metadata
    )


# --- the ledger: income at once ------------------------------------------------------------------------


def addon_income_record_paid(*, kind: str, payment: PaymentIntent, now: dt.datetime) -> LedgerTransaction:
    """F7: a card payment for an add-on of `kind` is income (`I:addon:<kind>`) at once; the Stripe
    balance grows by the net, Stripe's fee is an expense. Posted once per balance transaction."""
    balance_transaction_id = payment.balance_transaction_id
    fee = gateway.balance_transaction_retrieve(balance_transaction_id).fee if balance_transaction_id else 0
    legs = [Leg(ledger.income(f"addon:{kind}", payment.currency), -payment.amount)]
    if payment.amount - fee:
        legs.append(Leg(ledger.stripe_balance(payment.currency), payment.amount - fee))
    if fee:
        legs.append(Leg(ledger.expense("stripe_fees", payment.currency), fee))
    return ledger_post(
        kind="addon_paid",
        legs=legs,
        external_source=ledger.STRIPE,
        external_id=payment.balance_transaction_id or f"pi:{payment.id}",
        now=now,
    )


def addon_income_record_refunded(
    *, kind: str, amount: int, currency: str, stripe_refund_id: str, actor: Any = None, now: dt.datetime
) -> LedgerTransaction:
    """A refunded add-on of `kind` takes its income back from the Stripe balance, once per refund."""
    return ledger_post(
        kind="addon_refund",
        legs=[
            Leg(ledger.income(f"addon:{kind}", currency), amount),
            Leg(ledger.stripe_balance(currency), -amount),
        ],
        external_source=ledger.STRIPE,
        external_id=stripe_refund_id,
        now=now,
        actor=actor,
    )
