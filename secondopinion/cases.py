"""The medical coordinators' second-opinion queue on the case board (`core.hooks.case_items`).

- a paid request nobody has taken (new): due one working day after payment;
- a request being triaged (in progress): due when the opinion is due;
- waiting for the patient's documents or choice, or for the chosen specialist (waiting);
- the chosen specialist declined (new: more specialists may be needed);
- accepted (scheduled): due when the opinion is due.

Titles carry the request's number only: no specialty, no question, no document (the board is
shared). The card links to the coordinator's page of the case, which only coordinators open.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.cases import CaseItem, CaseQueue, CaseStage
from secondopinion import clock
from secondopinion.models import CaseStatus, OpinionCase
from secondopinion.selectors import default_calendar

TAKE_WITHIN_HOURS = 8  # one working day

STAGES: dict[str, str] = {
    CaseStatus.SUBMITTED: CaseStage.NEW,
    CaseStatus.UNDER_TRIAGE: CaseStage.IN_PROGRESS,
    CaseStatus.AWAITING_DOCUMENTS: CaseStage.WAITING,
    CaseStatus.SHORTLISTED: CaseStage.WAITING,
    CaseStatus.SPECIALIST_CHOSEN: CaseStage.WAITING,
    CaseStatus.DECLINED_BY_SPECIALIST: CaseStage.NEW,
    CaseStatus.ACCEPTED: CaseStage.SCHEDULED,
}


def _summary(case: OpinionCase) -> str:
    summaries: dict[str, str] = {
        CaseStatus.SUBMITTED: _("Paid: take it and read the file."),
        CaseStatus.UNDER_TRIAGE: _("Being triaged: name the skills and propose specialists."),
        CaseStatus.AWAITING_DOCUMENTS: _("Waiting for the patient's documents (clock paused)."),
        CaseStatus.SHORTLISTED: _("Waiting for the patient's choice (clock paused)."),
        CaseStatus.SPECIALIST_CHOSEN: _("Waiting for the chosen specialist to accept."),
        CaseStatus.DECLINED_BY_SPECIALIST: _("The specialist declined: propose more if needed."),
        CaseStatus.ACCEPTED: _("The specialist is writing the opinion."),
    }
    return summaries.get(case.status, "")


def _take_due(case: OpinionCase) -> dt.datetime | None:
    if case.clock_started_at is None:
        return None
    return clock.due_at(start=case.clock_started_at, hours=TAKE_WITHIN_HOURS, calendar=default_calendar())


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    cases = OpinionCase.objects.filter(status__in=list(STAGES)).order_by("created_at", "pk")
    items = []
    for case in cases:
        stage = STAGES[case.status]
        due = _take_due(case) if case.status == CaseStatus.SUBMITTED else case.due_at
        if stage == CaseStage.WAITING:
            due = None if case.status != CaseStatus.SPECIALIST_CHOSEN else case.accept_due_at
        items.append(
            CaseItem(
                key=f"secondopinion.case:{case.pk}",
                queue=CaseQueue.SECOND_OPINION,
                title=_("Second opinion #%(number)s") % {"number": case.pk},
                stage=stage,
                opened_at=case.clock_started_at or case.created_at,
                url=reverse("secondopinion:coordinator_case", args=[case.pk]),
                due_at=due,
                timezone=settings.SECOND_OPINION_TIMEZONE,
                patient_id=case.patient_id,
                summary=_summary(case),
                audit_targets=(("secondopinion.opinioncase", str(case.pk)),),
            )
        )
    return items
