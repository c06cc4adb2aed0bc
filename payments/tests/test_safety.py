"""Money that must move exactly once (security issue, findings 5 and 6): a transfer whose answer
from Stripe was lost pays its provider once; a payment nothing can keep is refunded once. And what
keeps finance in the loop: Stripe events that keep failing stop and are shown (dead letters).

Deposits are paid through the emulator; the Connect transfers and lists it lacks go to the HTTP
stand-in (`stripe_stub`), which remembers idempotency keys as Stripe does and can drop the
connection after carrying a request out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from bookings.tests.support import FOUR_WEEKS_ON, NOW, awaiting, paris
from core.models import AuditEvent
from notifications.models import Message
from payments import gateway, ledger, webhooks
from payments.ledger import ledger_check
from payments.models import (
    LedgerTransaction,
    OrphanedCharge,
    OrphanStatus,
    PayoutAccount,
    Release,
    ReleaseStatus,
    StripeEvent,
)
from payments.services.deposits import deposit_pay, deposit_start
from payments.services.releases import (
    release_approve,
    release_record_wire,
    release_request,
    release_wire_check,
    releases_retry_transfers,
)
from payments.tests.conftest import CARD_3DS, CARD_OK, SECRET_KEY
from payments.tests.stripe_stub import StripeStub
from payments.tests.support import event, paid_booking, signature
from payments.webhooks import StripeEventFailed, stripe_event_process, stripe_event_store, stripe_events_retry
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_platform"
CONNECT_SECRET = "whsec_test_connect"


@pytest.fixture(autouse=True)
def webhook_secrets(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_SECRET


def deliver(client, body: bytes, *, connect: bool = False):
    secret, url = (
        (CONNECT_SECRET, "/payments/stripe/webhook/connect/") if connect else (SECRET, "/payments/stripe/webhook/")
    )
    return client.post(
        url, data=body, content_type="application/json", headers={"Stripe-Signature": signature(body, secret)}
    )


@pytest.fixture
def then_stub(settings):
    """Switch Stripe to the HTTP stand-in once the deposit is paid through the emulator."""
    stub = StripeStub().start()

    def switch() -> StripeStub:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_API_BASE = stub.base
        gateway._client.cache_clear()
        return stub

    yield switch
    stub.stop()
    gateway._client.cache_clear()


def _after_first_appointment():
    return paris(10, day=FOUR_WEEKS_ON) + dt.timedelta(hours=1)


def _transfer_postings():
    return LedgerTransaction.objects.filter(kind="transfer")


def _lost_transfer(stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, capture):
    """A release approved for a provider with a connected account, whose transfer Stripe made but
    whose every answer (the client's own retries included) was lost."""
    PayoutAccount.objects.create(
        provider=clinic, stripe_account_id="acct_clinic", payouts_enabled=True, transfers_active=True
    )
    booking = paid_booking(stripe_emulator, patient, clinic)
    stub = then_stub()
    stub.drop["transfers"] = 1 + gateway.MAX_NETWORK_RETRIES
    later = _after_first_appointment()
    release = release_request(booking=booking, actor=clinic_admin, now=later)
    with capture(execute=True):  # the transfer goes to Stripe after the approval commits
        release_approve(release=release, actor=finance, now=later)
    release.refresh_from_db()
    return booking, release, stub, later


# --- finding 5: a transfer whose answer was lost ------------------------------------------------------


def test_a_transfer_whose_answer_is_lost_stays_approved_and_no_wire_is_offered(
    stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
):
    _booking, release, stub, _later = _lost_transfer(
        stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
    )

    assert len(stub.objects["transfers"]) == 1  # Stripe made it
    assert release.status == ReleaseStatus.APPROVED  # …so it is not "failed"
    assert release.transfer_attempts == 1
    assert release.transfer_error
    assert not release_wire_check(release=release, actor=finance).allowed
    assert not _transfer_postings().exists()


def test_the_lost_transfer_is_recorded_by_its_webhook_and_pays_the_provider_exactly_once(
    client, stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
):
    booking, release, stub, later = _lost_transfer(
        stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
    )
    [transfer] = stub.objects["transfers"].values()

    created = event("evt_tr_1", "transfer.created", transfer)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, created).status_code == 200
        assert deliver(client, created).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        releases_retry_transfers(now=later + dt.timedelta(hours=1))  # the job finds nothing left to send

    release.refresh_from_db()
    assert (release.status, release.stripe_transfer_id) == (ReleaseStatus.PAID, transfer["id"])
    assert StripeEvent.objects.get(pk="evt_tr_1").processed_at is not None
    assert len(stub.objects["transfers"]) == 1
    assert _transfer_postings().count() == 1
    assert not LedgerTransaction.objects.filter(kind="bank_wire").exists()
    assert -ledger.provider_payable(provider=clinic, currency="EUR").balance == 0
    assert ledger.held(booking=booking, currency="EUR") == 0
    assert ledger_check() == []


