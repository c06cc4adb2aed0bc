"""Booking API: my bookings, holding, cancelling, evidence, moving, a provider's bookings; errors as
`{code, message, details}`; others' bookings are not found."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from bookings.models import Booking, BookingStatus, CancellationEvidence
from bookings.services import BOOKING_ACTIONS, booking_cancel, booking_confirm_deposit
from bookings.tests.support import PARIS, awaiting
from documents.services import document_upload
from providers.availability import offering_first_free_slot
from providers.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def confirmed(patient, offering, *, weeks=4):
    now = timezone.now()
    day = now.date() + dt.timedelta(days=(7 - now.weekday()) + 7 * (weeks - 1))
    start = dt.datetime.combine(day, dt.time(9), tzinfo=PARIS)
    booking = awaiting(
        patient,
        offering.provider,
        offering=offering,
        slots=[(start, start + dt.timedelta(minutes=30))],
        payment_deadline=now + dt.timedelta(hours=1),
        now=now - dt.timedelta(minutes=1),
    )
    return booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=now, now=now)


def test_holding_a_slot_returns_the_held_booking_with_its_schedule(api_as, patient, offering):
    slot = offering_first_free_slot(offering=offering, now=timezone.now())

    response = api_as(patient).post(
        "/api/v1/bookings/hold/", {"offering": offering.pk, "start": slot.start.isoformat()}, format="json"
    )

    assert response.status_code == 201, response.data
    body = response.json()
    assert body["status"] == "held"
    assert body["deposit"]["minor"] == 4500
    assert body["deposit"]["currency"] == "EUR"
    assert body["appointments"][0]["local_start"].startswith(slot.start.astimezone(PARIS).isoformat()[:16])
    assert body["schedule"]["if_paid_today"] is True
    assert body["schedule"]["periods"]


def test_a_hold_retried_with_the_same_idempotency_key_holds_once(api_as, patient, offering):
    slot = offering_first_free_slot(offering=offering, now=timezone.now())
    client = api_as(patient)
    body = {"offering": offering.pk, "start": slot.start.isoformat()}

    first = client.post("/api/v1/bookings/hold/", body, format="json", headers={"Idempotency-Key": "hold-1"})
    retry = client.post("/api/v1/bookings/hold/", body, format="json", headers={"Idempotency-Key": "hold-1"})

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1


def test_holding_a_taken_slot_is_a_409_with_the_error_body(api_as, patient, other_patient, offering):
    slot = offering_first_free_slot(offering=offering, now=timezone.now())
    api_as(other_patient).post(
        "/api/v1/bookings/hold/", {"offering": offering.pk, "start": slot.start.isoformat()}, format="json"
    )

    response = api_as(patient).post(
        "/api/v1/bookings/hold/", {"offering": offering.pk, "start": slot.start.isoformat()}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"
    assert set(response.json()) == {"code", "message", "details"}
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"offering": "x", "start": "tomorrow"}, {"offering": 999_999, "start": "2030-01-07T10:00:00+01:00"}],
)
def test_bad_hold_input_is_a_4xx_never_a_500(api_as, patient, offering, body):
    response = api_as(patient).post("/api/v1/bookings/hold/", body, format="json")

    assert response.status_code in (400, 404)
    assert set(response.json()) == {"code", "message", "details"}


def test_my_bookings_and_a_booking_of_mine(api_as, patient, other_patient, offering):
    mine = confirmed(patient, offering)
    confirmed(other_patient, offering, weeks=5)
    client = api_as(patient)

    listing = client.get("/api/v1/bookings/")
    detail = client.get(f"/api/v1/bookings/{mine.pk}/")

    assert [b["id"] for b in listing.json()] == [mine.pk]
    assert detail.status_code == 200
    assert detail.json()["status"] == "confirmed"
    assert detail.json()["cancellation"] is None


def test_someone_elses_booking_is_not_found(api_as, anonymous, patient, other_patient, offering):
    booking = confirmed(patient, offering)

    for path, method in [
        (f"/api/v1/bookings/{booking.pk}/", "get"),
        (f"/api/v1/bookings/{booking.pk}/cancel/", "post"),
        (f"/api/v1/bookings/{booking.pk}/evidence/", "post"),
    ]:
        response = getattr(api_as(other_patient), method)(path, {}, format="json")
        assert response.status_code == 404, path
        assert getattr(anonymous, method)(path, {}, format="json").status_code in (401, 403)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_cancelling_through_the_api_records_the_decision(api_as, patient, offering):
    booking = confirmed(patient, offering)

    response = api_as(patient).post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "none"}, format="json")

    assert response.status_code == 200
    cancellation = response.json()["cancellation"]
    assert cancellation["final"] is True
    assert cancellation["fee"]["minor"] + cancellation["refund"]["minor"] == 50_000
    again = api_as(patient).post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "none"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_cancelled"


def test_a_bad_reason_is_a_400(api_as, patient, offering):
    booking = confirmed(patient, offering)

    response = api_as(patient).post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "bored"}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["details"]


def test_evidence_through_the_api(api_as, patient, other_patient, offering):
    booking = confirmed(patient, offering)
    booking_cancel(booking=booking, actor=patient, reason="unfit_to_travel", now=timezone.now())
    document = document_upload(owner=patient, upload=io.BytesIO(PDF), title="Certificate", now=timezone.now())
    foreign = document_upload(owner=other_patient, upload=io.BytesIO(PDF), title="Theirs", now=timezone.now())

    refused = api_as(patient).post(f"/api/v1/bookings/{booking.pk}/evidence/", {"document": str(foreign.pk)})
    response = api_as(patient).post(f"/api/v1/bookings/{booking.pk}/evidence/", {"document": str(document.pk)})

    assert refused.status_code == 404
    assert response.status_code == 201
    assert response.json()["cancellation"]["evidence_status"] == "pending"
    assert response.json()["evidence"][0]["status"] == "pending"
    assert CancellationEvidence.objects.count() == 1


def test_moving_an_appointment_through_the_api(api_as, patient, offering):
    booking = confirmed(patient, offering)
    start = booking.appointments.get().start + dt.timedelta(days=1)

    response = api_as(patient).post(
        f"/api/v1/bookings/{booking.pk}/reschedule/", {"start": start.isoformat()}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["appointments"][0]["start"].startswith(start.astimezone(dt.UTC).isoformat()[:16])


def test_a_providers_bookings_for_its_members_only(api_as, patient, offering):
    booking = confirmed(patient, offering)
    member = MemberFactory(provider=offering.provider).user

    response = api_as(member).get(f"/api/v1/my/providers/{offering.provider.pk}/bookings/")
    refused = api_as(patient).get(f"/api/v1/my/providers/{offering.provider.pk}/bookings/")

    assert [b["id"] for b in response.json()] == [booking.pk]
    assert refused.status_code == 404


def test_the_bookings_endpoints_are_in_the_schema(api_as, patient):
    schema = api_as(patient).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path in [
        "/api/v1/bookings/",
        "/api/v1/bookings/hold/",
        "/api/v1/bookings/{booking_id}/cancel/",
        "/api/v1/bookings/{booking_id}/evidence/",
        "/api/v1/my/providers/{provider_id}/bookings/",
    ]:
        assert path in schema["paths"]


# --- available actions ---------------------------------------------------------------------------------


def allowed(body) -> set[str]:
    return {name for name, action in body["available_actions"].items() if action["allowed"]}


def test_a_held_booking_offers_its_patient_to_pay_and_cancel(api_as, patient, offering):
    slot = offering_first_free_slot(offering=offering, now=timezone.now())

    body = (
        api_as(patient)
        .post("/api/v1/bookings/hold/", {"offering": offering.pk, "start": slot.start.isoformat()}, format="json")
        .json()
    )

    assert set(body["available_actions"]) == set(BOOKING_ACTIONS)
    assert allowed(body) == {"pay", "cancel", "reschedule"}
    assert body["available_actions"]["pay"] == {"allowed": True, "code": None, "reason": ""}


def test_a_confirmed_booking_is_not_payable_and_a_cancelled_one_not_cancellable(api_as, patient, offering):
    booking = confirmed(patient, offering)
    client = api_as(patient)

    detail = client.get(f"/api/v1/bookings/{booking.pk}/").json()
    cancelled = client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "none"}, format="json").json()
    listed = client.get("/api/v1/bookings/").json()

    assert allowed(detail) == {"cancel", "reschedule"}
    assert detail["available_actions"]["pay"]["code"] == "already_paid"
    assert detail["available_actions"]["pay"]["reason"] == "This booking's deposit is already paid."
    assert allowed(cancelled) == set()
    assert cancelled["available_actions"]["cancel"]["code"] == "already_cancelled"
    assert cancelled["available_actions"]["send_evidence"]["code"] == "evidence_not_expected"
    assert listed[0]["available_actions"] == cancelled["available_actions"]


def test_a_member_is_told_a_booking_can_be_closed_once_its_appointment_began(api_as, patient, offering):
    booking = confirmed(patient, offering)
    member = MemberFactory(provider=offering.provider).user

    listed = api_as(member).get(f"/api/v1/my/providers/{offering.provider.pk}/bookings/").json()
    actions = listed[0]["available_actions"]

    assert allowed(listed[0]) == {"reschedule"}
    assert actions["complete"]["code"] == actions["no_show"]["code"] == "appointment_not_started"
    assert actions["cancel"]["code"] == actions["pay"]["code"] == "forbidden"
    booking.appointments.update(
        start=timezone.now() - dt.timedelta(hours=1), end=timezone.now() - dt.timedelta(minutes=30)
    )
    later = api_as(member).get(f"/api/v1/bookings/{booking.pk}/").json()
    # and the discharge pack opens with the first appointment (docs/decisions.md#discharge-pack)
    assert allowed(later) == {"complete", "no_show", "add_to_discharge_pack"}


def test_the_available_actions_are_documented_in_the_schema(api_as, patient):
    schema = api_as(patient).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    field = schema["components"]["schemas"]["Booking"]["properties"]["available_actions"]

    assert set(field["properties"]) == set(BOOKING_ACTIONS)
    assert field["properties"]["cancel"]["required"] == ["allowed", "code", "reason"]
