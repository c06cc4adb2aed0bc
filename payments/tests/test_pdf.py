"""The payment confirmation PDF (read back with pypdf, its QR code compared module by module)
and the public page that checks its code."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from bookings.services import booking_cancel
from bookings.tests.support import NOW, awaiting, bookable
from payments.models import Deposit
from payments.pdf import QR_BOX_PIXELS, deposit_confirmation_pdf, qr_matrix
from payments.tests.conftest import CARD_OK
from payments.tests.test_deposits import pay_with
from providers.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(stripe_emulator, patient):
    offering = bookable(title="Knee consultation")
    booking = awaiting(patient, offering.provider, offering=offering)
    pay_with(stripe_emulator, booking, patient, CARD_OK)
    return Deposit.objects.select_related("booking__provider").get(booking=booking)


def read_modules(image) -> list[list[bool]]:
    grey = image.convert("L")
    side = grey.width // QR_BOX_PIXELS
    half = QR_BOX_PIXELS // 2
    return [
        [grey.getpixel((col * QR_BOX_PIXELS + half, row * QR_BOX_PIXELS + half)) < 128 for col in range(side)]
        for row in range(side)
    ]


def test_the_patient_downloads_a_confirmation_stating_the_payment_with_a_code_and_a_qr_of_the_check_page(
    client, paid, patient
):
    client.force_login(patient)

    response = client.get(f"/payments/bookings/{paid.booking_id}/confirmation.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    verify_url = f"http://testserver/payments/verify/{paid.verification_code}/"
    profile = patient.patient_profile
    for expected in [
        "Payment confirmation",
        profile.full_name,
        "500.00 EUR",
        "4,000.00 EUR",  # total
        "3,500.00 EUR",  # due on site
        f"no. {paid.booking_id}",
        paid.booking.provider.name,
        "Knee consultation",
        # the care, the place and the appointment in the place's time, named
        "for Knee consultation at " + paid.booking.provider.name,
        "4 February 2030, 09:00 (Paris time)",
        paid.booking.offering.location.address,
        paid.payment_intent_id,
        paid.verification_code,
        verify_url,
        "does not promise that a visa",
    ]:
        assert expected in text, expected
    images = reader.pages[0].images
    assert len(images) == 1
    assert read_modules(images[0].image) == qr_matrix(verify_url)


def test_the_confirmation_is_the_patients_only_and_only_once_paid(client, paid, other_patient, patient):
    client.force_login(other_patient)
    assert client.get(f"/payments/bookings/{paid.booking_id}/confirmation.pdf").status_code == 404

    client.force_login(patient)
    other = awaiting(patient, bookable().provider, now=NOW)
    assert client.get(f"/payments/bookings/{other.pk}/confirmation.pdf").status_code == 404


def test_the_check_page_shows_what_the_confirmation_states(client, paid, patient):
    code = paid.verification_code

    response = client.get(f"/payments/verify/{code.lower().replace('-', '')}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Confirmation {code} is genuine" in page
    assert patient.patient_profile.full_name in page
    assert "€500.00" in page
    assert paid.booking.provider.name in page
    assert "4 February 2030, 09:00 (Paris time)" in page
    assert patient.email not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_check_page_says_when_a_code_is_unknown(client, db):
    response = client.get("/payments/verify/ABCD-EFGH-JKMN/")

    assert response.status_code == 404
    assert "We know no payment confirmation with the code" in response.content.decode()


def test_a_cancelled_bookings_confirmation_is_withdrawn_and_the_check_page_says_cancelled(client, paid, patient):
    booking = paid.booking
    confirmation = f"/payments/bookings/{booking.pk}/confirmation.pdf"
    client.force_login(patient)
    assert client.get(confirmation).status_code == 200
    assert confirmation in client.get(f"/bookings/{booking.pk}/").content.decode()

    booking_cancel(booking=booking, actor=patient, reason="none", now=timezone.now())

    download = client.get(confirmation)
    booking_page = client.get(f"/bookings/{booking.pk}/").content.decode()
    check_page = client.get(f"/payments/verify/{paid.verification_code}/").content.decode()
    assert download.status_code == 410
    assert download["Content-Type"].startswith("text/html")
    assert "payment confirmation is withdrawn" in download.content.decode()
    assert confirmation not in booking_page
    assert 'data-testid="withdrawn"' in check_page
    assert "the booking was cancelled on" in check_page
    assert "is genuine" not in check_page


def test_a_quote_bookings_confirmation_names_the_care_and_the_place(client, stripe_emulator, patient, clinic):
    location = LocationFactory(provider=clinic, timezone="Europe/Paris", address="12 rue du Lac")
    booking = awaiting(patient, clinic)  # from a quote: no offering
    pay_with(stripe_emulator, booking, patient, CARD_OK)
    client.force_login(patient)

    response = client.get(f"/payments/bookings/{booking.pk}/confirmation.pdf")

    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "12 rue du Lac" in text
    assert location.name in text
    assert "4 February 2030, 09:00 (Paris time)" in text


def test_an_arabic_confirmation_runs_right_to_left_in_a_font_that_shapes_arabic(paid):
    from core.tests.pdf_support import fonts_of, image_xs, plain, reader

    verify_url = f"http://testserver/payments/verify/{paid.verification_code}/"

    page = reader(deposit_confirmation_pdf(deposit=paid, verify_url=verify_url, language="ar")).pages[0]

    assert "NotoNaskhArabic" in fonts_of(page)
    assert "Helvetica" not in fonts_of(page)
    text = plain(page.extract_text())
    # Amounts, the reference, the code and the address read left to right inside the Arabic.
    for expected in ["500.00 EUR", "3,500.00 EUR", paid.payment_intent_id, paid.verification_code, verify_url]:
        assert expected in text, expected
    [qr_x] = image_xs(page)
    assert qr_x > page.mediabox.width / 2  # the QR code stands at the line's start: the right
