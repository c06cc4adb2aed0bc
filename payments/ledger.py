"""The double-entry ledger: accounts from the chart, and the one posting function.

Rules (docs/decisions.md#ledger):
- a transaction has two entries or more, none zero, each in its account's currency, and they sum
  to zero in every currency;
- nothing is ever changed: a correction is a new transaction;
- a trust account (one per booking and currency) never goes below zero: the posting checks the new
  balance under the account row's lock, before anything is written; on PostgreSQL a CHECK on the
  cached balance and the triggers of migration 0002 hold the same rules against any other writer;
- `(external_source, external_id, kind)` posts an outside money object once: posting it again
  returns the transaction already written (webhooks are delivered more than once).

Sign convention (see payments.models): + debit, − credit; a liability's balance is negative.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from core.money import CURRENCY_EXPONENTS, Money
from payments.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction

STRIPE = "stripe"
BANK_WIRE = "bank_wire"
INTERNAL = "internal"


class LedgerError(ValidationFailed):
    """A posting that breaks the ledger's rules: a bug in the caller, never a user's mistake."""

    code = "ledger_invalid"


@dataclass(frozen=True)
class Leg:
    account: LedgerAccount
    amount: int  # minor units of the account's currency: + debit, − credit


# --- the chart of accounts -------------------------------------------------------------------------


def _account(*, code: str, currency: str, kind: str, is_trust: bool = False, booking=None, provider=None):
    if currency not in CURRENCY_EXPONENTS:
        raise LedgerError(f"unknown currency {currency!r}")
    found = LedgerAccount.objects.filter(code=code, currency=currency).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(
                code=code, currency=currency, kind=kind, is_trust=is_trust, booking=booking, provider=provider
            )
    except IntegrityError:  # created by a concurrent posting a moment ago
        return LedgerAccount.objects.get(code=code, currency=currency)


def stripe_balance(currency: str) -> LedgerAccount:
    """The platform's Stripe balance (pending and available together)."""
    return _account(code="A:stripe", currency=currency, kind=AccountKind.ASSET)


def bank_account(currency: str) -> LedgerAccount:
    """The platform's bank account, from which finance pays providers by wire."""
    return _account(code="A:bank:operating", currency=currency, kind=AccountKind.ASSET)


def dispute_receivable(currency: str) -> LedgerAccount:
    return _account(code="A:receivable:dispute", currency=currency, kind=AccountKind.ASSET)


def trust(*, booking, currency: str) -> LedgerAccount:
    """The deposit of one booking, held for the patient or the provider."""
    return _account(
        code=f"L:trust:deposit:{booking.pk}",
        currency=currency,
        kind=AccountKind.LIABILITY,
        is_trust=True,
        booking=booking,
    )


def provider_payable(*, provider, currency: str) -> LedgerAccount:
    return _account(
        code=f"L:payable:provider:{provider.pk}", currency=currency, kind=AccountKind.LIABILITY, provider=provider
    )


def refund_payable(*, booking, currency: str) -> LedgerAccount:
    return _account(
        code=f"L:payable:refund:{booking.pk}", currency=currency, kind=AccountKind.LIABILITY, booking=booking
    )


def income(name: str, currency: str) -> LedgerAccount:
    """`commission`, `cancellation_fee`, `addon:<kind>`."""
    return _account(code=f"I:{name}", currency=currency, kind=AccountKind.INCOME)


def expense(name: str, currency: str) -> LedgerAccount:
    """`stripe_fees`, `dispute_fees`, `dispute_loss`."""
    return _account(code=f"E:{name}", currency=currency, kind=AccountKind.EXPENSE)


# --- posting ---------------------------------------------------------------------------------------


def _check_shape(legs: list[Leg]) -> None:
    if len(legs) < 2:
        raise LedgerError("a ledger transaction needs two entries or more")
    sums: dict[str, int] = defaultdict(int)
    for leg in legs:
        if not isinstance(leg.amount, int) or isinstance(leg.amount, bool) or leg.amount == 0:
            raise LedgerError(f"ledger amounts are non-zero integers, not {leg.amount!r}")
        Money(abs(leg.amount), leg.account.currency)  # a whole number of the currency's minor units
        sums[leg.account.currency] += leg.amount
    unbalanced = {currency: total for currency, total in sums.items() if total}
    if unbalanced:
        raise LedgerError(f"a ledger transaction must balance in every currency: {unbalanced}")


