"""The messages second opinions send, one section per side (each side appends its own).

Each `notify_*` function is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`); message keys make each message go once.

Health information never goes into a subject or an SMS, nor into a message to anyone but the
patient: the templates (`secondopinion/templates/notifications/<template>/<language>/`) say "your
second-opinion request #12", never the specialty, the questions or the documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse

from accounts.models import StaffGroup, User
from notifications.messages import after_commit, money_text
from notifications.rendering import language_of
from notifications.services import notify, site_url
from secondopinion.models import OpinionCase


def _url(name: str, *args: Any) -> str:
    try:
        return site_url(reverse(name, args=args))
    except NoReverseMatch:  # a page another side has not routed yet
        return site_url("/second-opinion/")


def _case(case_id: int) -> OpinionCase:
    return OpinionCase.objects.select_related("patient", "order", "specialist__provider", "coordinator").get(pk=case_id)


# --- the patient's side (requests) ------------------------------------------------------------------


def _coordinators() -> list[User]:
    return list(User.objects.filter(groups__name=StaffGroup.MEDICAL_COORDINATOR.value, is_active=True).distinct())


def notify_case_submitted(*, case: OpinionCase, now: dt.datetime) -> None:
    """The request is paid: the coordinators hear a new request waits (no health information), and
    the patient gets the receipt with what happens next."""
    after_commit(_case_submitted, case_id=case.pk, now=now)


def _case_submitted(*, case_id: int, now: dt.datetime) -> None:
    case = _case(case_id)
    for coordinator in _coordinators():
        notify(
            event="opinion_case_new",
            recipient=coordinator,
            context={"case_number": case.pk, "queue_url": _url("secondopinion:coordinator_queue")},
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
            "case_url": _url("secondopinion:patient_case", case.pk),
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
        context={"case_number": case.pk, "case_url": _url("secondopinion:coordinator_case", case.pk)},
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
    members = User.objects.filter(provider_memberships__provider=case.specialist.provider, is_active=True).distinct()
    for member in members:
        notify(
            event="opinion_specialist_asked",
            recipient=member,
            context={
                "case_number": case.pk,
                "accept_due_at": case.accept_due_at,
                "case_url": _url("secondopinion:specialist_case", case.pk),
            },
            key=f"opinion_specialist_asked:{case.pk}:{case.specialist_id}:{case.chosen_at:%Y%m%dT%H%M%S}",
            template="opinion_specialist_asked",
            tz=case.specialist.timezone,
            now=now,
        )
