"""The specialist's API: the profile, the cases, accept/decline, the draft and the signature, the
public verification; a case not theirs is 404."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from providers.models import VerificationStatus
from secondopinion.models import CaseStatus, SpecialistProfile
from secondopinion.tests.support_specialists import chosen_case

pytestmark = pytest.mark.django_db

ANSWERS = ["No surgery now.", "An echocardiogram every year."]
DRAFT = {
    "case_summary": "Moderate mitral regurgitation.",
    "diagnosis_review": "Consistent with the images.",
    "answers": ANSWERS,
    "options": "Follow-up, or repair later.",
    "recommendation": "Annual follow-up.",
    "in_person_advised": False,
}


@pytest.fixture
def case(patient, cardiology, coordinator, martin, yilmaz, diagnosis, now):
    return chosen_case(
        patient=patient,
        specialty=cardiology,
        coordinator=coordinator,
        specialist=martin,
        shortlist=[martin, yilmaz],
        diagnosis=diagnosis,
        now=now,
    )


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(case, action: str = "") -> str:
    return f"/api/v1/second-opinions/specialist/cases/{case.pk}/{action}"


def test_the_profile_is_read_and_changed(martin, martin_user, cardiology):
    client = _client(martin_user)
    response = client.get("/api/v1/second-opinions/specialist/profile/")
    assert response.status_code == 200
    assert response.json()["price_amount"] == 45_000

    body = {
        "specialties": [cardiology.pk],
        "languages": ["fr"],
        "price_amount": 52_000,
        "currency": "EUR",
        "weekly_capacity": 2,
        "timezone": "Europe/Paris",
        "country": "FR",
        "active": True,
    }
    response = client.put("/api/v1/second-opinions/specialist/profile/", body, format="json")
    assert response.status_code == 200, response.json()
    martin.refresh_from_db()
    assert (martin.price_amount, martin.weekly_capacity, martin.languages) == (52_000, 2, ["fr"])

    response = client.put(
        "/api/v1/second-opinions/specialist/profile/", {**body, "timezone": "Nowhere/City"}, format="json"
    )
    assert response.status_code == 400
    assert "timezone" in response.json()["details"]


def test_an_unverified_practitioner_cannot_opt_in(martin, martin_user, cardiology):
    SpecialistProfile.objects.filter(pk=martin.pk).delete()
    martin.provider.status = VerificationStatus.PENDING
    martin.provider.save()
    client = _client(martin_user)
    assert client.get("/api/v1/second-opinions/specialist/profile/").status_code == 404
    body = {
        "specialties": [cardiology.pk],
        "languages": ["fr"],
        "price_amount": 52_000,
        "currency": "EUR",
        "weekly_capacity": 2,
        "timezone": "Europe/Paris",
        "country": "FR",
    }
    response = client.put("/api/v1/second-opinions/specialist/profile/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_verified_practitioner"


def test_a_patient_has_no_specialist_profile(patient):
    assert _client(patient).get("/api/v1/second-opinions/specialist/profile/").status_code == 404


def test_the_specialist_sees_the_request_without_documents_then_accepts(case, martin_user):
    client = _client(martin_user)
    listed = client.get("/api/v1/second-opinions/specialist/cases/").json()
    assert [row["id"] for row in listed] == [case.pk]
    detail = client.get(_url(case)).json()
    assert detail["documents"] == []
    assert len(detail["questions"]) == 2
    assert detail["available_actions"]["accept"]["allowed"] is True
    assert detail["available_actions"]["sign"]["allowed"] is False

    response = client.post(_url(case, "accept/"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == CaseStatus.ACCEPTED
    assert [item["role"] for item in body["documents"]] == ["first_diagnosis"]
    download = client.get(body["documents"][0]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_draft_then_the_signature_then_the_public_check(case, martin, martin_user):
    client = _client(martin_user)
    client.post(_url(case, "accept/"))
    response = client.put(_url(case, "opinion/"), {**DRAFT, "recommendation": ""}, format="json")
    assert response.status_code == 200
    assert response.json()["opinion"]["answers"] == ANSWERS

    refused = client.post(_url(case, "opinion/sign/"))
    assert refused.status_code == 400
    assert set(refused.json()["details"]) == {"recommendation"}

    client.put(_url(case, "opinion/"), DRAFT, format="json")
    signed = client.post(_url(case, "opinion/sign/"))
    assert signed.status_code == 200
    body = signed.json()
    assert body["status"] == CaseStatus.OPINION_DELIVERED
    code = body["opinion"]["verification_code"]
    assert client.post(_url(case, "opinion/sign/")).status_code == 409

    public = APIClient().get(f"/api/v1/second-opinions/verify/{code}/")
    assert public.status_code == 200
    assert public.json()["registration_number"] == martin.provider.registration_number
    assert "patient" not in str(public.json()).lower()
    assert APIClient().get("/api/v1/second-opinions/verify/NOPE-NOPE-NOPE-NOPE/").status_code == 404


def test_declining_through_the_api(case, martin_user):
    client = _client(martin_user)
    assert client.post(_url(case, "decline/"), {}, format="json").status_code == 400
    response = client.post(_url(case, "decline/"), {"reason": "Not my field"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.DECLINED_BY_SPECIALIST
    assert client.get(_url(case)).status_code == 404


def test_another_specialist_gets_404_everywhere(case, yilmaz_user):
    client = _client(yilmaz_user)
    assert client.get(_url(case)).status_code == 404
    assert client.post(_url(case, "accept/")).status_code == 404
    assert client.post(_url(case, "decline/"), {"reason": "x"}, format="json").status_code == 404
    assert client.put(_url(case, "opinion/"), DRAFT, format="json").status_code == 404
    assert client.post(_url(case, "opinion/sign/")).status_code == 404
    assert client.get("/api/v1/second-opinions/specialist/cases/").json() == []
