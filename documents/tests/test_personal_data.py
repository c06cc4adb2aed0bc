"""Documents' part of the privacy rights: the export (metadata, decrypted files, who read them), the
shredding on erasure, and the providers a request is forwarded to."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from accounts.services import erasure_subject
from core.models import AuditEvent
from documents import services
from documents.models import DocumentGrant, MedicalDocument
from documents.personal_data import DECLARATION, erase, export, files, kept
from documents.tests import samples
from documents.tests.helpers import stored_files, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(document, clinic, clinic_member):
    """Alice's blood test shared with Clinique du Lac, whose nurse read it once."""
    now = timezone.now()
    grant = services.document_grant(document=document, actor=document.owner, provider=clinic, now=now)
    services.document_read(document=document, reader=clinic_member, now=now)
    return grant


def test_the_export_lists_documents_grants_and_reads_by_role(patient, document, shared, clinic, clinic_member):
    section = export(patient, timezone.now())
    text = json.dumps(section)

    [listed] = section["documents"]
    assert listed["id"] == str(document.pk)
    assert listed["title"] == "Blood test, March 2025"
    assert listed["file"] == f"documents/{document.pk}-blood-test-march-2025.pdf"
    [grant] = section["shared_with"]
    assert grant["provider_id"] == clinic.pk
    assert grant["revoked_at"] is None
    [read] = section["reads_of_your_documents"]
    assert read == {
        "document_id": str(document.pk),
        "action": "read",
        "at": read["at"],
        "reader_role": "provider",
        "provider_id": clinic.pk,
    }
    assert clinic_member.email not in text  # the reader by role, never by address


def test_the_files_are_the_decrypted_contents_read_as_the_owner_and_audited(patient, document, pdf_bytes):
    second = upload_file(patient, samples.pdf("Cholesterol 1.9 g/L"), title="Lipids")
    before = AuditEvent.objects.filter(action="documents.document.read", actor_id=patient.pk).count()

    exported = dict(files(patient, timezone.now()))

    assert exported[f"documents/{document.pk}-{document.download_name}"] == pdf_bytes
    assert b"Cholesterol 1.9 g/L" in exported[f"documents/{second.pk}-lipids.pdf"]
    reads = AuditEvent.objects.filter(action="documents.document.read", actor_id=patient.pk, after__as="owner")
    assert reads.count() == before + 2


def test_someone_elses_documents_are_not_in_the_export(patient, other_patient, document):
    assert export(other_patient, timezone.now())["documents"] == []
    assert list(files(other_patient, timezone.now())) == []


def test_erasure_shreds_each_document_and_ends_its_grants(
    patient, document, shared, media, other_patient, django_capture_on_commit_callbacks
):
    theirs = upload_file(other_patient, samples.pdf("Not Alice"))
    subject = erasure_subject(patient)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):  # the blobs go once the shred commits
        erase(subject, now)
    erase(subject, now)  # idempotent

    document.refresh_from_db()
    assert document.title != "Blood test, March 2025"
    assert DocumentGrant.objects.get(pk=shared.pk).revoked_at is not None
    assert [path.name for path in stored_files(media) if "documents" in str(path)] == [theirs.stored_name]
    assert list(files(patient, now)) == []  # nothing left to read
    assert MedicalDocument.objects.filter(owner=patient).count() == 1  # the row stays, emptied
    assert services.document_read(document=theirs, reader=other_patient, now=now)  # nobody else's


def test_kept_and_providers_name_the_providers_own_copies(patient, document, shared, clinic):
    assert DECLARATION.providers(patient) == [clinic.pk]
    items = kept(patient, timezone.now())
    assert any("controllers of their own records" in item.why for item in items)


def test_a_person_without_documents_keeps_nothing_here(other_patient):
    assert kept(other_patient, timezone.now()) == []
    assert DECLARATION.providers(other_patient) == []
