"""The Stripe gateway: the only module that imports `stripe` (docs/architecture.md#outside-services).

One `StripeClient` with the API version pinned; without a real key it talks to the local emulator
at `STRIPE_API_BASE` (localstripe, see docs/decisions.md#payments). Every call that
creates something carries an `Idempotency-Key` built from our own ids by the caller, so a retry
after a lost connection returns what the first request created instead of creating it again.
Stripe's errors come out as `DomainError`s with messages a patient can act on.

What the rest of the code gets back are plain dataclasses, never Stripe objects.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, ValidationFailed

# The API version every request is made under (the one stripe-python 16.1 is generated for).
API_VERSION = "2026-10-28.endive"
# Network retries of one request, each with the same Idempotency-Key.
MAX_NETWORK_RETRIES = 2


class PaymentDeclined(ValidationFailed):
    """The card was refused: the patient can try another card."""

    code = "card_declined"


class PaymentProviderError(DomainError):
    """Stripe could not be reached or refused the request for a reason that is not the patient's."""

    code = "payment_provider_error"
    http_status = 502


@functools.cache
def _client(secret_key: str, api_base: str) -> stripe.StripeClient:
    options: dict[str, Any] = {"stripe_version": API_VERSION, "max_network_retries": MAX_NETWORK_RETRIES}
    if api_base:
        options["base_addresses"] = {"api": api_base}
    return stripe.StripeClient(secret_key, **options)


def client() -> stripe.StripeClient:
    """The client for the current settings (tests point them at the emulator or a stub)."""
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


# --- what we read back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupIntent:
    id: str
    client_secret: str
    status: str
    payment_method: str | None


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    status: str
    amount: int
    currency: str  # upper case, as in our tables
    metadata: dict[str, str]
    client_secret: str
    charge_id: str | None
    balance_transaction_id: str | None
    capture_method: str
    last_error: str = ""
    last_error_code: str = ""  # Stripe's code of the last failure (a decline's, or a failed 3-D Secure)

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def requires_action(self) -> bool:
        return self.status == "requires_action"


@dataclass(frozen=True)
class Refund:
    id: str
    status: str
    amount: int
    currency: str
    payment_intent: str | None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Transfer:
    id: str
    amount: int
    currency: str
    destination: str
    source_transaction: str | None
    transfer_group: str | None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BalanceTransaction:
    id: str
    amount: int
    fee: int
    net: int
    currency: str
    type: str
    source: str | None
    status: str
    extra: dict[str, Any] = field(default_factory=dict)


# --- errors ----------------------------------------------------------------------------------------

# Decline codes (https://docs.stripe.com/declines/codes) explained in words a patient can act on.
_DECLINES = {
    "insufficient_funds": lambda: _("Your card was declined: the account has insufficient funds."),
    "lost_card": lambda: _("Your card was declined: it is reported lost. Please use another card."),
    "stolen_card": lambda: _("Your card was declined: it is reported stolen. Please use another card."),
    "expired_card": lambda: _("Your card has expired. Please use another card."),
    "incorrect_cvc": lambda: _("Your card's security code (CVC) is incorrect."),
    "processing_error": lambda: _("An error occurred while processing your card. Please try again."),
    "incorrect_number": lambda: _("Your card number is incorrect."),
    "authentication_required": lambda: _(
        "Your bank asks you to confirm this payment (3-D Secure). Please try again and complete the check."
    ),
}


def _declined(error: stripe.CardError) -> PaymentDeclined:
    code = getattr(error, "decline_code", None) or error.code or "card_declined"
    explain = _DECLINES.get(code)
    if explain is not None:
        message = explain()
    else:
        message = _(
            "Your card was declined by your bank. No money was taken. Please try another card or ask your bank why."
        )
    return PaymentDeclined(message, details={"decline_code": code, "stripe_message": error.user_message or ""})


