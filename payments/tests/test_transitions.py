"""Refunds move only as REFUND_TRANSITIONS allows: a refused move is a Conflict that changes
nothing, and a move already made changes nothing when repeated."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.services import booking_cancel
from bookings.tests.support import NOW
from core.errors import Conflict
from core.models import AuditEvent
from payments import ledger
from payments.ledger import ledger_check
from payments.models import REFUND_TRANSITIONS, LedgerEntry, LedgerTransaction, RefundStatus
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
