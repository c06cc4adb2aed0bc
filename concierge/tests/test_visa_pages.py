"""Visa letter pages: the passport form, its review with the exact price and the redirect to the
card page; the letter's PDF (read back with pypdf, in the patient's language, English and French);
the public verification page; the careteam's revoke button."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from bookings.services import booking_cancel
from bookings.tests.support import NOW
from concierge.models import AddonOrder, VisaLetter, VisaPerson
from concierge.tests.visa_support import (
    issued_letters,
    paid_booking_in_paris,
    price_list,
    unpaid_booking,
)
from payments.pdf import QR_BOX_PIXELS, qr_matrix
from providers.tests.factories import LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict[str, str]:
    data = {
        "p0-surname": "dupont",
        "p0-given_names": "Marie Claire",
        "p0-passport_number": "19AB12345",
        "p0-nationality": "FR",
        "p0-birth_date": "1980-05-17",
        "p1-surname": "DUPONT",
        "p1-given_names": "JEAN",
        "p1-passport_number": "18CD67890",
        "p1-nationality": "BE",
        "p1-birth_date": "1978-02-01",
        "order-currency": "EUR",
    }
    data.update(changes)
    return data


def _text(pdf_bytes: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_patient_reviews_the_exact_price_then_is_sent_to_the_card_page(client, stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()
    client.force_login(patient)
    url = f"/services/bookings/{booking.pk}/visa-letters/"

    form = client.get(url)
    review = client.post(url, {**_form(), "step": "review"})

    assert form.status_code == 200
    assert 'name="p2-surname"' in form.content.decode()  # the second companion's block, no JavaScript needed
    assert "€45.00" in form.content.decode()  # the price per letter, before anything is typed
    assert review.status_code == 200
    page = review.content.decode()
    assert "€90.00" in page
    assert "2 visa letters" in page
    assert "DUPONT" in page
    assert "Belgium" in page  # the companion's nationality, named
    assert "MARIE CLAIRE" in page
    assert AddonOrder.objects.count() == 0

    ordered = client.post(url, {**_form(), "step": "order"})

    order = AddonOrder.objects.get()
    assert ordered.status_code == 302
    assert ordered["Location"] == f"/services/orders/{order.pk}/pay/"
    assert order.amount == 9_000
    assert order.visa_letters.count() == 2


def test_a_name_with_digits_is_shown_by_its_field_and_nothing_is_written(client, stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()
    client.force_login(patient)

    response = client.post(
        f"/services/bookings/{booking.pk}/visa-letters/", {**_form(**{"p1-surname": "DUP0NT"}), "step": "order"}
    )

    assert response.status_code == 200
    assert "machine-readable zone" in response.content.decode()
    assert response.context["companion_forms"][0].errors["surname"]
    assert not response.context["patient_form"].errors
    assert AddonOrder.objects.count() == 0
    assert VisaLetter.objects.count() == 0


def test_the_page_says_to_pay_the_deposit_first(client, patient):
    booking = unpaid_booking(patient)
    price_list()
    client.force_login(patient)

    page = client.get(f"/services/bookings/{booking.pk}/visa-letters/")
    posted = client.post(f"/services/bookings/{booking.pk}/visa-letters/", {**_form(), "step": "order"})

    assert "once the booking&#x27;s deposit is paid" in page.content.decode()
    assert 'name="p0-surname"' not in page.content.decode()
    assert posted.status_code == 409
    assert AddonOrder.objects.count() == 0


def test_someone_elses_booking_page_is_not_found(client, stripe_emulator, patient, other_patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    client.force_login(other_patient)

    assert client.get(f"/services/bookings/{booking.pk}/visa-letters/").status_code == 404


def test_the_letter_states_the_person_the_care_and_the_payment_in_english_with_its_qr(client, stripe_emulator, patient):
    provider = ProviderFactory(name="Dr Anna Weber")
    location = LocationFactory(provider=provider, country="DE", city="Berlin", timezone="Europe/Berlin")
    price_list(city="Berlin", country="DE")
    order = issued_letters(
        stripe_emulator, patient, provider=provider, location=location, title="Stent placement consultation"
    )
    letter = order.visa_letters.get(person=VisaPerson.PATIENT)
    client.force_login(patient)

    response = client.get(f"/services/letters/{letter.pk}/letter.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    reader, text = _text(response.content)
    assert len(reader.pages) == 1  # English only: the patient's language, and not France
    verify_url = f"http://testserver/services/letters/verify/{letter.verification_code}/"
    for expected in [
        "Visa invitation letter",
        "DUPONT",
        "MARIE CLAIRE",
        "19AB12345",
        "France (FR)",
        "17 May 1980",
        "Accompanied by JEAN DUPONT, passport 18CD67890",
        "Dr Anna Weber",
        "Lead practitioner Dr Anna Weber",
        "1 rue de la Paix, Berlin, Germany",
        "Cardiology",
        "Appointments (local time, Europe/Berlin)",
        "4 February 2030, 09:00 - 10:00",
        "500.00 EUR",
        "3,500.00 EUR",
        "does not promise or guarantee that a visa will be granted",
        letter.verification_code,
        verify_url,
    ]:
        assert expected in text, expected
    assert "Stent" not in text  # the care in general terms: the specialty, not the procedure
    images = reader.pages[0].images
    assert len(images) == 1
    grey = images[0].image.convert("L")
    side = grey.width // QR_BOX_PIXELS
    half = QR_BOX_PIXELS // 2
    modules = [
        [grey.getpixel((c * QR_BOX_PIXELS + half, r * QR_BOX_PIXELS + half)) < 128 for c in range(side)]
        for r in range(side)
    ]
    assert modules == qr_matrix(verify_url)


def test_a_french_patients_letter_for_care_in_france_is_in_french_and_english_and_the_companion_names_the_patient(
    client, stripe_emulator, patient
):
    profile = patient.patient_profile
    profile.preferred_language = "fr"
    profile.save()
    order = issued_letters(stripe_emulator, patient)
    companion = order.visa_letters.get(person=VisaPerson.COMPANION)
    specialty = order.booking.offering.specialty
    client.force_login(patient)

    reader, text = _text(client.get(f"/services/letters/{companion.pk}/letter.pdf").content)

    assert len(reader.pages) == 2
    french, english = (" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in [
        "Lettre d'invitation pour le visa",
        "Date de naissance",
        "Prestataire",
        specialty.name_fr,
        "février",
    ]:
        assert expected in french, expected
    for expected in ["Visa invitation letter", "Date of birth", "Provider", specialty.name_en, "February"]:
        assert expected in english, expected
    assert "Accompanying MARIE CLAIRE DUPONT, passport 19AB12345" in english
    assert "JEAN" in text


def test_an_english_patients_letter_for_care_in_france_adds_french(client, stripe_emulator, patient):
    order = issued_letters(stripe_emulator, patient)
    letter = order.visa_letters.get(person=VisaPerson.PATIENT)
    client.force_login(patient)

    reader, _text_all = _text(client.get(f"/services/letters/{letter.pk}/letter.pdf").content)

    assert len(reader.pages) == 2
    assert "Visa invitation letter" in reader.pages[0].extract_text()
    assert "Lettre d'invitation pour le visa" in reader.pages[1].extract_text()


def test_the_letter_is_the_patients_only_and_only_once_issued(client, stripe_emulator, patient, other_patient):
    order = issued_letters(stripe_emulator, patient)
    letter = order.visa_letters.get(person=VisaPerson.PATIENT)

    client.force_login(other_patient)
    assert client.get(f"/services/letters/{letter.pk}/letter.pdf").status_code == 404

    VisaLetter.objects.filter(pk=letter.pk).update(issued_at=None)
    client.force_login(patient)
    assert client.get(f"/services/letters/{letter.pk}/letter.pdf").status_code == 404


def test_the_verification_page_says_genuine_then_revoked_after_the_careteam_revokes(
    client, stripe_emulator, patient, careteam
):
    order = issued_letters(stripe_emulator, patient)
    letter = order.visa_letters.get(person=VisaPerson.PATIENT)
    url = f"/services/letters/verify/{letter.verification_code.lower().replace('-', '')}/"

    genuine = client.get(url)

    assert genuine.status_code == 200
    page = genuine.content.decode()
    assert f"Letter {letter.verification_code} is genuine" in page
    assert "MARIE CLAIRE DUPONT" in page
    assert order.booking.provider.name in page
    assert "4 February 2030, 09:00 (Paris time)</time>" in page
    assert '<time datetime="2030-02-04T09:00:00+00:00">10:00</time>' in page
    assert "19AB12345" not in page
    assert patient.email not in page
    assert genuine["X-Robots-Tag"] == "noindex, nofollow"
    assert genuine["Referrer-Policy"] == "no-referrer"

    client.force_login(careteam)
    listed = client.get("/services/careteam/letters/", {"q": letter.verification_code})
    assert f"/services/letters/{letter.pk}/revoke/" in listed.content.decode()
    revoked = client.post(f"/services/letters/{letter.pk}/revoke/", {"reason": "Wrong passport number"})
    assert revoked.status_code == 302
    client.logout()

    after = client.get(url)
    assert after.status_code == 200
    assert "revoked on" in after.content.decode()
    assert "is genuine" not in after.content.decode()
    client.force_login(patient)
    assert client.get(f"/services/letters/{letter.pk}/letter.pdf").status_code == 404


def test_the_verification_page_says_revoked_after_the_booking_is_cancelled(client, stripe_emulator, patient):
    order = issued_letters(stripe_emulator, patient)
    letter = order.visa_letters.get(person=VisaPerson.COMPANION)
    booking_cancel(booking=order.booking, actor=patient, reason="none", now=NOW)

    response = client.get(f"/services/letters/verify/{letter.verification_code}/")

    assert "revoked on" in response.content.decode()


def test_an_unknown_code_is_not_found(client, db):
    response = client.get("/services/letters/verify/ABCD-EFGH-JKMN/")

    assert response.status_code == 404
    assert "We know no visa letter with the code" in response.content.decode()


def test_only_the_careteam_revokes(client, stripe_emulator, patient, finance):
    order = issued_letters(stripe_emulator, patient)
    letter = order.visa_letters.first()
    client.force_login(patient)

    assert client.post(f"/services/letters/{letter.pk}/revoke/", {"reason": "x"}).status_code == 403
    client.force_login(finance)
    assert client.get("/services/careteam/letters/").status_code == 403
    assert VisaLetter.objects.filter(revoked_at__isnull=False).count() == 0


def test_the_careteam_s_letter_search_refuses_a_null_character_with_a_message(client, careteam):
    client.force_login(careteam)

    response = client.get("/services/careteam/letters/", {"q": "HUG\x00HES"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_an_arabic_patients_letter_has_a_right_to_left_arabic_page_then_english_and_french(
    client, stripe_emulator, patient
):
    from core.tests.pdf_support import fonts_of, image_xs, plain

    profile = patient.patient_profile
    profile.preferred_language = "ar"
    profile.save()
    order = issued_letters(stripe_emulator, patient)
    letter = order.visa_letters.get(person=VisaPerson.PATIENT)
    client.force_login(patient)

    reader, _text_all = _text(client.get(f"/services/letters/{letter.pk}/letter.pdf").content)

    assert len(reader.pages) == 3
    arabic, english, french = reader.pages
    assert "NotoNaskhArabic" in fonts_of(arabic)
    assert fonts_of(english) <= {"Helvetica", "Helvetica-Bold"}
    assert "19AB12345" in plain(arabic.extract_text())
    assert "Visa invitation letter" in english.extract_text()
    assert "Lettre d'invitation pour le visa" in french.extract_text()
    [arabic_qr], [english_qr] = image_xs(arabic), image_xs(english)
    assert arabic_qr > arabic.mediabox.width / 2 > english_qr
