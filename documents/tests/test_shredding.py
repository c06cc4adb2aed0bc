"""Crypto-shredding: an erased document's data key is destroyed and its blob deleted, so no copy of
the blob (a backup) can be read any more, even with every key of the ring."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import sign_in
from core.errors import NotFound
from core.models import AuditEvent
from documents import crypto, services
from documents.models import MedicalDocument
from documents.tests.helpers import stored_files, upload_file

pytestmark = pytest.mark.django_db

SHREDDED = "documents.document.shredded"


def _shred(document):
    services.document_shred(document=document, now=timezone.now())


@pytest.fixture
def shred(django_capture_on_commit_callbacks):
    """Shred as a finished transaction would: the blob is deleted once the key's destruction is committed."""

    def run(document):
        with django_capture_on_commit_callbacks(execute=True):
            _shred(document)

    return run


@pytest.fixture
def grant(document, clinic):
    return services.document_grant(document=document, actor=document.owner, provider=clinic, now=timezone.now())


def test_a_backup_of_the_blob_cannot_be_read_after_the_shred_even_with_the_ring(settings, media, document, shred):
    with default_storage.open(document.storage_path, "rb") as blob:
        backup = blob.read()
    # Positive control: before the shred the backup opens with the wrapped key and the ring.
    assert crypto.decrypt_with(crypto.unwrap_key(document.wrapped_key), backup)

    shred(document)

    row = MedicalDocument.objects.get(pk=document.pk)
    assert row.wrapped_key == ""
    assert row.shredded_at is not None
    for key in settings.DOCUMENT_KEYS:
        with pytest.raises(InvalidToken):
            Fernet(key).decrypt(backup)
    assert stored_files(media) == []  # the blob itself is gone


def test_the_shred_replaces_the_title_forgets_the_checksum_and_keeps_the_row(document, shred):
    shred(document)

    row = MedicalDocument.objects.get(pk=document.pk)
    assert row.title == "Erased document"
    assert row.sha256 == ""
    assert row.owner_id == document.owner_id  # the row stays: the records pointing at it keep their ids
    assert document.title == "Erased document"  # the caller's instance says so too


def test_the_shred_ends_the_live_grants_and_the_provider_can_read_no_more(
    document, clinic, clinic_member, grant, shred
):
    shred(document)

    grant.refresh_from_db()
    assert grant.revoked_at is not None
    revoked = AuditEvent.objects.get(action="documents.grant.revoked", target_id=str(grant.pk))
    assert revoked.after["reason"] == "erased"
    assert revoked.actor_id is None
    with pytest.raises(NotFound):
        services.document_read(document=document, reader=clinic_member, now=timezone.now())


def test_the_shred_is_audited_once_by_id_without_the_title(patient, media, grant, shred):
    document = upload_file(patient, b"%PDF-1.4\n% HIV test, positive\n%%EOF\n", title="HIV test, positive")

    shred(document)
    shred(document)

    [event] = AuditEvent.objects.filter(action=SHREDDED)
    assert event.target_id == str(document.pk)
    assert event.actor_id is None
    assert "HIV" not in str(event.before) + str(event.after)
    for event in AuditEvent.objects.filter(target_id=str(document.pk)):
        assert "HIV" not in str(event.before) + str(event.after)


def test_shredding_again_changes_nothing_and_deletes_a_blob_left_behind(
    media, document, shred, django_capture_on_commit_callbacks
):
    # Interrupted after the commit, before the blob was deleted (the callbacks never ran).
    with django_capture_on_commit_callbacks(execute=False):
        _shred(document)
    assert len(stored_files(media)) == 1
    first = MedicalDocument.objects.get(pk=document.pk)

    shred(document)

    again = MedicalDocument.objects.get(pk=document.pk)
    assert again.shredded_at == first.shredded_at
    assert stored_files(media) == []
    assert AuditEvent.objects.filter(action=SHREDDED).count() == 1


def test_a_shredded_document_answers_a_clear_message_to_its_owner(patient, document, shred):
    shred(document)

    with pytest.raises(services.DocumentErased) as failure:
        services.document_read(document=document, reader=patient, now=timezone.now())

    assert failure.value.code == "document_erased"
    assert "erased" in failure.value.message
    event = AuditEvent.objects.get(action="documents.document.read_failed")
    assert event.after == {"as": "owner", "error": "Shredded"}


def test_a_read_racing_the_shred_answers_erased_not_a_server_error(patient, document, shred):
    stale = MedicalDocument.objects.get(pk=document.pk)  # loaded before the shred
    shred(document)

    with pytest.raises(services.DocumentErased):
        services.document_read(document=stale, reader=patient, now=timezone.now())


def test_the_download_page_and_api_answer_409_with_the_reason(patient, document, shred):
    shred(document)
    page = Client()
    sign_in(page, patient)
    api = APIClient()
    api.force_authenticate(patient)

    response = page.get(reverse("documents:download", kwargs={"document_id": document.pk}))
    assert response.status_code == 409
    assert "erased" in response.content.decode()
    response = api.get(f"/api/v1/documents/{document.pk}/download/")
    assert response.status_code == 409
    assert response.json()["code"] == "document_erased"


def test_a_shredded_document_is_in_none_of_the_owners_lists(client, patient, document, pdf_bytes, shred):
    kept = upload_file(patient, pdf_bytes, title="Kept scan")
    shred(document)
    sign_in(client, patient)
    api = APIClient()
    api.force_authenticate(patient)

    page = client.get(reverse("documents:list")).content.decode()
    assert "Kept scan" in page
    assert "Erased document" not in page
    assert str(document.pk) not in page
    ids = [item["id"] for item in api.get("/api/v1/documents/").json()]
    assert ids == [str(kept.pk)]


def test_the_rotation_leaves_shredded_documents_alone(settings, document, shred):
    shred(document)
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode(), *settings.DOCUMENT_KEYS]

    report = services.documents_rotate(now=timezone.now())

    assert report.total == 0
    assert MedicalDocument.objects.get(pk=document.pk).wrapped_key == ""


def test_a_shredded_document_can_no_longer_be_shared(document, clinic, shred):
    shred(document)
    document.refresh_from_db()

    assert not services.document_grant_check(document=document, actor=document.owner)
    with pytest.raises(services.DocumentErased):
        services.document_grant(document=document, actor=document.owner, provider=clinic, now=timezone.now())
