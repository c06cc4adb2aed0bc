"""Webhooks (docs/decisions.md#payments-acceptance-list: B1–B3, B6, B7, D8): signatures checked on the raw body, each
event stored once, processed idempotently whatever the order or the number of deliveries."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import random
import threading
import time

import pytest

from bookings.services import booking_cancel
from bookings.tests.support import NOW
from core.errors import Conflict
from payments import ledger
from payments.ledger import ledger_check
from payments.models import Deposit, LedgerEntry, LedgerTransaction, Refund, StripeEvent
from payments.services.refunds import refund_settle
from payments.tests.support import event, paid_booking, signature
from payments.webhooks import StripeEventFailed, stripe_events_retry

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_platform"
URL = "/payments/stripe/webhook/"


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_test_connect"


def deliver(client, body: bytes, *, secret: str = SECRET, header: str | None = None, url: str = URL):
    headers = {} if header == "" else {"Stripe-Signature": header or signature(body, secret)}
    return client.post(url, data=body, content_type="application/json", headers=headers)


def fingerprint() -> str:
    rows = sorted(
        (t.external_source, t.external_id, t.kind, e.account.code, e.amount, e.currency)
        for t in LedgerTransaction.objects.prefetch_related("entries__account")
        for e in t.entries.all()
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


# --- B1, B2: signatures ----------------------------------------------------------------------------


def test_a_correctly_signed_event_is_stored_once(client):
    body = event("evt_1", "customer.created", {"id": "cus_1", "object": "customer"})
    assert deliver(client, body).status_code == 200
    assert deliver(client, body).status_code == 200
    assert StripeEvent.objects.count() == 1


@pytest.mark.parametrize(
    "case",
    ["wrong secret", "tampered body", "stale", "missing header", "re-serialised"],
)
def test_a_bad_signature_is_a_400_and_nothing_is_stored(client, case):
    body = event("evt_bad", "payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"})
    if case == "wrong secret":
        response = deliver(client, body, secret="whsec_someone_else")
    elif case == "tampered body":
        response = deliver(client, body.replace(b"pi_1", b"pi_2"), header=signature(body, SECRET))
    elif case == "stale":
        response = deliver(client, body, header=signature(body, SECRET, timestamp=int(time.time()) - 301))
    elif case == "missing header":
        response = deliver(client, body, header="")
    else:  # the same JSON, spaced differently: the signature covers the exact bytes
        response = deliver(client, json.dumps(json.loads(body), indent=2).encode(), header=signature(body, SECRET))
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_header_with_two_signatures_one_valid_passes(client):
    """While a secret is being rotated, Stripe signs with both."""
    body = event("evt_rot", "customer.created", {"id": "cus_1", "object": "customer"})
    good = signature(body, SECRET)
    old = signature(body, "whsec_old").split(",")[1]
    assert deliver(client, body, header=f"{good},{old}").status_code == 200


# --- B3, B7: idempotent processing ---------------------------------------------------------------


def test_the_deposit_event_delivered_three_times_posts_once(
    client, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    booking = paid_booking(stripe_emulator, patient)
    deposit = Deposit.objects.get(booking=booking)
    before = fingerprint()
    body = event("evt_pi", "payment_intent.succeeded", {"id": deposit.payment_intent_id, "object": "payment_intent"})

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert deliver(client, body).status_code == 200

    assert fingerprint() == before
    assert StripeEvent.objects.get().processed_at is not None
    assert ledger.held(booking=booking, currency="EUR") == 50_000


def test_refund_events_in_any_order_and_number_end_in_the_same_ledger(
    client, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    booking = paid_booking(stripe_emulator, patient)
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        refund_settle(booking=booking, now=NOW + dt.timedelta(days=1))
    refund = Refund.objects.get()
    canonical = fingerprint()
    events = [
        event(f"evt_r{n}", kind, {"id": refund.stripe_refund_id, "object": "refund"})
        for n, kind in enumerate(["refund.created", "refund.updated", "refund.updated"])
    ]
    deliveries = [body for body in events for _ in range(random.Random(7).randint(1, 3))]
    random.Random(11).shuffle(deliveries)

    with django_capture_on_commit_callbacks(execute=True):
        for body in deliveries:
            assert deliver(client, body).status_code == 200

    assert fingerprint() == canonical
    assert StripeEvent.objects.count() == 3
    assert ledger_check() == []


def test_an_unknown_event_or_one_from_the_other_mode_changes_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event("evt_u", "invoice.paid", {"id": "in_1", "object": "invoice"}))
        deliver(
            client,
            event("evt_l", "payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"}, livemode=True),
        )
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 2
    assert not LedgerEntry.objects.exists()


# --- B6: a failing handler --------------------------------------------------------------------------


def test_a_failing_handler_writes_nothing_and_the_event_is_tried_again(
    client, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    body = event("evt_missing", "payment_intent.succeeded", {"id": "pi_unknown", "object": "payment_intent"})
    # Processing runs after commit; its failure reaches the caller (an HTTP 500 when inline).
    with pytest.raises(StripeEventFailed), django_capture_on_commit_callbacks(execute=True):
        deliver(client, body)

    stored = StripeEvent.objects.get()
    assert stored.processed_at is None
    assert stored.attempts == 1
    assert stored.last_error.startswith("PaymentProviderError")
    assert not LedgerEntry.objects.exists()
    assert stripe_events_retry(now=stored.received_at + dt.timedelta(minutes=10)) == 0
    assert StripeEvent.objects.get().attempts == 2


# --- D8: disputes -------------------------------------------------------------------------------------


def _dispute(deposit, status="needs_response", bt=None):
    return {
        "id": "dp_1",
        "object": "dispute",
        "charge": deposit.charge_id,
        "amount": deposit.amount,
        "currency": "eur",
        "status": status,
        "balance_transactions": [bt] if bt else [],
    }


def test_a_dispute_freezes_the_deposit_withdraws_it_and_a_won_dispute_gives_it_back(
    client, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    booking = paid_booking(stripe_emulator, patient)
    deposit = Deposit.objects.get(booking=booking)
    withdrawal = {"id": "txn_dw", "amount": -50_000, "fee": 1_500, "currency": "eur"}
    reinstated = {"id": "txn_dr", "amount": 50_000, "fee": 0, "currency": "eur"}
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event("evt_d1", "charge.dispute.created", _dispute(deposit)))
        deliver(client, event("evt_d2", "charge.dispute.funds_withdrawn", _dispute(deposit, bt=withdrawal)))
    deposit.refresh_from_db()
    assert deposit.dispute_status == "open"
    assert ledger.held(booking=booking, currency="EUR") == 0
    assert ledger.expense("dispute_fees", "EUR").balance == 1_500
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(days=1))
    with pytest.raises(Conflict, match="disputed"):
        refund_settle(booking=booking, now=NOW + dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event("evt_d3", "charge.dispute.funds_reinstated", _dispute(deposit, "won", reinstated)))
        deliver(client, event("evt_d4", "charge.dispute.closed", _dispute(deposit, "won")))
    deposit.refresh_from_db()
    assert deposit.dispute_status == "won"
    assert ledger.held(booking=booking, currency="EUR") == 50_000
    assert ledger.expense("dispute_fees", "EUR").balance == 1_500  # Stripe keeps its fee
    assert ledger_check() == []


# --- B5: the same event delivered twice at the same moment (PostgreSQL) ---------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_deliveries_of_one_event_post_once(stripe_emulator, settings):
    from django.db import connection
    from django.test import Client

    from accounts.tests.factories import PatientFactory
    from bookings.tests.support import awaiting
    from payments.services.deposits import deposit_pay, deposit_start
    from payments.tests.conftest import CARD_3DS
    from providers.tests.factories import ProviderFactory

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL's row locks")
    patient = PatientFactory()
    booking = awaiting(patient, ProviderFactory())
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment = deposit_pay(
        booking=booking,
        actor=patient,
        payment_method=stripe_emulator.collect_card(checkout.setup_client_secret, CARD_3DS),
        now=NOW,
    )
    assert payment.status == "requires_action"
    stripe_emulator.authenticate(payment.client_secret)  # paid at Stripe; only the webhook tells us
    body = event("evt_twice", "payment_intent.succeeded", {"id": payment.payment_intent_id, "object": "payment_intent"})
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def attempt():
        try:
            barrier.wait(timeout=30)
            statuses.append(deliver(Client(), body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert statuses == [200, 200]
    assert StripeEvent.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="deposit_paid").count() == 1
    assert ledger.held(booking=booking, currency="EUR") == 50_000


# --- B4: any order, any number of deliveries ------------------------------------------------------------


def test_two_hundred_orders_of_the_dispute_scenario_end_in_the_same_ledger_and_states(stripe_emulator, patient):
    """A deposit paid with 3-D Secure (only the webhook tells us), then disputed, withdrawn,
    reinstated and won: 200 shuffles, each event delivered 1 to 3 times, end in one state."""
    import json as _json

    from django.db import transaction

    from bookings.tests.support import awaiting
    from payments.services.deposits import deposit_pay, deposit_start
    from payments.tests.conftest import CARD_3DS
    from payments.webhooks import stripe_event_process, stripe_event_store
    from providers.tests.factories import ProviderFactory

    booking = awaiting(patient, ProviderFactory())
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment_method = stripe_emulator.collect_card(checkout.setup_client_secret, CARD_3DS)
    payment = deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=NOW)
    stripe_emulator.authenticate(payment.client_secret)
    charge = stripe_emulator.get(f"/v1/payment_intents/{payment.payment_intent_id}")["latest_charge"]
    charge_id = charge["id"] if isinstance(charge, dict) else charge
    dispute = {"id": "dp_1", "object": "dispute", "charge": charge_id, "payment_intent": payment.payment_intent_id}
    withdrawn = {"id": "txn_dw", "amount": -50_000, "fee": 1_500, "currency": "eur"}
    back = {"id": "txn_dr", "amount": 50_000, "fee": 0, "currency": "eur"}
    events = [
        _json.loads(
            event("evt_pi", "payment_intent.succeeded", {"id": payment.payment_intent_id, "object": "payment_intent"})
        ),
        _json.loads(event("evt_d1", "charge.dispute.created", {**dispute, "status": "needs_response"})),
        _json.loads(
            event("evt_d2", "charge.dispute.funds_withdrawn", {**dispute, "balance_transactions": [withdrawn]})
        ),
        _json.loads(event("evt_d3", "charge.dispute.funds_reinstated", {**dispute, "balance_transactions": [back]})),
        _json.loads(event("evt_d4", "charge.dispute.closed", {**dispute, "status": "won"})),
    ]
    outcomes = set()
    for seed in range(200):
        rng = random.Random(seed)
        deliveries = [e for e in events for _ in range(rng.randint(1, 3))]
        rng.shuffle(deliveries)
        with transaction.atomic():
            for body in deliveries:
                stored, _new = stripe_event_store(event=body, connect=False, now=NOW)
                with contextlib.suppress(StripeEventFailed):  # out of order: the retry job tries again
                    stripe_event_process(event_id=stored.pk, now=NOW)
            for _ in range(len(events)):
                if stripe_events_retry(now=NOW + dt.timedelta(hours=1)) == 0:
                    break
            deposit = Deposit.objects.get(booking=booking)
            booking.refresh_from_db()
            outcomes.add((fingerprint(), booking.status, deposit.status, deposit.dispute_status))
            assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
            transaction.set_rollback(True)

    assert len(outcomes) == 1
    (_fingerprint, booking_status, deposit_status, dispute_status) = outcomes.pop()
    assert (booking_status, deposit_status, dispute_status) == ("confirmed", "held", "won")


def test_a_refund_whose_answer_was_lost_is_recorded_from_its_webhook(
    client, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    from payments import gateway

    booking = paid_booking(stripe_emulator, patient)
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(days=1))
    refund = refund_settle(booking=booking, now=NOW + dt.timedelta(days=1))  # authorised; not sent yet
    # Our request reached Stripe, its answer never reached us: only Stripe knows the refund's id.
    made = gateway.refund_create(
        payment_intent_id=refund.payment_intent_id,
        amount=refund.amount,
        idempotency_key=refund.idempotency_key,
        metadata={"booking": booking.pk, "refund": refund.pk},
    )

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event("evt_lost", "refund.updated", {"id": made.id, "object": "refund"}))

    refund.refresh_from_db()
    assert (refund.status, refund.stripe_refund_id) == ("succeeded", made.id)
    assert -ledger.refund_payable(booking=booking, currency="EUR").balance == 0
    assert ledger_check() == []


def test_events_that_never_reached_the_webhook_are_fetched_and_processed(stripe_emulator, patient):
    """B9: the endpoint was down when Stripe sent `payment_intent.succeeded`; the hourly job finds it."""
    from bookings.tests.support import awaiting
    from payments.services.deposits import deposit_pay, deposit_start
    from payments.tests.conftest import CARD_3DS
    from payments.webhooks import stripe_events_fetch_missed
    from providers.tests.factories import ProviderFactory

    booking = awaiting(patient, ProviderFactory())
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment = deposit_pay(
        booking=booking,
        actor=patient,
        payment_method=stripe_emulator.collect_card(checkout.setup_client_secret, CARD_3DS),
        now=NOW,
    )
    stripe_emulator.authenticate(payment.client_secret)
    assert ledger.held(booking=booking, currency="EUR") == 0

    from django.utils import timezone

    assert stripe_events_fetch_missed(now=timezone.now()) >= 1
    assert stripe_events_fetch_missed(now=timezone.now()) == 0

    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert ledger.held(booking=booking, currency="EUR") == 50_000


# --- F9: the platform's payouts ---------------------------------------------------------------------------


def test_a_payout_moves_the_stripe_balance_to_the_bank_once_and_a_failed_one_comes_back(
    client, stripe_stub, django_capture_on_commit_callbacks
):
    """Re-fetched from Stripe (an HTTP stub here: the emulator has no payouts), in any order."""
    stripe_stub.objects["payouts"] = {
        "po_1": {"id": "po_1", "object": "payout", "amount": 120_000, "currency": "eur", "status": "paid"}
    }
    paid = event("evt_po1", "payout.paid", {"id": "po_1", "object": "payout"})
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, paid)
        deliver(client, paid)
    assert (ledger.bank_account("EUR").balance, ledger.stripe_balance("EUR").balance) == (120_000, -120_000)

    stripe_stub.objects["payouts"]["po_1"]["status"] = "failed"
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event("evt_po2", "payout.failed", {"id": "po_1", "object": "payout"}))
        deliver(client, event("evt_po3", "payout.paid", {"id": "po_1", "object": "payout"}))  # late, now failed
    assert (ledger.bank_account("EUR").balance, ledger.stripe_balance("EUR").balance) == (0, 0)
    assert ledger_check() == []


def test_a_payment_that_is_not_a_deposit_ends_its_event_with_the_reason(
    client, stripe_emulator, django_capture_on_commit_callbacks
):
    """A PaymentIntent made outside the site (no booking in its metadata): retrying cannot help."""
    import requests

    from payments.tests.conftest import CARD_OK, SECRET_KEY

    method = requests.post(
        f"{stripe_emulator.base}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": CARD_OK,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
        auth=(SECRET_KEY, ""),
        timeout=10,
    ).json()["id"]
    intent = requests.post(
        f"{stripe_emulator.base}/v1/payment_intents",
        data={"amount": "1000", "currency": "eur", "payment_method": method},
        auth=(SECRET_KEY, ""),
        timeout=10,
    ).json()["id"]
    requests.post(f"{stripe_emulator.base}/v1/payment_intents/{intent}/confirm", auth=(SECRET_KEY, ""), timeout=10)

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, event("evt_foreign", "payment_intent.succeeded", {"id": intent})).status_code == 200

    stored = StripeEvent.objects.get()
    assert stored.processed_at is not None
    assert stored.last_error.startswith("ValidationFailed")
    assert not LedgerEntry.objects.exists()
