"""Issue 14's "done when": who reads a second-opinion case's documents (a first diagnosis and an
imaging file), through `documents.services.document_read`, the download page and the download API.

Readers: the patient, the coordinator who took the case, and the chosen specialist's member once
the specialist accepted. Not: the chosen specialist before accepting, another shortlisted
specialist, another coordinator, a provider's member, the careteam, finance, anyone signed out.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import sign_in
from core.errors import NotFound
from documents import services
from secondopinion.models import CaseStatus, DocumentRole
from secondopinion.tests import support_triage as support

pytestmark = pytest.mark.django_db

# (who, the case's step, may read)
MATRIX = [
    ("patient", CaseStatus.ACCEPTED, True),
    ("coordinator", CaseStatus.ACCEPTED, True),
    ("coordinator", CaseStatus.UNDER_TRIAGE, True),
    ("martin_user", CaseStatus.ACCEPTED, True),
    ("martin_user", CaseStatus.SPECIALIST_CHOSEN, False),
    ("yilmaz_user", CaseStatus.ACCEPTED, False),
    ("other_coordinator", CaseStatus.ACCEPTED, False),
    ("other_coordinator", CaseStatus.UNDER_TRIAGE, False),
    ("clinic_member", CaseStatus.ACCEPTED, False),
    ("careteam", CaseStatus.ACCEPTED, False),
    ("finance", CaseStatus.ACCEPTED, False),
    ("anonymous", CaseStatus.ACCEPTED, False),
]
TRANSPORTS = ["service", "page", "api"]


@pytest.fixture
def case_documents(patient, diagnosis):
    return [(diagnosis, DocumentRole.FIRST_DIAGNOSIS), (support.imaging_of(patient), DocumentRole.IMAGING)]


def _case(step, *, patient, specialty, coordinator, martin, yilmaz, documents, now):
    chosen = step in {CaseStatus.SPECIALIST_CHOSEN, CaseStatus.ACCEPTED}
    return support.case_at(
        step,
        patient=patient,
        specialty=specialty,
        now=now,
        documents=documents,
        coordinator=coordinator,
        specialist=martin if chosen else None,
        skills="Valve disease",
        candidates=[martin, yilmaz] if chosen else [],
    )


def _reads(transport, user, document) -> bool:
    if transport == "service":
        try:
            data = services.document_read(
                document=document, reader=user or AnonymousUser(), now=timezone.now(), ip="127.0.0.1"
            )
        except NotFound:
            return False
        return bool(data)
    if transport == "page":
        client = Client()
        if user is not None:
            sign_in(client, user)
        response = client.get(reverse("documents:download", kwargs={"document_id": document.pk}))
    else:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        response = client.get(f"/api/v1/documents/{document.pk}/download/")
    if response.status_code != 200:
        return False
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.startswith(b"%PDF")


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("who", "step", "may_read"), MATRIX)
def test_who_reads_the_case_documents(
    request, transport, who, step, may_read, patient, cardiology, coordinator, martin, yilmaz, case_documents, now
):
    _case(
        step,
        patient=patient,
        specialty=cardiology,
        coordinator=coordinator,
        martin=martin,
        yilmaz=yilmaz,
        documents=case_documents,
        now=now,
    )
    user = None if who == "anonymous" else request.getfixturevalue(who)

    answers = [_reads(transport, user, document) for document, _role in case_documents]

    assert answers == [may_read, may_read]
