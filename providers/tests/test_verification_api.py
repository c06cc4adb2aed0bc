"""The careteam's verification of providers through the API: the queue and a review as the pages
show them, a decision with what was checked (replayed under its Idempotency-Key), the services'
refusals (the careteam only, a decision the status does not allow, nothing checked), the schema."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from providers.models import Credential, VerificationStatus, VerificationStep
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/careteam/providers/verification/"


def _review(provider_id: int) -> str:
    return f"/api/v1/careteam/providers/{provider_id}/verification/"


@pytest.fixture
def pending(db):
    provider = ProviderFactory(
        name="Dr Awaiting Check", status=VerificationStatus.PENDING, verified_at=None, registration_number="10003"
    )
    Credential.objects.create(provider=provider, kind="diploma", title="MD", institution="Lyon 1", year=2004)
    return provider


@pytest.mark.parametrize("persona", ["patient", "clinic_admin", "finance"])
def test_only_the_careteam_reads_and_decides(api_as, request, pending, persona):
    client = api_as(request.getfixturevalue(persona))

    queue = client.get(QUEUE)
    review = client.get(_review(pending.pk))
    decided = client.post(_review(pending.pk), {"decision": "verify", "checked": "RPPS 10003"}, format="json")

    assert (queue.status_code, review.status_code, decided.status_code) == (403, 403, 403)
    assert "10003" not in review.content.decode()
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.PENDING


def test_the_queue_lists_the_pending_providers_first_and_the_decided_ones(api_as, careteam, pending, clinic):
    answer = api_as(careteam).get(QUEUE)

    assert answer.status_code == 200
    body = answer.json()
    assert [(row["id"], row["registration_number"]) for row in body["pending"]] == [(pending.pk, "10003")]
    assert clinic.pk in [row["id"] for row in body["decided"]]
    assert pending.pk not in [row["id"] for row in body["decided"]]


def test_a_review_shows_what_was_declared_and_the_decisions_allowed_now(api_as, careteam, pending):
    answer = api_as(careteam).get(_review(pending.pk))

    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["registration_number"], body["register_country"]) == ("pending", "10003", "FR")
    assert body["credentials"] == [{"kind": "diploma", "title": "MD", "institution": "Lyon 1", "year": 2004}]
    actions = body["available_actions"]
    assert actions["verify"]["allowed"] is True
    assert actions["reject"]["allowed"] is True
    assert actions["suspend"]["allowed"] is False
    assert actions["suspend"]["reason"]
    assert actions["set_discharge_pack"]["allowed"] is True
    assert api_as(careteam).get(_review(999_999)).status_code == 404


def test_a_decision_is_recorded_once_with_what_was_checked(api_as, careteam, pending):
    client = api_as(careteam)
    body = {"decision": "verify", "checked": "RPPS register: 10003 found, name matches", "note": "ok"}

    first = client.post(_review(pending.pk), body, format="json", headers={"Idempotency-Key": "verify-1"})
    replay = client.post(_review(pending.pk), body, format="json", headers={"Idempotency-Key": "verify-1"})

    assert first.status_code == 200
    assert first.json()["status"] == "verified"
    assert [step["to_status"] for step in first.json()["steps"]] == ["verified"]
    assert first.json()["available_actions"]["suspend"]["allowed"] is True
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert VerificationStep.objects.filter(provider=pending).count() == 1
    assert AuditEvent.objects.filter(action="providers.verification.verified").count() == 1
    pending.refresh_from_db()
    assert (pending.status, pending.verified_by) == (VerificationStatus.VERIFIED, careteam)


def test_a_decision_the_status_does_not_allow_or_without_a_check_is_refused(api_as, careteam, pending, clinic):
    client = api_as(careteam)

    rejecting_a_verified = client.post(_review(clinic.pk), {"decision": "reject", "checked": "x"}, format="json")
    nothing_checked = client.post(_review(pending.pk), {"decision": "verify", "checked": " "}, format="json")
    unknown = client.post(_review(pending.pk), {"decision": "promote", "checked": "x"}, format="json")

    assert rejecting_a_verified.status_code == 409
    assert rejecting_a_verified.json()["message"]
    assert nothing_checked.status_code == 400
    assert "checked" in nothing_checked.json()["details"]
    assert unknown.status_code == 400
    assert "decision" in unknown.json()["details"]
    assert not VerificationStep.objects.exists()
    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.VERIFIED


def test_the_verification_operations_are_in_the_schema(client):
    paths = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()["paths"]

    assert "get" in paths["/api/v1/careteam/providers/verification/"]
    review = paths["/api/v1/careteam/providers/{provider_id}/verification/"]
    assert {"get", "post"} <= set(review)
    assert "put" in paths["/api/v1/careteam/providers/{provider_id}/discharge-pack/"]
