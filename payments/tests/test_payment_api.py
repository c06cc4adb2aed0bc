"""A booking's money in the API, as a mobile client uses it with its token: the deposit's
PaymentIntent (confirmed by the client against the local Stripe emulator, recorded by the webhook),
the confirm step, the payment confirmation PDF, and the provider's release request; each refusal
of the card page refused here too, with nothing sent to Stripe, and Idempotency-Key replays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.services import api_token_create
from bookings.models import BookingStatus
from bookings.services import booking_cancel
from bookings.tests.support import awaiting
from payments.models import Deposit, DepositStatus, Release, ReleaseStatus
from payments.services.deposits import deposit_pay, deposit_start
from payments.tests.conftest import CARD_3DS, CARD_DECLINED_ON_CHARGE, CARD_OK
from payments.tests.support import event, signature
from providers.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_platform"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def booking(patient, clinic):
    """A €500 deposit awaiting payment (quote accepted now, three days to pay), for Clinique du Lac."""
    now = timezone.now()
    return awaiting(patient, clinic, now=now, payment_deadline=now + dt.timedelta(days=3))


def token_client(user):
    """An API client carrying a real API token, as the mobile app does."""
    from rest_framework.test import APIClient

    _token, secret = api_token_create(user=user, device="Test phone", now=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def deliver_succeeded(client, payment_intent: str, metadata: dict, capture) -> None:
    """Stripe's `payment_intent.succeeded` webhook, signed as Stripe signs it."""
    body = event(
        f"evt_{payment_intent}",
        "payment_intent.succeeded",
        {"id": payment_intent, "object": "payment_intent", "metadata": metadata},
    )
    with capture(execute=True):
        response = client.post(
            "/payments/stripe/webhook/",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": signature(body, SECRET)},
        )
    assert response.status_code == 200


def url(booking, tail: str = "payment/") -> str:
    return f"/api/v1/bookings/{booking.pk}/{tail}"


# --- end to end -----------------------------------------------------------------------------------------


def test_a_token_client_pays_the_deposit_the_webhook_records_it_and_the_confirmation_downloads(
    client, patient, booking, stripe_emulator, django_capture_on_commit_callbacks
):
    api = token_client(patient)

    before = api.get(url(booking)).json()
    opened = api.post(url(booking))
    intent = opened.json()
    stripe_emulator.confirm_payment(intent["payment_intent"], CARD_OK)
    unrecorded = api.get(url(booking)).json()
    deliver_succeeded(
        client,
        intent["payment_intent"],
        {"booking": str(booking.pk), "purpose": "deposit"},
        django_capture_on_commit_callbacks,
    )
    after = api.get(url(booking)).json()
    pdf = api.get(after["confirmation_url"])

    assert (before["status"], before["pay"]["allowed"], before["confirmation_url"]) == ("pending", True, None)
    assert opened.status_code == 200
    assert intent["client_secret"].startswith(intent["payment_intent"] + "_secret_")
    assert (intent["amount"], intent["currency"], intent["status"]) == (50_000, "EUR", "requires_payment_method")
    assert (intent["publishable_key"], intent["stripe_account"], intent["attempt"]) == (
        "pk_test_medibroker_tests",
        None,
        1,
    )
    # The client's word is not enough: until Stripe's webhook arrives, nothing is recorded.
    assert unrecorded["status"] == "pending"
    assert after["status"] == "held"
    assert after["pay"] == {
        "allowed": False,
        "code": "already_paid",
        "reason": "This booking's deposit is already paid.",
    }
    assert after["confirmation_url"] == url(booking, "confirmation.pdf")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert api.post(url(booking)).json()["code"] == "already_paid"


def test_3d_secure_is_completed_by_the_client_and_the_confirm_step_records_the_payment(
    patient, booking, stripe_emulator
):
    api = token_client(patient)
    intent = api.post(url(booking)).json()

    confirmed = stripe_emulator.confirm_payment(intent["payment_intent"], CARD_3DS)
    pending = api.post(url(booking, "payment/confirm/"))
    stripe_emulator.authenticate(intent["client_secret"])
    paid = api.post(url(booking, "payment/confirm/"))

    assert confirmed["status"] == "requires_action"
    assert pending.status_code == 200
    assert (pending.json()["status"], pending.json()["client_secret"]) == ("requires_action", intent["client_secret"])
    assert paid.status_code == 200
    assert paid.json()["status"] == "succeeded"
    assert paid.json()["booking"]["status"] == BookingStatus.CONFIRMED
    assert Deposit.objects.get(booking=booking).status == DepositStatus.HELD


