"""Reads of payments for finance's pages and exports. Every figure comes from the ledger, never from
mutable booking fields (docs/decisions.md#reconciliation), except the paid date that ages a deposit
and the release's own row."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from bookings.models import Booking, BookingStatus
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    OrphanedCharge,
    PayoutAccount,
    PayoutChange,
    PayoutChangeStatus,
    ReconciliationRun,
    Release,
    ReleaseStatus,
)
from providers.models import Provider

# Ageing buckets of a deposit in trust, by days since it was paid: (key, first day, last day).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (("0-30", 0, 30), ("31-90", 31, 90), ("90+", 91, None))


def trust_providers() -> QuerySet[Provider]:
    """The providers with money in trust now: the register's provider filter."""
    return Provider.objects.filter(
        pk__in=LedgerAccount.objects.filter(is_trust=True).exclude(balance=0).values("booking__provider_id")
    ).order_by("name")


def age_bucket(days: int) -> str:
    for key, first, last in AGE_BUCKETS:
        if days >= first and (last is None or days <= last):
            return key
    return AGE_BUCKETS[0][0]  # paid "in the future" (clock skew): the youngest


@dataclass(frozen=True)
class TrustLine:
    """One booking's deposit held in trust."""

    booking: Booking
    currency: str
    held: int  # minor units
    paid_at: dt.datetime | None
    age_days: int
    bucket: str


@dataclass
class ProviderTrust:
    provider: object
    currency: str
    held: int = 0
    buckets: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _f, _l in AGE_BUCKETS})
    bookings: int = 0

    @property
    def bucket_amounts(self) -> list[int]:
        return [self.buckets[key] for key, _f, _l in AGE_BUCKETS]


@dataclass
class TrustRegister:
    lines: list[TrustLine]
    providers: list[ProviderTrust]
    totals: dict[str, int]  # currency → minor units held


def trust_register(
    *,
    now: dt.datetime,
    status: str = "",
    currency: str = "",
    provider_id: int | None = None,
    paid_from: dt.datetime | None = None,
    paid_until: dt.datetime | None = None,
) -> TrustRegister:
    """What is held in trust, per booking and per provider and currency, aged by the paid date.

    The filters narrow the lines and every sum with them: the booking's status, the currency, the
    provider, and the paid date in [paid_from, paid_until)."""
    accounts = (
        LedgerAccount.objects.filter(is_trust=True)
        .exclude(balance=0)
        .select_related("booking__provider")
        .order_by("booking__provider__name", "currency", "booking_id")
    )
    if status:
        accounts = accounts.filter(booking__status=status)
    if currency:
        accounts = accounts.filter(currency=currency)
    if provider_id is not None:
        accounts = accounts.filter(booking__provider_id=provider_id)
    if paid_from is not None:
        accounts = accounts.filter(booking__paid_at__gte=paid_from)
    if paid_until is not None:
        accounts = accounts.filter(booking__paid_at__lt=paid_until)
    lines: list[TrustLine] = []
    grouped: dict[tuple[int, str], ProviderTrust] = {}
    totals: dict[str, int] = defaultdict(int)
    for account in accounts:
        booking = account.booking
        if booking is None:  # trust accounts are opened per booking (ledger.trust)
            raise ValueError(f"trust account {account.code} has no booking")
        paid_at = booking.paid_at
        age = max(0, (now - paid_at).days) if paid_at else 0
        line = TrustLine(
            booking=booking,
            currency=account.currency,
            held=-account.balance,
            paid_at=paid_at,
            age_days=age,
            bucket=age_bucket(age),
        )
        lines.append(line)
        key = (booking.provider_id, account.currency)
        group = grouped.setdefault(key, ProviderTrust(provider=booking.provider, currency=account.currency))
        group.held += line.held
        group.buckets[line.bucket] += line.held
        group.bookings += 1
        totals[account.currency] += line.held
    return TrustRegister(lines=lines, providers=list(grouped.values()), totals=dict(sorted(totals.items())))


# --- the payment page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentWindow:
    """Until when a booking waits for its deposit, as the payment page states it (one is set at most)."""

    held_until: dt.datetime | None = None  # a direct booking's 15-minute hold
    due_by: dt.datetime | None = None  # a quote's booking's payment deadline


