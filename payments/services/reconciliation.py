"""The daily reconciliation: our ledger against Stripe (docs/decisions.md#reconciliation; acceptance F1–F5).

`reconcile_day`:
1. lists Stripe's balance transactions created during the UTC day;
2. matches each to the one ledger transaction that moved the Stripe balance for it, by external id:
   the balance transaction's own id (deposit paid, dispute withdrawals and reinstatements) or its
   source's id (a refund `re_…`, a transfer `tr_…`), and compares the net (Σ of the ledger's
   `A:stripe` entries), the fee (Σ of `E:stripe_fees` and `E:dispute_fees`) and the currency;
3. reports what Stripe has and the ledger lacks ("missing in ledger") and the Stripe postings of
   the day the ledger has and Stripe's list lacks ("missing at Stripe");
4. checks each automatic payout of the day: its amount must be the sum of the nets of the
   balance transactions it carries (`BalanceTransaction.list(payout=…)`);
5. compares the ledger's `A:stripe` with the balance Stripe reports (`Balance.retrieve`, not under
   the emulator, whose balance is a fixed stand-in): a difference the day's unmatched transactions
   do not explain (beyond STRIPE_BALANCE_TOLERANCE) is reported with those transactions;
6. checks trust coverage per currency: the Stripe balance (from Stripe's API; under the emulator,
   whose balance is a fixed stand-in, the ledger's `A:stripe`) must cover Σ trust + Σ payables;
7. stores the run, so finance sees the latest and its history.

It reads and reports; it never posts. Healing is the webhooks' and the periodic jobs' work (a
missed event is fetched again, a refund resubmitted under its key), and the next run shows it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum

from accounts.models import User
from payments import gateway, ledger
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, ReconciliationRun

FEE_ACCOUNTS = ("E:stripe_fees", "E:dispute_fees")

MISSING_IN_LEDGER = "missing_in_ledger"
MISSING_AT_STRIPE = "missing_at_stripe"
MISMATCH = "mismatch"
SHORTFALL = "shortfall"
# An automatic payout whose amount is not the sum of the balance transactions it carries.
PAYOUT_MISMATCH = "payout_mismatch"
# The ledger's Stripe balance differs from Stripe's by more than the day's differences explain.
BALANCE_DIFFERENCE = "balance_difference"


@dataclass(frozen=True)
class Item:
    """One difference. Amounts are minor units of `currency`."""

    kind: str
    currency: str
    stripe_id: str = ""  # the balance transaction
    source_id: str = ""  # what it is for (charge, refund, transfer…)
    ledger_transaction: int | None = None
    detail: str = ""
    stripe_amount: int | None = None
    ledger_amount: int | None = None


@dataclass(frozen=True)
class Coverage:
    currency: str
    stripe_balance: int
    trust: int
    payables: int

    @property
    def shortfall(self) -> int:
        return max(0, self.trust + self.payables - self.stripe_balance)


@dataclass
class Report:
    day: dt.date
    balance_source: str
    matched: int = 0
    items: list[Item] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "items": [asdict(item) for item in self.items],
            "coverage": [{**asdict(c), "shortfall": c.shortfall} for c in self.coverage],
        }


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def _stripe_postings() -> QuerySet[LedgerTransaction]:
    """Ledger transactions that moved the Stripe balance, with their entries and accounts."""
    return (
        LedgerTransaction.objects.filter(external_source=ledger.STRIPE, entries__account__code="A:stripe")
        .distinct()
        .prefetch_related(Prefetch("entries", queryset=LedgerEntry.objects.select_related("account")))
    )


def _sums(txn: LedgerTransaction) -> tuple[dict[str, int], dict[str, int]]:
    """Net (A:stripe) and fee (Stripe's fee accounts) of a ledger transaction, per currency."""
    net: dict[str, int] = defaultdict(int)
    fee: dict[str, int] = defaultdict(int)
    for entry in txn.entries.all():
        if entry.account.code == "A:stripe":
            net[entry.currency] += entry.amount
        elif entry.account.code in FEE_ACCOUNTS:
            fee[entry.currency] += entry.amount
    return net, fee


def _compare(bt: gateway.BalanceTransaction, txn: LedgerTransaction) -> list[Item]:
    net, fee = _sums(txn)
    base: dict[str, Any] = {
        "currency": bt.currency,
        "stripe_id": bt.id,
        "source_id": bt.source or "",
        "ledger_transaction": txn.pk,
    }
    if set(net) != {bt.currency}:
        return [Item(MISMATCH, detail=f"currency: Stripe {bt.currency}, ledger {', '.join(sorted(net))}", **base)]
    items = []
    if net[bt.currency] != bt.net:
        items.append(Item(MISMATCH, detail="net", stripe_amount=bt.net, ledger_amount=net[bt.currency], **base))
    if fee.get(bt.currency, 0) != bt.fee:
        items.append(Item(MISMATCH, detail="fee", stripe_amount=bt.fee, ledger_amount=fee.get(bt.currency, 0), **base))
    return items


def _stripe_balances() -> tuple[str, dict[str, int]]:
    if settings.STRIPE_EMULATED:
        rows = LedgerAccount.objects.filter(code="A:stripe").values_list("currency", "balance")
        return "ledger", dict(rows)
    return "stripe", gateway.balance_retrieve()


def trust_coverage() -> tuple[str, list[Coverage]]:
    """Per currency: the Stripe balance against what the platform owes out of it (trust held for
    bookings and payables to providers and patients). Liabilities carry negative balances."""
    source, balances = _stripe_balances()
    trust = dict(
        LedgerAccount.objects.filter(is_trust=True)
        .values("currency")
        .annotate(t=Sum("balance"))
        .values_list("currency", "t")
    )
    payables = dict(
        LedgerAccount.objects.filter(code__startswith="L:payable:")
        .values("currency")
        .annotate(t=Sum("balance"))
        .values_list("currency", "t")
    )
    currencies = sorted(set(balances) | set(trust) | set(payables))
    rows = [
        Coverage(
            currency=c,
            stripe_balance=balances.get(c, 0),
            trust=-(trust.get(c) or 0),
            payables=-(payables.get(c) or 0),
        )
        for c in currencies
    ]
    return source, [row for row in rows if row.stripe_balance or row.trust or row.payables]


def reconcile(*, day: dt.date) -> Report:
    """Compare one UTC day (see the module's docstring); nothing is written."""
    start, end = _day_bounds(day)
    stripe_items = gateway.balance_transactions_between(start=int(start.timestamp()), end=int(end.timestamp()))
    ids = {bt.id for bt in stripe_items} | {bt.source for bt in stripe_items if bt.source}
    by_id: dict[str, list[LedgerTransaction]] = defaultdict(list)
    for txn in _stripe_postings().filter(external_id__in=ids):
        by_id[txn.external_id].append(txn)

    source, coverage = trust_coverage()
    report = Report(day=day, balance_source=source, coverage=coverage)
    matched_ids: set[int] = set()
    for bt in sorted(stripe_items, key=lambda b: (b.extra.get("created") or 0, b.id)):
        found = by_id.get(bt.id) or by_id.get(bt.source or "") or []
        if not found:
            report.items.append(
                Item(
                    MISSING_IN_LEDGER,
                    currency=bt.currency,
                    stripe_id=bt.id,
                    source_id=bt.source or "",
                    detail=bt.type,
                    stripe_amount=bt.net,
                )
            )
            continue
        if len(found) > 1:
            report.items.append(
                Item(
                    MISMATCH,
                    currency=bt.currency,
                    stripe_id=bt.id,
                    source_id=bt.source or "",
                    detail="posted %d times: %s" % (len(found), ", ".join(str(t.pk) for t in found)),  # noqa: UP031
                )
            )
        matched_ids.update(t.pk for t in found)
        problems = _compare(bt, found[0])
        report.items.extend(problems)
        if not problems and len(found) == 1:
            report.matched += 1

    for txn in _stripe_postings().filter(posted_at__gte=start, posted_at__lt=end).exclude(pk__in=matched_ids):
        net, _fee = _sums(txn)
        for currency, amount in sorted(net.items()):
            report.items.append(
                Item(
                    MISSING_AT_STRIPE,
                    currency=currency,
                    source_id=txn.external_id,
                    ledger_transaction=txn.pk,
                    detail=txn.kind,
                    ledger_amount=amount,
                )
            )

    report.items.extend(_payout_items(stripe_items))
    if source == "stripe":
        report.items.extend(_balance_items(report.items))

    for row in coverage:
        if row.shortfall:
            report.items.append(
                Item(
                    SHORTFALL,
                    currency=row.currency,
                    stripe_amount=row.stripe_balance,
                    ledger_amount=row.trust + row.payables,
                )
            )
    return report


def _payout_items(stripe_items: list[gateway.BalanceTransaction]) -> list[Item]:
    """Each automatic payout of the day against the balance transactions it carried to the bank."""
    items = []
    for bt in stripe_items:
        if bt.type != "payout" or not bt.source:
            continue
        payout = gateway.payout_retrieve(bt.source)
        if not payout.automatic:
            continue  # a manual payout carries no list of transactions
        carried = [c for c in gateway.balance_transactions_of_payout(payout.id) if c.type != "payout"]
        total = sum(c.net for c in carried)
        if total != payout.amount:
            items.append(
                Item(
                    PAYOUT_MISMATCH,
                    currency=payout.currency,
                    stripe_id=bt.id,
                    source_id=payout.id,
                    detail="carries %d transaction(s): %s" % (len(carried), ", ".join(c.id for c in carried)),  # noqa: UP031
                    stripe_amount=payout.amount,
                    ledger_amount=total,
                )
            )
    return items


def _balance_items(day_items: list[Item]) -> list[Item]:
    """The ledger's Stripe balance against Stripe's, per currency. The day's differences explain
    part of it (what Stripe has and the ledger lacks, and the reverse); the rest is reported, with
    those transactions named, so finance can trace it."""
    stripe_balances = gateway.balance_retrieve()
    ledger_balances = dict(LedgerAccount.objects.filter(code="A:stripe").values_list("currency", "balance"))
    tolerance = settings.STRIPE_BALANCE_TOLERANCE
    items = []
    for currency in sorted(set(stripe_balances) | set(ledger_balances)):
        at_stripe, in_ledger = stripe_balances.get(currency, 0), ledger_balances.get(currency, 0)
        behind = [i for i in day_items if i.currency == currency and i.kind in (MISSING_IN_LEDGER, MISSING_AT_STRIPE)]
        explained = sum(i.stripe_amount or 0 for i in behind if i.kind == MISSING_IN_LEDGER) - sum(
            i.ledger_amount or 0 for i in behind if i.kind == MISSING_AT_STRIPE
        )
        unexplained = at_stripe - in_ledger - explained
        if abs(unexplained) > tolerance:
            named = ", ".join(i.stripe_id or i.source_id for i in behind) or "none of the day's"
            items.append(
                Item(
                    BALANCE_DIFFERENCE,
                    currency=currency,
                    detail=f"unexplained {unexplained:+d}; transactions behind the difference: {named}",
                    stripe_amount=at_stripe,
                    ledger_amount=in_ledger,
                )
            )
    return items


def reconcile_day(*, day: dt.date, now: dt.datetime, actor: User | None = None) -> ReconciliationRun:
    """Reconcile one UTC day and keep the result (the beat job, the command and finance's button)."""
    report = reconcile(day=day)
    return ReconciliationRun.objects.create(
        day=day,
        ran_at=now,
        ran_by=actor,
        balance_source=report.balance_source,
        matched=report.matched,
        problems=len(report.items),
        report=report.as_json(),
    )
