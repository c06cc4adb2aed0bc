"""The careteam's answers to data-rights requests through the API: the same rules as the
careteam's request page (privacy/views/requests.py)."""

from __future__ import annotations

import pytest

from privacy.models import DataRequest, RequestKind, RequestStatus
from privacy.services.requests import request_open

pytestmark = pytest.mark.django_db


def _request(patient, details="No profiling") -> DataRequest:
    return request_open(user=patient, kind=RequestKind.OBJECTION, details=details, now=patient.date_joined)


def test_only_the_careteam_reads_a_request_with_what_it_may_do(api_as, anonymous, patient, careteam, finance):
    request = _request(patient)
    url = f"/api/v1/privacy/careteam/requests/{request.pk}/"

    assert anonymous.get(url).status_code in {401, 403}
    assert api_as(patient).get(url).status_code == 403
    assert api_as(finance).get(url).status_code == 403
    body = api_as(careteam).get(url).json()
    assert body["details"] == "No profiling"
    assert body["person_reference"].startswith("P-")
    assert body["available_actions"]["extend"]["allowed"] is True
    assert api_as(careteam).get("/api/v1/privacy/careteam/requests/999999/").status_code == 404


def test_the_careteam_extends_once_then_completes_and_a_closed_request_stays_closed(api_as, patient, careteam):
    request = _request(patient)
    team = api_as(careteam)
    base = f"/api/v1/privacy/careteam/requests/{request.pk}"

    assert team.post(f"{base}/extend/", {"text": ""}, format="json").status_code == 400
    extended = team.post(f"{base}/extend/", {"text": "Many providers to ask"}, format="json")
    assert extended.status_code == 200
    assert extended.json()["extension_reason"] == "Many providers to ask"
    assert extended.json()["available_actions"]["extend"]["allowed"] is False
    again = team.post(f"{base}/extend/", {"text": "Again"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_extended"

    done = team.post(f"{base}/complete/", {"text": "We stopped it."}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == RequestStatus.DONE
    assert done.json()["answer"] == "We stopped it."
    assert team.post(f"{base}/refuse/", {"text": "No"}, format="json").status_code == 409
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE


def test_the_careteam_refuses_with_the_reason_and_no_one_else_may(api_as, patient, careteam):
    request = _request(patient)
    url = f"/api/v1/privacy/careteam/requests/{request.pk}/refuse/"

    assert api_as(patient).post(url, {"text": "No"}, format="json").status_code == 403
    refused = api_as(careteam).post(url, {"text": "Nothing wrong found."}, format="json")
    assert refused.status_code == 200
    assert refused.json()["status"] == RequestStatus.REFUSED
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert request.answer == "Nothing wrong found."
