"""Concierge's personal-data declaration: the export holds the orders with their transfers and visa
letters' passport data; the erasure empties them (the letters are revoked), cancels unpaid orders,
revokes mandates, and is idempotent; a paid order not yet done blocks the erasure."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from bookings.tests.support import NOW
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus, CareMandate, TransferLeg, VisaLetter
from concierge.personal_data import ERASED_BIRTH_DATE, blockers, erase, export, files, kept
from concierge.tests.ordering_support import confirmed_booking
from concierge.tests.support import requested_assistance
from concierge.tests.visa_support import issued_letters
from core.personal_data import Subject
from payments.models import StripeEvent

pytestmark = pytest.mark.django_db


def subject_of(user) -> Subject:
    return Subject(
        user_id=user.pk,
        pseudonym="Erased person 3f9a",
        email=user.email,
        strings=(user.email, "Marie Claire Dupont", "DUPONT"),
    )


def transfer_order(patient, *, status=AddonOrderStatus.CONFIRMED) -> AddonOrder:
    booking = confirmed_booking(patient)
    order = AddonOrder.objects.create(
        patient=patient,
        booking=booking,
        kind=AddonKind.TRANSFER,
        description="Airport transfer for Mrs DUPONT",
        city="Paris",
        amount=9_000,
        currency="EUR",
        status=status,
        patient_note="I use a wheelchair",
        payment_intent_id=f"pi_order_{booking.pk}",
        paid_at=NOW if status != AddonOrderStatus.AWAITING_PAYMENT else None,
        created_at=NOW,
    )
    TransferLeg.objects.create(
        order=order,
        position=1,
        origin_kind="airport",
        origin="CDG terminal 2E",
        destination_kind="hotel",
        destination="12 rue de Rivoli, Paris",
        pickup_at=NOW + dt.timedelta(days=27),
        flight_number="AF1234",
        wheelchair=True,
    )
    return order


def test_export_holds_transfers_and_notes(patient):
    order = transfer_order(patient)
    data = export(patient, NOW)
    assert json.loads(json.dumps(data)) == data
    [item] = data["addon_orders"]
    assert item["id"] == order.pk
    assert item["amount"] == 9_000
    assert item["your_note"] == "I use a wheelchair"
    assert item["transfer_legs"][0]["to"] == "12 rue de Rivoli, Paris"
    assert item["transfer_legs"][0]["flight_number"] == "AF1234"


def test_paid_order_not_done_blocks_until_done(patient):
    order = transfer_order(patient)
    [blocker] = blockers(patient, NOW)
    assert str(order.pk) in blocker.what
    assert blocker.action.startswith("Cancel the order:")
    assert blocker.url == f"/services/orders/{order.pk}/"
    AddonOrder.objects.filter(pk=order.pk).update(status=AddonOrderStatus.FULFILLED, fulfilled_at=NOW)
    assert blockers(patient, NOW) == []


def test_erase_empties_addresses_and_notes_cancels_unpaid(patient):
    paid = transfer_order(patient, status=AddonOrderStatus.FULFILLED)
    unpaid = requested_assistance(patient, NOW)
    mandate = CareMandate.objects.get(order=unpaid)
    assert mandate.revoked_at is None
    subject = subject_of(patient)
    erase(subject, NOW)
    erase(subject, NOW)  # idempotent
    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert paid.description == "Airport transfer for Mrs Erased person 3f9a"
    assert paid.patient_note == ""
    assert paid.amount == 9_000  # the money stays
    leg = paid.legs.get()
    assert (leg.origin, leg.destination, leg.flight_number) == ("", "", "")
    assert unpaid.status == AddonOrderStatus.CANCELLED
    assert unpaid.patient_note == ""
    assert CareMandate.objects.get(pk=mandate.pk).revoked_at == NOW
    assert "rue de Rivoli" not in json.dumps(export(patient, NOW))


def test_erase_scrubs_stripe_events_of_the_orders_payments(patient, other_patient):
    order = transfer_order(patient, status=AddonOrderStatus.FULFILLED)
    billing = {"name": "Marie Claire Dupont", "email": "marie@example.test", "phone": "+33611111111"}
    payload = {"data": {"object": {"id": order.payment_intent_id, "amount": 9_000, "billing_details": billing}}}
    StripeEvent.objects.create(
        id="evt_o", type="payment_intent.succeeded", created=NOW, payload=payload, received_at=NOW
    )
    near = {"data": {"object": {"id": f"{order.payment_intent_id}9", "billing_details": {"name": "Someone Else"}}}}
    StripeEvent.objects.create(id="evt_n", type="pi.ok", created=NOW, payload=near, received_at=NOW)
    erase(subject_of(patient), NOW)
    scrubbed = StripeEvent.objects.get(pk="evt_o").payload["data"]["object"]
    assert scrubbed["id"] == order.payment_intent_id
    assert scrubbed["amount"] == 9_000
    assert "Dupont" not in json.dumps(scrubbed)
    assert "marie@example.test" not in json.dumps(scrubbed)
    assert StripeEvent.objects.get(pk="evt_n").payload == near  # an id that only starts the same is not theirs


def test_visa_letters_exported_then_erased_and_revoked(stripe_emulator, patient):
    order = issued_letters(stripe_emulator, patient)
    data = export(patient, NOW)
    letters = [letter for item in data["addon_orders"] for letter in item["visa_letters"]]
    assert {letter["passport_number"] for letter in letters} == {"19AB12345", "18CD67890"}
    assert "1980-05-17" in {letter["birth_date"] for letter in letters}

    pdfs = dict(files(patient, NOW))
    assert sorted(pdfs) == sorted(
        f"concierge/visa-letter-{pk}.pdf" for pk in order.visa_letters.values_list("pk", flat=True)
    )
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs.values())

    erase(subject_of(patient), NOW + dt.timedelta(hours=1))
    assert list(files(patient, NOW)) == []  # revoked: no longer a valid letter to hand over
    for letter in VisaLetter.objects.filter(order=order):
        assert (letter.surname, letter.given_names, letter.passport_number) == ("", "", "")
        assert letter.birth_date == ERASED_BIRTH_DATE
        assert letter.revoked_at is not None  # the letter is no longer valid at its verification page
    code = VisaLetter.objects.filter(order=order).first().verification_code
    page = Client().get(f"/services/letters/verify/{code}/")
    assert page.status_code == 200
    assert b'data-testid="revoked"' in page.content
    assert b"DUPONT" not in page.content
    text = json.dumps(export(patient, NOW))
    assert "19AB12345" not in text
    assert "DUPONT" not in text
    assert "1980-05-17" not in text


def test_kept_ten_years_for_paid_orders(patient):
    transfer_order(patient, status=AddonOrderStatus.FULFILLED)
    [found] = kept(patient, NOW)
    assert found.until == dt.date(2040, 1, 7)
    assert "L123-22" in found.why