def _translate(error: stripe.StripeError) -> DomainError:
    if isinstance(error, stripe.CardError):
        return _declined(error)
    if isinstance(error, stripe.IdempotencyError):
        # Same key, different parameters: a bug on our side, never retried blindly.
        return Conflict(
            _("This payment request was already made with other details. Please reload the page and try again."),
            code="idempotency_conflict",
        )
    if isinstance(error, stripe.InvalidRequestError):
        status = getattr(error, "http_status", None)
        if status == 402:  # the emulator reports declines without the card_error type
            return PaymentDeclined(
                _("Your card was declined by your bank. No money was taken. Please try another card."),
                details={"decline_code": error.code or "card_declined"},
            )
        return PaymentProviderError(
            _("The payment service refused the request. No money was taken; please try again later."),
            code="payment_request_invalid",
            details={"stripe_message": str(error.user_message or error)},
        )
    if isinstance(error, stripe.APIConnectionError):
        return PaymentProviderError(
            _("The payment service cannot be reached right now. No money was taken; please try again in a moment."),
            code="payment_provider_unreachable",
        )
    return PaymentProviderError(
        _("The payment service had a problem. Please try again in a moment."),
        details={"stripe_message": str(error.user_message or error)},
    )


def _raw(method, *args, **kwargs):
    try:
        return method(*args, **kwargs)
    except stripe.StripeError as error:
        raise _translate(error) from error


def _call(method, *args, **kwargs) -> dict[str, Any]:
    """The call's answer as plain dicts and lists (Stripe objects are not dicts)."""
    return _raw(method, *args, **kwargs).to_dict()


def _key(idempotency_key: str) -> dict[str, Any]:
    if not idempotency_key:
        raise ValueError("every create carries an idempotency key built from our own ids")
    return {"idempotency_key": idempotency_key}


# --- conversions ------------------------------------------------------------------------------------


