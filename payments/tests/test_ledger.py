"""The ledger's invariants (docs/decisions.md#payments-acceptance-list: A1–A5, A8): balanced per currency, append-only,
entries in their accounts' currencies, trust never below zero, cached balances equal to entries."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.tests.support import awaiting
from core.errors import Conflict
from payments import ledger
from payments.ledger import LedgerError, Leg, ledger_check, ledger_post
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def booking(patient):
    return awaiting(patient, ProviderFactory())


def _deposit(booking, amount=50_000, fee=755, external_id="txn_1"):
    """F1: deposit paid, €500.00 with a €7.55 Stripe fee."""
    return ledger_post(
        kind="deposit_paid",
        legs=[
            Leg(ledger.stripe_balance("EUR"), amount - fee),
            Leg(ledger.expense("stripe_fees", "EUR"), fee),
            Leg(ledger.trust(booking=booking, currency="EUR"), -amount),
        ],
        external_source=ledger.STRIPE,
        external_id=external_id,
        booking=booking,
        now=NOW,
    )


def _refund(booking, amount, key="re_1"):
    return ledger_post(
        kind="refund_authorised",
        legs=[
            Leg(ledger.trust(booking=booking, currency="EUR"), amount),
            Leg(ledger.refund_payable(booking=booking, currency="EUR"), -amount),
        ],
        external_source=ledger.INTERNAL,
        external_id=key,
        booking=booking,
        now=NOW,
    )


def test_a_deposit_posts_trust_fees_and_the_stripe_balance(booking):
    _deposit(booking)

    assert ledger.held(booking=booking, currency="EUR") == 50_000
    assert ledger.expense("stripe_fees", "EUR").balance == 755
    assert ledger.stripe_balance("EUR").balance == 49_245
    assert ledger_check() == []


def test_the_same_outside_object_is_posted_once(booking):
    first = _deposit(booking)
    again = _deposit(booking)

    assert again.pk == first.pk
    assert LedgerTransaction.objects.count() == 1
    assert ledger.held(booking=booking, currency="EUR") == 50_000


@pytest.mark.parametrize(
    "legs",
    [
        pytest.param(lambda b: [Leg(ledger.stripe_balance("EUR"), 100)], id="one leg"),
        pytest.param(
            lambda b: [Leg(ledger.stripe_balance("EUR"), 100), Leg(ledger.income("commission", "EUR"), -99)],
            id="unbalanced",
        ),
        pytest.param(
            lambda b: [Leg(ledger.stripe_balance("EUR"), 0), Leg(ledger.income("commission", "EUR"), 0)], id="zero"
        ),
        pytest.param(
            lambda b: [Leg(ledger.stripe_balance("EUR"), 100), Leg(ledger.income("commission", "USD"), -100)],
            id="two currencies",
        ),
    ],
)
def test_a_malformed_posting_is_refused_and_nothing_is_written(booking, legs):
    with pytest.raises(LedgerError):
        ledger_post(kind="test", legs=legs(booking), now=NOW)
    assert not LedgerTransaction.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert all(a.balance == 0 for a in LedgerAccount.objects.all())


def test_taking_more_than_is_held_is_refused_and_nothing_is_written(booking):
    _deposit(booking)
    _refund(booking, 30_000)

    with pytest.raises(Conflict) as error:
        _refund(booking, 30_000, key="re_2")

    assert error.value.code == "trust_insufficient"
    assert ledger.held(booking=booking, currency="EUR") == 20_000
    assert LedgerTransaction.objects.count() == 2


def test_check_ledger_reports_a_cached_balance_that_drifted(booking):
    _deposit(booking)
    call_command("check_ledger")  # sound: no error
    LedgerAccount.objects.filter(code="A:stripe").update(balance=1)

    with pytest.raises(CommandError, match="1 difference"):
        call_command("check_ledger")


def test_the_orm_cannot_change_an_entry(booking):
    _deposit(booking)
    entry = LedgerEntry.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)


# --- the database's own guard (PostgreSQL) ---------------------------------------------------------


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the ledger's triggers are PostgreSQL's")


def _raw_entry(txn_id: int, account_id: int, amount: int, currency: str = "EUR") -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_ledgerentry (transaction_id, account_id, amount, currency) VALUES (%s, %s, %s, %s)",
            [txn_id, account_id, amount, currency],
        )


def _raw_transaction() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_ledgertransaction (kind, external_source, external_id, memo, posted_at) "
            "VALUES ('raw', '', '', '', now()) RETURNING id"
        )
        return cursor.fetchone()[0]


def test_the_database_refuses_an_unbalanced_transaction_at_commit(booking):
    require_postgresql()
    account = ledger.stripe_balance("EUR")
    other = ledger.income("commission", "EUR")
    # One transaction written by hand, bypassing the posting service; COMMIT checks it.
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():  # noqa: PT012
        txn = _raw_transaction()
        _raw_entry(txn, account.pk, 100)
        _raw_entry(txn, other.pk, -99)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT does
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("statement", ["UPDATE {table} SET {column} = {value}", "DELETE FROM {table}"])
@pytest.mark.parametrize(
    ("table", "column", "value"),
    [("payments_ledgerentry", "amount", "1"), ("payments_ledgertransaction", "memo", "'changed'")],
)
def test_the_database_refuses_to_change_or_delete_the_ledger(booking, statement, table, column, value):
    require_postgresql()
    _deposit(booking)
    before = list(LedgerEntry.objects.values_list("pk", "amount").order_by("pk"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table, column=column, value=value))
    assert list(LedgerEntry.objects.values_list("pk", "amount").order_by("pk")) == before


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [(0, "EUR", "payments_entry_not_zero"), (100, "USD", "not its account")],
)
def test_the_database_refuses_a_zero_entry_or_one_in_another_currency(booking, amount, currency, message):
    require_postgresql()
    with pytest.raises(IntegrityError, match=message), transaction.atomic():
        _raw_entry(_raw_transaction(), ledger.stripe_balance("EUR").pk, amount, currency)


def test_the_database_refuses_a_trust_balance_below_zero(booking):
    require_postgresql()
    account = ledger.trust(booking=booking, currency="EUR")
    with pytest.raises(IntegrityError, match="payments_trust_not_negative"), transaction.atomic():
        LedgerAccount.objects.filter(pk=account.pk).update(balance=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_refunds_that_together_exceed_the_deposit_leave_one(patient):
    require_postgresql()
    booking = awaiting(patient, ProviderFactory())
    _deposit(booking)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(key: str):
        try:
            barrier.wait(timeout=30)
            _refund(booking, 30_000, key=key)
            results.append("ok")
        except Conflict as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(key,)) for key in ("re_a", "re_b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(results) == ["ok", "trust_insufficient"]
    assert ledger.held(booking=booking, currency="EUR") == 20_000
    assert ledger_check() == []


# --- A1: random sequences of flows keep every invariant ----------------------------------------------

flows = st.lists(
    st.tuples(st.sampled_from(["deposit", "refund", "release", "fee"]), st.integers(min_value=1, max_value=90_000)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=flows)
def test_random_flows_keep_the_ledger_balanced_and_trust_never_below_zero(booking, steps):
    provider = booking.provider
    with transaction.atomic():
        for n, (flow, amount) in enumerate(steps):
            trust = ledger.trust(booking=booking, currency="EUR")
            try:
                if flow == "deposit":
                    _deposit(booking, amount=amount + 100, fee=100, external_id=f"txn_{n}")
                elif flow == "refund":
                    _refund(booking, amount, key=f"re_{n}")
                else:
                    commission = amount // 10
                    ledger_post(
                        kind=flow,
                        legs=[
                            Leg(trust, amount),
                            Leg(ledger.provider_payable(provider=provider, currency="EUR"), -(amount - commission)),
                            *([Leg(ledger.income("commission", "EUR"), -commission)] if commission else []),
                        ],
                        now=NOW,
                    )
            except Conflict:
                pass  # more than is held: refused, nothing written
            assert ledger.held(booking=booking, currency="EUR") >= 0
        assert ledger_check() == []
        transaction.set_rollback(True)
