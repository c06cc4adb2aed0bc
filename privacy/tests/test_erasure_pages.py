"""Erasure pages and API: re-authentication first, what must end first with its link, the
confirmation, the progress that signs the person out once done, and nobody else's request."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import sign_in
from privacy.models import DataRequest, RequestKind, RequestStatus
from privacy.services.erasure import erasure_confirm, erasure_run
from privacy.tests.erasure_support import DEPOSIT_BLOCKER, LEDGER_KEPT, fakes  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_page_asks_to_re_authenticate_first(client, patient, fakes):  # noqa: F811
    client.force_login(patient)  # signed in, but no recent proof of who they are
    answer = client.get(reverse("privacy:erasure"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_reauthenticate"))
    answer = client.post(reverse("privacy:erasure"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_reauthenticate"))
    assert not DataRequest.objects.exists()


def test_the_page_shows_what_must_end_first_and_refuses_the_confirmation(client, patient, fakes):  # noqa: F811
    fakes.blocked = True
    sign_in(client, patient)
    page = client.get(reverse("privacy:erasure")).content.decode()
    assert DEPOSIT_BLOCKER.what in page
    assert "Cancel the booking" in page
    assert f'href="{DEPOSIT_BLOCKER.url}"' in page
    assert LEDGER_KEPT.why in page
    assert "Your quote requests" in page
    assert 'data-testid="erasure-refused"' in page
    assert "Yes, erase my data" not in page  # no button for what would be refused

    answer = client.post(reverse("privacy:erasure"), follow=True)
    assert DEPOSIT_BLOCKER.what in answer.content.decode()
    assert not DataRequest.objects.filter(user=patient).exists()


def test_confirming_erases_then_signs_out_onto_the_last_page(
    client,
    patient,
    fakes,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    sign_in(client, patient)
    page = client.get(reverse("privacy:erasure")).content.decode()
    assert '<details class="confirm">' in page
    assert "cannot be reopened" in page

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("privacy:erasure"))
    request = DataRequest.objects.get(user=patient, kind=RequestKind.ERASURE)
    assert answer["Location"] == reverse("privacy:erasure_progress", args=[request.pk])
    assert request.status == RequestStatus.DONE  # the task ran (eager) once committed
    assert not User.objects.get(pk=patient.pk).is_active

    # The account is closed, so the session no longer signs anyone in; its progress page still
    # answers this session, and ends it.
    progress = client.get(answer["Location"], headers={"HX-Request": "true"})
    assert progress["HX-Redirect"] == reverse("privacy:erasure_done")
    last = client.get(reverse("privacy:erasure_done"))
    assert last.status_code == 200
    assert "Your data has been erased" in last.content.decode()
    assert "_auth_user_id" not in client.session
    # The session is gone; the browser's signed cookie still leads its progress page to the end.
    again = client.get(reverse("privacy:erasure_progress", args=[request.pk]))
    assert again["Location"] == reverse("privacy:erasure_done")
    client.cookies.clear()  # another browser: sent to sign in, told nothing
    assert client.get(reverse("privacy:erasure_progress", args=[request.pk]))["Location"].startswith(
        reverse("account_login")
    )


def test_the_progress_page_polls_while_it_runs(client, patient, fakes):  # noqa: F811
    sign_in(client, patient)
    request = erasure_confirm(user=patient, now=timezone.now())
    page = client.get(reverse("privacy:erasure_progress", args=[request.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "vendor/htmx/htmx.min.js" in page
    assert "<script>" not in page  # no inline script
    # The erasure page itself leads to the running request.
    assert client.get(reverse("privacy:erasure"))["Location"] == reverse("privacy:erasure_progress", args=[request.pk])


def test_another_persons_erasure_is_not_found(client, patient, other_patient, fakes, api_as):  # noqa: F811
    request = erasure_confirm(user=patient, now=timezone.now())
    sign_in(client, other_patient)
    assert client.get(reverse("privacy:erasure_progress", args=[request.pk])).status_code == 404
    answer = api_as(other_patient).get(reverse("privacy-api:erasure_status", args=[request.pk]))
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    # Anonymous: sign in first, nothing disclosed.
    client.logout()
    assert client.get(reverse("privacy:erasure_progress", args=[request.pk]))["Location"].startswith(
        reverse("account_login")
    )


def test_the_api_previews_refuses_with_the_blockers_then_erases(patient, fakes, api_as):  # noqa: F811
    api = api_as(patient)
    fakes.blocked = True
    preview = api.get(reverse("privacy-api:erasure")).json()
    assert preview["can_erase"] is False
    assert preview["blockers"] == [
        {"what": DEPOSIT_BLOCKER.what, "action": DEPOSIT_BLOCKER.action, "url": DEPOSIT_BLOCKER.url}
    ]
    assert preview["kept"] == [{"what": LEDGER_KEPT.what, "why": LEDGER_KEPT.why, "until": "2036-12-04"}]
    assert preview["open_request"] is None

    refused = api.post(reverse("privacy-api:erasure"))
    assert refused.status_code == 409
    assert refused.json()["code"] == "erasure_blocked"
    assert refused.json()["details"]["blockers"][0]["url"] == DEPOSIT_BLOCKER.url
    assert not DataRequest.objects.filter(user=patient).exists()

    fakes.blocked = False
    accepted = api.post(reverse("privacy-api:erasure"))
    assert accepted.status_code == 202
    request_id = accepted.json()["id"]
    assert accepted.json()["status"] == RequestStatus.IN_PROGRESS
    assert api.post(reverse("privacy-api:erasure")).json()["id"] == request_id  # the same request
    assert api.get(reverse("privacy-api:erasure")).json()["open_request"] == request_id

    erasure_run(request_id=request_id, now=timezone.now())
    status = api.get(reverse("privacy-api:erasure_status", args=[request_id])).json()
    assert status["status"] == RequestStatus.DONE
    assert status["progress"] == 100


def test_the_erasure_routes_are_in_the_api_schema(client):
    schema = client.get(reverse("api_schema")).content.decode()
    assert "/api/v1/privacy/erasure/" in schema
    assert "/api/v1/privacy/erasure/{request_id}/" in schema
