"""Visa invitation letters (docs/decisions.md#visa-invitation-letters): the gate, the passport
details, issue on payment, no refund once issued, revocation by the careteam or the booking's
cancellation."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bookings.services import booking_cancel
from bookings.tests.support import NOW
from concierge.models import AddonOrder, AddonOrderStatus, OrderLine, VisaLetter, VisaPerson
from concierge.services.orders import addon_order_refund_check, order_refund
from concierge.services.visa import visa_letter_revoke, visa_letter_revoke_check, visa_letters_order
from concierge.tests.visa_support import (
    COMPANION,
    LETTER_PRICE,
    issued_letters,
    paid_booking_in_paris,
    person,
    price_list,
    unpaid_booking,
)
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from payments import ledger

pytestmark = pytest.mark.django_db


def _nothing_written():
    return AddonOrder.objects.count() == 0 and VisaLetter.objects.count() == 0 and OrderLine.objects.count() == 0


def test_no_letter_before_the_deposit_is_held(patient):
    booking = unpaid_booking(patient)
    price_list()

    with pytest.raises(Conflict) as refused:
        visa_letters_order(patient=patient, booking=booking, persons=[person()], currency="EUR", now=NOW)

    assert refused.value.code == "deposit_not_held"
    assert _nothing_written()


def test_someone_elses_booking_is_not_found(stripe_emulator, patient, other_patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()

    with pytest.raises(NotFound):
        visa_letters_order(patient=other_patient, booking=booking, persons=[person()], currency="EUR", now=NOW)
    assert _nothing_written()


def test_the_patient_and_a_companion_order_two_letters_at_the_price_of_the_city(stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()

    order = visa_letters_order(
        patient=patient,
        booking=booking,
        persons=[person(surname=" dupont ", given_names="marie  claire"), COMPANION],
        currency="eur",
        now=NOW,
    )

    assert order.status == AddonOrderStatus.AWAITING_PAYMENT
    assert (order.amount, order.currency, order.city) == (2 * LETTER_PRICE, "EUR", "Paris")
    assert [(line.quantity_hundredths, line.unit_amount) for line in order.lines.all()] == [(200, LETTER_PRICE)]
    letters = list(order.visa_letters.order_by("id"))
    assert [(x.person, x.surname, x.given_names, x.issued_at) for x in letters] == [
        (VisaPerson.PATIENT, "DUPONT", "MARIE CLAIRE", None),
        (VisaPerson.COMPANION, "DUPONT", "JEAN", None),
    ]
    assert len({x.verification_code for x in letters}) == 2


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"surname": "DUP0NT"}, "surname", "machine-readable zone"),
        ({"given_names": "MARIE2"}, "given_names", "machine-readable zone"),
        ({"surname": "DUPONT<<MARIE"}, "surname", "machine-readable zone"),
        ({"surname": "MÜLLER"}, "surname", "machine-readable zone"),
        ({"surname": "A" * 40}, "surname", "At most 39"),
        ({"surname": ""}, "surname", "as printed"),
        ({"passport_number": "1234567890"}, "passport_number", "6 to 9"),
        ({"passport_number": "12345"}, "passport_number", "6 to 9"),
        ({"passport_number": "12-45678"}, "passport_number", "6 to 9"),
        ({"nationality": "XX"}, "nationality", "country"),
        ({"birth_date": dt.date(2030, 1, 8)}, "birth_date", "in the past"),
        ({"birth_date": dt.date(1909, 1, 6)}, "birth_date", "120 years"),
        ({"birth_date": None}, "birth_date", "Enter"),
    ],
)
def test_a_bad_passport_field_is_refused_by_its_field_and_nothing_is_written(
    stripe_emulator, patient, change, field, words
):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()

    with pytest.raises(ValidationFailed) as refused:
        visa_letters_order(
            patient=patient,
            booking=booking,
            persons=[person(), dataclasses.replace(COMPANION, **change)],
            currency="EUR",
            now=NOW,
        )

    assert refused.value.code == "invalid_passport"
    first, second = refused.value.details["persons"]
    assert first == {}
    assert list(second) == [field]
    assert words in second[field][0]
    assert _nothing_written()


def test_apostrophes_hyphens_and_an_alpha3_nationality_are_accepted(stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()

    order = visa_letters_order(
        patient=patient,
        booking=booking,
        persons=[person(surname="O'NEILL-SMITH", nationality="irl", passport_number="pa 123 456")],
        currency="EUR",
        now=NOW,
    )

    letter = order.visa_letters.get()
    assert (letter.surname, str(letter.nationality), letter.passport_number) == ("O'NEILL-SMITH", "IE", "PA123456")


def test_a_fourth_person_and_a_repeated_passport_are_refused(stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()
    third = person(given_names="LUC", passport_number="17EF00001")
    fourth = person(given_names="ANNE", passport_number="17EF00002")

    with pytest.raises(ValidationFailed) as too_many:
        visa_letters_order(
            patient=patient, booking=booking, persons=[person(), COMPANION, third, fourth], currency="EUR", now=NOW
        )
    with pytest.raises(ValidationFailed) as twice:
        visa_letters_order(patient=patient, booking=booking, persons=[person(), person()], currency="EUR", now=NOW)

    assert too_many.value.code == "too_many_persons"
    assert "One letter per person" in twice.value.details["persons"][1]["passport_number"][0]
    assert _nothing_written()


def test_a_currency_without_a_price_list_is_refused(stripe_emulator, patient):
    booking = paid_booking_in_paris(stripe_emulator, patient)
    price_list()

    with pytest.raises(ValidationFailed) as refused:
        visa_letters_order(patient=patient, booking=booking, persons=[person()], currency="USD", now=NOW)

    assert refused.value.code == "no_price_list"
    assert "currency" in refused.value.details
    assert _nothing_written()


def test_paying_the_order_issues_every_letter_and_fulfils_the_order(stripe_emulator, patient):
    order = issued_letters(stripe_emulator, patient)

    assert order.status == AddonOrderStatus.FULFILLED
    assert order.fulfilled_at is not None
    assert all(letter.issued_at is not None for letter in order.visa_letters.all())
    assert ledger.income("addon:visa_letter", "EUR").balance == -2 * LETTER_PRICE


def test_an_issued_letter_is_not_refundable(stripe_emulator, patient, finance):
    order = issued_letters(stripe_emulator, patient)

    check = addon_order_refund_check(order=order, actor=finance)
    with pytest.raises(Conflict) as refused:
        order_refund(order=order, actor=finance, now=NOW)

    assert not check.allowed
    assert refused.value.code == "letter_issued"
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.FULFILLED


def test_a_letter_already_issued_for_the_same_passport_is_not_ordered_again(stripe_emulator, patient):
    order = issued_letters(stripe_emulator, patient)

    with pytest.raises(Conflict) as refused:
        visa_letters_order(patient=patient, booking=order.booking, persons=[person()], currency="EUR", now=NOW)

    assert refused.value.code == "letter_exists"
    assert AddonOrder.objects.count() == 1


def test_only_the_careteam_revokes_an_issued_letter_with_a_reason(stripe_emulator, patient, careteam):
    order = issued_letters(stripe_emulator, patient)
    letter = order.visa_letters.get(person=VisaPerson.COMPANION)

    assert isinstance(visa_letter_revoke_check(letter=letter, actor=patient).refusal, Forbidden)
    with pytest.raises(ValidationFailed):
        visa_letter_revoke(letter=letter, actor=careteam, reason="  ", now=NOW)
    revoked = visa_letter_revoke(letter=letter, actor=careteam, reason="Passport number mistyped", now=NOW)

    assert (revoked.revoked_at, revoked.revoked_by, revoked.revoke_reason) == (
        NOW,
        careteam,
        "Passport number mistyped",
    )
    with pytest.raises(Conflict):
        visa_letter_revoke(letter=letter, actor=careteam, reason="again", now=NOW)
    assert order.visa_letters.get(person=VisaPerson.PATIENT).revoked_at is None


def test_cancelling_the_booking_revokes_its_letters_and_cancels_an_unpaid_letter_order(stripe_emulator, patient):
    order = issued_letters(stripe_emulator, patient)
    booking = order.booking
    unpaid = visa_letters_order(
        patient=patient,
        booking=booking,
        persons=[person(given_names="LUC", passport_number="17EF00001")],
        currency="EUR",
        now=NOW,
    )
    later = NOW + dt.timedelta(days=1)

    booking_cancel(booking=booking, actor=patient, reason="none", now=later)

    assert set(VisaLetter.objects.values_list("revoked_at", flat=True)) == {later}
    assert AddonOrder.objects.get(pk=unpaid.pk).status == AddonOrderStatus.CANCELLED
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.FULFILLED