def payment_window(*, booking: Booking) -> PaymentWindow:
    if booking.status == BookingStatus.HELD:
        return PaymentWindow(held_until=booking.hold_expires_at)
    if booking.status == BookingStatus.AWAITING_DEPOSIT:
        return PaymentWindow(due_by=booking.deposit_due_at)
    return PaymentWindow()


# --- releases -----------------------------------------------------------------------------------------


def _releases() -> QuerySet[Release]:
    return Release.objects.select_related("booking", "provider", "provider__payout_account", "requested_by")


def releases_requested() -> QuerySet[Release]:
    """Finance's queue: releases waiting for a decision, oldest first."""
    return _releases().filter(status=ReleaseStatus.REQUESTED).order_by("requested_at", "pk")


def releases_awaiting_wire() -> QuerySet[Release]:
    """Approved releases to pay by bank wire (no usable connected account, or a failed transfer)."""
    return (
        _releases().filter(status__in=[ReleaseStatus.AWAITING_WIRE, ReleaseStatus.FAILED]).order_by("decided_at", "pk")
    )


def releases_recent(*, limit: int = 20) -> QuerySet[Release]:
    return (
        _releases()
        .exclude(status=ReleaseStatus.REQUESTED)
        .exclude(status=ReleaseStatus.AWAITING_WIRE)
        .order_by("-decided_at", "-pk")[:limit]
    )


def release_payout_by_transfer(release: Release) -> bool:
    """Whether approving would pay by Stripe transfer (else by bank wire)."""
    account = getattr(release.provider, "payout_account", None)
    return account is not None and account.can_receive_transfers


def _with_entries(transactions: QuerySet[LedgerTransaction]) -> QuerySet[LedgerTransaction]:
    return transactions.prefetch_related(
        Prefetch("entries", queryset=LedgerEntry.objects.select_related("account").order_by("pk"))
    ).order_by("posted_at", "pk")


def booking_ledger(*, booking: Booking) -> QuerySet[LedgerTransaction]:
    """Every ledger transaction of a booking, with its entries."""
    return _with_entries(LedgerTransaction.objects.filter(booking=booking))


def booking_accounts(*, booking: Booking) -> QuerySet[LedgerAccount]:
    return LedgerAccount.objects.filter(booking=booking).order_by("code", "currency")


def ledger_entries_between(*, start: dt.datetime, end: dt.datetime) -> QuerySet[LedgerEntry]:
    """Entries of the transactions posted in [start, end), in posting order."""
    return (
        LedgerEntry.objects.filter(transaction__posted_at__gte=start, transaction__posted_at__lt=end)
        .select_related("transaction", "account")
        .order_by("transaction__posted_at", "transaction_id", "pk")
    )


def reconciliation_latest() -> ReconciliationRun | None:
    return ReconciliationRun.objects.order_by("-ran_at", "-pk").first()


def reconciliation_history(*, limit: int = 10) -> QuerySet[ReconciliationRun]:
    return ReconciliationRun.objects.order_by("-ran_at", "-pk")[:limit]


# --- payments safety: lost transfers, orphaned charges, payout accounts -------------------------------


def releases_transfer_unanswered() -> QuerySet[Release]:
    """Approved releases whose transfer was sent and not answered (retried under the same key)."""
    return _releases().filter(status=ReleaseStatus.APPROVED, transfer_attempts__gt=0).order_by("decided_at", "pk")


def orphaned_charges(*, limit: int = 200) -> QuerySet[OrphanedCharge]:
    """Orphaned charges, those still to refund first, then the newest."""
    return OrphanedCharge.objects.select_related("booking").order_by("status", "-found_at", "-pk")[:limit]


def payout_accounts() -> QuerySet[PayoutAccount]:
    return PayoutAccount.objects.select_related("provider").order_by("provider__name", "pk")


def payout_changes_open() -> QuerySet[PayoutChange]:
    return (
        PayoutChange.objects.filter(status=PayoutChangeStatus.PROPOSED)
        .select_related("provider", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def payout_changes_recent(*, limit: int = 20) -> QuerySet[PayoutChange]:
    return (
        PayoutChange.objects.exclude(status=PayoutChangeStatus.PROPOSED)
        .select_related("provider", "proposed_by", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
