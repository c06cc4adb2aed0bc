"""The coordinator's API (/api/v1/second-opinions/coordinator/…): the same triage as the pages,
coordinators only (other staff 403, patients and providers 404), in the OpenAPI schema."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from payments.tests import conftest as payments_fixtures
from secondopinion.models import CaseStatus, DocumentRole
from secondopinion.tests import support_triage as support

pytestmark = pytest.mark.django_db

stripe_stub = payments_fixtures.stripe_stub  # Stripe's refunds, stubbed over HTTP
BASE = "/api/v1/second-opinions/coordinator/cases/"


@pytest.fixture
def submitted(patient, cardiology, diagnosis, now):
    return support.case_at(
        CaseStatus.SUBMITTED,
        patient=patient,
        specialty=cardiology,
        now=now,
        documents=[(diagnosis, DocumentRole.FIRST_DIAGNOSIS)],
    )


@pytest.fixture
def coordinator_api(api_as, coordinator):
    return api_as(coordinator)


@pytest.mark.parametrize(
    ("who", "expected"), [("careteam", 403), ("finance", 403), ("patient", 404), ("martin_user", 404)]
)
def test_only_coordinators_use_the_triage_api(api_as, request, submitted, who, expected):
    client = api_as(request.getfixturevalue(who))

    assert client.get(BASE).status_code == expected
    assert client.get(f"{BASE}{submitted.pk}/").status_code == expected
    assert client.post(f"{BASE}{submitted.pk}/take/").status_code == expected
    assert client.get(f"{BASE}{submitted.pk}/eligible-specialists/").status_code == expected
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED


def test_signed_out_callers_are_refused(api, submitted):
    assert api.get(BASE).status_code in {401, 403}


def test_the_queue_and_the_file_with_what_the_coordinator_may_do(coordinator_api, submitted):
    queue = coordinator_api.get(BASE)
    assert queue.status_code == 200
    assert [row["id"] for row in queue.json()] == [submitted.pk]

    detail = coordinator_api.get(f"{BASE}{submitted.pk}/").json()
    assert detail["status"] == "submitted"
    assert detail["documents"][0]["download_url"] == ""
    assert detail["available_actions"]["take"]["allowed"] is True
    assert detail["available_actions"]["shortlist"]["allowed"] is False


def test_the_triage_through_the_api(coordinator_api, submitted, martin, yilmaz, diagnosis):
    taken = coordinator_api.post(f"{BASE}{submitted.pk}/take/")
    assert taken.status_code == 200
    assert taken.json()["documents"][0]["download_url"] == f"/api/v1/documents/{diagnosis.pk}/download/"

    assert coordinator_api.post(f"{BASE}{submitted.pk}/skills/", {"skills": "Valves"}, format="json").status_code == 200
    eligible = coordinator_api.get(f"{BASE}{submitted.pk}/eligible-specialists/").json()
    assert {row["id"] for row in eligible} == {martin.pk, yilmaz.pk}
    assert {row["capacity_left"] for row in eligible} == {5}
    assert {row["turnaround_hours"] for row in eligible} == {None}

    one = coordinator_api.post(
        f"{BASE}{submitted.pk}/shortlist/", {"candidates": [{"specialist": martin.pk}]}, format="json"
    )
    assert one.status_code == 400
    assert one.json()["details"]["specialists"] == ["Propose at least two specialists so the patient can choose."]

    two = coordinator_api.post(
        f"{BASE}{submitted.pk}/shortlist/",
        {"candidates": [{"specialist": martin.pk, "note": "Paris"}, {"specialist": yilmaz.pk}]},
        format="json",
    )
    assert two.status_code == 200
    assert two.json()["status"] == "shortlisted"
    assert len(two.json()["candidates"]) == 2


def test_asking_for_documents_through_the_api(coordinator_api, submitted):
    coordinator_api.post(f"{BASE}{submitted.pk}/take/")

    empty = coordinator_api.post(f"{BASE}{submitted.pk}/request-documents/", {"message": ""}, format="json")
    asked = coordinator_api.post(
        f"{BASE}{submitted.pk}/request-documents/", {"message": "The MRI report"}, format="json"
    )

    assert empty.status_code == 400
    assert asked.status_code == 200
    assert asked.json()["status"] == "awaiting_documents"
    assert asked.json()["clock"]["paused_since"] is not None


def test_another_coordinator_gets_403_once_the_case_is_taken(coordinator_api, api_as, other_coordinator, submitted):
    coordinator_api.post(f"{BASE}{submitted.pk}/take/")

    answer = api_as(other_coordinator).post(f"{BASE}{submitted.pk}/take/")

    assert answer.status_code == 403
    assert answer.json()["code"] == "other_coordinator"


@pytest.mark.usefixtures("stripe_stub")
def test_declaring_unsuitable_through_the_api_refunds_once(coordinator_api, submitted):
    bad = coordinator_api.post(f"{BASE}{submitted.pk}/unsuitable/", {"reason": "nope", "note": "x"}, format="json")
    assert bad.status_code == 400

    done = coordinator_api.post(
        f"{BASE}{submitted.pk}/unsuitable/", {"reason": "no_first_diagnosis", "note": "Ask your GP"}, format="json"
    )
    again = coordinator_api.post(
        f"{BASE}{submitted.pk}/unsuitable/", {"reason": "no_first_diagnosis", "note": "Ask your GP"}, format="json"
    )

    assert done.status_code == 200
    assert done.json()["status"] == "refunded"
    assert again.status_code == 409
    submitted.refresh_from_db()
    assert submitted.refund_amount == support.PRICE


def test_the_triage_endpoints_are_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]

    for suffix in ("", "{case_id}/", "{case_id}/take/", "{case_id}/request-documents/", "{case_id}/skills/"):
        assert f"{BASE}{suffix}" in paths
    for suffix in ("{case_id}/eligible-specialists/", "{case_id}/shortlist/", "{case_id}/unsuitable/"):
        assert f"{BASE}{suffix}" in paths
    assert "SecondOpinionTriageCaseDetail" in schema["components"]["schemas"]
