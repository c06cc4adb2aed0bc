"""Payments' personal-data declaration: a deposit held in trust and a refund in flight block the
erasure; erasure scrubs Stripe's payloads and the ledger's memos, and the ledger still balances."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from bookings.services import booking_cancel
from bookings.tests.support import NOW, awaiting, confirm
from core.personal_data import Subject
from payments import ledger
from payments.ledger import Leg, ledger_check, ledger_post
from payments.models import Deposit, DepositStatus, LedgerTransaction, Refund, RefundStatus, StripeEvent
from payments.personal_data import blockers, erase, export, files, kept
from payments.services.refunds import refund_mark_succeeded, refund_settle

pytestmark = pytest.mark.django_db


def subject_of(user) -> Subject:
    return Subject(
        user_id=user.pk,
        pseudonym="Erased person 3f9a",
        email=user.email,
        strings=(user.email, "Alice Martin", "Alice", "Martin", "+33612345678"),
    )


def held_deposit(patient, provider):
    """A confirmed booking whose €500 deposit is held in trust (ledger and Deposit row)."""
    booking = confirm(awaiting(patient, provider))
    Deposit.objects.create(
        booking=booking,
        amount=50_000,
        currency="EUR",
        status=DepositStatus.HELD,
        payment_intent_id=f"pi_{booking.pk}",
        charge_id=f"ch_{booking.pk}",
        verification_code=f"MB-{booking.pk:06d}",
        paid_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )
    ledger_post(
        kind="deposit_paid",
        legs=[
            Leg(ledger.stripe_balance("EUR"), 49_245),
            Leg(ledger.expense("stripe_fees", "EUR"), 755),
            Leg(ledger.trust(booking=booking, currency="EUR"), -50_000),
        ],
        external_source=ledger.STRIPE,
        external_id=f"txn_{booking.pk}",
        booking=booking,
        now=NOW,
    )
    return booking


def test_export_has_deposits_refunds_and_ledger(patient, clinic):
    booking = held_deposit(patient, clinic)
    data = export(patient, NOW)
    [deposit] = data["deposits"]
    assert deposit["booking"] == booking.pk
    assert deposit["amount"] == 50_000
    assert deposit["currency"] == "EUR"
    assert deposit["status"] == "held"
    assert deposit["paid_at"] == NOW.isoformat()
    assert deposit["card_payment"] == f"pi_{booking.pk}"
    [txn] = data["ledger"]
    assert txn["kind"] == "deposit_paid"
    assert {"account": f"L:trust:deposit:{booking.pk}", "amount": -50_000, "currency": "EUR"} in txn["entries"]
    assert data["refunds"] == []


def test_held_deposit_then_refund_in_flight_block_until_refunded(patient, clinic):
    booking = held_deposit(patient, clinic)
    [blocker] = blockers(patient, NOW)
    assert "held in trust" in blocker.what
    assert "cancellation" in blocker.action
    assert blocker.url == f"/bookings/{booking.pk}/"

    later = NOW + dt.timedelta(hours=1)
    booking_cancel(booking=booking, actor=patient, reason="none", now=later)
    refund = refund_settle(booking=booking, now=later)
    assert refund is not None
    assert refund.status == RefundStatus.PENDING
    [blocker] = blockers(patient, later)  # the trust is empty; the refund is on its way
    assert "on its way" in blocker.what

    refund_mark_succeeded(refund=refund, stripe_refund_id="re_1", now=later)
    assert blockers(patient, later) == []
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCEEDED


def test_nothing_blocks_a_person_without_payments(patient, other_patient, clinic):
    held_deposit(other_patient, clinic)
    assert blockers(patient, NOW) == []
    assert export(patient, NOW) == {"deposits": [], "refunds": [], "ledger": []}


def test_erase_scrubs_stripe_payloads_and_memos_keeps_ids_and_amounts(patient, other_patient, clinic):
    booking = held_deposit(patient, clinic)
    payload = {
        "id": "evt_1",
        "type": "charge.succeeded",
        "data": {
            "object": {
                "id": f"ch_{booking.pk}",
                "payment_intent": f"pi_{booking.pk}",
                "amount": 50_000,
                "currency": "eur",
                "receipt_email": patient.email,
                "billing_details": {"name": "Alice Martin", "email": patient.email, "phone": "+33612345678"},
                "description": "Deposit for Alice Martin",
            }
        },
    }
    StripeEvent.objects.create(id="evt_1", type="charge.succeeded", created=NOW, payload=payload, received_at=NOW)
    other = {"id": "evt_2", "data": {"object": {"id": "ch_other", "receipt_email": other_patient.email}}}
    StripeEvent.objects.create(id="evt_2", type="charge.succeeded", created=NOW, payload=other, received_at=NOW)

    failed = Refund.objects.create(
        booking=booking,
        currency="EUR",
        amount=100,
        reason="test",
        status=RefundStatus.FAILED,
        payment_intent_id=f"pi_{booking.pk}",
        failure_reason="Card of Alice Martin expired",
        created_at=NOW,
        updated_at=NOW,
    )

    subject = subject_of(patient)
    erase(subject, NOW)
    erase(subject, NOW)  # idempotent
    assert Refund.objects.get(pk=failed.pk).failure_reason == "Card of Erased person 3f9a expired"

    text = json.dumps(StripeEvent.objects.get(pk="evt_1").payload)
    for personal in (patient.email, "Alice", "Martin", "+33612345678"):
        assert personal not in text
    scrubbed = StripeEvent.objects.get(pk="evt_1").payload["data"]["object"]
    assert scrubbed["id"] == f"ch_{booking.pk}"
    assert scrubbed["amount"] == 50_000
    assert scrubbed["payment_intent"] == f"pi_{booking.pk}"
    assert StripeEvent.objects.get(pk="evt_2").payload == other  # someone else's event is untouched
    assert LedgerTransaction.objects.get(booking=booking).memo == ""
    assert ledger_check() == []
    assert ledger.held(booking=booking, currency="EUR") == 50_000


def test_kept_ten_years_after_the_last_movement(patient, clinic):
    held_deposit(patient, clinic)
    [ledger_kept, stripe_kept] = kept(patient, NOW)
    assert "L123-22" in ledger_kept.why
    assert ledger_kept.until == dt.date(2040, 1, 7)
    assert stripe_kept.until is None


def test_no_posting_writes_a_memo_the_ledger_could_never_erase():
    """The ledger is append-only: a person's name in a memo could not be erased. No code outside the
    ledger passes `memo=` (a new caller must not put a person in it, or this declaration must change)."""
    root = Path(__file__).resolve().parents[2]
    callers = []
    for path in root.rglob("*.py"):
        if any(part in {".venv", "migrations", "tests", "node_modules"} for part in path.parts):
            continue
        if path.relative_to(root).as_posix() in {"payments/ledger.py", "payments/models.py"}:
            continue
        if re.search(r"\bmemo\s*=", path.read_text(encoding="utf-8")):
            callers.append(path.relative_to(root).as_posix())
    assert callers == []


def test_the_ledger_refuses_a_change_so_erasure_leaves_it_alone(patient, clinic):
    booking = held_deposit(patient, clinic)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerTransaction.objects.filter(booking=booking).update(memo="Alice Martin")


def test_files_hold_the_payment_confirmation_while_it_is_valid(patient, clinic):
    booking = held_deposit(patient, clinic)
    [(path, pdf)] = list(files(patient, NOW))
    assert path == f"payments/payment-confirmation-{booking.pk}.pdf"
    assert pdf.startswith(b"%PDF")
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(hours=1))
    assert list(files(patient, NOW)) == []  # a cancelled booking's confirmation is withdrawn