def test_the_retry_job_sends_the_lost_transfer_again_under_the_same_key_and_it_is_made_once(
    client, stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
):
    _booking, release, stub, later = _lost_transfer(
        stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert releases_retry_transfers(now=later + dt.timedelta(minutes=10)) == 1
    [transfer] = stub.objects["transfers"].values()
    with django_capture_on_commit_callbacks(execute=True):  # its webhook arrives after all: nothing more
        deliver(client, event("evt_tr_2", "transfer.created", transfer))

    release.refresh_from_db()
    assert release.status == ReleaseStatus.PAID
    assert {r.idempotency_key for r in stub.creates("transfers")} == {f"transfer:{release.pk}"}
    assert len(stub.objects["transfers"]) == 1
    assert _transfer_postings().count() == 1
    assert StripeEvent.objects.get(pk="evt_tr_2").processed_at is not None
    assert ledger_check() == []


def test_before_a_wire_the_transfer_is_looked_up_at_stripe_and_recorded_instead(
    client, stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
):
    """A release marked failed while Stripe had made its transfer (as the old code did): finance
    records a wire; the transfer is found by its transfer group and recorded, and no wire is posted."""
    _booking, release, stub, later = _lost_transfer(
        stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
    )
    Release.objects.filter(pk=release.pk).update(status=ReleaseStatus.FAILED)
    client.force_login(finance)

    response = client.post(reverse("finance:release_wire", args=[release.pk]), {"reference": "WIRE-1"})

    assert response.status_code == 302
    release.refresh_from_db()
    [transfer] = stub.objects["transfers"].values()
    assert (release.status, release.stripe_transfer_id, release.wire_reference) == (
        ReleaseStatus.PAID,
        transfer["id"],
        "",
    )
    assert any(r.params.get("transfer_group") == f"booking:{release.booking_id}" for r in stub.received)
    assert not LedgerTransaction.objects.filter(kind="bank_wire").exists()
    assert _transfer_postings().count() == 1
    assert "Pay no wire" in " ".join(str(m) for m in response.wsgi_request._messages)
    with pytest.raises(Exception):  # noqa: B017, PT011 -- paid: no wire is accepted any more
        release_record_wire(release=release, actor=finance, reference="WIRE-2", now=later)
    assert ledger_check() == []


def test_a_transfer_for_a_release_already_paid_by_wire_is_posted_and_finance_is_told(
    client, stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
):
    """The provider was paid twice after all: the webhook must not fail on every delivery."""
    _booking, release, stub, _later = _lost_transfer(
        stripe_emulator, then_stub, patient, clinic, clinic_admin, finance, django_capture_on_commit_callbacks
    )
    Release.objects.filter(pk=release.pk).update(status=ReleaseStatus.PAID, wire_reference="WIRE-OLD")
    [transfer] = stub.objects["transfers"].values()

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event("evt_tr_3", "transfer.created", transfer))
        deliver(client, event("evt_tr_3", "transfer.created", transfer))

    assert StripeEvent.objects.get(pk="evt_tr_3").processed_at is not None
    assert _transfer_postings().count() == 1
    assert AuditEvent.objects.filter(action="payments.release.paid_twice").count() == 1
    assert Message.objects.filter(event="finance_alert", recipient=finance).count() == 1
    assert ledger_check() == []


# --- finding 6: orphaned charges ----------------------------------------------------------------------


def _three_d_secure_payment(emulator, booking, patient):
    checkout = deposit_start(booking=booking, actor=patient, now=NOW)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_3DS)
    return deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=NOW)


def test_a_3d_secure_payment_completed_after_its_booking_expired_is_refunded_once(
    client, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    booking = awaiting(patient, ProviderFactory())
    payment = _three_d_secure_payment(stripe_emulator, booking, patient)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.EXPIRED)
    stripe_emulator.authenticate(payment.client_secret, success=True)  # the patient completes it late
    succeeded = event(
        "evt_pi_late",
        "payment_intent.succeeded",
        {"id": payment.payment_intent_id, "object": "payment_intent", "metadata": {"booking": str(booking.pk)}},
    )

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, succeeded)
        deliver(client, succeeded)  # delivered twice

    stored = StripeEvent.objects.get(pk="evt_pi_late")
    assert stored.processed_at is not None  # not retried every five minutes forever
    orphan = OrphanedCharge.objects.get()
    assert (orphan.payment_intent_id, orphan.amount, orphan.reason) == (
        payment.payment_intent_id,
        50_000,
        "booking_expired",
    )
    assert orphan.status == OrphanStatus.REFUNDED
    refunds = stripe_emulator.get("/v1/refunds")["data"]
    assert [(r["payment_intent"], r["amount"]) for r in refunds] == [(payment.payment_intent_id, 50_000)]
    assert refunds[0]["id"] == orphan.stripe_refund_id
    # In and out of the ledger, balanced: nothing is owed back any more, the Stripe balance is even.
    assert ledger.orphan_payable("EUR").balance == 0
    assert ledger.stripe_balance("EUR").balance == 0
    assert LedgerTransaction.objects.filter(kind="orphan_paid").count() == 1
    assert LedgerTransaction.objects.filter(kind="orphan_refund").count() == 1
    assert AuditEvent.objects.filter(action="payments.orphan.found").count() == 1
    assert AuditEvent.objects.filter(action="payments.orphan.refunded").count() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert ledger_check() == []


