"""The after side in the API: follow-ups, closing, the consultation and share links."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from quotes.models import QuoteRequest
from secondopinion.models import CaseStatus, ShareLink
from secondopinion.tests.support_after import delivered_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(patient, cardiology, martin, martin_user, diagnosis, now):
    return delivered_case(
        patient=patient, specialty=cardiology, specialist=martin, signer=martin_user, diagnosis=diagnosis, now=now
    )


def _base(case) -> str:
    return f"/api/v1/second-opinions/{case.pk}"


def _ask(client, case, question="Can I fly next month?"):
    return client.post(f"{_base(case)}/follow-ups/", {"question": question}, format="json")


def test_the_patient_asks_and_the_specialist_answers(api_as, case, patient, martin_user):
    asked = _ask(api_as(patient), case)
    assert asked.status_code == 201, asked.json()
    body = asked.json()
    assert body["status"] == CaseStatus.FOLLOW_UP
    assert body["follow_ups_left"] == 2
    assert body["available_actions"]["ask"] == {
        "allowed": False,
        "code": "follow_up_pending",
        "reason": "Your question is with the specialist: you can ask another once it is answered.",
    }
    follow_up_id = body["follow_ups"][0]["id"]

    seen = api_as(martin_user).get(f"{_base(case)}/follow-ups/")
    assert seen.status_code == 200
    assert seen.json()["follow_ups"][0]["question"] == "Can I fly next month?"

    answered = api_as(martin_user).post(
        f"{_base(case)}/follow-ups/{follow_up_id}/answer/", {"answer": "Yes."}, format="json"
    )
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == CaseStatus.OPINION_DELIVERED
    assert answered.json()["follow_ups"][0]["answer"] == "Yes."


def test_a_question_of_twenty_thousand_characters_is_400_on_its_field(api_as, case, patient):
    response = _ask(api_as(patient), case, "x" * 20_000)
    assert response.status_code == 400
    assert response.json()["code"] == "too_long"
    assert "question" in response.json()["details"]


def test_a_question_after_thirty_days_is_409(api_as, case, patient, now, frozen):
    frozen.move_to(now + dt.timedelta(days=31))
    response = _ask(api_as(patient), case)
    assert response.status_code == 409
    assert response.json()["code"] == "follow_up_window_closed"


def test_a_fourth_question_is_409(api_as, case, patient, martin_user):
    for _ in range(3):
        follow_up_id = _ask(api_as(patient), case).json()["follow_ups"][-1]["id"]
        api_as(martin_user).post(f"{_base(case)}/follow-ups/{follow_up_id}/answer/", {"answer": "Ok."}, format="json")
    response = _ask(api_as(patient), case)
    assert response.status_code == 409
    assert response.json()["code"] == "follow_up_limit"


def test_another_specialist_cannot_see_or_answer(api_as, case, patient, yilmaz_user):
    follow_up_id = _ask(api_as(patient), case).json()["follow_ups"][0]["id"]
    client = api_as(yilmaz_user)
    assert client.get(f"{_base(case)}/follow-ups/").status_code == 404
    response = client.post(f"{_base(case)}/follow-ups/{follow_up_id}/answer/", {"answer": "Me."}, format="json")
    assert response.status_code == 404


def test_the_patient_closes_the_case(api_as, case, patient):
    response = api_as(patient).post(f"{_base(case)}/close/")
    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.CLOSED


def test_the_consultation_is_requested_once(api_as, case, patient):
    client = api_as(patient)
    first = client.post(f"{_base(case)}/consultation/", {}, format="json")
    assert first.status_code == 201, first.json()
    request_id = first.json()["quote_request"]
    assert first.json()["url"].endswith(f"/quotes/{request_id}/")
    second = client.post(f"{_base(case)}/consultation/", {"message": "Again"}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "consultation_already_requested"
    assert second.json()["details"] == {"quote_request": request_id, "url": f"/quotes/{request_id}/"}
    assert QuoteRequest.objects.count() == 1


def test_share_links_are_made_listed_and_revoked(api_as, case, patient, now):
    client = api_as(patient)
    made = client.post(f"{_base(case)}/share-links/", {"recipient": "Dr Dupont"}, format="json")
    assert made.status_code == 201, made.json()
    assert "no-store" in made["Cache-Control"]
    link = made.json()
    assert "/second-opinion/shared/" in link["url"]
    assert link["live"] is True

    listed = client.get(f"{_base(case)}/share-links/").json()
    assert [row["id"] for row in listed] == [link["id"]]
    assert "url" not in listed[0]

    opened = APIClient().get(link["url"])
    assert opened.status_code == 200

    assert client.delete(f"{_base(case)}/share-links/{link['id']}/").status_code == 204
    assert ShareLink.objects.get(pk=link["id"]).revoked_at == now
    assert APIClient().get(link["url"]).status_code == 404


def test_the_specialist_sees_no_share_links(api_as, case, martin_user):
    assert api_as(martin_user).get(f"{_base(case)}/share-links/").status_code == 404
