"""Reconciliation against Stripe (docs/decisions.md#payments-acceptance-list: F1, F2, A6), through the emulator.

The emulator dates its balance transactions with the real clock, so these tests reconcile today
(UTC); the services' postings are dated in 2030 and matched by id, whatever their date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from bookings.services import booking_cancel
from bookings.tests.support import NOW
from payments import gateway, ledger
from payments.ledger import Leg, ledger_post
from payments.models import ReconciliationRun, Refund, RefundStatus
from payments.services.reconciliation import (
    MISMATCH,
    MISSING_AT_STRIPE,
    MISSING_IN_LEDGER,
    SHORTFALL,
    reconcile,
    reconcile_day,
    trust_coverage,
)
from payments.services.refunds import refund_record, refund_settle
from payments.tasks import reconcile_with_stripe
from payments.tests.support import paid_booking
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_f1_a_day_of_deposits_and_a_refund_matches_both_ways(
    stripe_emulator, patient, other_patient, django_capture_on_commit_callbacks
):
    kept = paid_booking(stripe_emulator, patient, ProviderFactory())
    cancelled = paid_booking(stripe_emulator, other_patient, ProviderFactory())
    booking_cancel(booking=cancelled, actor=other_patient, reason="none", now=NOW + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        refund_settle(booking=cancelled, now=NOW + dt.timedelta(days=1))

    stripe_side = stripe_emulator.get("/v1/balance_transactions")["data"]
    report = reconcile(day=_today())

    assert len(stripe_side) == 3  # two charges, one refund
    assert report.items == []
    assert report.matched == 3
    assert report.balance_source == "ledger"
    assert [(c.currency, c.stripe_balance, c.trust, c.payables) for c in report.coverage] == [
        ("EUR", 50_000, 50_000, 0)
    ]
    assert ledger.held(booking=kept, currency="EUR") == 50_000


def test_f2_a_refund_whose_recording_was_lost_is_the_one_item_missing_in_the_ledger_until_healed(
    stripe_emulator, patient, django_capture_on_commit_callbacks
):
    booking = paid_booking(stripe_emulator, patient, ProviderFactory())
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=False):  # the worker never ran…
        refund = refund_settle(booking=booking, now=NOW + dt.timedelta(days=1))
    # …but Stripe made the refund: its answer, and the webhook that would have told us, were lost.
    made = gateway.refund_create(
        payment_intent_id=refund.payment_intent_id,
        amount=refund.amount,
        idempotency_key=refund.idempotency_key,
        metadata={"booking": booking.pk, "refund": refund.pk},
    )
    refund_txn = next(bt for bt in stripe_emulator.get("/v1/balance_transactions")["data"] if bt["source"] == made.id)

    run = reconcile_day(day=_today(), now=_now())

    assert run.problems == 1
    [item] = run.report["items"]
    assert (item["kind"], item["stripe_id"], item["source_id"]) == (MISSING_IN_LEDGER, refund_txn["id"], made.id)
    assert (item["currency"], item["stripe_amount"]) == ("EUR", -50_000)

    # The periodic job resubmits under the same key and Stripe answers with the refund it made (the
    # emulator has no idempotency, so its answer is given here), which records it.
    refund_record(stripe_refund_id=made.id, status=made.status, refund=refund, now=NOW + dt.timedelta(days=1))
    healed = reconcile_day(day=_today(), now=_now())

    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCEEDED
    assert (healed.problems, healed.matched) == (0, 2)
    assert ReconciliationRun.objects.count() == 2


def test_a_stripe_posting_of_the_day_that_stripe_does_not_know_is_missing_at_stripe(stripe_emulator, patient):
    paid_booking(stripe_emulator, patient, ProviderFactory())
    ghost = ledger.ledger_record_deposit(
        booking=paid_booking(stripe_emulator, patient, ProviderFactory()),
        amount=1_000,
        fee=0,
        currency="EUR",
        balance_transaction_id="txn_never_at_stripe",
        now=_now(),
    )

    items = reconcile(day=_today()).items

    assert [(i.kind, i.source_id, i.ledger_transaction, i.ledger_amount) for i in items] == [
        (MISSING_AT_STRIPE, "txn_never_at_stripe", ghost.pk, 1_000)
    ]


def test_a_posting_that_differs_from_its_balance_transaction_is_reported_with_both_amounts(stripe_emulator, patient):
    booking = paid_booking(stripe_emulator, patient, ProviderFactory())
    # A refund made at Stripe, recorded in the ledger with the wrong amount.
    refund_bt = gateway.refund_create(
        payment_intent_id=booking.deposit_payment.payment_intent_id, amount=10_000, idempotency_key="refund:test"
    )
    ledger_post(
        kind="refund_paid",
        legs=[
            Leg(ledger.trust(booking=booking, currency="EUR"), 9_000),
            Leg(ledger.stripe_balance("EUR"), -9_000),
        ],
        external_source=ledger.STRIPE,
        external_id=refund_bt.id,
        booking=booking,
        now=NOW,
    )

    items = reconcile(day=_today()).items

    assert [(i.kind, i.source_id, i.detail, i.stripe_amount, i.ledger_amount) for i in items] == [
        (MISMATCH, refund_bt.id, "net", -10_000, -9_000)
    ]


def test_a6_trust_not_covered_by_the_stripe_balance_is_one_shortfall_per_currency(stripe_emulator, patient):
    paid_booking(stripe_emulator, patient, ProviderFactory())
    # A payout to the bank that left less on Stripe than the deposit held in trust.
    ledger_post(
        kind="payout",
        legs=[Leg(ledger.bank_account("EUR"), 10_000), Leg(ledger.stripe_balance("EUR"), -10_000)],
        now=NOW,
    )

    report = reconcile(day=_today())

    shortfalls = [i for i in report.items if i.kind == SHORTFALL]
    assert [(i.currency, i.stripe_amount, i.ledger_amount) for i in shortfalls] == [("EUR", 40_000, 50_000)]
    assert [c.shortfall for c in report.coverage] == [10_000]


def test_the_command_reports_and_fails_on_differences(stripe_emulator, patient, capsys):
    paid_booking(stripe_emulator, patient, ProviderFactory())
    call_command("reconcile", "--day", _today().isoformat())
    assert "1 matched, 0 problem(s)" in capsys.readouterr().out

    ledger_post(
        kind="payout",
        legs=[Leg(ledger.bank_account("EUR"), 10_000), Leg(ledger.stripe_balance("EUR"), -10_000)],
        now=NOW,
    )
    with pytest.raises(CommandError):
        call_command("reconcile", "--day", _today().isoformat())
    assert "shortfall: EUR" in capsys.readouterr().out


def test_finance_reconciles_on_demand_and_sees_the_latest_run(client, stripe_emulator, patient, finance):
    paid_booking(stripe_emulator, patient, ProviderFactory())
    client.force_login(finance)

    response = client.post(reverse("finance:reconciliation_run"), {"day": _today().isoformat()}, follow=True)

    assert "the ledger and Stripe agree" in response.content.decode()
    run = ReconciliationRun.objects.get()
    assert (run.ran_by, run.matched, run.problems) == (finance, 1, 0)
    assert response.context["run"] == run


def test_with_real_stripe_the_coverage_uses_stripes_balance_per_currency(stripe_emulator, patient, settings):
    paid_booking(stripe_emulator, patient, ProviderFactory())
    settings.STRIPE_EMULATED = False  # the emulator's /v1/balance is a fixed €20.00 stand-in

    source, coverage = trust_coverage()

    assert source == "stripe"
    assert [(c.currency, c.stripe_balance, c.trust, c.shortfall) for c in coverage] == [("EUR", 2_000, 50_000, 48_000)]


def test_the_daily_job_reconciles_yesterday(stripe_emulator):
    assert reconcile_with_stripe() == 0
    run = ReconciliationRun.objects.get()
    assert run.day == _today() - dt.timedelta(days=1)
