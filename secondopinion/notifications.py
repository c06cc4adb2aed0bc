"""The messages second opinions send, one section per side.

Each `notify_*` function is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`); message keys make each message go once.
Health information never goes into a subject or an SMS: the templates
(`secondopinion/templates/notifications/<template>/<language>/`) say "your second-opinion request
#12", never the specialty, the question or the documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from accounts.models import StaffGroup, User
from notifications.messages import after_commit, money_text
from notifications.rendering import language_of
from notifications.services import notify, site_url
from providers.selectors import provider_members_to_notify
from secondopinion.models import ClockPause, FollowUp, OpinionCase
from secondopinion.selectors import case_calendar

# --- shared helpers -------------------------------------------------------------------------------------


def _case(case_id: int) -> OpinionCase:
    return (
        OpinionCase.objects.select_related("patient__patient_profile", "coordinator", "specialist__provider", "order")
        .prefetch_related("pauses")
        .get(pk=case_id)
    )


def _url(name: str, case: OpinionCase) -> str:
    """A page of the case, or the second-opinion home while that page is not routed."""
    try:
        return site_url(reverse(f"secondopinion:{name}", args=[case.pk]))
    except NoReverseMatch:
        return site_url("/second-opinion/")


def medical_coordinators() -> list[User]:
    return list(
        User.objects.filter(groups__name=StaffGroup.MEDICAL_COORDINATOR.value, is_active=True).order_by("pk").distinct()
    )


def case_coordinators(case: OpinionCase) -> list[User]:
    """Who answers for the case's clock: its coordinator, or every medical coordinator while nobody took it."""
    if case.coordinator is not None and case.coordinator.is_active:
        return [case.coordinator]
    return medical_coordinators()


def _notify_patient(*, event: str, case: OpinionCase, key: str, now: dt.datetime, context: dict[str, Any]) -> None:
    notify(
        event=event,
        recipient=case.patient,
        context={"case_number": case.pk, "case_url": _url("patient_case", case), **context},
        key=key,
        template=event,
        tz=settings.SECOND_OPINION_TIMEZONE,
        now=now,
    )


# --- deadlines: the clock's alerts, the breach refund, an acceptance that timed out ----------------------


def _deadline_context(case: OpinionCase) -> dict[str, Any]:
    calendar = case_calendar(case)
    return {
        "case_number": case.pk,
        "due_at": case.due_at,
        "timezone": calendar.timezone,
        "hours": settings.SECOND_OPINION_HOURS,
        "accept_hours": settings.SECOND_OPINION_ACCEPT_HOURS,
        "percent": settings.SECOND_OPINION_BREACH_REFUND_PERCENT,
    }


def notify_deadline_alert(*, case: OpinionCase, stage: str, now: dt.datetime) -> None:
    """The clock of `case` reached 75 % (`stage="75"`) or its deadline (`stage="due"`): its
    coordinator (or every coordinator while nobody took it) hears it by e-mail."""
    after_commit(_deadline_alert, case_id=case.pk, stage=stage, now=now)


def _deadline_alert(*, case_id: int, stage: str, now: dt.datetime) -> None:
    case = _case(case_id)
    context = {**_deadline_context(case), "case_url": _url("coordinator_case", case), "stage": stage}
    event = f"opinion_deadline_{stage}"
    for coordinator in case_coordinators(case):
        notify(
            event=event,
            recipient=coordinator,
            context=context,
            key=f"{event}:{case.pk}",
            tz=context["timezone"],
            now=now,
        )


def notify_breach_refunded(*, case: OpinionCase, now: dt.datetime) -> None:
    """The opinion was not delivered in time: the patient hears what went back to their card (e-mail)."""
    after_commit(_breach_refunded, case_id=case.pk, now=now)


