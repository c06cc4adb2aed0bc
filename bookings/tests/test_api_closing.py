"""The API twins of the provider's and the careteam's booking pages: marking a booking completed or a
no-show (its provider's members), and reviewing cancellation evidence (the careteam), with the
pages' rules and refusals, and an Idempotency-Key replayed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from bookings import services
from bookings.models import BookingStatus, EvidenceStatus
from bookings.services import booking_cancel, booking_confirm_deposit
from bookings.tests.support import PARIS, awaiting
from core.models import AuditEvent
from documents.services import document_upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


@pytest.fixture
def now():
    return timezone.now()


def paid_booking(patient, offering, now, *, weeks=4):
    """A booking of `offering` at 09:00 Paris on a Monday `weeks` on, its deposit recorded paid."""
    today = now.date()
    day = today + dt.timedelta(days=(7 - today.weekday()) + 7 * (weeks - 1))
    start = dt.datetime.combine(day, dt.time(9), tzinfo=PARIS)
    booking = awaiting(
        patient,
        offering.provider,
        offering=offering,
        slots=[(start, start + dt.timedelta(hours=1))],
        now=now - dt.timedelta(minutes=5),
        payment_deadline=now + dt.timedelta(hours=1),
    )
    return booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=now, now=now)


def begun(booking, now):
    booking.appointments.update(start=now - dt.timedelta(hours=2), end=now - dt.timedelta(hours=1))


# --- completed, no-show -------------------------------------------------------------------------------


def test_a_member_marks_a_begun_booking_completed_and_asking_again_changes_nothing(
    api_as, patient, offering, clinic_admin, now
):
    booking = paid_booking(patient, offering, now)
    client = api_as(clinic_admin)
    url = f"/api/v1/bookings/{booking.pk}/complete/"

    early = client.post(url)
    assert (early.status_code, early.json()["code"]) == (409, "appointment_not_started")
    begun(booking, now)
    done = client.post(url)
    again = client.post(url)

    assert done.status_code == 200
    assert done.json()["status"] == BookingStatus.COMPLETED
    assert done.json()["available_actions"]["complete"]["allowed"] is False
    assert again.status_code == 200
    assert AuditEvent.objects.filter(action="bookings.booking.completed").count() == 1


def test_a_member_records_a_no_show_with_the_policys_fee(api_as, patient, offering, clinic_admin, now):
    booking = paid_booking(patient, offering, now)
    begun(booking, now)

    response = api_as(clinic_admin).post(f"/api/v1/bookings/{booking.pk}/no-show/")

    assert response.status_code == 200
    assert response.json()["status"] == BookingStatus.NO_SHOW
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert booking.cancellation_fee is not None
    assert booking.cancellation_fee > 0


@pytest.mark.parametrize("who", ["patient", "rival_member", "careteam"])
def test_only_the_providers_members_close_a_booking_others_hear_it_does_not_exist(
    api_as, request, patient, offering, now, who
):
    booking = paid_booking(patient, offering, now)
    begun(booking, now)
    client = api_as(request.getfixturevalue(who))

    for action in ("complete", "no-show"):
        response = client.post(f"/api/v1/bookings/{booking.pk}/{action}/")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), action
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_completed_booking_cannot_be_closed_as_a_no_show(api_as, patient, offering, clinic_admin, now):
    booking = paid_booking(patient, offering, now)
    begun(booking, now)
    client = api_as(clinic_admin)
    assert client.post(f"/api/v1/bookings/{booking.pk}/complete/").status_code == 200

    response = client.post(f"/api/v1/bookings/{booking.pk}/no-show/")

    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


def test_the_same_idempotency_key_replays_the_first_answer(api_as, patient, offering, clinic_admin, now):
    booking = paid_booking(patient, offering, now)
    begun(booking, now)
    client = api_as(clinic_admin)
    headers = {"Idempotency-Key": "close-1"}

    first = client.post(f"/api/v1/bookings/{booking.pk}/complete/", headers=headers)
    replay = client.post(f"/api/v1/bookings/{booking.pk}/complete/", headers=headers)
    reused = client.post(f"/api/v1/bookings/{booking.pk}/no-show/", headers=headers)

    assert first.status_code == replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")


# --- evidence review ----------------------------------------------------------------------------------


def cancelled_with_evidence(patient, offering, now):
    booking = paid_booking(patient, offering, now)
    booking_cancel(booking=booking, actor=patient, reason="death", now=now)
    document = document_upload(owner=patient, upload=io.BytesIO(PDF), title="Certificate", now=now)
    services.booking_submit_evidence(booking=booking, actor=patient, document=document, now=now)
    return booking


def test_the_careteam_lists_the_evidence_queue_and_accepts_for_a_full_refund(api_as, patient, careteam, offering, now):
    booking = cancelled_with_evidence(patient, offering, now)
    client = api_as(careteam)

    queue = client.get("/api/v1/bookings/evidence/")
    assert queue.status_code == 200
    [row] = queue.json()
    assert row["id"] == booking.pk
    assert row["available_actions"]["review_evidence"]["allowed"] is True
    response = client.post(f"/api/v1/bookings/{booking.pk}/evidence/review/", {"accepted": True}, format="json")

    assert response.status_code == 200
    booking.refresh_from_db()
    assert (booking.evidence_status, booking.cancellation_refund) == (EvidenceStatus.ACCEPTED, 50_000)
    assert response.json()["evidence"][0]["status"] == "accepted"
    assert client.get("/api/v1/bookings/evidence/").json() == []


def test_a_rejection_needs_a_note_the_patient_reads(api_as, patient, careteam, offering, now):
    booking = cancelled_with_evidence(patient, offering, now)
    client = api_as(careteam)
    url = f"/api/v1/bookings/{booking.pk}/evidence/review/"

    bare = client.post(url, {"accepted": False}, format="json")
    empty = client.post(url, {}, format="json")
    noted = client.post(url, {"accepted": False, "note": "The certificate is not legible."}, format="json")

    assert (bare.status_code, bare.json()["code"]) == (400, "note_required")
    assert empty.status_code == 400
    assert "accepted" in empty.json()["details"]
    assert noted.status_code == 200
    assert noted.json()["evidence"][0]["note"] == "The certificate is not legible."
    booking.refresh_from_db()
    assert booking.evidence_status == EvidenceStatus.REJECTED


@pytest.mark.parametrize("who", ["patient", "clinic_admin", "finance"])
def test_only_the_careteam_reviews_evidence_or_reads_the_queue(api_as, request, patient, offering, now, who):
    booking = cancelled_with_evidence(patient, offering, now)
    client = api_as(request.getfixturevalue(who))

    queue = client.get("/api/v1/bookings/evidence/")
    review = client.post(f"/api/v1/bookings/{booking.pk}/evidence/review/", {"accepted": True}, format="json")

    assert queue.status_code == review.status_code == 403
    booking.refresh_from_db()
    assert booking.evidence_status == EvidenceStatus.PENDING


def test_reviewing_a_booking_without_evidence_awaiting_is_a_409(api_as, patient, careteam, offering, now):
    booking = paid_booking(patient, offering, now)

    response = api_as(careteam).post(
        f"/api/v1/bookings/{booking.pk}/evidence/review/", {"accepted": True}, format="json"
    )

    assert response.status_code == 409