def _id_of(value: Any) -> str | None:
    """An expandable field: an id, an expanded object (the emulator always expands), or nothing."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.get("id") if hasattr(value, "get") else getattr(value, "id", None)


def _payment_intent(obj: Any) -> PaymentIntent:
    charge = obj.get("latest_charge")
    balance_transaction = None
    if charge is not None and not isinstance(charge, str):
        balance_transaction = _id_of(charge.get("balance_transaction"))
    last_error = obj.get("last_payment_error") or {}
    return PaymentIntent(
        id=obj["id"],
        status=obj["status"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
        client_secret=obj.get("client_secret") or "",
        charge_id=_id_of(charge),
        balance_transaction_id=balance_transaction,
        capture_method=obj.get("capture_method") or "",
        last_error=(last_error.get("message") or "") if hasattr(last_error, "get") else "",
        last_error_code=(last_error.get("code") or "") if hasattr(last_error, "get") else "",
    )


def _balance_transaction(obj: Any) -> BalanceTransaction:
    return BalanceTransaction(
        id=obj["id"],
        amount=int(obj["amount"]),
        fee=int(obj.get("fee") or 0),
        net=int(obj.get("net") if obj.get("net") is not None else obj["amount"]),
        currency=str(obj["currency"]).upper(),
        type=obj.get("type") or "",
        source=_id_of(obj.get("source")),
        status=obj.get("status") or "",
        extra={"available_on": obj.get("available_on"), "exchange_rate": obj.get("exchange_rate")},
    )


# --- the calls ------------------------------------------------------------------------------------


def card_setup_intent_create(*, metadata: dict[str, str], idempotency_key: str) -> SetupIntent:
    """A SetupIntent that collects a card in the browser (Stripe.js `confirmCardSetup`); deposits
    and every other card payment (`payments.services.card_payments`) go through it."""
    obj = _call(
        client().v1.setup_intents.create,
        params={"usage": "on_session", "payment_method_types": ["card"], "metadata": metadata},
        options=_key(idempotency_key),
    )
    return SetupIntent(
        id=obj["id"], client_secret=obj["client_secret"], status=obj["status"], payment_method=obj.get("payment_method")
    )


def setup_intent_create(*, booking_id: int, idempotency_key: str) -> SetupIntent:
    return card_setup_intent_create(metadata={"booking": str(booking_id)}, idempotency_key=idempotency_key)


def setup_intent_retrieve(setup_intent_id: str) -> SetupIntent:
    obj = _call(client().v1.setup_intents.retrieve, setup_intent_id)
    return SetupIntent(
        id=obj["id"],
        client_secret=obj["client_secret"],
        status=obj["status"],
        payment_method=_id_of(obj.get("payment_method")),
    )


def card_payment_intent_create(
    *, amount: int, currency: str, payment_method: str, metadata: dict[str, str], idempotency_key: str
) -> PaymentIntent:
    """Charge `amount` now (automatic capture), confirming at once with the card collected by a
    SetupIntent. `requires_action` means the bank wants 3-D Secure in the browser. Deposits and
    every other card payment (`payments.services.card_payments`) go through it."""
    if amount <= 0:
        raise ValueError("a card payment is positive")
    obj = _call(
        client().v1.payment_intents.create,
        params={
            "amount": amount,
            "currency": currency.lower(),
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "capture_method": "automatic",
            "confirm": True,
            "metadata": metadata,
        },
        options=_key(idempotency_key),
    )
    return _payment_intent(obj)


def card_payment_intent_open(
    *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str
) -> PaymentIntent:
    """A PaymentIntent for `amount` (automatic capture) that the client confirms itself: Stripe's
    mobile and web SDKs collect the card with its client secret, confirm it and complete 3-D Secure.
    Nothing is charged until they do; the `payment_intent.succeeded` webhook records the payment."""
    if amount <= 0:
        raise ValueError("a card payment is positive")
    obj = _call(
        client().v1.payment_intents.create,
        params={
            "amount": amount,
            "currency": currency.lower(),
            "payment_method_types": ["card"],
            "capture_method": "automatic",
            "metadata": metadata,
        },
        options=_key(idempotency_key),
    )
    return _payment_intent(obj)


def deposit_payment_intent_create(
    *, amount: int, currency: str, payment_method: str, booking_id: int, idempotency_key: str
) -> PaymentIntent:
    """Charge the deposit in full (separate charges and transfers: the money stays on the platform
    until a refund or a release). The emulator refuses `transfer_group` on a PaymentIntent: the
    booking travels in metadata, and a release names its charge as `source_transaction`."""
    return card_payment_intent_create(
        amount=amount,
        currency=currency,
        payment_method=payment_method,
        metadata={"booking": str(booking_id), "purpose": "deposit"},
        idempotency_key=idempotency_key,
    )


def payment_intent_retrieve(payment_intent_id: str) -> PaymentIntent:
    """The PaymentIntent as Stripe has it now, with its latest charge and balance transaction."""
    obj = _call(
        client().v1.payment_intents.retrieve,
        payment_intent_id,
        params={"expand": ["latest_charge.balance_transaction"]},
    )
    return _payment_intent(obj)


def payment_intent_cancel(payment_intent_id: str) -> PaymentIntent:
    """Cancel an attempt that never completed (abandoned 3-D Secure), so it cannot succeed later."""
    return _payment_intent(_call(client().v1.payment_intents.cancel, payment_intent_id))


def refund_create(*, payment_intent_id: str, amount: int, idempotency_key: str, metadata=None) -> Refund:
    """Refund `amount` of a payment from the platform balance (key e.g. `refund:<refund id>`)."""
    params: dict[str, Any] = {"payment_intent": payment_intent_id, "amount": amount}
    if metadata:
        params["metadata"] = {str(k): str(v) for k, v in metadata.items()}
    return _refund(_call(client().v1.refunds.create, params=params, options=_key(idempotency_key)))


def transfer_create(
    *,
    amount: int,
    currency: str,
    destination: str,
    source_transaction: str,
    transfer_group: str,
    idempotency_key: str,
    metadata=None,
) -> Transfer:
    """Pay a provider's connected account from a deposit's charge (key e.g. `transfer:<release id>`).

    `source_transaction` ties the transfer to the charge's funds, so it waits for them instead of
    spending unrelated platform money."""
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency.lower(),
        "destination": destination,
        "source_transaction": source_transaction,
        "transfer_group": transfer_group,
    }
    if metadata:
        params["metadata"] = {str(k): str(v) for k, v in metadata.items()}
    return _transfer(_call(client().v1.transfers.create, params=params, options=_key(idempotency_key)))


def balance_transaction_retrieve(balance_transaction_id: str) -> BalanceTransaction:
    return _balance_transaction(_call(client().v1.balance_transactions.retrieve, balance_transaction_id))


def webhook_event(*, payload: bytes, signature: str, secret: str) -> dict[str, Any]:
    """The event of a webhook whose signature checks out (default tolerance); raises ValueError
    or stripe's SignatureVerificationError otherwise. For the webhook views."""
    event = stripe.Webhook.construct_event(payload, signature, secret)
    return event.to_dict()


