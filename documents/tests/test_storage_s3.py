"""Documents and photos on an S3-compatible bucket (STORAGE_URL), against a local S3 server (moto's,
tests/s3.py): what leaves the process is ciphertext, reads come back whole, a shred removes the
object, the rotation works there too, and nothing in the bucket is public."""

from __future__ import annotations

import io
import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from documents import crypto, services
from documents.models import MedicalDocument
from documents.tests import samples
from documents.tests.helpers import upload_file

pytestmark = pytest.mark.django_db


def _objects(storage) -> dict[str, bytes]:
    """Every object in the test's bucket, read straight from S3 (not through our code)."""
    return {obj.key: obj.get()["Body"].read() for obj in storage.bucket.objects.all()}


def test_an_upload_lands_in_the_bucket_encrypted_and_reads_back(s3_storage, patient):
    canary = secrets.token_hex(16)
    data = samples.pdf(f"Diagnosis {canary}")
    assert canary.encode() in data  # positive control: the plaintext carries the canary

    document = upload_file(patient, data)

    objects = _objects(s3_storage)
    assert list(objects) == [document.storage_path]
    stored = objects[document.storage_path]
    assert canary.encode() not in stored
    assert not stored.startswith(b"%PDF-")
    assert crypto.decrypt_with(crypto.unwrap_key(document.wrapped_key), stored) == data
    assert services.document_read(document=document, reader=patient, now=timezone.now()) == data


def test_the_objects_are_private(s3_storage, patient):
    document = upload_file(patient, samples.pdf())

    acl = s3_storage.bucket.Object(document.storage_path).Acl()
    # Only the bucket's owner: no grant to everyone or to any signed-in AWS user.
    assert [(g["Grantee"]["Type"], g["Permission"]) for g in acl.grants] == [("CanonicalUser", "FULL_CONTROL")]
    assert "Signature=" in s3_storage.url(document.storage_path)  # reached only through a signed URL


def test_a_shred_removes_the_object_from_the_bucket(s3_storage, patient, pdf_bytes, django_capture_on_commit_callbacks):
    document = upload_file(patient, pdf_bytes)
    kept = upload_file(patient, samples.png("kept"), title="Kept")

    with django_capture_on_commit_callbacks(execute=True):
        services.document_shred(document=document, now=timezone.now())

    assert list(_objects(s3_storage)) == [kept.storage_path]
    with pytest.raises(services.DocumentErased):
        services.document_read(document=document, reader=patient, now=timezone.now())


def test_the_rotation_works_on_the_bucket(settings, s3_storage, patient, pdf_bytes, django_capture_on_commit_callbacks):
    old_key = settings.DOCUMENT_KEYS[0]
    keyed = upload_file(patient, pdf_bytes, title="Keyed")
    legacy = upload_file(patient, samples.png("legacy"), title="Legacy")
    s3_storage.delete(legacy.storage_path)
    s3_storage.save(legacy.storage_path, ContentFile(crypto.encrypt(samples.png("legacy"))))
    MedicalDocument.objects.filter(pk=legacy.pk).update(wrapped_key="")
    keyed_object = _objects(s3_storage)[keyed.storage_path]
    new_key = Fernet.generate_key().decode()
    settings.DOCUMENT_KEYS = [new_key, old_key]

    with django_capture_on_commit_callbacks(execute=True):
        report = services.documents_rotate(now=timezone.now())

    assert (report.migrated, report.rotated, report.current, report.failed) == (1, 1, 0, 0)
    settings.DOCUMENT_KEYS = [new_key]
    legacy.refresh_from_db()
    keyed.refresh_from_db()
    objects = _objects(s3_storage)
    assert set(objects) == {legacy.storage_path, keyed.storage_path}  # the legacy object was replaced
    assert objects[keyed.storage_path] == keyed_object  # re-wrapping left the object alone
    assert services.document_read(document=legacy, reader=patient, now=timezone.now()) == samples.png("legacy")
    assert services.document_read(document=keyed, reader=patient, now=timezone.now()) == pdf_bytes


def test_an_object_is_never_overwritten(s3_storage, patient, document):
    with pytest.raises(RuntimeError, match="renamed"):
        services._write_blob(document.storage_path, b"something else")

    assert services.document_read(document=document, reader=patient, now=timezone.now())


def test_a_provider_photo_goes_to_the_bucket_with_a_signed_url(s3_storage, clinic, clinic_admin):
    from providers.services.members import photo_add

    image = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(image, format="PNG")
    upload = SimpleUploadedFile("photo.png", image.getvalue(), content_type="image/png")

    photo = photo_add(provider=clinic, actor=clinic_admin, upload=upload, now=timezone.now())

    assert photo.image.name in _objects(s3_storage)
    assert (photo.width, photo.height) == (40, 30)
    assert "Signature=" in photo.image.url


@pytest.fixture
def unreachable_bucket(settings):
    """The default storage is a bucket on an endpoint where nothing answers (an outage)."""
    from tests.s3 import storage_options

    settings.STORAGES = {**settings.STORAGES, "default": storage_options("http://127.0.0.1:9", "gone")}


def test_a_storage_outage_refuses_the_upload_cleanly_and_writes_nothing(unreachable_bucket, patient, pdf_bytes):
    with pytest.raises(services.DocumentUnavailable) as failure:
        upload_file(patient, pdf_bytes)

    assert failure.value.code == "storage_unavailable"
    assert not MedicalDocument.objects.exists()


def test_a_storage_outage_makes_a_read_fail_cleanly_and_audited(settings, patient, document):
    from core.models import AuditEvent
    from tests.s3 import storage_options

    settings.STORAGES = {**settings.STORAGES, "default": storage_options("http://127.0.0.1:9", "gone")}

    with pytest.raises(services.DocumentUnavailable) as failure:
        services.document_read(document=document, reader=patient, now=timezone.now())

    assert failure.value.code == "document_unavailable"
    event = AuditEvent.objects.get(action="documents.document.read_failed")
    assert event.after["error"] == "_StorageUnreachable"


def test_a_storage_outage_during_a_shred_still_destroys_the_key_and_a_second_shred_finishes(
    settings, media, patient, document, django_capture_on_commit_callbacks
):
    from tests.s3 import storage_options

    local = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": storage_options("http://127.0.0.1:9", "gone")}
    with django_capture_on_commit_callbacks(execute=True):
        services.document_shred(document=document, now=timezone.now())
    assert MedicalDocument.objects.get(pk=document.pk).wrapped_key == ""
    assert (media / document.storage_path).exists()  # the blob could not be deleted yet...

    settings.STORAGES = {**settings.STORAGES, "default": local}
    with django_capture_on_commit_callbacks(execute=True):
        services.document_shred(document=document, now=timezone.now())

    assert not (media / document.storage_path).exists()  # ...the next run deleted it
