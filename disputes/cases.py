"""Disputes on the careteam's case board (`core.hooks.case_items`), with their deadlines:

- awaiting the other side's answer (waiting): due when the answer is due;
- under review (new): due when the careteam's decision is due;
- a decision awaiting finance (in progress): due two days after it was proposed;
- a card chargeback with the issuer (waiting): no deadline of ours.

Titles name the dispute and what it is about by number, never a statement or a health detail.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from core.cases import CaseItem, CaseQueue, CaseStage
from disputes.models import OPEN_STATUSES, Dispute, DisputeStatus

FINANCE_WITHIN = dt.timedelta(days=2)


def _stage_and_due(dispute: Dispute) -> tuple[str, dt.datetime | None]:
    if dispute.status == DisputeStatus.AWAITING_ANSWER:
        return CaseStage.WAITING, dispute.answer_due_at
    if dispute.status == DisputeStatus.UNDER_REVIEW:
        return CaseStage.NEW, dispute.decision_due_at
    if dispute.status == DisputeStatus.AWAITING_FINANCE:
        return CaseStage.IN_PROGRESS, (dispute.proposed_at or dispute.opened_at) + FINANCE_WITHIN
    return CaseStage.WAITING, None


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    items = []
    for dispute in (
        Dispute.objects.filter(status__in=OPEN_STATUSES).select_related("booking").order_by("opened_at", "pk")
    ):
        stage, due_at = _stage_and_due(dispute)
        about = (
            _("order #%(number)s") % {"number": dispute.order_id}
            if dispute.order_id
            else _("booking #%(number)s") % {"number": dispute.booking_id}
        )
        items.append(
            CaseItem(
                key=f"disputes.dispute:{dispute.pk}",
                queue=CaseQueue.DISPUTE,
                title=_("%(kind)s #%(number)s about %(about)s")
                % {"kind": dispute.get_kind_display(), "number": dispute.pk, "about": about},
                stage=stage,
                opened_at=dispute.opened_at,
                url=reverse("disputes:detail", args=[dispute.pk]),
                due_at=due_at,
                timezone=dispute.booking.timezone if dispute.booking is not None else "",
                patient_id=dispute.patient_id,
                summary=dispute.get_status_display(),
                audit_targets=(("disputes.dispute", str(dispute.pk)),),
            )
        )
    return items
