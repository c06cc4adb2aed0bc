"""The messages second opinions send, one section per side (the patient's request, the coordinator's
triage, the specialist, after the opinion, the clock's alerts).

Each `notify_*` function is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`); message keys make each message go once.
Health information never goes into a subject or an SMS: the templates
(`secondopinion/templates/notifications/<template>/<language>/`) name the request by its number
only ("Your second-opinion request #12 has news"), never the specialty, the question or a document.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from notifications.messages import after_commit, money_text
from notifications.rendering import language_of
from notifications.services import notify, site_url
from secondopinion.models import ClockPause, OpinionCase


def case_url(case: OpinionCase) -> str:
    """The patient's page of the case (the patient side's route), else the site's home."""
    try:
        return site_url(reverse("secondopinion:patient_case", args=[case.pk]))
    except NoReverseMatch:
        return site_url("/")


def _notify_patient(*, event: str, case: OpinionCase, key: str, now: dt.datetime, context: dict[str, Any]) -> None:
    notify(
        event=event,
        recipient=case.patient,
        context={"case_number": case.pk, "case_url": case_url(case), **context},
        key=key,
        template=event,
        tz=settings.SECOND_OPINION_TIMEZONE,
        now=now,
    )


def _case(case_id: int) -> OpinionCase:
    return OpinionCase.objects.select_related("patient__patient_profile", "order").get(pk=case_id)


# --- triage (the medical coordinator) -----------------------------------------------------------------


def notify_documents_requested(*, case: OpinionCase, pause_id: int, now: dt.datetime) -> None:
    """The coordinator asks for documents: the patient reads what is missing in the e-mail's body."""
    after_commit(_documents_requested, case_id=case.pk, pause_id=pause_id, now=now)


def _documents_requested(*, case_id: int, pause_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    pause = ClockPause.objects.get(pk=pause_id)
    _notify_patient(
        event="opinion_documents_requested",
        case=case,
        key=f"opinion_documents_requested:{pause.pk}",
        now=now,
        context={"message": pause.message},
    )


def notify_shortlisted(*, case: OpinionCase, now: dt.datetime) -> None:
    """Specialists are proposed: the patient is asked to choose one."""
    after_commit(_shortlisted, case_id=case.pk, now=now)


def _shortlisted(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    count = case.candidates.count()
    _notify_patient(
        event="opinion_shortlisted",
        case=case,
        key=f"opinion_shortlisted:{case.pk}:{count}",
        now=now,
        context={"count": case.candidates.filter(declined_at__isnull=True).count()},
    )


def notify_unsuitable(*, case: OpinionCase, now: dt.datetime) -> None:
    """The file cannot be accepted: the patient hears why and that they are refunded in full."""
    after_commit(_unsuitable, case_id=case.pk, now=now)


def _unsuitable(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    language = language_of(case.patient)
    currency = case.order.currency if case.order is not None else ""
    _notify_patient(
        event="opinion_unsuitable",
        case=case,
        key=f"opinion_unsuitable:{case.pk}",
        now=now,
        context={
            "reason_code": case.unsuitable_reason,
            "emergency": case.unsuitable_reason == "emergency",
            "note": case.unsuitable_note,
            "refund": money_text(amount=case.refund_amount, currency=currency, language=language),
        },
    )
