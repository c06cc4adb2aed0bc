"""Data-rights requests on the careteam's case board (`core.hooks.case_items`).

One card per open request, due by its legal deadline (one month, or as extended). The title names
the request's kind and number only (no health information, no name); the card links to the
careteam's page of the request, where its forwards and the providers' answers are shown and the
request is extended, completed or refused.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from core.cases import CaseItem, CaseQueue, CaseStage
from privacy.models import OPEN_STATUSES, DataRequest, RequestStatus


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    """Every open data-rights request, due by its legal deadline."""
    items = []
    requests = (
        DataRequest.objects.filter(status__in=OPEN_STATUSES).prefetch_related("forwards").order_by("due_at", "pk")
    )
    for request in requests:
        forwards = list(request.forwards.all())
        waiting = [f for f in forwards if f.answered_at is None]
        if waiting:
            stage = CaseStage.WAITING
            summary = _("Waiting for %(count)s provider(s) to answer.") % {"count": len(waiting)}
        elif request.status == RequestStatus.IN_PROGRESS:
            stage = CaseStage.IN_PROGRESS
            summary = _("Being carried out.")
        else:
            stage = CaseStage.NEW
            summary = _("Received: answer it by its due date.")
        items.append(
            CaseItem(
                key=f"privacy.request:{request.pk}",
                queue=CaseQueue.DATA_REQUEST,
                title=_("%(kind)s — request #%(number)s") % {"kind": request.get_kind_display(), "number": request.pk},
                stage=stage,
                opened_at=request.received_at,
                url=reverse("privacy:careteam_request", args=[request.pk]),
                due_at=request.due_at,
                patient_id=request.user_id,
                summary=summary,
                audit_targets=(("privacy.datarequest", str(request.pk)),),
            )
        )
    return items
