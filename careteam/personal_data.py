"""What the careteam holds about a person (`core.personal_data`): its notes on the person's cases.

A case's key names the record it is about (`bookings.evidence:<id>`, `quotes.request:<id>`,
`concierge.order:<id>`, `secondopinion.case:<id>`); the person's cases are those of their records.
Who owns a case (`CaseOwner`) is staff's work, not the person's data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking
from careteam.models import CaseNote
from concierge.models import AddonOrder
from core.personal_data import Declaration, Subject, redact
from quotes.models import QuoteRequest
from secondopinion.models import OpinionCase


def case_keys(user_id: int) -> set[str]:
    """The keys of the careteam's cases about the person's records."""
    keys = {f"bookings.evidence:{pk}" for pk in Booking.objects.filter(patient_id=user_id).values_list("pk", flat=True)}
    keys |= {
        f"quotes.request:{pk}" for pk in QuoteRequest.objects.filter(patient_id=user_id).values_list("pk", flat=True)
    }
    keys |= {
        f"concierge.order:{pk}" for pk in AddonOrder.objects.filter(patient_id=user_id).values_list("pk", flat=True)
    }
    keys |= {
        f"secondopinion.case:{pk}" for pk in OpinionCase.objects.filter(patient_id=user_id).values_list("pk", flat=True)
    }
    return keys


def _notes(user_id: int, strings: tuple[str, ...] = ()):
    query = Q(key__in=case_keys(user_id))
    for string in strings:
        if string and len(string) >= 3:
            query |= Q(text__icontains=string)
    return CaseNote.objects.filter(query).order_by("created_at", "pk")


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    return {
        "careteam_notes": [
            {"case": note.key, "text": note.text, "written_at": note.created_at.isoformat()}
            for note in _notes(person.pk, (person.email,))
        ]
    }


def erase(subject: Subject, now: dt.datetime) -> None:
    """Redact the person's names, e-mail and phone in the notes on their cases (and in any note that
    names them); the notes stay, the careteam's work log. Idempotent."""
    for note in _notes(subject.user_id, (subject.email, *subject.strings)):
        text = redact(note.text, subject)
        if text != note.text:
            CaseNote.objects.filter(pk=note.pk).update(text=text)


DECLARATION = Declaration(
    app="careteam",
    models={"careteam.CaseNote": _("The careteam's notes on your cases")},
    not_personal={"careteam.CaseOwner": _("Which staff member handles a case: staff's work, not the person's data")},
    export=export,
    erase=erase,
    erased=_("Your name, e-mail and phone in the careteam's notes on your cases"),
)
