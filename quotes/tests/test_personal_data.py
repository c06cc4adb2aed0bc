"""Quotes' personal-data declaration: the export holds the requests and the quotes answered; the
erasure withdraws open requests (their document grants end), empties the person's words, redacts
the providers' messages, and is idempotent; the providers asked are those a request goes to."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.fernet import Fernet

from core.personal_data import Subject, declarations
from documents.models import DocumentGrant
from documents.tests import samples
from documents.tests.helpers import upload_file
from quotes.models import Quote, QuoteRequest, QuoteRequestStatus, QuoteStatus
from quotes.personal_data import DECLARATION, erase, export, kept, providers
from quotes.services import LineInput, SlotInput, quote_request_create, quote_request_send, quote_submit

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def subject_of(user) -> Subject:
    return Subject(
        user_id=user.pk, pseudonym="Erased person 3f9a", email=user.email, strings=(user.email, "Alice Martin")
    )


def _sent(patient, providers_, documents=()):
    request = quote_request_create(
        patient=patient,
        subject="Knee arthroscopy",
        description="Torn meniscus, MRI attached. Alice Martin, 06 12 34 56 78.",
        desired_from=dt.date(2027, 1, 10),
        desired_to=dt.date(2027, 2, 10),
        travel_constraints="No flights before 9:00",
        documents=list(documents),
        now=NOW,
    )
    return quote_request_send(request=request, actor=patient, providers=providers_, now=NOW)


def _quote(request, provider, member):
    start = dt.datetime(2027, 1, 15, 8, 0, tzinfo=dt.UTC)
    return quote_submit(
        request=request,
        provider=provider,
        actor=member,
        currency="EUR",
        lines=[
            LineInput(kind="procedure", description="Arthroscopy for Alice Martin", quantity=1, unit_amount=400_000)
        ],
        deposit_amount=100_000,
        valid_until=dt.date(2026, 12, 10),
        slots=[SlotInput(start=start, end=start + dt.timedelta(hours=1))],
        payment_days=7,
        max_variation_bps=1000,
        excluded="Flights and hotel",
        message="Dear Alice Martin, we can operate in January.",
        now=NOW + dt.timedelta(hours=5),
    )


def test_quotes_is_declared_once():
    assert [d for d in declarations() if d.app == "quotes"] == [DECLARATION]


def test_export_holds_the_request_its_documents_and_the_quotes(patient, clinic, clinic_member):
    report = upload_file(patient, samples.pdf("MRI knee"))
    request = _sent(patient, [clinic], [report])
    quote = _quote(request, clinic, clinic_member)
    data = export(patient, NOW)
    assert json.loads(json.dumps(data)) == data  # plain JSON values only
    [item] = data["quote_requests"]
    assert item["id"] == request.pk
    assert item["subject"] == "Knee arthroscopy"
    assert item["travel_constraints"] == "No flights before 9:00"
    assert item["documents"] == [str(report.pk)]
    assert item["sent_to"][0]["provider"] == clinic.pk
    [exported] = item["quotes"]
    assert exported["id"] == quote.pk
    assert exported["total_amount"] == 400_000
    assert exported["message"].startswith("Dear Alice Martin")
    assert exported["lines"][0]["unit_amount"] == 400_000


def test_erase_withdraws_open_requests_ends_grants_and_empties_texts(patient, clinic, clinic_member):
    report = upload_file(patient, samples.pdf("MRI knee"))
    request = _sent(patient, [clinic], [report])
    quote = _quote(request, clinic, clinic_member)
    assert DocumentGrant.objects.filter(document=report, revoked_at__isnull=True).exists()

    subject = subject_of(patient)
    erase(subject, NOW + dt.timedelta(days=1))
    erase(subject, NOW + dt.timedelta(days=2))  # twice: the same

    request.refresh_from_db()
    quote.refresh_from_db()
    assert request.status == QuoteRequestStatus.WITHDRAWN
    assert (request.subject, request.description, request.travel_constraints) == ("", "", "")
    assert quote.status == QuoteStatus.DECLINED
    assert quote.message == "Dear Erased person 3f9a, we can operate in January."
    assert quote.lines.get().description == "Arthroscopy for Erased person 3f9a"
    assert quote.total_amount == 400_000  # amounts stay
    assert not DocumentGrant.objects.filter(document=report, revoked_at__isnull=True).exists()
    assert "Alice" not in str(export(patient, NOW))


def test_erase_leaves_other_patients_alone(patient, other_patient, clinic):
    theirs = _sent(other_patient, [clinic])
    erase(subject_of(patient), NOW)
    theirs.refresh_from_db()
    assert theirs.status == QuoteRequestStatus.SENT
    assert theirs.subject == "Knee arthroscopy"


def test_providers_are_those_asked(patient, clinic, rival):
    _sent(patient, [clinic, rival])
    assert providers(patient) == sorted([clinic.pk, rival.pk])


def test_kept_only_for_an_accepted_quote(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    quote = _quote(request, clinic, clinic_member)
    assert kept(patient, NOW) == []
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.ACCEPTED, decided_at=NOW)
    [found] = kept(patient, NOW)
    assert "L123-22" in found.why
    assert found.until == dt.date(2036, 11, 23)
    assert QuoteRequest.objects.filter(patient=patient).count() == 1