def test_a_declined_card_is_explained_and_the_same_payment_intent_awaits_another(patient, booking, stripe_emulator):
    """Stripe lets the client try another card on the same PaymentIntent (the emulator does not take
    a second confirmation, so the second card is not tried here)."""
    api = token_client(patient)
    first = api.post(url(booking)).json()

    declined = stripe_emulator.confirm_payment(first["payment_intent"], CARD_DECLINED_ON_CHARGE)
    not_paid = api.post(url(booking, "payment/confirm/"))
    again = api.post(url(booking)).json()

    assert declined["status"] == "requires_payment_method"
    assert (not_paid.status_code, not_paid.json()["code"]) == (400, "card_declined")
    assert "declined" in not_paid.json()["message"]
    assert (again["payment_intent"], again["attempt"], again["status"]) == (
        first["payment_intent"],
        1,
        "requires_payment_method",
    )
    assert Deposit.objects.get(booking=booking).status == DepositStatus.PENDING


def test_confirming_before_the_client_confirmed_says_so_and_records_nothing(patient, booking, stripe_emulator):
    api = token_client(patient)

    nothing_yet = api.post(url(booking, "payment/confirm/"))
    api.post(url(booking))
    unconfirmed = api.post(url(booking, "payment/confirm/"))

    assert (nothing_yet.status_code, nothing_yet.json()["code"]) == (409, "start_again")
    assert (unconfirmed.status_code, unconfirmed.json()["code"]) == (409, "payment_not_confirmed")
    assert Deposit.objects.get(booking=booking).status == DepositStatus.PENDING


def test_the_same_idempotency_key_replays_the_payment_intent_without_asking_stripe_again(
    patient, booking, stripe_emulator
):
    api = token_client(patient)
    headers = {"Idempotency-Key": "pay-deposit-1"}

    first = api.post(url(booking), headers=headers)
    replay = api.post(url(booking), headers=headers)
    other = api.post(url(booking, "payment/confirm/"), headers=headers)

    assert first.status_code == replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Deposit.objects.get(booking=booking).attempts == 1


def test_a_card_page_attempt_and_an_api_attempt_cancel_each_other(patient, booking, stripe_emulator):
    now = timezone.now()
    api = token_client(patient)
    intent = api.post(url(booking)).json()

    checkout = deposit_start(booking=booking, actor=patient, now=now)  # the card page, in another tab
    cancelled = stripe_emulator.get(f"/v1/payment_intents/{intent['payment_intent']}")
    payment_method = stripe_emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    second = api.post(url(booking)).json()  # the phone again: a new attempt, the page's must start again
    card_page = None
    try:
        deposit_pay(booking=booking, actor=patient, payment_method=payment_method, now=now)
    except Exception as error:
        card_page = error

    assert cancelled["status"] == "canceled"
    assert second["attempt"] == 3
    assert second["payment_intent"] != intent["payment_intent"]
    assert getattr(card_page, "code", None) == "start_again"
    assert Deposit.objects.get(booking=booking).setup_intent_id == ""


# --- refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_patient", "clinic_admin", "careteam"])
def test_someone_elses_booking_does_not_exist_for_the_payment_api(request, booking, stripe_emulator, who):
    api = token_client(request.getfixturevalue(who))

    answers = [
        api.get(url(booking)),
        api.post(url(booking)),
        api.post(url(booking, "payment/confirm/")),
        api.get(url(booking, "confirmation.pdf")),
    ]

    assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, "not_found")] * 4
    assert not Deposit.objects.exists()


def test_an_anonymous_caller_is_asked_to_sign_in(anonymous, booking):
    assert anonymous.post(url(booking)).status_code in (401, 403)
    assert anonymous.get(url(booking, "confirmation.pdf")).status_code in (401, 403)


@pytest.mark.parametrize(
    ("state", "code"),
    [("expired", "booking_expired"), ("cancelled", "booking_cancelled"), ("paid", "already_paid")],
)
def test_a_booking_that_cannot_take_its_deposit_is_refused_before_stripe(patient, clinic, stripe_emulator, state, code):
    now = timezone.now()
    if state == "expired":
        booking = awaiting(patient, clinic, now=now - dt.timedelta(days=4), payment_deadline=now - dt.timedelta(days=1))
    else:
        booking = awaiting(patient, clinic, now=now, payment_deadline=now + dt.timedelta(days=3))
    if state == "cancelled":
        booking_cancel(booking=booking, actor=patient, reason="none", now=now)
    if state == "paid":
        api = token_client(patient)
        intent = api.post(url(booking)).json()
        stripe_emulator.confirm_payment(intent["payment_intent"], CARD_OK)
        assert api.post(url(booking, "payment/confirm/")).json()["status"] == "succeeded"
    attempts = Deposit.objects.filter(booking=booking).values_list("attempts", flat=True).first() or 0

    response = token_client(patient).post(url(booking))

    assert (response.status_code, response.json()["code"]) == (409, code)
    assert (Deposit.objects.filter(booking=booking).values_list("attempts", flat=True).first() or 0) == attempts


