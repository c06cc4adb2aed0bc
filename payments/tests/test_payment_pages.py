"""The payment page and its JSON steps, as the page's script calls them, against the emulator."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus
from bookings.services import booking_cancel
from bookings.tests.support import NOW, awaiting, bookable
from payments.tests.conftest import CARD_3DS, CARD_DECLINED, CARD_OK

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(patient):
    return awaiting(patient, bookable().provider)


def url(booking, step: str = "") -> str:
    return f"/payments/bookings/{booking.pk}/pay/{step + '/' if step else ''}"


def test_the_payment_page_shows_the_deposit_what_is_due_on_site_and_the_cancellation_schedule(
    client, stripe_emulator, booking, patient
):
    client.force_login(patient)

    response = client.get(url(booking))

    assert response.status_code == 200
    page = response.content.decode()
    assert "€500.00" in page
    assert "€3,500.00" in page  # €4,000 total − €500 deposit
    assert "If you cancel" in page
    assert "4 February 2030, 09:00 (Paris time)" in page  # in the provider's timezone (Paris)
    assert f'<script src="{stripe_emulator.base}/js.stripe.com/v3/"></script>' in page
    assert "/static/js/payment.js" in page
    assert 'id="payment-form"' in page


def test_only_the_bookings_patient_reaches_its_payment_steps(client, booking, other_patient):
    assert client.get(url(booking)).status_code == 302  # to sign in
    client.force_login(other_patient)
    for step in ["", "start", "card", "confirm"]:
        method = client.get if not step else client.post
        assert method(url(booking, step)).status_code == 404, step


def test_paying_through_the_page_steps_confirms_the_booking_and_offers_the_confirmation(
    client, stripe_emulator, booking, patient
):
    client.force_login(patient)

    start = client.post(url(booking, "start")).json()
    payment_method = stripe_emulator.collect_card(start["client_secret"], CARD_OK)
    paid = client.post(url(booking, "card"), {"payment_method": payment_method})

    assert paid.status_code == 200
    assert paid.json()["status"] == "succeeded"
    assert paid.json()["redirect"] == f"/bookings/{booking.pk}/"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    detail = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "your deposit is paid and your booking is confirmed" in detail
    assert "Download the payment confirmation (PDF)" in detail
    assert "Pay the deposit" not in detail


def test_3d_secure_through_the_page_steps(client, stripe_emulator, booking, patient):
    client.force_login(patient)
    start = client.post(url(booking, "start")).json()
    payment_method = stripe_emulator.collect_card(start["client_secret"], CARD_3DS)

    paid = client.post(url(booking, "card"), {"payment_method": payment_method}).json()
    assert paid["status"] == "requires_action"
    stripe_emulator.authenticate(paid["client_secret"], success=True)
    confirmed = client.post(url(booking, "confirm")).json()

    assert confirmed["status"] == "succeeded"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_declined_card_is_explained_to_the_page(client, stripe_emulator, booking, patient):
    client.force_login(patient)
    start = client.post(url(booking, "start")).json()
    payment_method = stripe_emulator.collect_card(start["client_secret"], CARD_DECLINED)

    refused = client.post(url(booking, "card"), {"payment_method": payment_method})

    assert refused.status_code == 400
    assert refused.json()["code"] == "card_declined"
    assert "No money was taken" in refused.json()["message"]


def test_a_cancelled_booking_has_no_card_form_and_its_steps_are_refused(client, stripe_emulator, booking, patient):
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW)
    client.force_login(patient)

    page = client.get(url(booking)).content.decode()
    refused = client.post(url(booking, "start"))

    assert "This booking was cancelled" in page
    assert 'id="payment-form"' not in page
    assert refused.status_code == 409
    assert refused.json()["code"] == "booking_cancelled"
    assert stripe_emulator.get("/v1/setup_intents")["data"] == []


def test_the_booking_page_offers_to_pay_a_booking_awaiting_its_deposit(client, booking, patient):
    client.force_login(patient)

    page = client.get(f"/bookings/{booking.pk}/").content.decode()

    assert f'href="/payments/bookings/{booking.pk}/pay/"' in page
    assert "Pay the deposit" in page
