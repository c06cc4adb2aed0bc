"""Refunds and disputes move only as REFUND_TRANSITIONS and DISPUTE_TRANSITIONS allow: a refused
move is a Conflict that changes nothing, and a move already made changes nothing when repeated."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.services import booking_cancel
from bookings.tests.support import NOW
from core.errors import Conflict
from core.models import AuditEvent
from payments import gateway, ledger
from payments.ledger import ledger_check
from payments.models import (
    DISPUTE_TRANSITIONS,
    NO_DISPUTE,
    REFUND_TRANSITIONS,
    Deposit,
    DisputeStatus,
    LedgerEntry,
    LedgerTransaction,
    Refund,
    RefundStatus,
)
from payments.services.disputes import (
    dispute_close_lost,
    dispute_close_won,
    dispute_open,
    dispute_record_funds_withdrawn,
)
from payments.services.refunds import (
    refund_mark_failed,
    refund_mark_submitted,
    refund_mark_succeeded,
    refund_record,
    refund_settle,
)
from payments.tests.support import paid_booking

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=1)


def _snapshot(row) -> tuple:
    row.refresh_from_db()
    fields = {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}
    return (fields, LedgerTransaction.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count())


# --- refunds ----------------------------------------------------------------------------------------


def test_the_refund_table_names_every_state_and_two_are_final():
    assert set(REFUND_TRANSITIONS) == set(RefundStatus.values)
    assert REFUND_TRANSITIONS[RefundStatus.SUCCEEDED] == REFUND_TRANSITIONS[RefundStatus.FAILED] == frozenset()
    assert RefundStatus.PENDING not in set().union(*REFUND_TRANSITIONS.values())


@pytest.fixture
def pending_refund(stripe_emulator, patient):
    """A cancelled booking's refund, authorised in the ledger, not sent to Stripe yet."""
    booking = paid_booking(stripe_emulator, patient)
    booking_cancel(booking=booking, actor=patient, reason="none", now=LATER)
    refund = refund_settle(booking=booking, now=LATER)
    assert refund.status == RefundStatus.PENDING
    return refund


def test_a_refund_marked_twice_succeeded_is_paid_once(pending_refund):
    refund = refund_mark_succeeded(refund=pending_refund, stripe_refund_id="re_1", now=LATER)
    done = _snapshot(refund)

    assert refund_mark_succeeded(refund=refund, stripe_refund_id="re_1", now=LATER).status == RefundStatus.SUCCEEDED
    assert refund_record(stripe_refund_id="re_1", status="succeeded", now=LATER).status == RefundStatus.SUCCEEDED

    assert _snapshot(refund) == done
    assert LedgerTransaction.objects.filter(kind="refund_paid").count() == 1
    assert ledger.refund_payable(booking=refund.booking, currency="EUR").balance == 0
    assert ledger_check() == []


@pytest.mark.parametrize("final", ["succeeded", "failed"])
def test_a_final_refund_refuses_another_outcome_and_changes_nothing(pending_refund, final):
    if final == "succeeded":
        refund = refund_mark_succeeded(refund=pending_refund, stripe_refund_id="re_1", now=LATER)
    else:
        refund = refund_mark_failed(refund=pending_refund, stripe_refund_id="re_1", reason="failed", now=LATER)
    done = _snapshot(refund)

    if final == "succeeded":
        with pytest.raises(Conflict) as refused:
            refund_mark_failed(refund=refund, stripe_refund_id="re_1", reason="failed", now=LATER)
    else:
        with pytest.raises(Conflict) as refused:
            refund_mark_succeeded(refund=refund, stripe_refund_id="re_1", now=LATER)
    assert refused.value.code == "refund_final"
    with pytest.raises(Conflict) as submitted:
        refund_mark_submitted(refund=refund, stripe_refund_id="re_1", stripe_status="pending", now=LATER)
    assert submitted.value.code == "refund_final"
    # What Stripe says after a final answer is left to reconciliation, as before.
    other = "failed" if final == "succeeded" else "succeeded"
    assert refund_record(stripe_refund_id="re_1", status=other, now=LATER).status == final

    assert _snapshot(refund) == done
    assert ledger_check() == []


