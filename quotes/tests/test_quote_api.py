"""The quote API, and the Idempotency-Key on the POSTs that create requests, quotes and bookings."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from core.models import IdempotencyRecord
from documents.tests import samples
from documents.tests.helpers import upload_file
from providers.tests.factories import MemberFactory, ProviderFactory
from quotes.models import Quote, QuoteRequest, QuoteRequestStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def _request_body(**changes):
    today = timezone.now().date()
    body = {
        "subject": "Hip replacement",
        "description": "Arthritis, X-ray attached.",
        "desired_from": (today + dt.timedelta(days=20)).isoformat(),
        "desired_to": (today + dt.timedelta(days=50)).isoformat(),
        "providers": ["clinique-du-lac"],
    }
    body.update(changes)
    return body


def _quote_body(**changes):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)
    body = {
        "currency": "EUR",
        "lines": [
            {"kind": "procedure", "description": "Total hip replacement", "unit_price": "9000.00"},
            {"kind": "stay", "description": "Room, per night", "quantity": 5, "unit_price": "200.00"},
        ],
        "deposit": "2000.00",
        "valid_until": (timezone.now().date() + dt.timedelta(days=10)).isoformat(),
        "slots": [{"start": start.isoformat(), "end": (start + dt.timedelta(hours=3)).isoformat()}],
        "payment_days": 7,
        "max_variation_bps": 1000,
        "timezone": "Europe/Paris",
    }
    body.update(changes)
    return body


def _sent(api_as, patient, **changes):
    response = api_as(patient).post("/api/v1/quote-requests/", _request_body(**changes), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _answered(api_as, patient, clinic, clinic_member):
    request = _sent(api_as, patient)
    response = api_as(clinic_member).post(
        f"/api/v1/my/providers/{clinic.pk}/quote-requests/{request['id']}/quotes/", _quote_body(), format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_patient_sends_a_request_with_a_document_and_reads_it_back(api_as, patient, clinic):
    document = upload_file(patient, samples.pdf("X-ray hip"))
    body = _sent(api_as, patient, documents=[str(document.pk)])

    assert body["status"] == "sent"
    assert body["documents"] == [str(document.pk)]
    assert [r["provider"] for r in body["recipients"]] == ["clinique-du-lac"]
    again = api_as(patient).get(f"/api/v1/quote-requests/{body['id']}/").json()
    assert again["subject"] == "Hip replacement"


def test_someone_elses_document_or_an_unknown_provider_is_a_400_and_nothing_is_written(
    api_as, patient, other_patient, clinic
):
    theirs = upload_file(other_patient, samples.pdf("Not yours"))
    client = api_as(patient)
    first = client.post("/api/v1/quote-requests/", _request_body(documents=[str(theirs.pk)]), format="json")
    second = client.post("/api/v1/quote-requests/", _request_body(providers=["nobody"]), format="json")

    assert (first.status_code, second.status_code) == (400, 400)
    assert "documents" in first.json()["details"]
    assert "providers" in second.json()["details"]
    assert not QuoteRequest.objects.exists()


def test_a_provider_answers_in_decimal_strings_and_the_patient_sees_the_itemised_quote(
    api_as, patient, clinic, clinic_member
):
    quote = _answered(api_as, patient, clinic, clinic_member)

    assert quote["total"] == {"amount": "10000.00", "currency": "EUR", "minor": 1_000_000}
    assert [line["amount"]["minor"] for line in quote["lines"]] == [900_000, 100_000]
    mine = api_as(patient).get(f"/api/v1/quote-requests/{quote['request']}/").json()
    assert mine["status"] == "answered"
    assert mine["quotes"][0]["id"] == quote["id"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": []}, "lines"),
        ({"deposit": 2000}, "deposit"),
        ({"deposit": "2000.001"}, "deposit"),
        ({"deposit": "20000.00"}, "deposit_amount"),
        ({"slots": [{"start": "2020-01-01T09:00:00+00:00", "end": "2020-01-01T10:00:00+00:00"}]}, "slots"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_a_bad_quote_is_a_400_naming_the_field(api_as, patient, clinic, clinic_member, changes, field):
    request = _sent(api_as, patient)
    response = api_as(clinic_member).post(
        f"/api/v1/my/providers/{clinic.pk}/quote-requests/{request['id']}/quotes/",
        _quote_body(**changes),
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()["details"]
    assert not Quote.objects.exists()


def test_a_provider_cannot_answer_a_request_sent_to_another(api_as, patient, clinic):
    request = _sent(api_as, patient)
    outsider = ProviderFactory()
    member = MemberFactory(provider=outsider).user
    response = api_as(member).post(
        f"/api/v1/my/providers/{outsider.pk}/quote-requests/{request['id']}/quotes/", _quote_body(), format="json"
    )
    assert response.status_code == 404
    assert api_as(member).get(f"/api/v1/my/providers/{outsider.pk}/quote-requests/").json() == []


def test_accepting_creates_the_booking_and_a_retry_with_the_same_key_replays_the_answer(
    api_as, patient, clinic, clinic_member
):
    quote = _answered(api_as, patient, clinic, clinic_member)
    client = api_as(patient)
    url = f"/api/v1/quotes/{quote['id']}/accept/"

    first = client.post(url, {"currency": "USD"}, format="json", headers={"Idempotency-Key": "accept-1"})
    retry = client.post(url, {"currency": "USD"}, format="json", headers={"Idempotency-Key": "accept-1"})

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    booking = Booking.objects.get()
    assert first.json()["booking"] == booking.pk
    assert booking.status == BookingStatus.AWAITING_DEPOSIT
    assert QuoteRequest.objects.get().status == QuoteRequestStatus.ACCEPTED


def test_accepting_twice_with_new_keys_is_a_409_and_changes_nothing(api_as, patient, clinic, clinic_member):
    quote = _answered(api_as, patient, clinic, clinic_member)
    client = api_as(patient)
    url = f"/api/v1/quotes/{quote['id']}/accept/"
    client.post(url, {}, format="json", headers={"Idempotency-Key": "a"})
    second = client.post(url, {}, format="json", headers={"Idempotency-Key": "b"})

    assert second.status_code == 409
    assert second.json()["code"] == "quote_already_accepted"
    assert Booking.objects.count() == 1


def test_a_refusal_is_replayed_too(api_as, patient, other_patient, clinic, clinic_member):
    quote = _answered(api_as, patient, clinic, clinic_member)
    client = api_as(other_patient)
    url = f"/api/v1/quotes/{quote['id']}/accept/"
    first = client.post(url, {}, format="json", headers={"Idempotency-Key": "k"})
    again = client.post(url, {}, format="json", headers={"Idempotency-Key": "k"})

    assert first.status_code == again.status_code == 404
    assert again.json() == first.json()
    assert not Booking.objects.exists()


def test_the_same_key_for_another_request_is_refused(api_as, patient, clinic):
    client = api_as(patient)
    client.post("/api/v1/quote-requests/", _request_body(), format="json", headers={"Idempotency-Key": "k1"})
    other = client.post(
        "/api/v1/quote-requests/", _request_body(subject="Knee"), format="json", headers={"Idempotency-Key": "k1"}
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert QuoteRequest.objects.count() == 1


def test_a_key_still_in_flight_is_a_409(api_as, patient, clinic):
    client = api_as(patient)
    body = _request_body()
    client.post("/api/v1/quote-requests/", body, format="json", headers={"Idempotency-Key": "k2"})
    record = IdempotencyRecord.objects.get(key="k2")
    # As if the first request were still running: claimed a moment ago, no answer stored yet.
    IdempotencyRecord.objects.filter(pk=record.pk).update(status="in_flight", response_body=None)

    response = client.post("/api/v1/quote-requests/", body, format="json", headers={"Idempotency-Key": "k2"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_flight"
    assert QuoteRequest.objects.count() == 1


def test_keys_belong_to_their_user(api_as, patient, other_patient, clinic):
    api_as(patient).post("/api/v1/quote-requests/", _request_body(), format="json", headers={"Idempotency-Key": "x"})
    theirs = api_as(other_patient).post(
        "/api/v1/quote-requests/", _request_body(), format="json", headers={"Idempotency-Key": "x"}
    )
    assert theirs.status_code == 201
    assert QuoteRequest.objects.count() == 2


def test_a_key_too_long_is_a_400(api_as, patient, clinic):
    response = api_as(patient).post(
        "/api/v1/quote-requests/", _request_body(), format="json", headers={"Idempotency-Key": "k" * 300}
    )
    assert response.status_code == 400
    assert not QuoteRequest.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_retries_of_one_accept_at_once_make_one_booking(api_as, patient, clinic, clinic_member):
    """On PostgreSQL, with real threads: the same key sent eight times at once books once; the
    others get the replayed answer or "still in flight", never a second booking or a 500."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL's row locks")
    quote = _answered(api_as, patient, clinic, clinic_member)
    url = f"/api/v1/quotes/{quote['id']}/accept/"
    barrier = threading.Barrier(8)
    results: list[tuple[int, str]] = []

    def attempt():
        try:
            barrier.wait(timeout=30)
            response = api_as(patient).post(url, {}, format="json", headers={"Idempotency-Key": "same"})
            body = response.json()
            results.append((response.status_code, body.get("code") or f"booking:{body.get('booking')}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    booking = Booking.objects.get()
    # Every answer is the first one replayed or "in flight": the quote is never accepted twice.
    assert len(results) == 8
    assert set(results) <= {(200, f"booking:{booking.pk}"), (409, "idempotency_in_flight")}
    assert (200, f"booking:{booking.pk}") in results


def _actions(body: dict) -> dict[str, tuple[bool, str | None]]:
    return {name: (state["allowed"], state["code"]) for name, state in body["available_actions"].items()}


def test_a_request_and_its_quotes_say_what_the_patient_may_do_now(api_as, patient, clinic, clinic_member):
    quote = _answered(api_as, patient, clinic, clinic_member)
    me = api_as(patient)

    mine = me.get(f"/api/v1/quote-requests/{quote['request']}/").json()
    assert _actions(mine) == {"withdraw": (True, None)}
    assert _actions(mine["quotes"][0]) == {
        "accept": (True, None),
        "decline": (True, None),
        "withdraw": (False, "forbidden"),  # the provider's action, not the patient's
    }
    assert mine["quotes"][0]["available_actions"]["accept"]["reason"] == ""

    accepted = me.post(f"/api/v1/quotes/{quote['id']}/accept/", {}, format="json").json()
    assert _actions(accepted) == {
        "accept": (False, "quote_already_accepted"),
        "decline": (False, "quote_closed"),
        "withdraw": (False, "forbidden"),
    }
    mine = me.get("/api/v1/quote-requests/").json()[0]
    assert _actions(mine) == {"withdraw": (False, "request_closed")}
    assert mine["available_actions"]["withdraw"]["reason"] == (
        "This request is accepted and can no longer be changed that way."
    )


def test_the_inbox_says_when_a_provider_may_quote_and_withdraw(api_as, patient, clinic, clinic_member):
    request = _sent(api_as, patient)
    member = api_as(clinic_member)
    inbox = f"/api/v1/my/providers/{clinic.pk}/quote-requests/"

    assert [_actions(r) for r in member.get(inbox).json()] == [{"quote": (True, None)}]

    response = member.post(f"{inbox}{request['id']}/quotes/", _quote_body(), format="json")
    quote = response.json()
    assert _actions(quote) == {
        "accept": (False, "not_found"),  # the patient's action
        "decline": (False, "not_found"),
        "withdraw": (True, None),
    }
    assert [_actions(r) for r in member.get(inbox).json()] == [{"quote": (False, "quote_exists")}]

    withdrawn = member.post(f"/api/v1/my/providers/{clinic.pk}/quotes/{quote['id']}/withdraw/").json()
    assert _actions(withdrawn)["withdraw"] == (False, "quote_closed")
    assert [_actions(r) for r in member.get(inbox).json()] == [{"quote": (True, None)}]

    api_as(patient).post(f"/api/v1/quote-requests/{request['id']}/withdraw/")
    assert [_actions(r) for r in member.get(inbox).json()] == [{"quote": (False, "request_closed")}]


def test_quote_requests_are_throttled_per_patient(settings, api_as, patient, other_patient, clinic):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"quote_requests": "2/hour"}}
    client = api_as(patient)

    statuses = [client.post("/api/v1/quote-requests/", _request_body(), format="json").status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert QuoteRequest.objects.count() == 2
    assert client.get("/api/v1/quote-requests/").status_code == 200  # reads are not counted
    assert api_as(other_patient).post("/api/v1/quote-requests/", _request_body(), format="json").status_code == 201
