"""A medical document's download asks for the password again when the last sign-in or
re-authentication is older than ACCOUNT_REAUTHENTICATION_TIMEOUT (finding 13)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def download_url(document) -> str:
    return reverse("documents:download", kwargs={"document_id": document.pk})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_old_session_is_asked_for_the_password_before_the_download(client, patient, document):
    client.force_login(patient)  # a session with no record of a recent sign-in

    response = client.get(download_url(document))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert "next=" in response["Location"]


def test_right_after_signing_in_the_download_asks_nothing_more(client, patient, document, pdf_bytes):
    client.post(reverse("account_login"), {"login": patient.email, "password": PASSWORD})

    response = client.get(download_url(document))

    assert response.status_code == 200
    assert body(response) == pdf_bytes


def test_eleven_minutes_later_the_password_is_asked_then_the_download_resumes(client, patient, document, pdf_bytes):
    with time_machine.travel(START, tick=False) as traveller:
        client.post(reverse("account_login"), {"login": patient.email, "password": PASSWORD})
        traveller.shift(dt.timedelta(minutes=11))

        asked = client.get(download_url(document))
        assert asked.status_code == 302
        assert asked["Location"].startswith(reverse("account_reauthenticate"))

        wrong = client.post(asked["Location"], {"password": "not the password"})
        assert wrong.status_code == 200
        assert client.get(download_url(document)).status_code == 302

        answered = client.post(asked["Location"], {"password": PASSWORD})
        assert answered.status_code == 302
        assert answered["Location"] == download_url(document)
        response = client.get(answered["Location"])

    assert response.status_code == 200
    assert body(response) == pdf_bytes


def test_a_signed_out_visitor_still_gets_the_same_404(document):
    response = Client().get(download_url(document))

    assert response.status_code == 404
