"""Paying an add-on order as a mobile client does (`/api/v1/concierge/orders/<id>/payment/`): a
PaymentIntent the client confirms with the card against the local Stripe emulator, recorded by
Stripe's webhook or the confirm step; refused for someone else's or a paid order, replayed with
its Idempotency-Key."""

from __future__ import annotations

import pytest

from accounts.services import api_token_create
from concierge.models import AddonOrder, AddonOrderStatus
from concierge.tests.ordering_support import confirmed_booking, price_lists
from payments import ledger
from payments.ledger import ledger_check
from payments.tests.conftest import CARD_3DS, CARD_OK
from payments.tests.support import event, signature

pytestmark = pytest.mark.django_db

URL = "/api/v1/concierge/orders/"
SECRET = "whsec_test_platform"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def order(patient, careteam, api_as):
    price_lists(careteam)
    booking = confirmed_booking(patient)
    body = {
        "kind": "interpreter",
        "booking": booking.pk,
        "currency": "EUR",
        "language": "ar",
        "provider_language": "fr",
        "minutes": 180,
        "first_day": booking.appointments.get().start.date().isoformat(),
        "last_day": booking.appointments.get().start.date().isoformat(),
    }
    created = api_as(patient).post(URL, body, format="json")
    assert created.status_code == 201, created.content
    return AddonOrder.objects.get(pk=created.json()["id"])


def token_client(user):
    from django.utils import timezone
    from rest_framework.test import APIClient

    _token, secret = api_token_create(user=user, device="Test phone", now=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_token_client_pays_an_order_and_the_webhook_records_it(
    client, patient, order, stripe_emulator, django_capture_on_commit_callbacks
):
    api = token_client(patient)

    before = api.get(f"{URL}{order.pk}/payment/").json()
    intent = api.post(f"{URL}{order.pk}/payment/").json()
    stripe_emulator.confirm_payment(intent["payment_intent"], CARD_OK)
    body = event(
        "evt_order_paid",
        "payment_intent.succeeded",
        {"id": intent["payment_intent"], "object": "payment_intent", "metadata": {"addon_order": str(order.pk)}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        delivered = client.post(
            "/payments/stripe/webhook/",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": signature(body, SECRET)},
        )
    after = api.get(f"{URL}{order.pk}/payment/").json()

    assert (before["status"], before["pay"]["allowed"]) == ("awaiting_payment", True)
    assert (intent["amount"], intent["currency"], intent["attempt"]) == (order.amount, "EUR", 1)
    assert intent["client_secret"].startswith(intent["payment_intent"])
    assert delivered.status_code == 200
    assert (after["status"], after["payment_intent"]) == (AddonOrderStatus.CONFIRMED, intent["payment_intent"])
    assert after["paid_at"] is not None
    assert ledger.income("addon:interpreter", "EUR").balance == -order.amount
    assert ledger_check() == []
    paid_again = api.post(f"{URL}{order.pk}/payment/")
    assert (paid_again.status_code, paid_again.json()["code"]) == (409, "already_paid")


def test_3d_secure_on_the_client_then_the_confirm_step_records_the_order(patient, order, stripe_emulator):
    api = token_client(patient)
    intent = api.post(f"{URL}{order.pk}/payment/").json()

    stripe_emulator.confirm_payment(intent["payment_intent"], CARD_3DS)
    waiting = api.post(f"{URL}{order.pk}/payment/confirm/").json()
    stripe_emulator.authenticate(intent["client_secret"])
    paid = api.post(f"{URL}{order.pk}/payment/confirm/").json()

    assert waiting["status"] == "requires_action"
    assert paid["status"] == "succeeded"
    assert paid["order"]["status"] == AddonOrderStatus.CONFIRMED


def test_asking_again_gives_the_same_payment_intent_and_a_key_replays(patient, order, stripe_emulator):
    api = token_client(patient)

    first = api.post(f"{URL}{order.pk}/payment/", headers={"Idempotency-Key": "order-pay-1"})
    replay = api.post(f"{URL}{order.pk}/payment/", headers={"Idempotency-Key": "order-pay-1"})
    again = api.post(f"{URL}{order.pk}/payment/")
    unconfirmed = api.post(f"{URL}{order.pk}/payment/confirm/")

    assert first.status_code == replay.status_code == again.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert again.json()["payment_intent"] == first.json()["payment_intent"]
    assert (unconfirmed.status_code, unconfirmed.json()["code"]) == (409, "payment_not_confirmed")
    order.refresh_from_db()
    assert (order.attempts, order.setup_intent_id, order.status) == (1, "", AddonOrderStatus.AWAITING_PAYMENT)


def test_the_card_pages_attempt_cancels_the_apis_open_payment_intent(patient, order, stripe_emulator, api_as):
    api = token_client(patient)
    intent = api.post(f"{URL}{order.pk}/payment/").json()

    started = api.post(f"{URL}{order.pk}/pay/start/")
    cancelled = stripe_emulator.get(f"/v1/payment_intents/{intent['payment_intent']}")
    after_page = api.post(f"{URL}{order.pk}/payment/").json()

    assert started.status_code == 200
    assert cancelled["status"] == "canceled"
    # Asked again, the API opens a third attempt: the page's SetupIntent is no PaymentIntent to reuse.
    assert after_page["attempt"] == 3
    assert after_page["payment_intent"] != intent["payment_intent"]


@pytest.mark.parametrize("who", ["other_patient", "careteam", "finance"])
def test_someone_elses_order_does_not_exist_for_the_payment_api(request, order, stripe_emulator, who):
    api = token_client(request.getfixturevalue(who))

    answers = [
        api.get(f"{URL}{order.pk}/payment/"),
        api.post(f"{URL}{order.pk}/payment/"),
        api.post(f"{URL}{order.pk}/payment/confirm/"),
    ]

    assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, "not_found")] * 3
    order.refresh_from_db()
    assert order.attempts == 0