def _breach_refunded(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    patient: User = case.patient
    currency = case.order.currency if case.order is not None else ""
    context = {
        **_deadline_context(case),
        "case_url": _url("patient_case", case),
        "refund": money_text(amount=case.breach_refund_amount, currency=currency, language=language_of(patient)),
    }
    notify(
        event="opinion_breach_refunded",
        recipient=patient,
        context=context,
        key=f"opinion_breach_refunded:{case.pk}",
        tz=context["timezone"],
        now=now,
    )


def notify_accept_timed_out(*, case: OpinionCase, specialist_name: str, now: dt.datetime) -> None:
    """The chosen specialist did not answer in time: the patient is asked to choose again, and the
    coordinator hears it (e-mail). One message per timed-out choice (`chosen_at` in the key)."""
    after_commit(_accept_timed_out, case_id=case.pk, specialist_name=specialist_name, now=now)


def _accept_timed_out(*, case_id: int, specialist_name: str, now: dt.datetime) -> None:
    case = _case(case_id)
    context = {**_deadline_context(case), "specialist_name": specialist_name}
    key = f"{case.pk}:{now.astimezone(dt.UTC):%Y%m%dT%H%M%S}"
    notify(
        event="opinion_choose_again",
        recipient=case.patient,
        context={**context, "case_url": _url("patient_case", case)},
        key=f"opinion_choose_again:{key}",
        tz=context["timezone"],
        now=now,
    )
    for coordinator in case_coordinators(case):
        notify(
            event="opinion_accept_timed_out",
            recipient=coordinator,
            context={**context, "case_url": _url("coordinator_case", case)},
            key=f"opinion_accept_timed_out:{key}",
            tz=context["timezone"],
            now=now,
        )


# --- specialist side -----------------------------------------------------------------------------------
# The patient and the coordinator hear that the chosen specialist accepted or declined; the patient
# hears that the signed opinion is in their documents. Templates: secondopinion/templates/notifications/.


def _context(case: OpinionCase, **extra: Any) -> dict[str, Any]:
    specialist = case.specialist.provider.name if case.specialist is not None else ""
    return {"case_number": case.pk, "specialist_name": specialist, "case_url": _url("patient_case", case), **extra}


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
            context=_context(case, case_url=_url("coordinator_case", case)),
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


# --- after (follow-up questions) ---------------------------------------------------------------------------


def notify_follow_up_asked(*, case, follow_up: FollowUp, now: dt.datetime) -> None:
    """The patient asked a follow-up question: the specialist's practice hears of it (not what it is)."""
    after_commit(_follow_up_asked, follow_up_id=follow_up.pk, now=now)


def _follow_up_asked(*, follow_up_id: int, now: dt.datetime) -> None:
    follow_up = FollowUp.objects.select_related("case__specialist").get(pk=follow_up_id)
    case = follow_up.case
    if case.specialist is None:
        return
    for member in provider_members_to_notify(provider_id=case.specialist.provider_id):
        notify(
            event="secondopinion_follow_up_asked",
            recipient=member,
            context={"case_number": case.pk, "case_url": _url("after_case", case)},
            key=f"secondopinion_follow_up_asked:{follow_up.pk}",
            now=now,
        )


def notify_follow_up_answered(*, case, follow_up: FollowUp, now: dt.datetime) -> None:
    """The specialist answered: the patient hears there is news on their request (not what it is)."""
    after_commit(_follow_up_answered, follow_up_id=follow_up.pk, now=now)


def _follow_up_answered(*, follow_up_id: int, now: dt.datetime) -> None:
    follow_up = FollowUp.objects.select_related("case__patient__patient_profile").get(pk=follow_up_id)
    case = follow_up.case
    notify(
        event="secondopinion_follow_up_answered",
        recipient=case.patient,
        context={"case_number": case.pk, "case_url": _url("after_case", case)},
        key=f"secondopinion_follow_up_answered:{follow_up.pk}",
        now=now,
    )


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


# --- the patient's side (requests) ------------------------------------------------------------------


def notify_case_submitted(*, case: OpinionCase, now: dt.datetime) -> None:
    """The request is paid: the coordinators hear a new request waits (no health information), and
    the patient gets the receipt with what happens next."""
    after_commit(_case_submitted, case_id=case.pk, now=now)


def _case_submitted(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    for coordinator in medical_coordinators():
        notify(
            event="opinion_case_new",
            recipient=coordinator,
            context={"case_number": case.pk, "queue_url": site_url(reverse("secondopinion:coordinator_queue"))},
            key=f"opinion_case_new:{case.pk}",
            template="opinion_case_new",
            now=now,
        )
    language = language_of(case.patient)
    order = case.order
    notify(
        event="opinion_case_paid",
        recipient=case.patient,
        context={
            "case_number": case.pk,
            "amount": money_text(
                amount=order.amount if order else None, currency=order.currency if order else "", language=language
            ),
            "due_at": case.due_at,
            "case_url": _url("patient_case", case),
        },
        key=f"opinion_case_paid:{case.pk}",
        template="opinion_case_paid",
        now=now,
    )


def notify_documents_sent(*, case: OpinionCase, now: dt.datetime) -> None:
    """The patient says the documents asked for are there: the case's coordinator hears it."""
    after_commit(_documents_sent, case_id=case.pk, now=now)


def _documents_sent(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    if case.coordinator is None:
        return
    notify(
        event="opinion_documents_sent",
        recipient=case.coordinator,
        context={"case_number": case.pk, "case_url": _url("coordinator_case", case)},
        key=f"opinion_documents_sent:{case.pk}:{now.astimezone(dt.UTC):%Y%m%dT%H%M%S}",
        template="opinion_documents_sent",
        now=now,
    )


def notify_specialist_asked(*, case: OpinionCase, now: dt.datetime) -> None:
    """The patient chose a specialist (and paid any supplement): the practice's members are asked
    to accept, before `accept_due_at` (no health information in the message)."""
    after_commit(_specialist_asked, case_id=case.pk, now=now)


def _specialist_asked(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    if case.specialist is None:
        return
    for member in provider_members_to_notify(provider_id=case.specialist.provider_id):
        notify(
            event="opinion_specialist_asked",
            recipient=member,
            context={
                "case_number": case.pk,
                "accept_due_at": case.accept_due_at,
                "case_url": _url("specialist_case", case),
            },
            key=f"opinion_specialist_asked:{case.pk}:{case.specialist_id}:{case.chosen_at:%Y%m%dT%H%M%S}",
            template="opinion_specialist_asked",
            tz=case.specialist.timezone,
            now=now,
        )
