"""The messages second opinions send, by side (each side's section below).

Each `notify_*` function is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`); message keys make each message go once.
Health information never goes into a subject or an SMS: "your second-opinion request #12 has
news", never the specialty, the questions or the opinion.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse

from notifications.messages import after_commit
from notifications.services import notify, site_url
from secondopinion.models import OpinionCase

# --- specialist side -----------------------------------------------------------------------------------
# The patient and the coordinator hear that the chosen specialist accepted or declined; the patient
# hears that the signed opinion is in their documents. Templates: secondopinion/templates/notifications/.


def _patient_case_url(case: OpinionCase) -> str:
    for name in ("secondopinion:patient_case", "secondopinion:patient_case_detail"):
        try:
            return site_url(reverse(name, args=[case.pk]))
        except NoReverseMatch:
            continue
    return site_url(reverse("documents:list"))


def _coordinator_case_url(case: OpinionCase) -> str:
    for name in ("secondopinion:coordinator_case", "secondopinion:coordinator_case_detail"):
        try:
            return site_url(reverse(name, args=[case.pk]))
        except NoReverseMatch:
            continue
    return site_url("/second-opinion/")


def _case(case_id: int) -> OpinionCase:
    return OpinionCase.objects.select_related("patient__patient_profile", "coordinator", "specialist__provider").get(
        pk=case_id
    )


def _context(case: OpinionCase, **extra: Any) -> dict[str, Any]:
    specialist = case.specialist.provider.name if case.specialist is not None else ""
    return {"case_number": case.pk, "specialist_name": specialist, "case_url": _patient_case_url(case), **extra}


def notify_specialist_accepted(*, case: OpinionCase, now: dt.datetime) -> None:
    """The chosen specialist accepted: the patient hears it (e-mail)."""
    after_commit(_specialist_accepted, case_id=case.pk, now=now)


def _specialist_accepted(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    notify(
        event="so_specialist_accepted",
        recipient=case.patient,
        context=_context(case, due_at=case.due_at),
        key=f"so_specialist_accepted:{case.pk}:{case.specialist_id}",
        tz=case.specialist.timezone if case.specialist is not None else "UTC",
        now=now,
    )


def notify_specialist_declined(*, case: OpinionCase, now: dt.datetime) -> None:
    """The chosen specialist declined: the patient is asked to choose again from the rest of the
    shortlist, and the coordinator hears it (e-mail)."""
    after_commit(_specialist_declined, case_id=case.pk, now=now)


def _specialist_declined(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    key = f"{case.pk}:{case.specialist_id}"
    notify(
        event="so_specialist_declined",
        recipient=case.patient,
        context=_context(case),
        key=f"so_specialist_declined:{key}",
        now=now,
    )
    if case.coordinator is not None:
        notify(
            event="so_specialist_declined_coord",
            recipient=case.coordinator,
            context=_context(case, case_url=_coordinator_case_url(case)),
            key=f"so_specialist_declined_coord:{key}",
            now=now,
        )


def notify_opinion_delivered(*, case: OpinionCase, now: dt.datetime) -> None:
    """The opinion is signed: the patient hears it is in their documents (e-mail)."""
    after_commit(_opinion_delivered, case_id=case.pk, now=now)


def _opinion_delivered(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    notify(
        event="so_opinion_delivered",
        recipient=case.patient,
        context=_context(case, documents_url=site_url(reverse("documents:list"))),
        key=f"so_opinion_delivered:{case.pk}",
        now=now,
    )
