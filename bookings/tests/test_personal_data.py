"""Bookings' personal-data declaration: the export lists the bookings, erasure redacts and is
idempotent, a live booking blocks the erasure until it is cancelled."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bookings.models import Booking, CancellationEvidence
from bookings.personal_data import DECLARATION, blockers, erase, export, kept, providers
from bookings.services import booking_cancel
from bookings.tests.support import NOW, awaiting, confirm
from core.personal_data import Subject, declarations
from documents.models import MedicalDocument

pytestmark = pytest.mark.django_db


def subject_of(user) -> Subject:
    return Subject(
        user_id=user.pk,
        pseudonym="Erased person 3f9a",
        email=user.email,
        strings=(user.email, "Alice Martin", "Alice", "Martin", "+33 6 12 34 56 78"),
    )


def test_bookings_is_declared_once():
    assert [d for d in declarations() if d.app == "bookings"] == [DECLARATION]


def test_export_lists_bookings_appointments_and_amounts(patient, clinic):
    booking = confirm(awaiting(patient, clinic))
    data = export(patient, NOW)
    assert json.loads(json.dumps(data)) == data  # plain JSON values only
    [item] = data["bookings"]
    assert item["id"] == booking.pk
    assert item["provider"] == {"id": clinic.pk, "name": "Clinique du Lac"}
    assert item["deposit_amount"] == 50_000
    assert item["currency"] == "EUR"
    assert item["status"] == "confirmed"
    assert item["paid_at"] == NOW.isoformat()
    assert [a["start"][:10] for a in item["appointments"]] == ["2030-02-04"]


def test_export_holds_only_the_persons_bookings(patient, other_patient, clinic):
    awaiting(other_patient, clinic)
    assert export(patient, NOW) == {"bookings": []}


def test_live_booking_blocks_until_cancelled(patient, clinic):
    booking = confirm(awaiting(patient, clinic))
    [blocker] = blockers(patient, NOW)
    assert str(booking.pk) in blocker.what
    assert "Clinique du Lac" in blocker.what
    assert "refunded" in blocker.action  # the cancellation's consequence, from the policy
    assert blocker.url == f"/bookings/{booking.pk}/"
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(hours=1))
    assert blockers(patient, NOW + dt.timedelta(hours=2)) == []


def test_unpaid_booking_blocker_says_nothing_is_kept(patient, clinic):
    awaiting(patient, clinic)
    [blocker] = blockers(patient, NOW)
    assert "not paid" in blocker.action


def test_erase_redacts_free_text_and_is_idempotent(patient, clinic):
    booking = confirm(awaiting(patient, clinic))
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(hours=1))
    Booking.objects.filter(pk=booking.pk).update(cancellation_explanation="Cancelled for Alice Martin by phone")
    document = MedicalDocument.objects.create(
        owner=patient, title="certificate", kind="pdf", size=1, sha256="0" * 64, created_at=NOW
    )
    CancellationEvidence.objects.create(
        booking=booking, document=document, submitted_by=patient, submitted_at=NOW, note="alice@example.test rang"
    )
    subject = subject_of(patient)
    erase(subject, NOW)
    erase(subject, NOW)  # twice: the same
    booking.refresh_from_db()
    assert booking.cancellation_explanation == "Cancelled for Erased person 3f9a by phone"
    assert booking.deposit_amount == 50_000  # the money's row stays
    assert CancellationEvidence.objects.get(booking=booking).note == "Erased person 3f9a rang"
    assert "alice" not in str(export(patient, NOW)).lower()


def test_kept_names_the_legal_basis_and_date(patient, clinic):
    booking = confirm(awaiting(patient, clinic))
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(hours=1))
    found = kept(patient, NOW)
    assert any("L123-22" in k.why and k.until == dt.date(2040, 1, 7) for k in found)
    assert any("dispute" in k.why and k.until == (NOW + dt.timedelta(hours=1, days=120)).date() for k in found)


def test_providers_are_those_booked_with(patient, clinic, rival):
    awaiting(patient, clinic)
    assert providers(patient) == [clinic.pk]
