"""A second-opinion case at the step the specialist's side starts from, built row by row (the
patient's and the coordinator's services are written alongside): paid, triaged by `coordinator`,
Dr Martin and Dr Yilmaz shortlisted, and `specialist` chosen by the patient."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from secondopinion.models import (
    Candidate,
    CaseDocument,
    CaseQuestion,
    CaseStatus,
    DocumentRole,
    OpinionCase,
)

QUESTIONS = [
    "Is surgery needed now, or can the valve be watched?",
    "Which follow-up examinations do you advise?",
]


def chosen_case(
    *,
    patient,
    specialty,
    coordinator,
    specialist,
    diagnosis,
    shortlist=(),
    now: dt.datetime,
    questions: list[str] | None = None,
    language: str = "en",
    accept_due_at: dt.datetime | None = None,
) -> OpinionCase:
    """A case at `specialist_chosen`: `specialist` chosen from `shortlist` (which includes them)."""
    started = now - dt.timedelta(hours=30)
    case = OpinionCase.objects.create(
        patient=patient,
        specialty=specialty,
        language=language,
        status=CaseStatus.SPECIALIST_CHOSEN,
        consent_at=started,
        coordinator=coordinator,
        skills_needed="Valve disease; echocardiography.",
        specialist=specialist,
        chosen_at=now - dt.timedelta(hours=1),
        accept_due_at=accept_due_at or now + dt.timedelta(hours=settings.SECOND_OPINION_ACCEPT_HOURS - 1),
        clock_started_at=started,
        created_at=started - dt.timedelta(hours=1),
        updated_at=now,
    )
    for position, text in enumerate(QUESTIONS if questions is None else questions, start=1):
        CaseQuestion.objects.create(case=case, position=position, text=text)
    CaseDocument.objects.create(case=case, document=diagnosis, role=DocumentRole.FIRST_DIAGNOSIS, added_at=started)
    for candidate in dict.fromkeys([*shortlist, specialist]):
        Candidate.objects.create(
            case=case,
            specialist=candidate,
            proposed_by=coordinator,
            proposed_at=now - dt.timedelta(hours=5),
        )
    return case


def accepted_case(**kwargs) -> OpinionCase:
    """As `chosen_case`, already accepted by the specialist an hour ago."""
    case = chosen_case(**kwargs)
    now = kwargs["now"]
    case.status = CaseStatus.ACCEPTED
    case.accepted_at = now - dt.timedelta(hours=1)
    case.save(update_fields=["status", "accepted_at"])
    return case