def test_a_submitted_refund_told_again_that_it_is_pending_changes_nothing(pending_refund):
    refund = refund_record(stripe_refund_id="re_1", status="pending", refund=pending_refund, now=LATER)
    assert refund.status == RefundStatus.SUBMITTED
    done = _snapshot(refund)

    refund_record(stripe_refund_id="re_1", status="pending", now=LATER + dt.timedelta(hours=1))
    refund_mark_submitted(refund=refund, stripe_refund_id="re_1", stripe_status="pending", now=LATER)

    assert _snapshot(refund) == done
    assert AuditEvent.objects.filter(action="payments.refund.submitted").count() == 1


# --- disputes ---------------------------------------------------------------------------------------


def test_the_dispute_table_opens_once_and_closes_once():
    assert set(DISPUTE_TRANSITIONS) == {NO_DISPUTE, *DisputeStatus.values}
    assert DISPUTE_TRANSITIONS[DisputeStatus.OPEN] == {DisputeStatus.WON, DisputeStatus.LOST}
    assert DISPUTE_TRANSITIONS[DisputeStatus.WON] == DISPUTE_TRANSITIONS[DisputeStatus.LOST] == frozenset()
    assert DisputeStatus.OPEN not in set().union(*(DISPUTE_TRANSITIONS[s] for s in DisputeStatus.values))


@pytest.fixture
def deposit(stripe_emulator, patient):
    return Deposit.objects.get(booking=paid_booking(stripe_emulator, patient))


def _dispute(deposit, status="needs_response", *bts):
    return gateway.Dispute(
        id="dp_1", charge_id=deposit.charge_id, payment_intent_id=None, status=status, balance_transactions=bts
    )


def test_a_dispute_opened_twice_is_opened_once(deposit):
    dispute_open(dispute=_dispute(deposit), now=LATER)
    opened = _snapshot(deposit)

    dispute_open(dispute=_dispute(deposit), now=LATER)

    assert deposit.dispute_status == DisputeStatus.OPEN
    assert _snapshot(deposit) == opened
    assert AuditEvent.objects.filter(action="payments.deposit.dispute").count() == 1


def test_a_closed_dispute_refuses_the_other_outcome_and_late_events_change_nothing(deposit):
    dispute_open(dispute=_dispute(deposit), now=LATER)
    dispute_close_won(dispute=_dispute(deposit, "won"), now=LATER)
    won = _snapshot(deposit)

    dispute_close_won(dispute=_dispute(deposit, "won"), now=LATER)  # delivered twice
    dispute_open(dispute=_dispute(deposit), now=LATER)  # `created`, delivered late
    with pytest.raises(Conflict) as refused:
        dispute_close_lost(dispute=_dispute(deposit, "lost"), now=LATER)

    assert refused.value.code == "dispute_closed"
    assert deposit.dispute_status == DisputeStatus.WON
    assert _snapshot(deposit) == won


def test_a_withdrawal_delivered_twice_is_posted_once_and_a_dispute_may_close_before_it_opened(deposit):
    withdrawn = gateway.BalanceTransaction(
        id="txn_dw", amount=-50_000, fee=1_500, net=-51_500, currency="EUR", type="adjustment", source=None, status=""
    )
    dispute_close_lost(dispute=_dispute(deposit, "lost"), now=LATER)  # the closing event came first
    dispute_record_funds_withdrawn(dispute=_dispute(deposit, "lost", withdrawn), now=LATER)
    posted = _snapshot(deposit)

    dispute_record_funds_withdrawn(dispute=_dispute(deposit, "lost", withdrawn), now=LATER)

    assert deposit.dispute_status == DisputeStatus.LOST
    assert _snapshot(deposit) == posted
    assert LedgerTransaction.objects.filter(kind="dispute_withdrawal").count() == 1
    assert ledger.held(booking=deposit.booking, currency="EUR") == 0
    assert ledger_check() == []
    assert Refund.objects.count() == 0
