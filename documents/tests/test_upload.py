"""Uploading: the type is read from the bytes, the size is capped, refusals store nothing, names are ours."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import ValidationFailed
from core.models import AuditEvent
from documents import services
from documents.models import DocumentKind, MedicalDocument
from documents.sniff import sniff
from documents.tests import samples
from documents.tests.helpers import stored_files, upload_file

pytestmark = pytest.mark.django_db

NOT_ACCEPTED = "This file is not a PDF, JPEG, PNG or DICOM file."


# --- sniffing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (samples.pdf(), DocumentKind.PDF),
        (samples.jpeg(), DocumentKind.JPEG),
        (samples.png(), DocumentKind.PNG),
        (samples.dicom(), DocumentKind.DICOM),
    ],
    ids=["pdf", "jpeg", "png", "dicom"],
)
def test_each_accepted_kind_is_recognised_from_its_first_bytes(data, kind):
    assert sniff(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        samples.windows_executable(),
        samples.executable_dicom_polyglot(),
        b"MZ" + samples.pdf(),
        b"\x7fELF\x02\x01\x01" + b"\0" * 200,
        b"PK\x03\x04" + b"\0" * 200,
        b"Dear doctor, here are my results.\n" * 10,
        b"<html><script>alert(1)</script></html>",
        b" %PDF-1.4\n",  # the signature must be at the very start
        b"",
    ],
    ids=["exe", "exe-dicom-polyglot", "mz-then-pdf", "elf", "zip", "text", "html", "offset-pdf", "empty"],
)
def test_anything_else_is_not_recognised(data):
    assert sniff(data) is None


# --- what is accepted -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (samples.pdf(), "report.pdf", DocumentKind.PDF),
        (samples.jpeg(), "photo.jpg", DocumentKind.JPEG),
        (samples.png(), "scan.png", DocumentKind.PNG),
        (samples.dicom(), "ct.dcm", DocumentKind.DICOM),
        (samples.png(), "scan.pdf", DocumentKind.PNG),  # a misleading name does not change the kind
    ],
    ids=["pdf", "jpeg", "png", "dicom", "png-named-pdf"],
)
def test_a_real_file_of_each_kind_is_stored_as_the_kind_its_bytes_say(patient, media, data, name, kind):
    document = upload_file(patient, data, name=name)

    assert document.kind == kind
    assert document.size == len(data)
    assert len(stored_files(media)) == 1
    assert AuditEvent.objects.filter(action="documents.document.uploaded", target_id=str(document.pk)).count() == 1


def test_a_file_exactly_at_the_limit_is_accepted(patient, settings):
    data = samples.pdf()
    settings.DOCUMENT_MAX_BYTES = len(data)

    assert upload_file(patient, data).size == len(data)


# --- what is refused, and that nothing is left behind ---------------------------------------------------


REFUSED = [
    pytest.param(samples.windows_executable(), "x.pdf", NOT_ACCEPTED, id="exe-named-pdf"),
    pytest.param(samples.executable_dicom_polyglot(), "scan.dcm", NOT_ACCEPTED, id="exe-dicom-polyglot"),
    pytest.param(b"Dear doctor, here are my results.\n", "letter.pdf", NOT_ACCEPTED, id="text"),
    pytest.param(b"", "empty.pdf", "This file is empty", id="empty"),
]


@pytest.mark.parametrize(("data", "name", "message"), REFUSED)
def test_a_refused_file_stores_nothing_and_says_why(patient, media, data, name, message):
    with pytest.raises(ValidationFailed) as refusal:
        upload_file(patient, data, name=name)

    assert message in refusal.value.message
    assert not MedicalDocument.objects.exists()
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(action__startswith="documents.").exists()


def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_message(patient, media, settings):
    data = samples.pdf()
    settings.DOCUMENT_MAX_BYTES = len(data) - 1

    with pytest.raises(ValidationFailed) as refusal:
        upload_file(patient, data)

    assert refusal.value.code == "too_large"
    assert "This file is larger than" in refusal.value.message
    assert not MedicalDocument.objects.exists()
    assert stored_files(media) == []


def test_the_size_is_checked_on_the_bytes_read_not_only_on_the_declared_size(patient, media, settings):
    data = samples.pdf()
    settings.DOCUMENT_MAX_BYTES = len(data) - 1
    upload = SimpleUploadedFile("report.pdf", data, content_type="application/pdf")
    upload.size = 10  # a file object that understates its size

    with pytest.raises(ValidationFailed, match="larger than"):
        services.document_upload(owner=patient, upload=upload, title="Report", now=timezone.now())
    assert stored_files(media) == []


@pytest.mark.parametrize(("data", "name", "message"), REFUSED)
def test_the_upload_page_shows_the_refusal_on_the_form(client, patient, media, data, name, message):
    client.force_login(patient)

    response = client.post(
        reverse("documents:upload"),
        {"title": "My results", "file": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MedicalDocument.objects.exists()
    assert stored_files(media) == []


def test_the_upload_page_refuses_a_file_over_the_limit_with_a_clear_message(client, patient, media, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    client.force_login(patient)
    data = samples.pdf() + b"%" + b"x" * 1024

    response = client.post(
        reverse("documents:upload"),
        {"title": "My results", "file": SimpleUploadedFile("big.pdf", data, content_type="application/pdf")},
    )

    assert response.status_code == 400
    assert "This file is larger than 1.0\xa0KB: send a smaller file, or split it into several." in (
        response.content.decode()
    )
    assert stored_files(media) == []


@pytest.mark.parametrize(("data", "name", "message"), REFUSED)
def test_the_api_refuses_with_the_error_shape_and_stores_nothing(api_as, patient, media, data, name, message):
    response = api_as(patient).post(
        "/api/v1/documents/",
        {"title": "My results", "file": SimpleUploadedFile(name, data, content_type="application/pdf")},
        format="multipart",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "details"}
    assert message in response.json()["message"]
    assert "file" in response.json()["details"]
    assert not MedicalDocument.objects.exists()
    assert stored_files(media) == []


# --- names -----------------------------------------------------------------------------------------------


def test_the_stored_name_is_random_and_never_contains_the_uploaded_name(patient, media):
    document = upload_file(patient, samples.pdf(), name="hiv-test-positive-john-smith.pdf", title="Results")

    assert re.fullmatch(r"[0-9a-f]{32}\.bin", document.stored_name)
    [blob] = stored_files(media)
    assert blob.relative_to(media).as_posix() == f"documents/{document.stored_name}"
    assert "hiv" not in blob.relative_to(media).as_posix()
    assert "smith" not in blob.relative_to(media).as_posix()


def test_a_hostile_file_name_changes_nothing_but_a_hostile_title_is_cleaned(patient, media):
    document = upload_file(
        patient,
        samples.pdf(),
        name="../../etc/passwd\u202efdp.exe",
        title="Scan\u202efdp.exe\r\n<script>alert(1)</script>",
    )

    assert document.title == "Scan fdp.exe <script>alert(1)</script>"
    assert document.download_name == "scan-fdpexe-scriptalert1script.pdf"
    assert [p.relative_to(media).as_posix() for p in stored_files(media)] == [f"documents/{document.stored_name}"]


def test_a_title_is_required(patient, media):
    with pytest.raises(ValidationFailed) as refusal:
        upload_file(patient, samples.pdf(), title=" \u200b ")

    assert "title" in refusal.value.details
    assert stored_files(media) == []


def test_a_patient_uploads_through_the_page_and_finds_the_document_in_the_list(client, patient, media):
    client.force_login(patient)

    response = client.post(
        reverse("documents:upload"),
        {"title": "MRI of the left knee", "file": SimpleUploadedFile("knee.dcm", samples.dicom())},
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "MRI of the left knee" in page
    assert "DICOM image" in page
    assert MedicalDocument.objects.get().owner == patient


def test_a_patient_uploads_through_the_api_and_lists_only_their_own_documents(api_as, patient, other_patient):
    upload_file(other_patient, samples.pdf(), title="Bob's report")

    created = api_as(patient).post(
        "/api/v1/documents/",
        {"title": "Chest X-ray", "file": SimpleUploadedFile("xray.png", samples.png())},
        format="multipart",
    )
    listed = api_as(patient).get("/api/v1/documents/")

    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "png"
    assert body["content_type"] == "image/png"
    assert body["download_url"] == f"/api/v1/documents/{body['id']}/download/"
    assert [d["title"] for d in listed.json()] == ["Chest X-ray"]


def test_signing_in_is_needed_to_upload(client, anonymous):
    assert client.get(reverse("documents:upload")).status_code == 302
    assert anonymous.post("/api/v1/documents/", {}, format="multipart").status_code in {401, 403}


# --- throttle (docs/decisions.md#holds-per-patient) --------------------------------------------------------


def test_uploads_are_throttled_per_patient_on_the_page_and_the_api_together(
    settings, client, api_as, patient, other_patient, media
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"document_uploads": "2/hour"}}
    client.force_login(patient)

    def file():
        return SimpleUploadedFile("a.pdf", samples.pdf(), content_type="application/pdf")

    page = client.post(reverse("documents:upload"), {"title": "One", "file": file()})
    api = api_as(patient).post("/api/v1/documents/", {"title": "Two", "file": file()}, format="multipart")
    refused_api = api_as(patient).post("/api/v1/documents/", {"title": "Three", "file": file()}, format="multipart")
    refused_page = client.post(reverse("documents:upload"), {"title": "Four", "file": file()})

    assert (page.status_code, api.status_code) == (302, 201)
    assert refused_api.status_code == 429
    assert refused_api.json()["code"] == "throttled"
    assert refused_page.status_code == 400
    assert "Too many attempts" in refused_page.content.decode()
    assert MedicalDocument.objects.filter(owner=patient).count() == 2
    assert (
        api_as(other_patient)
        .post("/api/v1/documents/", {"title": "Mine", "file": file()}, format="multipart")
        .status_code
        == 201
    )
