"""Encryption at rest: stored bytes never hold the plaintext; keys rotate; an altered or orphaned blob fails safely."""

from __future__ import annotations

import base64
import hashlib
import secrets

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import sign_in
from core.errors import Conflict
from core.models import AuditEvent
from documents import services
from documents.models import MedicalDocument
from documents.tests import samples
from documents.tests.helpers import stored_files, upload_file

pytestmark = pytest.mark.django_db


def _needles(canary: str) -> list[bytes]:
    raw = canary.encode()
    return [raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw)]


def test_the_stored_bytes_never_contain_the_plaintext(client, patient, media):
    canary = secrets.token_hex(16)
    pdf = samples.pdf(f"Diagnosis {canary}")
    png = samples.png(f"Diagnosis {canary}")
    # Positive control: the canary is really in the files uploaded (uncompressed), so finding it
    # nowhere below means something.
    assert canary.encode() in pdf
    assert canary.encode() in png
    client.force_login(patient)

    for name, data in (("report.pdf", pdf), ("scan.png", png)):
        response = client.post(
            reverse("documents:upload"), {"title": "Results", "file": SimpleUploadedFile(name, data)}
        )
        assert response.status_code == 302

    blobs = stored_files(media)
    assert len(blobs) == 2
    for blob in blobs:
        content = blob.read_bytes()
        assert not content.startswith((b"%PDF-", b"\x89PNG"))
        for needle in _needles(canary):
            assert needle not in content
    # Nor in the rows that describe the documents, nor in the audit trail.
    rows = [str(model_to_dict(d)) for d in MedicalDocument.objects.all()]
    rows += [str(model_to_dict(e)) for e in AuditEvent.objects.all()]
    assert all(canary not in row for row in rows)


def test_a_download_returns_exactly_the_bytes_uploaded(client, patient, document, pdf_bytes):
    sign_in(client, patient)

    response = client.get(reverse("documents:download", kwargs={"document_id": document.pk}))

    body = b"".join(response.streaming_content)
    assert body == pdf_bytes
    assert hashlib.sha256(body).hexdigest() == document.sha256


def test_the_audit_trail_names_the_document_by_id_only_never_by_its_title(patient, media):
    document = upload_file(patient, samples.pdf(), title="HIV test, positive")
    services.document_read(document=document, reader=patient, now=timezone.now())

    for event in AuditEvent.objects.filter(target_id=str(document.pk)):
        assert "HIV" not in str(event.before) + str(event.after)


# --- key rotation ---------------------------------------------------------------------------------------


@pytest.fixture
def old_key(settings):
    return settings.DOCUMENT_KEYS[0]


@pytest.fixture
def new_key():
    return Fernet.generate_key().decode()


@pytest.fixture
def three_documents(patient):
    return [
        upload_file(patient, samples.pdf("one"), title="One"),
        upload_file(patient, samples.png("two"), title="Two"),
        upload_file(patient, samples.dicom(), title="Three"),
    ]


def _read_all(documents, reader) -> list[str]:
    return [
        hashlib.sha256(services.document_read(document=d, reader=reader, now=timezone.now())).hexdigest()
        for d in MedicalDocument.objects.filter(pk__in=[d.pk for d in documents]).order_by("created_at")
    ]