SignatureVerificationError = stripe.SignatureVerificationError


# --- re-fetching what a webhook names (the event's copy may be stale or out of order) ---------------


def _refund(obj: Any) -> Refund:
    return Refund(
        id=obj["id"],
        status=obj.get("status") or "",
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        payment_intent=_id_of(obj.get("payment_intent")),
        metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
    )


def refund_retrieve(refund_id: str) -> Refund:
    return _refund(_call(client().v1.refunds.retrieve, refund_id))


def _transfer(obj: Any) -> Transfer:
    return Transfer(
        id=obj["id"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        destination=_id_of(obj.get("destination")) or "",
        source_transaction=_id_of(obj.get("source_transaction")),
        transfer_group=obj.get("transfer_group"),
        metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
    )


def transfer_retrieve(transfer_id: str) -> Transfer:
    return _transfer(_call(client().v1.transfers.retrieve, transfer_id))


def transfers_of_group(transfer_group: str) -> list[Transfer]:
    """The transfers Stripe made under `transfer_group` (`booking:<id>`): finds a transfer whose
    answer was lost before anyone pays the provider another way."""
    page = _call(client().v1.transfers.list, params={"transfer_group": transfer_group, "limit": 100})
    return [_transfer(obj) for obj in page.get("data") or [] if obj.get("transfer_group") == transfer_group]


def outcome_unknown(error: DomainError) -> bool:
    """Whether a create that raised `error` may still have been carried out by Stripe (no answer,
    a timeout, Stripe's own 5xx): it must be retried under the same key, never taken as refused.
    A refusal Stripe stated (an invalid request, a decline, a key reused) is known."""
    return isinstance(error, PaymentProviderError) and error.code in (
        "payment_provider_unreachable",
        "payment_provider_error",
    )


@dataclass(frozen=True)
class ConnectedAccount:
    id: str
    country: str
    payouts_enabled: bool
    transfers_active: bool


def account_retrieve(account_id: str) -> ConnectedAccount:
    obj = _call(client().v1.accounts.retrieve, account_id)
    capabilities = obj.get("capabilities") or {}
    return ConnectedAccount(
        id=obj["id"],
        country=str(obj.get("country") or "").upper(),
        payouts_enabled=bool(obj.get("payouts_enabled")),
        transfers_active=capabilities.get("transfers") == "active",
    )


def events_list(*, created_gte: int, types: list[str] | None = None) -> list[dict[str, Any]]:
    """Events since `created_gte` (Unix time), for the job that catches webhooks never delivered.

    The emulator refuses the `created` and `types` filters, so they are applied here as well."""
    params: dict[str, Any] = {"limit": 100}
    if not settings.STRIPE_EMULATED:
        params["created"] = {"gte": created_gte}
        if types:
            params["types"] = types
    page = _call(client().v1.events.list, params=params)
    if hasattr(page, "auto_paging_iter"):
        # Never runs: `_call` answers a dict, which has no auto_paging_iter (`_raw` would page).
        events = [event.to_dict() for event in _call(lambda: list(page.auto_paging_iter()))]  # type: ignore[attr-defined]
    else:  # the emulator's list lacks `"object": "list"`, so it comes back as a plain mapping
        events = [dict(event) for event in page.get("data", [])]
    return [e for e in events if int(e.get("created") or 0) >= created_gte and (not types or e.get("type") in types)]


# --- reconciliation -----------------------------------------------------------------------------------


def balance_transactions_between(*, start: int, end: int) -> list[BalanceTransaction]:
    """Balance transactions created in [start, end) (Unix times), each with `extra["created"]`.

    Stripe filters by `created`; the emulator refuses the filter, so it lists everything and the
    window is applied here (always, so both behave the same)."""
    params: dict[str, Any] = {"limit": 100}
    if not settings.STRIPE_EMULATED:
        params["created"] = {"gte": start, "lt": end}
    page = _raw(client().v1.balance_transactions.list, params=params)
    found = []
    for item in _raw(lambda: list(page.auto_paging_iter())):
        obj = item.to_dict()
        created = int(obj.get("created") or 0)
        if start <= created < end:
            bt = _balance_transaction(obj)
            found.append(BalanceTransaction(**{**bt.__dict__, "extra": {**bt.extra, "created": created}}))
    return found


def balance_retrieve() -> dict[str, int]:
    """The platform's Stripe balance per currency (upper case): available + pending, minor units."""
    obj = _call(client().v1.balance.retrieve)
    totals: dict[str, int] = {}
    for part in ("available", "pending"):
        funds = obj.get(part) or []
        for fund in funds if isinstance(funds, list) else [funds]:
            currency = str(fund["currency"]).upper()
            totals[currency] = totals.get(currency, 0) + int(fund["amount"])
    return totals


def balance_transactions_of_payout(payout_id: str) -> list[BalanceTransaction]:
    """The balance transactions an automatic payout carried to the bank (its own included, type
    `payout`). The emulator does not know the `payout` filter; the reconciliation's tests use an
    HTTP stand-in at Stripe's boundary for it."""
    page = _raw(client().v1.balance_transactions.list, params={"payout": payout_id, "limit": 100})
    return [_balance_transaction(item.to_dict()) for item in _raw(lambda: list(page.auto_paging_iter()))]


@dataclass(frozen=True)
class Payout:
    id: str
    amount: int
    currency: str
    status: str
    automatic: bool = True


def payout_retrieve(payout_id: str) -> Payout:
    """A payout of the platform's Stripe balance to its bank account, as Stripe has it now."""
    obj = _call(client().v1.payouts.retrieve, payout_id)
    return Payout(
        id=obj["id"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        status=obj.get("status") or "",
        automatic=bool(obj.get("automatic", True)),
    )


# --- disputes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dispute:
    """A card dispute as a `charge.dispute.*` event describes it: the charge and payment it is
    about, Stripe's status of it, and the balance transactions that moved its money."""

    id: str
    charge_id: str | None
    payment_intent_id: str | None
    status: str
    balance_transactions: tuple[BalanceTransaction, ...] = ()
    amount: int = 0
    currency: str = ""
    reason: str = ""


def dispute_of_event(obj: dict[str, Any]) -> Dispute:
    """The dispute an event's `data.object` carries (read from the event: it is not re-fetched)."""
    return Dispute(
        id=obj.get("id") or "",
        charge_id=_id_of(obj.get("charge")),
        payment_intent_id=_id_of(obj.get("payment_intent")),
        status=obj.get("status") or "",
        balance_transactions=tuple(_balance_transaction(bt) for bt in obj.get("balance_transactions") or []),
        amount=int(obj.get("amount") or 0),
        currency=str(obj.get("currency") or "").upper(),
        reason=str(obj.get("reason") or "")[:60],
    )
