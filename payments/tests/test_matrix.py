"""The whole cancellation matrix through the ledger (docs/decisions.md#payments-acceptance-list, D2): for every cell,
the booking's decision is settled and trust ends at zero, refund + fee = deposit exactly, the fee
reaches the provider less the commission, and an accepted legitimate reason refunds everything.

Stripe plays no part here: the refund is authorised in the ledger inside the test's transaction and
sent to Stripe only after commit (test_settlement.py covers that part with the emulator)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography.fernet import Fernet

from bookings.services import (
    booking_apply_evidence_deadlines,
    booking_cancel,
    booking_confirm_deposit,
    booking_mark_no_show,
    booking_review_evidence,
    booking_submit_evidence,
)
from bookings.tests.support import FOUR_WEEKS_ON, awaiting, paris
from documents.services import document_upload
from payments import ledger
from payments.ledger import ledger_check
from payments.models import Deposit, DepositStatus
from payments.services.refunds import refund_settle
from providers.tests.factories import MemberFactory, ProviderFactory

pytestmark = pytest.mark.django_db

APPOINTMENT = paris(9, day=FOUR_WEEKS_ON)
DEPOSIT = 50_000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LEGITIMATE = ["doctor_declines", "unfit_to_travel", "force_majeure", "death"]


@pytest.fixture(autouse=True)
def _documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def _paid(patient, provider, *, paid_at: dt.datetime):
    booking = awaiting(
        patient,
        provider,
        now=paid_at - dt.timedelta(hours=1),
        payment_deadline=min(paid_at + dt.timedelta(hours=1), APPOINTMENT),
    )
    booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=paid_at, now=paid_at)
    Deposit.objects.create(
        booking=booking,
        amount=DEPOSIT,
        currency="EUR",
        status=DepositStatus.HELD,
        payment_intent_id=f"pi_{booking.pk}",
        charge_id=f"ch_{booking.pk}",
        paid_at=paid_at,
        created_at=paid_at,
        updated_at=paid_at,
    )
    ledger.ledger_record_deposit(
        booking=booking, amount=DEPOSIT, fee=0, currency="EUR", balance_transaction_id=f"txn_{booking.pk}", now=paid_at
    )
    return booking


CELLS = [
    (days_before, since, reason)
    for days_before in [30, 15, 14, 8, 7, 0]
    for since in [1, 14, 15, 16, 40]
    for reason in ["none", *LEGITIMATE, "late"]
] + [("no-show", since, "none") for since in [1, 14, 15, 16, 40]]


@pytest.mark.parametrize(("days_before", "days_since_payment", "reason"), CELLS)
def test_every_cell_settles_to_zero_trust_and_adds_up(patient, careteam, days_before, days_since_payment, reason):
    provider = ProviderFactory()
    member = MemberFactory(provider=provider).user
    at = (
        APPOINTMENT + dt.timedelta(hours=2)
        if days_before == "no-show"
        else APPOINTMENT - dt.timedelta(days=days_before)
    )
    booking = _paid(patient, provider, paid_at=at - dt.timedelta(days=days_since_payment))

    if days_before == "no-show":
        booking_mark_no_show(booking=booking, actor=member, now=at)
    elif reason == "none":
        booking_cancel(booking=booking, actor=patient, reason="none", now=at)
    elif reason == "late":  # a legitimate reason whose evidence never came: the ordinary rules
        booking_cancel(booking=booking, actor=patient, reason="unfit_to_travel", now=at)
        booking_apply_evidence_deadlines(now=at + dt.timedelta(days=15))
    else:
        booking_cancel(booking=booking, actor=patient, reason=reason, now=at)
        certificate = document_upload(owner=patient, upload=io.BytesIO(PDF), title="Certificate", now=at)
        booking_submit_evidence(booking=booking, actor=patient, document=certificate, now=at + dt.timedelta(days=1))
        booking_review_evidence(booking=booking, actor=careteam, accepted=True, now=at + dt.timedelta(days=2))
    booking.refresh_from_db()
    assert booking.cancellation_final

    refund = refund_settle(booking=booking, now=at + dt.timedelta(days=20))

    assert ledger.held(booking=booking, currency="EUR") == 0
    assert refund.amount + refund.fee == DEPOSIT
    assert (refund.amount, refund.fee) == (booking.cancellation_refund, booking.cancellation_fee)
    assert -ledger.refund_payable(booking=booking, currency="EUR").balance == refund.amount
    provider_share = -ledger.provider_payable(provider=provider, currency="EUR").balance
    assert provider_share + refund.fee_commission == refund.fee
    if reason in LEGITIMATE:
        assert (refund.amount, refund.fee) == (DEPOSIT, 0)
    assert ledger_check() == []
