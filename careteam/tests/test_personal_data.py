"""Careteam's personal-data declaration: the notes on a person's cases are exported and redacted;
notes on other people's cases stay as they are; the owner of a case is staff's, not personal."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.tests.support import NOW, awaiting
from careteam.models import CaseNote
from careteam.personal_data import DECLARATION, case_keys, erase, export
from core.personal_data import Subject
from quotes.models import QuoteRequest

pytestmark = pytest.mark.django_db


def subject_of(user) -> Subject:
    return Subject(
        user_id=user.pk, pseudonym="Erased person 3f9a", email=user.email, strings=(user.email, "Alice Martin")
    )


def _request(patient) -> QuoteRequest:
    return QuoteRequest.objects.create(
        patient=patient,
        subject="Knee",
        description="Torn meniscus",
        desired_from=dt.date(2030, 2, 1),
        desired_to=dt.date(2030, 3, 1),
        created_at=NOW,
    )


def test_the_persons_cases_are_their_records(patient, other_patient, clinic, rival):
    booking = awaiting(patient, clinic)
    request = _request(patient)
    awaiting(other_patient, rival)
    assert case_keys(patient.pk) == {f"bookings.evidence:{booking.pk}", f"quotes.request:{request.pk}"}


def test_notes_are_exported_and_redacted(patient, other_patient, careteam, clinic):
    request = _request(patient)
    theirs = _request(other_patient)
    mine = CaseNote.objects.create(
        key=f"quotes.request:{request.pk}", author=careteam, text="Called Alice Martin about the MRI", created_at=NOW
    )
    elsewhere = CaseNote.objects.create(
        key="providers.verification:9", author=careteam, text="alice@example.test asked about it", created_at=NOW
    )
    other = CaseNote.objects.create(
        key=f"quotes.request:{theirs.pk}", author=careteam, text="Called Bob about his MRI", created_at=NOW
    )
    exported = export(patient, NOW)["careteam_notes"]
    assert exported == [
        {
            "case": f"quotes.request:{request.pk}",
            "text": "Called Alice Martin about the MRI",
            "written_at": NOW.isoformat(),
        },
        {
            "case": "providers.verification:9",
            "text": "alice@example.test asked about it",
            "written_at": NOW.isoformat(),
        },
    ]

    erase(subject_of(patient), NOW)
    erase(subject_of(patient), NOW)  # idempotent
    assert CaseNote.objects.get(pk=mine.pk).text == "Called Erased person 3f9a about the MRI"
    assert CaseNote.objects.get(pk=elsewhere.pk).text == "Erased person 3f9a asked about it"
    assert CaseNote.objects.get(pk=other.pk).text == "Called Bob about his MRI"


def test_case_owner_is_declared_not_personal():
    assert "careteam.CaseOwner" in DECLARATION.not_personal
    assert "careteam.CaseNote" in DECLARATION.models
