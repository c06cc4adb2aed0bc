"""A patient's message unanswered for 48 hours, on the careteam's case board (`core.hooks.case_items`).

A thread waits for an answer from the patient's message until someone else writes in it
(`Thread.awaiting_reply_since`). After 48 hours it is new work for the careteam: chase the provider,
or answer. The title names the thread's number only: never the words, the care or the provider.
Second-opinion threads go to the case's coordinator, not the board (the careteam does not read them).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from core.cases import CaseItem, CaseQueue, CaseStage
from messaging.models import SubjectKind, Thread

UNANSWERED_AFTER = dt.timedelta(hours=48)


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    threads = Thread.objects.filter(awaiting_reply_since__lte=now - UNANSWERED_AFTER).exclude(kind=SubjectKind.OPINION)
    items = []
    for thread in threads.order_by("awaiting_reply_since", "pk"):
        since = thread.awaiting_reply_since
        if since is None:
            continue
        items.append(
            CaseItem(
                key=f"messaging.thread:{thread.pk}",
                queue=CaseQueue.UNANSWERED_MESSAGE,
                title=_("Unanswered message in conversation #%(number)s") % {"number": thread.pk},
                stage=CaseStage.NEW,
                opened_at=since,
                url=reverse("messaging:thread", args=[thread.pk]),
                due_at=since + UNANSWERED_AFTER,
                patient_id=thread.patient_id,
                summary=_("The patient has waited more than 48 hours for an answer."),
                audit_targets=(("messaging.thread", str(thread.pk)),),
            )
        )
    return items