def test_the_confirmation_is_404_before_payment_and_410_once_the_booking_is_cancelled(
    patient, booking, stripe_emulator
):
    api = token_client(patient)
    unpaid = api.get(url(booking, "confirmation.pdf"))
    intent = api.post(url(booking)).json()
    stripe_emulator.confirm_payment(intent["payment_intent"], CARD_OK)
    api.post(url(booking, "payment/confirm/"))
    booking.refresh_from_db()
    booking_cancel(booking=booking, actor=patient, reason="none", now=timezone.now())

    withdrawn = api.get(url(booking, "confirmation.pdf"), HTTP_ACCEPT="application/pdf")

    assert (unpaid.status_code, unpaid.json()["code"]) == (404, "not_found")
    assert withdrawn.status_code == 410
    assert withdrawn.json()["code"] == "confirmation_withdrawn"


# --- the provider asks for the deposit -------------------------------------------------------------------


def paid_and_begun(patient, clinic, emulator):
    now = timezone.now()
    booking = awaiting(patient, clinic, now=now, payment_deadline=now + dt.timedelta(days=3))
    api = token_client(patient)
    intent = api.post(url(booking)).json()
    emulator.confirm_payment(intent["payment_intent"], CARD_OK)
    assert api.post(url(booking, "payment/confirm/")).json()["status"] == "succeeded"
    booking.refresh_from_db()
    return booking


def test_a_member_asks_for_the_deposit_once_the_care_has_begun_and_only_once(
    patient, clinic, clinic_admin, stripe_emulator
):
    booking = paid_and_begun(patient, clinic, stripe_emulator)
    api = token_client(clinic_admin)

    early = api.post(url(booking, "release-request/"))
    now = timezone.now()
    booking.appointments.update(start=now - dt.timedelta(hours=2), end=now - dt.timedelta(hours=1))
    asked = api.post(url(booking, "release-request/"))
    twice = api.post(url(booking, "release-request/"))

    assert (early.status_code, early.json()["code"]) == (409, "release_too_early")
    assert asked.status_code == 201
    assert asked.json()["status"] == ReleaseStatus.REQUESTED
    assert asked.json()["amount"]["minor"] == 50_000
    assert (twice.status_code, twice.json()["code"]) == (409, "release_exists")
    assert Release.objects.get().requested_by == clinic_admin


@pytest.mark.parametrize("who", ["patient", "rival_member", "finance"])
def test_only_the_providers_members_ask_for_a_deposit(request, patient, clinic, stripe_emulator, who):
    booking = paid_and_begun(patient, clinic, stripe_emulator)
    now = timezone.now()
    booking.appointments.update(start=now - dt.timedelta(hours=2), end=now - dt.timedelta(hours=1))

    response = token_client(request.getfixturevalue(who)).post(url(booking, "release-request/"))

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not Release.objects.exists()


def test_a_release_request_with_the_same_key_is_replayed_not_repeated(patient, clinic, stripe_emulator):
    booking = paid_and_begun(patient, clinic, stripe_emulator)
    member = MemberFactory(provider=clinic).user
    now = timezone.now()
    booking.appointments.update(start=now - dt.timedelta(hours=2), end=now - dt.timedelta(hours=1))
    api = token_client(member)

    first = api.post(url(booking, "release-request/"), headers={"Idempotency-Key": "ask-1"})
    replay = api.post(url(booking, "release-request/"), headers={"Idempotency-Key": "ask-1"})

    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert Release.objects.count() == 1


# --- the schema ---------------------------------------------------------------------------------------------


def test_the_schema_documents_every_operation_and_the_pdf_as_binary(anonymous):
    paths = anonymous.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert set(paths["/api/v1/bookings/{booking_id}/payment/"]) >= {"get", "post"}
    assert "post" in paths["/api/v1/bookings/{booking_id}/payment/confirm/"]
    assert "post" in paths["/api/v1/bookings/{booking_id}/release-request/"]
    pdf = paths["/api/v1/bookings/{booking_id}/confirmation.pdf"]["get"]["responses"]["200"]["content"]
    assert pdf["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    intent = paths["/api/v1/bookings/{booking_id}/payment/"]["post"]["responses"]["200"]["content"]
    assert intent["application/json"]["schema"] == {"$ref": "#/components/schemas/PaymentIntent"}
    for path in (
        "/api/v1/bookings/{booking_id}/complete/",
        "/api/v1/bookings/{booking_id}/no-show/",
        "/api/v1/bookings/{booking_id}/evidence/review/",
        "/api/v1/concierge/orders/{order_id}/payment/confirm/",
    ):
        assert "post" in paths[path], path
    assert "get" in paths["/api/v1/bookings/evidence/"]
    assert set(paths["/api/v1/concierge/orders/{order_id}/payment/"]) >= {"get", "post"}