def test_after_rotation_every_document_reads_with_only_the_new_key(
    settings, patient, media, three_documents, old_key, new_key, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_KEYS = [new_key, old_key]
    blobs_before = {blob.name: blob.read_bytes() for blob in stored_files(media)}

    with django_capture_on_commit_callbacks(execute=True):
        report = services.documents_rotate(now=timezone.now())
    settings.DOCUMENT_KEYS = [new_key]

    assert (report.migrated, report.rotated, report.current, report.failed) == (0, 3, 0, 0)
    assert _read_all(three_documents, patient) == [d.sha256 for d in three_documents]
    # Every data key opens with the new key alone; the blobs were not rewritten (only the keys were).
    for wrapped in MedicalDocument.objects.values_list("wrapped_key", flat=True):
        Fernet(new_key).decrypt(wrapped.encode())
    assert {blob.name: blob.read_bytes() for blob in stored_files(media)} == blobs_before
    assert AuditEvent.objects.filter(action="documents.document.rekeyed").count() == 3


def test_before_rotation_removing_the_old_key_makes_reads_fail(settings, patient, document, new_key):
    settings.DOCUMENT_KEYS = [new_key]

    with pytest.raises(Conflict) as failure:
        services.document_read(document=document, reader=patient, now=timezone.now())

    assert failure.value.code == "document_unavailable"
    assert AuditEvent.objects.filter(action="documents.document.read_failed", target_id=str(document.pk)).count() == 1
    assert not AuditEvent.objects.filter(action="documents.document.read").exists()


def stored_blob(document: MedicalDocument) -> bytes:
    with default_storage.open(document.storage_path, "rb") as blob:
        return blob.read()


def test_with_the_new_key_first_and_no_rotation_yet_old_documents_still_read(
    settings, patient, document, old_key, new_key, pdf_bytes
):
    settings.DOCUMENT_KEYS = [new_key, old_key]

    assert services.document_read(document=document, reader=patient, now=timezone.now()) == pdf_bytes
    # New uploads have their data key wrapped under the newest key, which the old one cannot open.
    new = upload_file(patient, samples.png(), title="New")
    data_key = Fernet(new_key).decrypt(new.wrapped_key.encode())
    Fernet(data_key).decrypt(stored_blob(new))
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(new.wrapped_key.encode())


def test_rotation_run_twice_changes_nothing_the_second_time(
    settings, three_documents, old_key, new_key, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_KEYS = [new_key, old_key]
    with django_capture_on_commit_callbacks(execute=True):
        services.documents_rotate(now=timezone.now())
    names = set(MedicalDocument.objects.values_list("stored_name", flat=True))
    keys = set(MedicalDocument.objects.values_list("wrapped_key", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        second = services.documents_rotate(now=timezone.now())

    assert (second.migrated, second.rotated, second.current, second.failed) == (0, 0, 3, 0)
    assert set(MedicalDocument.objects.values_list("stored_name", flat=True)) == names
    assert set(MedicalDocument.objects.values_list("wrapped_key", flat=True)) == keys


def test_rotation_resumes_after_being_stopped_half_way(
    settings, patient, three_documents, old_key, new_key, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_KEYS = [new_key, old_key]
    first = MedicalDocument.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        assert services._rotate_one(first, now=timezone.now()) == "rotated"  # as if stopped after one

        report = services.documents_rotate(now=timezone.now(), batch_size=2)

    assert (report.migrated, report.rotated, report.current, report.failed) == (0, 2, 1, 0)
    settings.DOCUMENT_KEYS = [new_key]
    assert _read_all(three_documents, patient) == [d.sha256 for d in three_documents]


def test_the_command_reports_its_counts(settings, three_documents, old_key, new_key, capsys):
    settings.DOCUMENT_KEYS = [new_key, old_key]

    call_command("rotate_document_keys")

    assert (
        "Moved 0 documents to a data key of their own; re-wrapped 3 data keys under the newest key; "
        "0 were already under it; 0 could not be read."
    ) in capsys.readouterr().out


def test_the_command_fails_and_keeps_the_blob_when_a_document_cannot_be_read(settings, media, document, new_key):
    settings.DOCUMENT_KEYS = [new_key]  # the key the document is under has been lost
    before = stored_files(media)[0].read_bytes()

    with pytest.raises(CommandError, match="0 were already under it; 1 could not be read"):
        call_command("rotate_document_keys")

    assert stored_files(media)[0].read_bytes() == before
    assert MedicalDocument.objects.get().stored_name == document.stored_name


# --- tampering -----------------------------------------------------------------------------------------


def test_an_altered_blob_is_refused_with_no_bytes_sent_and_the_failure_audited(client, patient, media, document):
    [blob] = stored_files(media)
    token = bytearray(blob.read_bytes())
    token[len(token) // 2] ^= 0x01
    blob.write_bytes(bytes(token))
    sign_in(client, patient)

    response = client.get(reverse("documents:download", kwargs={"document_id": document.pk}))

    assert response.status_code == 409
    assert "cannot be opened" in response.content.decode()
    assert "attachment" not in response.get("Content-Disposition", "")
    assert AuditEvent.objects.filter(action="documents.document.read_failed").count() == 1


def test_a_blob_swapped_with_another_documents_is_refused(patient, media):
    first = upload_file(patient, samples.pdf("first"), title="First")
    second = upload_file(patient, samples.pdf("second"), title="Second")
    MedicalDocument.objects.filter(pk=first.pk).update(stored_name=second.stored_name + "x")
    MedicalDocument.objects.filter(pk=second.pk).update(stored_name=first.stored_name)
    second.refresh_from_db()

    with pytest.raises(services.DocumentUnavailable):
        services.document_read(document=second, reader=patient, now=timezone.now())
