"""Who takes part in the threads of a quote request, an add-on order and a second-opinion case; and
the person's messages in the export and the erasure."""

from __future__ import annotations

import datetime as dt

import pytest

from concierge.models import AddonOrder
from core.personal_data import Subject
from documents.models import MedicalDocument
from messaging.models import Message, SubjectKind
from messaging.participants import subject_of, takes_part
from messaging.personal_data import erase, export
from messaging.tests.conftest import OFFICE
from messaging.tests.support import pdf_upload, send, thread_of
from providers.models import MemberRole
from providers.tests.factories import MemberFactory, SpecialtyFactory
from quotes.models import QuoteRecipient, QuoteRequest
from secondopinion.models import OpinionCase, SpecialistProfile

pytestmark = pytest.mark.django_db


def _request_to(patient, *providers) -> QuoteRequest:
    request = QuoteRequest.objects.create(
        patient=patient,
        subject="Knee",
        description="Pain",
        desired_from=OFFICE.date(),
        desired_to=OFFICE.date() + dt.timedelta(days=30),
        status="sent",
        created_at=OFFICE,
        sent_at=OFFICE,
    )
    for provider in providers:
        QuoteRecipient.objects.create(request=request, provider=provider, sent_at=OFFICE)
    return request


def test_each_provider_a_request_went_to_has_its_own_thread_and_never_reads_the_other_s(
    patient, clinic, clinic_admin, rival, rival_member, opted_in
):
    from messaging.models import ProviderMessaging

    ProviderMessaging.objects.create(provider=rival, quote_requests=True, updated_at=OFFICE)
    request = _request_to(patient, clinic, rival)
    to_clinic = subject_of(kind=SubjectKind.QUOTE, subject_id=request.recipients.get(provider=clinic).pk)
    to_rival = subject_of(kind=SubjectKind.QUOTE, subject_id=request.recipients.get(provider=rival).pk)
    assert takes_part(subject=to_clinic, user=clinic_admin)
    assert not takes_part(subject=to_clinic, user=rival_member)
    assert takes_part(subject=to_rival, user=rival_member)
    assert not takes_part(subject=to_rival, user=clinic_admin)
    assert takes_part(subject=to_clinic, user=patient)


def test_an_order_s_thread_is_the_patient_s_and_the_careteam_s(patient, other_patient, careteam, clinic_admin):
    order = AddonOrder.objects.create(
        patient=patient, kind="transfer", description="Airport", amount=5000, currency="EUR", created_at=OFFICE
    )
    subject = subject_of(kind=SubjectKind.ORDER, subject_id=order.pk)
    assert takes_part(subject=subject, user=patient)
    assert takes_part(subject=subject, user=careteam)
    assert not takes_part(subject=subject, user=other_patient)
    assert not takes_part(subject=subject, user=clinic_admin)


def test_a_second_opinion_s_thread_has_its_coordinator_and_the_specialist_once_accepted_never_the_careteam(
    patient, coordinator, careteam, clinic, clinic_admin
):
    profile = SpecialistProfile.objects.create(
        provider=clinic,
        languages=["en"],
        price_amount=45_000,
        currency="EUR",
        weekly_capacity=5,
        timezone="Europe/Paris",
        country="FR",
        created_at=OFFICE,
        updated_at=OFFICE,
    )
    case = OpinionCase.objects.create(
        patient=patient,
        specialty=SpecialtyFactory(),
        language="en",
        status="specialist_chosen",
        consent_at=OFFICE,
        coordinator=coordinator,
        specialist=profile,
        created_at=OFFICE,
        updated_at=OFFICE,
    )
    subject = subject_of(kind=SubjectKind.OPINION, subject_id=case.pk)
    assert takes_part(subject=subject, user=patient)
    assert takes_part(subject=subject, user=coordinator)
    assert not takes_part(subject=subject, user=careteam)
    assert not takes_part(subject=subject, user=clinic_admin)  # chosen, not accepted yet
    OpinionCase.objects.filter(pk=case.pk).update(status="accepted", accepted_at=OFFICE)
    assert takes_part(subject=subject_of(kind=SubjectKind.OPINION, subject_id=case.pk), user=clinic_admin)


def test_a_member_who_left_the_provider_no_longer_takes_part(booking, clinic, opted_in):
    leaving = MemberFactory(provider=clinic, role=MemberRole.STAFF)
    subject = subject_of(kind=SubjectKind.BOOKING, subject_id=booking.pk)
    assert takes_part(subject=subject, user=leaving.user)
    leaving.delete()
    assert not takes_part(subject=subject, user=leaving.user)


def test_the_export_holds_the_messages_sent_and_received(booking, patient, clinic_admin, opted_in):
    thread = thread_of(booking, now=OFFICE)
    send(thread, patient, "My question", now=OFFICE)
    send(thread, clinic_admin, "Our answer", now=OFFICE + dt.timedelta(hours=1))
    exported = export(patient, OFFICE)
    assert [t["id"] for t in exported["threads"]] == [thread.pk]
    bodies = [(m["sent"], m["body"]) for m in exported["messages"] if not m["notice"]]
    assert bodies == [(True, "My question"), (False, "Our answer")]


def test_the_erasure_erases_the_person_s_words_and_shreds_their_attachments_and_keeps_the_others(
    booking, patient, clinic_admin, opted_in
):
    thread = thread_of(booking, now=OFFICE)
    mine = send(thread, patient, "My name is Alice Martin", now=OFFICE, attachment=pdf_upload())
    theirs = send(thread, clinic_admin, "Noted", now=OFFICE + dt.timedelta(hours=1))
    subject = Subject(user_id=patient.pk, pseudonym="Erased person 1", email=patient.email, strings=("Alice",))
    erase(subject, OFFICE + dt.timedelta(days=1))
    erase(subject, OFFICE + dt.timedelta(days=2))  # idempotent
    mine.refresh_from_db()
    assert mine.body == ""
    assert mine.redacted_at == OFFICE + dt.timedelta(days=1)
    document = MedicalDocument.objects.get(pk=mine.attachments.get().document_id)
    assert document.shredded_at is not None
    assert Message.objects.get(pk=theirs.pk).body == "Noted"


def test_the_second_opinion_case_page_links_to_its_conversation(client, patient, coordinator):
    from django.urls import reverse

    case = OpinionCase.objects.create(
        patient=patient,
        specialty=SpecialtyFactory(),
        language="en",
        status="submitted",
        consent_at=OFFICE,
        coordinator=coordinator,
        created_at=OFFICE,
        updated_at=OFFICE,
    )
    link = reverse("messaging:subject", args=["opinion", case.pk])
    client.force_login(patient)
    assert link in client.get(reverse("secondopinion:patient_case", args=[case.pk])).content.decode()
    client.force_login(coordinator)
    assert link in client.get(reverse("secondopinion:coordinator_case", args=[case.pk])).content.decode()
