"""The higher floors' declarations together (bookings, payments, quotes, concierge, second opinions,
careteam): a patient with a settled booking and its deposit, a quote request with documents, a
second opinion, a transfer, a visa letter and careteam notes is erased by each declaration in
order; nothing of theirs is left in these apps' rows, and the ledger still balances."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import serializers

from bookings.services import booking_cancel
from bookings.tests.support import NOW, awaiting, confirm
from careteam.models import CaseNote
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus, TransferLeg, VisaLetter
from core.personal_data import Subject, declarations
from documents.tests import samples
from documents.tests.helpers import upload_file
from payments import ledger
from payments.ledger import Leg, ledger_check, ledger_post
from payments.models import Deposit, DepositStatus, StripeEvent
from payments.services.refunds import refund_mark_succeeded, refund_settle
from quotes.services import quote_request_create, quote_request_send
from secondopinion.models import OpinionCase
from secondopinion.tests.conftest import cardiology, martin, martin_user, specialist_pair
from secondopinion.tests.support_after import delivered_case

pytestmark = pytest.mark.django_db

__all__ = ["cardiology", "martin", "martin_user", "specialist_pair"]  # the specialists' fixtures

APPS = ("bookings", "payments", "quotes", "concierge", "secondopinion", "careteam")
NAME, PHONE, PASSPORT = "Alice Martin", "+33612345678", "19AB12345"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def _settled_booking(patient, provider):
    booking = confirm(awaiting(patient, provider))
    Deposit.objects.create(
        booking=booking,
        amount=50_000,
        currency="EUR",
        status=DepositStatus.HELD,
        payment_intent_id=f"pi_{booking.pk}",
        charge_id=f"ch_{booking.pk}",
        paid_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )
    ledger_post(
        kind="deposit_paid",
        legs=[
            Leg(ledger.stripe_balance("EUR"), 49_245),
            Leg(ledger.expense("stripe_fees", "EUR"), 755),
            Leg(ledger.trust(booking=booking, currency="EUR"), -50_000),
        ],
        external_source=ledger.STRIPE,
        external_id=f"txn_{booking.pk}",
        booking=booking,
        now=NOW,
    )
    billing = {"name": NAME, "email": "alice@example.test", "phone": PHONE}
    StripeEvent.objects.create(
        id="evt_1",
        type="charge.succeeded",
        created=NOW,
        received_at=NOW,
        payload={"data": {"object": {"id": f"ch_{booking.pk}", "payment_intent": f"pi_{booking.pk}", "amount": 50_000,
                                     "billing_details": billing}}},
    )  # fmt: skip
    return booking


def _everything(patient, clinic, cardiology, martin, martin_user):
    later = NOW + dt.timedelta(hours=1)
    booking = _settled_booking(patient, clinic)
    report = upload_file(patient, samples.pdf("MRI knee"))
    request = quote_request_create(
        patient=patient,
        subject="Knee arthroscopy",
        description=f"{NAME}, torn meniscus, call {PHONE}",
        desired_from=dt.date(2030, 3, 1),
        desired_to=dt.date(2030, 4, 1),
        travel_constraints="Wheelchair at the airport",
        documents=[report],
        now=NOW,
    )
    quote_request_send(request=request, actor=patient, providers=[clinic], now=NOW)
    diagnosis = upload_file(patient, samples.pdf("Echocardiogram"), title="Diagnosis")
    case = delivered_case(
        patient=patient, specialty=cardiology, specialist=martin, signer=martin_user, diagnosis=diagnosis, now=NOW
    )
    order = AddonOrder.objects.create(
        patient=patient,
        booking=booking,
        kind=AddonKind.VISA_LETTER,
        description=f"Visa letter for {NAME}",
        amount=4_500,
        currency="EUR",
        status=AddonOrderStatus.FULFILLED,
        patient_note=f"My phone is {PHONE}",
        paid_at=NOW,
        created_at=NOW,
    )
    TransferLeg.objects.create(
        order=order,
        position=1,
        origin_kind="airport",
        origin="CDG 2E",
        destination_kind="hotel",
        destination="12 rue de Rivoli",
        pickup_at=NOW + dt.timedelta(days=27),
        flight_number="AF1234",
    )
    VisaLetter.objects.create(
        order=order,
        booking=booking,
        person="patient",
        surname="MARTIN",
        given_names="ALICE",
        passport_number=PASSPORT,
        nationality="FR",
        birth_date=dt.date(1980, 5, 17),
        verification_code="VL-TEST-0001",
        issued_at=NOW,
    )
    CaseNote.objects.create(key=f"quotes.request:{request.pk}", author=martin_user, text=f"Rang {NAME}", created_at=NOW)
    # The booking is cancelled and its deposit settled: nothing is held for her any more.
    booking_cancel(booking=booking, actor=patient, reason="none", now=later)
    refund = refund_settle(booking=booking, now=later)
    refund_mark_succeeded(refund=refund, stripe_refund_id="re_1", now=later)
    return case


def _rows() -> str:
    objects = [
        obj for label in APPS for model in apps.get_app_config(label).get_models() for obj in model.objects.all()
    ]
    return serializers.serialize("json", objects)


def test_erased_by_every_declaration_nothing_left_and_the_ledger_balances(
    patient, clinic, cardiology, martin, martin_user
):
    case = _everything(patient, clinic, cardiology, martin, martin_user)
    ours = [d for d in declarations() if d.app in APPS]
    assert sorted(d.app for d in ours) == sorted(APPS)
    assert [b for d in ours for b in d.blockers(patient, NOW + dt.timedelta(hours=2))] == []
    before = _rows()
    exported = json.dumps({d.app: d.export(patient, NOW) for d in ours})
    for personal in (NAME, PHONE, PASSPORT, "1980-05-17", "rue de Rivoli", "Knee arthroscopy"):
        assert personal in before
        assert personal in exported  # the export has every item

    subject = Subject(
        user_id=patient.pk,
        pseudonym="Erased person 3f9a",
        email=patient.email,
        strings=(patient.email, NAME, "MARTIN", "ALICE", PHONE),
    )
    for declaration in ours:
        declaration.erase(subject, NOW + dt.timedelta(days=1))
    after = _rows()
    for declaration in ours:  # an interrupted erasure runs again: the same
        declaration.erase(subject, NOW + dt.timedelta(days=2))
    assert _rows() == after

    for personal in (NAME, PHONE, PASSPORT, "1980-05-17", "rue de Rivoli", "Knee arthroscopy", patient.email):
        assert personal not in after, personal
    assert ledger_check() == []
    assert OpinionCase.objects.get(pk=case.pk).status == "opinion_delivered"  # the rows stay
    assert sorted({p for d in ours for p in d.providers(patient)}) == sorted({clinic.pk, martin.provider_id})
