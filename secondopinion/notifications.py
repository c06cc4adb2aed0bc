"""The messages second opinions send, by side. Each `notify_*` function is called inside the
service's transaction and only registers work for after the commit
(`notifications.messages.after_commit`); message keys make each message go once.

Health information never goes into a subject or an SMS: the templates
(`secondopinion/templates/notifications/<template>/<language>/`) name the request's number, never
the specialty, the question or the opinion.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from notifications.messages import after_commit
from notifications.services import notify, site_url
from providers.selectors import provider_members_to_notify
from secondopinion.models import FollowUp

# --- after (follow-up questions) ---------------------------------------------------------------------------


def _after_url(case_id: int) -> str:
    return site_url(reverse("secondopinion:after_case", args=[case_id]))


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
            context={"case_number": case.pk, "case_url": _after_url(case.pk)},
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
        context={"case_number": case.pk, "case_url": _after_url(case.pk)},
        key=f"secondopinion_follow_up_answered:{follow_up.pk}",
        now=now,
    )
