"""The "Your data" page (progress polled, download once), the providers' and the careteam's pages,
and the same rights in the API."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from accounts.tests.factories import sign_in
from privacy.models import DataRequest, ForwardOutcome, RequestKind, RequestStatus
from privacy.services.requests import request_open

pytestmark = pytest.mark.django_db


def test_asking_for_a_copy_then_downloading_it_once_from_the_page(client, patient, fake_declaration, commit):
    sign_in(client, patient)
    home = client.get(reverse("privacy:home"))
    assert home.status_code == 200
    assert "Ask for a copy of my data" in home.content.decode()

    response = commit(lambda: client.post(reverse("privacy:export_ask")))
    assert response.status_code == 302
    export = DataRequest.objects.get(user=patient, kind=RequestKind.EXPORT)
    assert export.status == RequestStatus.DONE

    page = client.get(reverse("privacy:home")).content.decode()
    assert "Download my data (ZIP)" in page
    assert 'hx-trigger="every' not in page  # finished: no more polling

    download = commit(lambda: client.post(reverse("privacy:export_download", args=[export.pk])))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "data.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()

    again = client.post(reverse("privacy:export_download", args=[export.pk]), follow=True)
    assert again.status_code == 200
    assert "ask for a new copy" in again.content.decode()
    assert "Download my data (ZIP)" not in again.content.decode()


def test_the_page_polls_the_progress_while_the_copy_is_made(client, patient):
    export = request_open(user=patient, kind=RequestKind.EXPORT, now=patient.date_joined)
    DataRequest.objects.filter(pk=export.pk).update(progress=40, status=RequestStatus.IN_PROGRESS)
    sign_in(client, patient)

    page = client.get(reverse("privacy:home")).content.decode()
    assert f'hx-get="{reverse("privacy:export_progress", args=[export.pk])}"' in page
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get(reverse("privacy:export_progress", args=[export.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "40 % done" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_someone_elses_export_is_not_found_on_the_page(client, patient, other_patient):
    export = request_open(user=patient, kind=RequestKind.EXPORT, now=patient.date_joined)
    sign_in(client, other_patient)

    assert client.get(reverse("privacy:export_progress", args=[export.pk]), HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(reverse("privacy:export_download", args=[export.pk])).status_code == 404


def test_a_correction_from_the_page_is_listed_with_its_due_date(client, patient):
    sign_in(client, patient)
    response = client.post(
        reverse("privacy:request_ask"), {"kind": "rectification", "details": "My birth date is wrong"}, follow=True
    )
    text = response.content.decode()
    request = DataRequest.objects.get(user=patient, kind=RequestKind.RECTIFICATION)
    assert "Your request is received" in text
    assert f"#{request.pk}" in text
    empty = client.post(reverse("privacy:request_ask"), {"kind": "objection", "details": ""}, follow=True)
    assert empty.status_code == 200
    assert not DataRequest.objects.filter(kind=RequestKind.OBJECTION).exists()


def test_a_provider_member_answers_from_the_providers_page(
    client, patient, clinic, clinic_admin, rival_member, fake_declaration
):
    fake_declaration["providers"] = [clinic.pk]
    request = request_open(user=patient, kind=RequestKind.ERASURE, now=patient.date_joined)
    forward = request.forwards.get()
    sign_in(client, rival_member)
    assert client.post(reverse("privacy:forward_answer", args=[forward.pk]), {}).status_code == 404
    assert f"Request #{request.pk}" not in client.get(reverse("privacy:provider_forwards")).content.decode()

    sign_in(client, clinic_admin)
    page = client.get(reverse("privacy:provider_forwards")).content.decode()
    assert f"Request #{request.pk}" in page
    assert patient.email not in page
    client.post(
        reverse("privacy:forward_answer", args=[forward.pk]),
        {f"f{forward.pk}-outcome": ForwardOutcome.NOTHING_HELD, f"f{forward.pk}-answer": ""},
    )
    forward.refresh_from_db()
    assert forward.outcome == ForwardOutcome.NOTHING_HELD


def test_the_careteam_answers_from_the_requests_page(client, patient, careteam):
    request = request_open(user=patient, kind=RequestKind.OBJECTION, details="No profiling", now=patient.date_joined)
    sign_in(client, patient)
    assert client.get(reverse("privacy:careteam_request", args=[request.pk])).status_code == 403

    sign_in(client, careteam)
    assert "No profiling" in client.get(reverse("privacy:careteam_request", args=[request.pk])).content.decode()
    client.post(reverse("privacy:careteam_complete", args=[request.pk]), {"text": "We stopped it."})
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert request.answer == "We stopped it."
    other = request_open(user=patient, kind=RequestKind.RECTIFICATION, details="x", now=patient.date_joined)
    client.post(reverse("privacy:careteam_refuse", args=[other.pk]), {"refuse-text": ""})
    other.refresh_from_db()
    assert other.status == RequestStatus.RECEIVED  # no reason: nothing done
    client.post(reverse("privacy:careteam_refuse", args=[other.pk]), {"refuse-text": "Nothing to correct."})
    other.refresh_from_db()
    assert other.status == RequestStatus.REFUSED


# --- API ------------------------------------------------------------------------------------------------------


def test_the_api_asks_for_a_copy_shows_it_and_downloads_it_once(
    api_as, patient, other_patient, fake_declaration, commit
):
    api = api_as(patient)
    created = commit(lambda: api.post("/api/v1/privacy/requests/", {"kind": "export"}, format="json"))
    assert created.status_code == 201, created.content
    body = created.json()
    token = body["download_token"]
    assert token
    again = api.post("/api/v1/privacy/requests/", {"kind": "export"}, format="json")
    # the first one is done: asking again opens a new one
    assert again.status_code == 201
    assert again.json()["id"] != body["id"]

    detail = api.get(f"/api/v1/privacy/requests/{body['id']}/").json()
    assert detail["status"] == "done"
    assert detail["progress"] == 100
    assert detail["available_actions"]["download"]["allowed"] is True

    other = api_as(other_patient)
    assert other.get(f"/api/v1/privacy/requests/{body['id']}/").status_code == 404
    assert other.post(f"/api/v1/privacy/requests/{body['id']}/download/", {"token": token}).status_code == 404
    assert api.post(f"/api/v1/privacy/requests/{body['id']}/download/", {"token": "wrong"}).status_code == 404

    download = api.post(f"/api/v1/privacy/requests/{body['id']}/download/", {"token": token})
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "summary.html" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    second = api.post(f"/api/v1/privacy/requests/{body['id']}/download/", {"token": token})
    assert second.status_code in (404, 409)


def test_the_api_shows_the_running_request_when_asked_twice(api_as, patient):
    api = api_as(patient)
    first = api.post("/api/v1/privacy/requests/", {"kind": "objection", "details": "No ads"}, format="json")
    second = api.post("/api/v1/privacy/requests/", {"kind": "objection", "details": "No ads"}, format="json")
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    missing = api.post("/api/v1/privacy/requests/", {"kind": "rectification", "details": ""}, format="json")
    assert missing.status_code == 400
    assert missing.json()["message"]
    assert api.post("/api/v1/privacy/requests/", {"kind": "erasure"}, format="json").status_code == 400
    listed = api.get("/api/v1/privacy/requests/").json()
    assert [r["kind"] for r in listed] == ["objection"]


def test_the_api_lists_and_answers_forwards_for_members_only(
    api_as, patient, clinic, clinic_admin, rival_member, fake_declaration
):
    fake_declaration["providers"] = [clinic.pk]
    request = request_open(user=patient, kind=RequestKind.RECTIFICATION, details="Typo", now=patient.date_joined)
    forward = request.forwards.get()

    assert api_as(rival_member).get("/api/v1/privacy/forwards/").json() == []
    refused = api_as(rival_member).post(f"/api/v1/privacy/forwards/{forward.pk}/answer/", {"outcome": "done"})
    assert refused.status_code == 404
    member = api_as(clinic_admin)
    [listed] = member.get("/api/v1/privacy/forwards/").json()
    assert listed["request"] == request.pk
    assert listed["person_reference"].startswith("P-")
    answered = member.post(f"/api/v1/privacy/forwards/{forward.pk}/answer/", {"outcome": "done", "answer": "Fixed"})
    assert answered.status_code == 200
    assert answered.json()["outcome"] == "done"
    assert member.post(f"/api/v1/privacy/forwards/{forward.pk}/answer/", {"outcome": "done"}).status_code == 409