def test_a_second_payment_of_a_paid_deposit_is_refunded_once_and_the_first_is_kept(
    client, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    booking = paid_booking(stripe_emulator, patient, ProviderFactory())
    setup = gateway.setup_intent_create(booking_id=booking.pk, idempotency_key="test:second:setup")
    payment_method = stripe_emulator.collect_card(setup.client_secret, CARD_OK)
    second = gateway.deposit_payment_intent_create(
        amount=50_000, currency="EUR", payment_method=payment_method, booking_id=booking.pk, idempotency_key="t:2"
    )
    succeeded = event(
        "evt_pi_second",
        "payment_intent.succeeded",
        {"id": second.id, "object": "payment_intent", "metadata": {"booking": str(booking.pk)}},
    )

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, succeeded)
        deliver(client, succeeded)
    stripe_events_retry(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))

    assert StripeEvent.objects.get(pk="evt_pi_second").processed_at is not None
    orphan = OrphanedCharge.objects.get()
    assert (orphan.reason, orphan.status, orphan.booking_id) == (
        "deposit_paid_twice",
        OrphanStatus.REFUNDED,
        booking.pk,
    )
    refunds = stripe_emulator.get("/v1/refunds")["data"]
    assert [r["payment_intent"] for r in refunds] == [second.id]
    assert ledger.held(booking=booking, currency="EUR") == 50_000  # the first payment stays in trust
    assert ledger_check() == []


def test_finance_sees_the_orphaned_charges(
    client, stripe_emulator, patient, finance, django_capture_on_commit_callbacks
):
    booking = awaiting(patient, ProviderFactory())
    payment = _three_d_secure_payment(stripe_emulator, booking, patient)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    stripe_emulator.authenticate(payment.client_secret, success=True)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(
            client,
            event(
                "evt_pi_c",
                "payment_intent.succeeded",
                {"id": payment.payment_intent_id, "object": "payment_intent", "metadata": {"booking": str(booking.pk)}},
            ),
        )

    client.force_login(finance)
    page = client.get(reverse("finance:orphaned_charges")).content.decode()

    assert payment.payment_intent_id in page
    assert "booking_cancelled" in page


# --- dead letters ---------------------------------------------------------------------------------------


def test_an_event_that_keeps_failing_stops_after_the_limit_and_finance_is_told_and_can_retry_it(
    client, settings, monkeypatch, finance, careteam, django_capture_on_commit_callbacks
):
    settings.STRIPE_EVENT_MAX_ATTEMPTS = 3
    calls: list[str] = []

    def broken(event, now):
        calls.append(event.id)
        raise RuntimeError("the database of a partner is down")

    monkeypatch.setitem(webhooks.HANDLERS, "test.broken", broken)
    stored, _new = stripe_event_store(
        event={"id": "evt_broken", "type": "test.broken", "created": 1_900_000_000, "data": {"object": {}}},
        connect=False,
        now=NOW,
    )
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(StripeEventFailed):
            stripe_event_process(event_id=stored.pk, now=NOW)
        for hour in range(1, 8):  # the five-minute job, well past the limit
            stripe_events_retry(now=NOW + dt.timedelta(hours=hour))

    stored.refresh_from_db()
    assert stored.attempts == 3
    assert len(calls) == 3
    assert stored.dead_at is not None
    assert stored.processed_at is None
    assert "partner is down" in stored.last_error
    alerts = Message.objects.filter(event="finance_alert")
    assert [m.recipient for m in alerts] == [finance]
    assert "evt_broken" in alerts[0].body
    assert AuditEvent.objects.filter(action="payments.stripe_event.dead_lettered").count() == 1

    client.force_login(careteam)
    assert client.get(reverse("finance:stripe_events")).status_code == 403
    client.force_login(finance)
    page = client.get(reverse("finance:stripe_events")).content.decode()
    assert "evt_broken" in page
    assert "partner is down" in page

    monkeypatch.setitem(webhooks.HANDLERS, "test.broken", lambda event, now: None)  # the cause is fixed
    response = client.post(reverse("finance:stripe_event_retry", args=["evt_broken"]))

    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert "No event is failing." in client.get(reverse("finance:stripe_events")).content.decode()
