"""The patient's second-opinion API: status codes, the house error body, and nothing written on a
refusal; the schema lists every endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.models import AddonOrder
from documents.tests import samples
from documents.tests.helpers import upload_file
from secondopinion.models import CaseStatus, DocumentRole, OpinionCase
from secondopinion.tests.support_requests import awaiting_documents, draft, opinion_price, paid_case, shortlisted

pytestmark = pytest.mark.django_db

URL = "/api/v1/second-opinions/"


@pytest.fixture
def price(careteam, cardiology, now):
    return opinion_price(careteam, cardiology, now)


@pytest.fixture
def api(patient):
    client = APIClient()
    client.force_authenticate(patient)
    return client


def _body(diagnosis, **changes):
    return {
        "specialty": "cardiology",
        "currency": "EUR",
        "questions": ["Is surgery needed now?"],
        "language": "en",
        "documents": [{"document": str(diagnosis.pk), "role": "first_diagnosis"}],
        "consent": True,
        **changes,
    }


def test_a_draft_is_created_read_and_listed(api, diagnosis, price):
    created = api.post(URL, _body(diagnosis), format="json")

    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "draft"
    assert body["price"]["minor"] == 45_000
    assert body["documents"][0]["role"] == "first_diagnosis"
    assert body["available_actions"]["send"]["allowed"] is True
    assert api.get(f"{URL}{body['id']}/").status_code == 200
    assert [case["id"] for case in api.get(URL).json()] == [body["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"questions": [f"Question {n}?" for n in range(6)]}, "questions"),
        ({"questions": ["x" * 20_000]}, "questions"),
        ({"documents": []}, "documents"),
        ({"language": "xx"}, "language"),
        ({"specialty": "astrology"}, "specialty"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(api, diagnosis, price, changes, field):
    answer = api.post(URL, _body(diagnosis, **changes), format="json")

    assert answer.status_code == 400
    assert set(answer.json()) == {"code", "message", "details"}
    assert field in answer.json()["details"]
    assert not OpinionCase.objects.exists()


def test_someone_elses_document_is_a_404_and_nothing_is_written(api, other_patient, diagnosis, price):
    bobs = upload_file(other_patient, samples.pdf("Bob's"), title="Bob's")
    body = _body(diagnosis, documents=[{"document": str(bobs.pk), "role": "first_diagnosis"}])

    answer = api.post(URL, body, format="json")

    assert answer.status_code == 404
    assert not OpinionCase.objects.exists()


def test_someone_elses_request_is_a_404(api, other_patient, cardiology, price, now):
    theirs = draft(other_patient, cardiology, upload_file(other_patient, samples.pdf("x"), title="x"), now)

    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.post(f"{URL}{theirs.pk}/send/").status_code == 404
    assert api.post(f"{URL}{theirs.pk}/withdraw/").status_code == 404


def test_a_draft_is_patched_field_by_field(api, patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)

    answer = api.patch(f"{URL}{case.pk}/", {"questions": ["A new one?", "And another?"]}, format="json")

    assert answer.status_code == 200
    assert [q["text"] for q in answer.json()["questions"]] == ["A new one?", "And another?"]
    assert answer.json()["language"] == "en"


def test_sending_gives_the_order_to_pay_and_again_the_same_one(api, patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)

    first = api.post(f"{URL}{case.pk}/send/")
    again = api.post(f"{URL}{case.pk}/send/")

    assert first.status_code == 200
    assert first.json()["order"] == again.json()["order"]
    assert first.json()["pay_start"] == reverse("api_concierge_order_pay_start", args=[first.json()["order"]])
    assert AddonOrder.objects.count() == 1


def test_sending_without_consent_is_a_400(api, patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now, consent=False)

    answer = api.post(f"{URL}{case.pk}/send/")

    assert answer.status_code == 400
    assert "consent" in answer.json()["details"]
    assert not AddonOrder.objects.exists()


def test_paying_twice_is_a_409(stripe_emulator, api, patient, cardiology, diagnosis, price, now):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)

    answer = api.post(reverse("api_concierge_order_pay_start", args=[case.order_id]))

    assert answer.status_code == 409
    assert answer.json()["code"] == "already_paid"
    assert api.post(f"{URL}{case.pk}/send/").status_code == 409


def test_documents_asked_for_are_added_then_sent(
    stripe_emulator, api, patient, coordinator, cardiology, diagnosis, price, now
):
    case = awaiting_documents(paid_case(stripe_emulator, patient, cardiology, diagnosis, now), coordinator, now)
    blood = upload_file(patient, samples.pdf("Blood"), title="Blood")

    added = api.post(
        f"{URL}{case.pk}/documents/", {"documents": [{"document": str(blood.pk), "role": "report"}]}, format="json"
    )
    sent = api.post(f"{URL}{case.pk}/documents-sent/")

    assert added.status_code == 200
    assert sent.status_code == 200
    assert sent.json()["status"] == "under_triage"
    assert case.documents.filter(role=DocumentRole.REPORT).count() == 1


def test_choosing_off_the_shortlist_is_a_400_and_a_proposed_one_is_chosen(
    stripe_emulator, api, patient, coordinator, cardiology, diagnosis, price, martin, yilmaz, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    case, (first, _second) = shortlisted(case, coordinator, [martin, yilmaz], now)
    listed = api.get(f"{URL}{case.pk}/").json()
    assert [c["name"] for c in listed["candidates"]] == ["Dr Claire Martin", "Dr Emre Yilmaz"]
    assert listed["candidates"][1]["difference"]["minor"] == -5_000

    refused = api.post(f"{URL}{case.pk}/choose/", {"candidate": 999_999}, format="json")
    chosen = api.post(f"{URL}{case.pk}/choose/", {"candidate": first.pk}, format="json")

    assert refused.status_code == 400
    assert refused.json()["details"] == {"candidate": ["Choose one of the specialists proposed for you."]}
    assert chosen.status_code == 200
    assert chosen.json()["status"] == "specialist_chosen"


def test_withdrawing_a_paid_request_refunds_it_once(stripe_emulator, api, patient, cardiology, diagnosis, price, now):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)

    answer = api.post(f"{URL}{case.pk}/withdraw/")

    assert answer.status_code == 200
    assert answer.json()["refund"]["minor"] == 45_000
    again = api.post(f"{URL}{case.pk}/withdraw/")
    assert again.status_code == 200  # already withdrawn: nothing more, no second refund
    assert again.json()["refund"]["minor"] == 45_000
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


def test_the_prices_are_listed_per_specialty(api, price, cardiology):
    answer = api.get(f"{URL}prices/?currency=EUR")

    assert answer.status_code == 200
    assert answer.json() == [
        {
            "specialty": "cardiology",
            "specialty_name": cardiology.name,
            "price": {"amount": "450.00", "currency": "EUR", "minor": 45_000},
        }
    ]


def test_the_schema_lists_the_patient_endpoints(api, patient):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()

    for endpoint in ("/api/v1/second-opinions/", "/api/v1/second-opinions/{case_id}/choose/", "prices/"):
        assert endpoint in schema


def test_a_withdrawn_health_data_consent_refuses_a_new_request_and_sending_a_draft(
    api, patient, cardiology, diagnosis, price, now
):
    from accounts.services import consent_give, consent_withdraw

    case = draft(patient, cardiology, diagnosis, now)
    consent_give(user=patient, purpose="health_data", now=now - dt.timedelta(days=2))
    consent_withdraw(user=patient, purpose="health_data", now=now - dt.timedelta(days=1))

    created = api.post(URL, _body(diagnosis), format="json")
    sent = api.post(f"{URL}{case.pk}/send/")

    assert created.status_code == 409
    assert created.json()["code"] == "consent_withdrawn"
    assert sent.status_code == 409
    assert "You withdrew your consent" in sent.json()["message"]
    assert OpinionCase.objects.count() == 1
    assert not AddonOrder.objects.exists()
