"""Finance's API (/api/v1/finance/): finance only, as the pages; the release queue with each row's
actions; approve (replayed under its Idempotency-Key), reject, wire and retry with the services'
refusals; orphaned-charge refunds and Stripe event retries; payout changes with four eyes and a
second-factor code; reconciliation runs; the trust register and a booking's ledger; the schema."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory, totp_code
from bookings.tests.support import FOUR_WEEKS_ON, NOW, awaiting, paris
from payments import ledger, webhooks
from payments.ledger import ledger_check
from payments.models import (
    LedgerTransaction,
    OrphanedCharge,
    PayoutAccount,
    PayoutChange,
    PayoutChangeStatus,
    ReconciliationRun,
    ReleaseStatus,
    StripeEvent,
)
from payments.services.deposits import deposit_pay, deposit_start
from payments.services.payout_changes import payout_change_propose
from payments.services.releases import release_request
from payments.tests.conftest import CARD_3DS
from payments.tests.support import paid_booking
from payments.webhooks import StripeEventFailed, stripe_event_process, stripe_event_store
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/finance/"
AFTER_FIRST_APPOINTMENT = paris(10, day=FOUR_WEEKS_ON) + dt.timedelta(hours=1)


@pytest.fixture
def second_finance(db):
    return UserFactory(email="felix@example.test", is_staff=True, groups=[StaffGroup.FINANCE])


@pytest.fixture
def asked(stripe_emulator, patient, clinic, clinic_admin):
    """A €500 deposit paid, and its release asked for by the clinic after the first appointment
    (the clinic has no connected account: an approved release waits for a bank wire)."""
    booking = paid_booking(stripe_emulator, patient, clinic)
    return release_request(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)


def _post(client, path: str, body: dict | None = None, *, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, body or {}, format="json", headers=headers)


# --- access --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["patient", "clinic_admin", "careteam"])
def test_only_finance_reaches_the_finance_api_and_nothing_is_read_or_written_for_others(
    api_as, request, asked, persona
):
    client = api_as(request.getfixturevalue(persona))
    reads = ["releases/", f"releases/{asked.pk}/", "trust-register/", f"bookings/{asked.booking_id}/ledger/"]
    reads += ["orphaned-charges/", "stripe-events/", "payout-accounts/", "reconciliation/"]

    for path in reads:
        answer = client.get(API + path)
        assert answer.status_code == 403, path
        assert answer.json()["code"] == "finance_only"
        assert "500.00" not in answer.content.decode()
    approve = _post(client, f"{API}releases/{asked.pk}/approve/")
    wire = _post(client, f"{API}releases/{asked.pk}/wire/", {"reference": "W-1"})

    assert (approve.status_code, wire.status_code) == (403, 403)
    asked.refresh_from_db()
    assert asked.status == ReleaseStatus.REQUESTED
    assert ledger.held(booking=asked.booking, currency="EUR") == 50_000


def test_a_client_without_a_token_is_asked_to_sign_in(anonymous):
    assert anonymous.get(f"{API}releases/").status_code in (401, 403)
    assert anonymous.get(f"{API}releases/").json()["code"] == "not_authenticated"


# --- releases --------------------------------------------------------------------------------------------


def test_the_release_queue_lists_each_release_with_the_actions_finance_may_take(api_as, finance, asked):
    answer = api_as(finance).get(f"{API}releases/")

    assert answer.status_code == 200
    queue = answer.json()
    assert [row["id"] for row in queue["requested"]] == [asked.pk]
    assert queue["awaiting_wire"] == queue["unanswered"] == []
    row = queue["requested"][0]
    assert row["amount"] == {"amount": "500.00", "currency": "EUR", "minor": 50_000}
    assert (row["status"], row["by_transfer"], row["booking"]) == ("requested", False, asked.booking_id)
    actions = row["available_actions"]
    assert actions["approve"]["allowed"] is True
    assert actions["reject"]["allowed"] is True
    assert actions["wire"]["allowed"] is False
    assert actions["retry"] == {"allowed": False, "code": "release_not_retryable", "reason": actions["retry"]["reason"]}


def test_approving_is_replayed_under_its_key_and_a_second_approval_is_refused(api_as, finance, asked):
    client = api_as(finance)
    path = f"{API}releases/{asked.pk}/approve/"

    first = _post(client, path, {"waive_commission": True}, key="approve-1")
    replay = _post(client, path, {"waive_commission": True}, key="approve-1")
    again = _post(client, path, {"waive_commission": True}, key="approve-2")

    assert first.status_code == 200
    assert (first.json()["status"], first.json()["commission"]["minor"]) == ("awaiting_wire", 0)
    assert first.json()["available_actions"]["wire"]["allowed"] is True
    assert replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert again.status_code == 409
    assert "already approved" in again.json()["message"]
    assert LedgerTransaction.objects.filter(kind="release", booking_id=asked.booking_id).count() == 1
    assert ledger.held(booking=asked.booking, currency="EUR") == 0
    assert ledger_check() == []


def test_rejecting_needs_a_reason_and_leaves_the_deposit_in_trust(api_as, finance, asked):
    client = api_as(finance)
    path = f"{API}releases/{asked.pk}/reject/"

    blank = _post(client, path, {"reason": " "})
    done = _post(client, path, {"reason": "The patient never came."}, key="reject-1")

    assert blank.status_code == 400
    assert blank.json()["code"] == "reason_required"
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["reject_reason"]) == ("rejected", "The patient never came.")
    assert ledger.held(booking=asked.booking, currency="EUR") == 50_000
    assert _post(client, path, {"reason": "Twice"}).status_code == 409


def test_a_wire_is_recorded_once_approved_and_needs_its_reference(api_as, finance, asked, clinic):
    client = api_as(finance)
    early = _post(client, f"{API}releases/{asked.pk}/wire/", {"reference": "WIRE-1"})
    _post(client, f"{API}releases/{asked.pk}/approve/")

    blank = _post(client, f"{API}releases/{asked.pk}/wire/", {"reference": ""})
    paid = _post(client, f"{API}releases/{asked.pk}/wire/", {"reference": "WIRE-2030-0042"}, key="wire-1")
    replay = _post(client, f"{API}releases/{asked.pk}/wire/", {"reference": "WIRE-2030-0042"}, key="wire-1")

    assert early.status_code == 409  # not approved yet
    assert (blank.status_code, blank.json()["code"]) == (400, "reference_required")
    assert paid.status_code == 200
    body = paid.json()
    assert (body["status"], body["wire_reference"], body["paid_by_transfer"]) == ("paid", "WIRE-2030-0042", False)
    assert replay.json() == body
    assert LedgerTransaction.objects.filter(kind="bank_wire", external_id="WIRE-2030-0042").count() == 1
    assert ledger.provider_payable(provider=clinic, currency="EUR").balance == 0


def test_a_release_with_no_transfer_to_send_again_is_not_retried(api_as, finance, asked):
    answer = _post(api_as(finance), f"{API}releases/{asked.pk}/retry/")

    assert answer.status_code == 409
    assert answer.json()["code"] == "release_not_retryable"
    assert _post(api_as(finance), f"{API}releases/999999/retry/").status_code == 404


# --- orphaned charges and Stripe events ----------------------------------------------------------------------


def test_finance_refunds_an_orphaned_charge_once(api_as, stripe_emulator, patient, finance):
    booking = awaiting(patient, ProviderFactory())
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment = deposit_pay(
        booking=booking,
        actor=patient,
        payment_method=stripe_emulator.collect_card(checkout.setup_client_secret, CARD_3DS),
        now=NOW,
    )
    stripe_emulator.authenticate(payment.client_secret, success=True)  # paid at Stripe
    # The row the webhook records for a payment it cannot keep, whose automatic refund has not gone
    # through (how it is found and refunded by the job: test_safety.py).
    orphan = OrphanedCharge.objects.create(
        payment_intent_id=payment.payment_intent_id,
        amount=50_000,
        currency="EUR",
        booking=booking,
        purpose="deposit",
        reason="booking_cancelled",
        found_at=NOW,
        refund_attempts=1,
        last_error="Stripe did not answer",
    )
    finance_client = api_as(finance)

    listed = finance_client.get(f"{API}orphaned-charges/").json()
    refunded = _post(finance_client, f"{API}orphaned-charges/{orphan.pk}/refund/", key="orphan-1")
    again = _post(finance_client, f"{API}orphaned-charges/{orphan.pk}/refund/", key="orphan-2")

    assert [(row["payment_intent_id"], row["available_actions"]["refund"]["allowed"]) for row in listed] == [
        (payment.payment_intent_id, True)
    ]
    assert refunded.status_code == 200
    assert refunded.json()["status"] == "refunded"
    assert (again.status_code, again.json()["code"]) == (409, "orphan_refunded")
    refunds = stripe_emulator.get("/v1/refunds")["data"]
    assert [r["payment_intent"] for r in refunds] == [payment.payment_intent_id]


def test_a_dead_lettered_event_is_retried_and_a_failure_again_is_a_conflict(api_as, monkeypatch, finance):
    def broken(event, now):
        raise RuntimeError("the database of a partner is down")

    monkeypatch.setitem(webhooks.HANDLERS, "test.broken", broken)
    stored, _new = stripe_event_store(
        event={"id": "evt_broken", "type": "test.broken", "created": 1_900_000_000, "data": {"object": {}}},
        connect=False,
        now=NOW,
    )
    with pytest.raises(StripeEventFailed):
        stripe_event_process(event_id=stored.pk, now=NOW)
    StripeEvent.objects.filter(pk=stored.pk).update(dead_at=NOW)
    client = api_as(finance)

    listed = client.get(f"{API}stripe-events/").json()
    failed = _post(client, f"{API}stripe-events/evt_broken/retry/")
    monkeypatch.setitem(webhooks.HANDLERS, "test.broken", lambda event, now: None)  # the cause is fixed
    done = _post(client, f"{API}stripe-events/evt_broken/retry/", key="event-1")
    again = _post(client, f"{API}stripe-events/evt_broken/retry/")

    assert [(row["id"], row["available_actions"]["retry"]["allowed"]) for row in listed] == [("evt_broken", True)]
    assert "partner is down" in listed[0]["last_error"]
    assert (failed.status_code, failed.json()["code"]) == (409, "event_failed_again")
    assert done.status_code == 200
    assert done.json()["processed_at"] is not None
    assert (again.status_code, again.json()["code"]) == (409, "event_processed")
    assert _post(client, f"{API}stripe-events/evt_unknown/retry/").status_code == 404


# --- payout accounts: four eyes and a second factor ----------------------------------------------------------


def test_a_payout_change_is_proposed_by_one_finance_member_and_approved_by_another_with_codes(
    api_as, clinic, finance, second_finance
):
    PayoutAccount.objects.create(provider=clinic, stripe_account_id="acct_old", payouts_enabled=True)
    proposal = {
        "provider": clinic.pk,
        "stripe_account_id": "acct_newbank",
        "auto_release": True,
        "note": "The clinic moved to another bank.",
    }
    proposer, approver = api_as(finance), api_as(second_finance)

    no_code = _post(proposer, f"{API}payout-accounts/changes/", {**proposal, "code": "000000"})
    assert (no_code.status_code, no_code.json()["code"]) == (403, "mfa_required")
    assert not PayoutChange.objects.exists()

    proposed = _post(proposer, f"{API}payout-accounts/changes/", {**proposal, "code": totp_code()}, key="p-1")
    assert proposed.status_code == 201
    change_id = proposed.json()["id"]
    assert proposed.json()["available_actions"]["approve"]["code"] == "payout_change_own_proposal"
    listed = approver.get(f"{API}payout-accounts/").json()
    assert [row["id"] for row in listed["proposals"]] == [change_id]
    assert listed["proposals"][0]["available_actions"]["approve"]["allowed"] is True

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=31)):  # the proposer's next code
        own = _post(proposer, f"{API}payout-accounts/changes/{change_id}/approve/", {"code": totp_code()})
    approved = _post(approver, f"{API}payout-accounts/changes/{change_id}/approve/", {"code": totp_code()}, key="a-1")
    replay = _post(approver, f"{API}payout-accounts/changes/{change_id}/approve/", {"code": totp_code()}, key="a-1")

    assert (own.status_code, own.json()["code"]) == (409, "payout_change_own_proposal")
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["decided_by"]["id"]) == ("approved", second_finance.pk)
    assert replay["Idempotent-Replayed"] == "true"
    account = PayoutAccount.objects.get(provider=clinic)
    assert (account.stripe_account_id, account.auto_release) == ("acct_newbank", True)


def test_a_payout_change_is_rejected_with_a_reason_and_a_code(api_as, clinic, finance, second_finance):
    change = payout_change_propose(
        provider=clinic, actor=finance, stripe_account_id="acct_newbank", auto_release=False, note="New bank", now=NOW
    )
    client = api_as(second_finance)
    path = f"{API}payout-accounts/changes/{change.pk}/reject/"

    without = _post(client, path, {"reason": "Letter unsigned"})
    blank = _post(client, path, {"reason": "", "code": totp_code()})
    rejected = _post(api_as(finance), path, {"reason": "Letter unsigned", "code": totp_code()})

    assert without.status_code == 400
    assert "code" in without.json()["details"]
    assert (blank.status_code, blank.json()["code"]) == (400, "reason_required")
    assert rejected.status_code == 200  # its proposer withdraws it this way
    assert PayoutChange.objects.get().status == PayoutChangeStatus.REJECTED
    assert not PayoutAccount.objects.filter(provider=clinic).exists()


# --- reconciliation, the trust register, a booking's ledger ---------------------------------------------------


def test_a_reconciliation_run_is_started_and_shown(api_as, stripe_emulator, patient, clinic, finance):
    paid_booking(stripe_emulator, patient, clinic)
    client = api_as(finance)

    bad = _post(client, f"{API}reconciliation/run/", {"day": "someday"})
    ran = _post(client, f"{API}reconciliation/run/", {"day": NOW.date().isoformat()}, key="rec-1")
    shown = client.get(f"{API}reconciliation/").json()

    assert bad.status_code == 400
    assert ran.status_code == 201
    run = ReconciliationRun.objects.get()
    assert (ran.json()["id"], ran.json()["ran_by"]["id"], ran.json()["problems"]) == (run.pk, finance.pk, run.problems)
    assert shown["latest"]["id"] == run.pk
    assert [row["id"] for row in shown["history"]] == [run.pk]


def test_the_trust_register_holds_what_the_ledger_holds_and_takes_the_page_filters(
    api_as, stripe_emulator, patient, clinic, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    client = api_as(finance)

    register = client.get(f"{API}trust-register/").json()
    in_usd = client.get(f"{API}trust-register/", {"currency": "USD"}).json()
    refused = client.get(f"{API}trust-register/", {"paid_from": "2030-02-01", "paid_to": "2030-01-01"})

    assert [(line["booking"], line["held"]["amount"]) for line in register["lines"]] == [(booking.pk, "500.00")]
    assert register["totals"] == [{"currency": "EUR", "held": {"amount": "500.00", "currency": "EUR", "minor": 50_000}}]
    assert register["providers"][0]["provider"]["id"] == clinic.pk
    assert in_usd["lines"] == []
    assert refused.status_code == 400
    assert "paid_to" in refused.json()["details"]


def test_a_booking_ledger_balances_and_an_unknown_booking_is_not_found(api_as, finance, asked):
    client = api_as(finance)

    answer = client.get(f"{API}bookings/{asked.booking_id}/ledger/").json()

    assert answer["booking"] == asked.booking_id
    assert answer["transactions"]
    for txn in answer["transactions"]:
        assert sum(line["amount"]["minor"] for line in txn["lines"]) == 0  # double entry
    assert [release["id"] for release in answer["releases"]] == [asked.pk]
    assert client.get(f"{API}bookings/999999/ledger/").status_code == 404


# --- the schema --------------------------------------------------------------------------------------------


def test_every_finance_operation_is_in_the_schema(client):
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]

    for path, method in [
        ("/api/v1/finance/releases/", "get"),
        ("/api/v1/finance/releases/{release_id}/approve/", "post"),
        ("/api/v1/finance/releases/{release_id}/reject/", "post"),
        ("/api/v1/finance/releases/{release_id}/wire/", "post"),
        ("/api/v1/finance/releases/{release_id}/retry/", "post"),
        ("/api/v1/finance/orphaned-charges/{orphan_id}/refund/", "post"),
        ("/api/v1/finance/stripe-events/{event_id}/retry/", "post"),
        ("/api/v1/finance/payout-accounts/", "get"),
        ("/api/v1/finance/payout-accounts/changes/", "post"),
        ("/api/v1/finance/payout-accounts/changes/{change_id}/approve/", "post"),
        ("/api/v1/finance/payout-accounts/changes/{change_id}/reject/", "post"),
        ("/api/v1/finance/reconciliation/", "get"),
        ("/api/v1/finance/reconciliation/run/", "post"),
        ("/api/v1/finance/trust-register/", "get"),
        ("/api/v1/finance/bookings/{booking_id}/ledger/", "get"),
    ]:
        assert method in paths.get(path, {}), path
    assert "code" in schema["components"]["schemas"]["PayoutChangeInputRequest"]["required"]