def ledger_post(
    *,
    kind: str,
    legs: list[Leg],
    now: dt.datetime,
    external_source: str = "",
    external_id: str = "",
    booking=None,
    memo: str = "",
    actor=None,
) -> LedgerTransaction:
    """Write one balanced transaction and update its accounts' balances; returns it.

    1. Check the shape (two legs or more, non-zero integers, balanced per currency).
    2. Lock the accounts (in id order, so concurrent postings cannot deadlock).
    3. With an external id: return the transaction already posted for it, if any.
    4. Refuse, with nothing written, a posting that would take a trust account below zero.
    5. Write the transaction, its entries and the new balances.
    """
    _check_shape(legs)
    with transaction.atomic():
        ids = sorted({leg.account.pk for leg in legs})
        accounts = {a.pk: a for a in LedgerAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        if external_id:
            existing = LedgerTransaction.objects.filter(
                external_source=external_source, external_id=external_id, kind=kind
            ).first()
            if existing is not None:
                return existing
        moves: dict[int, int] = defaultdict(int)
        for leg in legs:
            moves[leg.account.pk] += leg.amount
        for pk, move in moves.items():
            account = accounts[pk]
            if account.is_trust and account.balance + move > 0:
                held = Money(-account.balance, account.currency)
                raise Conflict(
                    _("Only %(held)s is held for this booking: the operation needs more than that.") % {"held": held},
                    code="trust_insufficient",
                    details={"held": held.amount, "needed": -move},
                )
        txn = LedgerTransaction.objects.create(
            kind=kind,
            external_source=external_source,
            external_id=external_id,
            booking=booking,
            memo=memo[:300],
            posted_at=now,
            posted_by=actor,
        )
        LedgerEntry.objects.bulk_create(
            LedgerEntry(transaction=txn, account=leg.account, amount=leg.amount, currency=leg.account.currency)
            for leg in legs
        )
        for pk, move in moves.items():
            account = accounts[pk]
            account.balance += move
            account.save(update_fields=["balance"])
    return txn


def ledger_record_deposit(
    *, booking, amount: int, fee: int, currency: str, balance_transaction_id: str, now: dt.datetime
) -> LedgerTransaction:
    """F1, deposit paid: the Stripe balance grows by the net, Stripe's fee is an expense, and the
    whole deposit is owed, in trust, for the booking. Posted once per balance transaction."""
    legs = [Leg(trust(booking=booking, currency=currency), -amount)]
    if amount - fee:
        legs.append(Leg(stripe_balance(currency), amount - fee))
    if fee:
        legs.append(Leg(expense("stripe_fees", currency), fee))
    return ledger_post(
        kind="deposit_paid",
        legs=legs,
        external_source=STRIPE,
        external_id=balance_transaction_id,
        booking=booking,
        now=now,
    )


def held(*, booking, currency: str) -> int:
    """What the ledger holds in trust for `booking` in `currency` (minor units)."""
    account = LedgerAccount.objects.filter(code=f"L:trust:deposit:{booking.pk}", currency=currency).first()
    return -account.balance if account else 0


# --- checks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerDifference:
    what: str
    detail: str


def ledger_check() -> list[LedgerDifference]:
    """Recompute every balance from the entries and check every transaction balances; returns
    what differs (nothing when the ledger is sound)."""
    problems: list[LedgerDifference] = []
    totals = dict(LedgerEntry.objects.values("account").annotate(total=Sum("amount")).values_list("account", "total"))
    for account in LedgerAccount.objects.order_by("pk"):
        computed = totals.get(account.pk) or 0
        if computed != account.balance:
            problems.append(
                LedgerDifference("balance", f"{account}: cached {account.balance}, entries sum to {computed}")
            )
        if account.is_trust and computed > 0:
            problems.append(LedgerDifference("trust", f"{account} is below zero: {-computed}"))
    unbalanced = LedgerEntry.objects.values("transaction", "currency").annotate(total=Sum("amount")).exclude(total=0)
    for row in unbalanced:
        problems.append(
            LedgerDifference("unbalanced", f"transaction {row['transaction']} sums to {row['total']} {row['currency']}")
        )
    short = LedgerTransaction.objects.annotate(n=Count("entries")).filter(n__lt=2)
    for txn in short:
        problems.append(LedgerDifference("short", f"transaction {txn.pk} has {txn.n} entries"))
    mismatched = LedgerEntry.objects.exclude(currency=F("account__currency"))
    for entry in mismatched:
        problems.append(LedgerDifference("currency", f"entry {entry.pk} is in {entry.currency}, its account is not"))
    return problems


def orphan_payable(currency: str) -> LedgerAccount:
    """Card payments that could not be kept (docs/decisions.md#orphaned-charges), owed back to the
    card until their refund is made."""
    return _account(code="L:payable:orphaned", currency=currency, kind=AccountKind.LIABILITY)
