"""Per-document data keys (envelope encryption): each document has its own key, stored only
wrapped by DOCUMENT_KEYS; legacy documents (under the ring itself) still read and are moved to a
key of their own by the rotation, which otherwise only re-wraps the keys."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from core.models import AuditEvent
from documents import crypto, services
from documents.models import MedicalDocument
from documents.tests import samples
from documents.tests.helpers import stored_files, upload_file

pytestmark = pytest.mark.django_db


def _blob(document: MedicalDocument) -> bytes:
    with default_storage.open(document.storage_path, "rb") as blob:
        return blob.read()


def make_legacy(document: MedicalDocument, data: bytes) -> MedicalDocument:
    """Turn `document` into one stored before per-document keys: its blob under the ring itself."""
    default_storage.delete(document.storage_path)
    default_storage.save(document.storage_path, ContentFile(crypto.encrypt(data)))
    MedicalDocument.objects.filter(pk=document.pk).update(wrapped_key="")
    document.refresh_from_db()
    return document


@pytest.fixture
def old_key(settings):
    return settings.DOCUMENT_KEYS[0]


@pytest.fixture
def new_key():
    return Fernet.generate_key().decode()


def test_each_document_has_its_own_data_key_stored_only_wrapped(settings, patient, pdf_bytes):
    first = upload_file(patient, pdf_bytes, title="First")
    second = upload_file(patient, pdf_bytes, title="Second")
    [ring_key] = settings.DOCUMENT_KEYS

    keys = [Fernet(ring_key).decrypt(d.wrapped_key.encode()) for d in (first, second)]

    assert keys[0] != keys[1]
    assert Fernet(keys[0]).decrypt(_blob(first)) == pdf_bytes
    assert Fernet(keys[1]).decrypt(_blob(second)) == pdf_bytes
    # The blob is not under the ring key, and the other document's key does not open it.
    with pytest.raises(InvalidToken):
        Fernet(ring_key).decrypt(_blob(first))
    with pytest.raises(InvalidToken):
        Fernet(keys[1]).decrypt(_blob(first))
    # The data key in clear is nowhere in the rows.
    rows = str([model_to_dict(d) for d in MedicalDocument.objects.all()])
    assert keys[0].decode() not in rows
    assert keys[1].decode() not in rows


def test_a_legacy_document_under_the_ring_itself_still_reads(patient, document, pdf_bytes):
    make_legacy(document, pdf_bytes)
    assert document.wrapped_key == ""

    assert services.document_read(document=document, reader=patient, now=timezone.now()) == pdf_bytes


def test_a_wrapped_key_the_ring_cannot_open_makes_the_read_fail_cleanly(settings, patient, document, new_key):
    settings.DOCUMENT_KEYS = [new_key]  # the key that wrapped the data key was lost

    with pytest.raises(services.DocumentUnavailable):
        services.document_read(document=document, reader=patient, now=timezone.now())

    assert AuditEvent.objects.filter(action="documents.document.read_failed").count() == 1


def test_rotation_moves_a_legacy_document_to_its_own_key_under_a_new_name(
    settings, media, patient, document, pdf_bytes, old_key, new_key, django_capture_on_commit_callbacks
):
    make_legacy(document, pdf_bytes)
    legacy_name = document.stored_name
    settings.DOCUMENT_KEYS = [new_key, old_key]

    with django_capture_on_commit_callbacks(execute=True):
        report = services.documents_rotate(now=timezone.now())

    assert (report.migrated, report.rotated, report.current, report.failed) == (1, 0, 0, 0)
    document.refresh_from_db()
    assert document.stored_name != legacy_name
    assert [blob.name for blob in stored_files(media)] == [document.stored_name]  # the legacy blob is gone
    data_key = Fernet(new_key).decrypt(document.wrapped_key.encode())
    assert Fernet(data_key).decrypt(_blob(document)) == pdf_bytes
    settings.DOCUMENT_KEYS = [new_key]
    assert services.document_read(document=document, reader=patient, now=timezone.now()) == pdf_bytes
    event = AuditEvent.objects.get(action="documents.document.rekeyed")
    assert event.after == {"how": "own_key"}


def test_rotation_migrates_legacy_documents_and_only_rewraps_the_others(
    settings, media, patient, pdf_bytes, old_key, new_key, django_capture_on_commit_callbacks
):
    legacy = make_legacy(upload_file(patient, pdf_bytes, title="Old"), pdf_bytes)
    keyed = upload_file(patient, samples.png("keyed"), title="Keyed")
    keyed_blob = _blob(keyed)
    settings.DOCUMENT_KEYS = [new_key, old_key]

    with django_capture_on_commit_callbacks(execute=True):
        first = services.documents_rotate(now=timezone.now())
        second = services.documents_rotate(now=timezone.now())

    assert (first.migrated, first.rotated, first.current, first.failed) == (1, 1, 0, 0)
    assert (second.migrated, second.rotated, second.current, second.failed) == (0, 0, 2, 0)
    keyed.refresh_from_db()
    legacy.refresh_from_db()
    # Re-wrapping left the blob exactly as it was, under the same name.
    assert _blob(keyed) == keyed_blob
    settings.DOCUMENT_KEYS = [new_key]
    assert services.document_read(document=keyed, reader=patient, now=timezone.now()) == samples.png("keyed")
    assert services.document_read(document=legacy, reader=patient, now=timezone.now()) == pdf_bytes
    assert len(stored_files(media)) == 2


def test_a_legacy_migration_run_again_from_a_stale_row_changes_nothing(
    settings, media, patient, document, pdf_bytes, old_key, new_key, django_capture_on_commit_callbacks
):
    make_legacy(document, pdf_bytes)
    stale = MedicalDocument.objects.get(pk=document.pk)
    settings.DOCUMENT_KEYS = [new_key, old_key]
    with django_capture_on_commit_callbacks(execute=True):
        assert services._rotate_one(document, now=timezone.now()) == "migrated"
    document.refresh_from_db()

    # A second worker still holding the row as it was: the legacy blob is gone, it reads the row again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services._rotate_one(stale, now=timezone.now()) == "current"

    assert [blob.name for blob in stored_files(media)] == [document.stored_name]
    assert MedicalDocument.objects.get(pk=document.pk).wrapped_key == document.wrapped_key


def test_a_legacy_migration_that_loses_the_race_drops_its_own_blob(
    settings, media, monkeypatch, patient, document, pdf_bytes, old_key, new_key, django_capture_on_commit_callbacks
):
    make_legacy(document, pdf_bytes)
    settings.DOCUMENT_KEYS = [new_key, old_key]
    write_blob = services._write_blob

    def other_worker_finishes_first(path, token):
        write_blob(path, token)
        monkeypatch.setattr(services, "_write_blob", write_blob)
        assert services._rotate_one(MedicalDocument.objects.get(pk=document.pk), now=timezone.now()) == "migrated"

    monkeypatch.setattr(services, "_write_blob", other_worker_finishes_first)
    with django_capture_on_commit_callbacks(execute=True):
        assert services._rotate_one(document, now=timezone.now()) == "current"

    winner = MedicalDocument.objects.get(pk=document.pk)
    assert [blob.name for blob in stored_files(media)] == [winner.stored_name]
    settings.DOCUMENT_KEYS = [new_key]
    assert services.document_read(document=winner, reader=patient, now=timezone.now()) == pdf_bytes


def test_a_data_key_no_ring_key_opens_fails_the_rotation_and_is_left_alone(settings, document, new_key):
    wrapped = document.wrapped_key
    settings.DOCUMENT_KEYS = [new_key]  # the key that wrapped it was lost

    with pytest.raises(CommandError, match=r"re-wrapped 0 data keys .* 0 were already under it; 1 could not be read"):
        call_command("rotate_document_keys")

    assert MedicalDocument.objects.get(pk=document.pk).wrapped_key == wrapped
