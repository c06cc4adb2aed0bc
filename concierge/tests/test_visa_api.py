"""Visa letter API: order (201 with the order to pay, 400/409 with nothing written), my letters,
the PDF, the careteam's revocation."""

from __future__ import annotations

import pytest

from concierge.models import AddonOrder, VisaLetter, VisaPerson
from concierge.tests.visa_support import LETTER_PRICE, issued_letters, paid_booking_in_paris, price_list, unpaid_booking

pytestmark = pytest.mark.django_db

URL = "/api/v1/concierge/visa-letters/"


def _person(**changes):
    person = {
        "surname": "Dupont",
        "given_names": "Marie Claire",
        "passport_number": "19AB12345",
        "nationality": "FR",
        "birth_date": "1980-05-17",
    }
    person.update(changes)
    return person


def test_a_patient_orders_letters_and_gets_the_order_to_pay(api_as, stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()
    body = {
        "booking": booking.pk,
        "currency": "EUR",
        "persons": [_person(), _person(given_names="Jean", passport_number="18CD67890")],
    }

    response = api_as(patient).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="visa-1")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["amount"], data["currency"]) == ("awaiting_payment", 2 * LETTER_PRICE, "EUR")
    assert data["available_actions"]["pay"]["allowed"] is True
    assert [letter["surname"] for letter in data["letters"]] == ["DUPONT", "DUPONT"]
    assert all(letter["verification_code"] is None for letter in data["letters"])  # not issued yet


def test_a_letter_before_the_deposit_is_held_is_a_409_and_nothing_is_written(api_as, patient):
    booking = unpaid_booking(patient)
    price_list()

    response = api_as(patient).post(
        URL, {"booking": booking.pk, "currency": "EUR", "persons": [_person()]}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "deposit_not_held"
    assert AddonOrder.objects.count() == 0
    assert VisaLetter.objects.count() == 0


@pytest.mark.parametrize(
    ("persons", "code"),
    [
        ([_person(surname="Dup0nt")], "invalid_passport"),
        ([_person(passport_number="1234567890")], "invalid_passport"),
        ([_person(birth_date="2031-01-01")], "invalid_passport"),
        ([_person(passport_number=f"19AB1234{n}") for n in range(4)], "too_many_persons"),
    ],
)
def test_bad_passport_details_are_a_400_and_nothing_is_written(api_as, stripe_emulator, patient, persons, code):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()

    response = api_as(patient).post(URL, {"booking": booking.pk, "currency": "EUR", "persons": persons}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert AddonOrder.objects.count() == 0
    assert VisaLetter.objects.count() == 0


def test_the_field_in_error_is_named_for_its_person(api_as, stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()

    response = api_as(patient).post(
        URL,
        {
            "booking": booking.pk,
            "currency": "EUR",
            "persons": [_person(), _person(surname="Dup0nt", passport_number="X1")],
        },
        format="json",
    )

    assert response.json()["details"]["persons"][0] == {}
    assert set(response.json()["details"]["persons"][1]) == {"surname", "passport_number"}


def test_someone_elses_booking_is_a_404(api_as, stripe_emulator, patient, other_patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()

    response = api_as(other_patient).post(
        URL, {"booking": booking.pk, "currency": "EUR", "persons": [_person()]}, format="json"
    )

    assert response.status_code == 404
    assert AddonOrder.objects.count() == 0


def test_my_letters_the_pdf_and_the_careteams_revocation(api_as, stripe_emulator, patient, other_patient, careteam):
    order = issued_letters(stripe_emulator, patient)
    letter = order.visa_letters.get(person=VisaPerson.PATIENT)

    mine = api_as(patient).get(URL).json()
    theirs = api_as(other_patient).get(URL).json()
    pdf = api_as(patient).get(f"{URL}{letter.pk}/pdf/")
    refused = api_as(other_patient).get(f"{URL}{letter.pk}/pdf/")
    by_patient = api_as(patient).post(f"{URL}{letter.pk}/revoke/", {"reason": "x"}, format="json")
    revoked = api_as(careteam).post(f"{URL}{letter.pk}/revoke/", {"reason": "Wrong passport"}, format="json")

    assert {item["id"] for item in mine} == set(order.visa_letters.values_list("pk", flat=True))
    assert mine[0]["verification_code"]
    assert mine[0]["available_actions"]["download"]["allowed"] is True
    assert theirs == []
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert refused.status_code == 404
    assert by_patient.status_code == 403
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    assert api_as(patient).get(f"{URL}{letter.pk}/pdf/").status_code == 404
    again = api_as(careteam).post(f"{URL}{letter.pk}/revoke/", {"reason": "again"}, format="json")
    assert again.status_code == 409


def test_the_same_idempotency_key_replays_the_order_instead_of_ordering_twice(api_as, stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()
    client = api_as(patient)
    body = {"booking": booking.pk, "currency": "EUR", "persons": [_person()]}

    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="visa-once")
    second = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="visa-once")

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert AddonOrder.objects.count() == 1
