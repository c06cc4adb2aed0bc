"""The board's words for the queues and stages that apps declare (`core.cases`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.cases import CaseQueue, CaseStage

QUEUE_LABELS = {
    CaseQueue.ADDON_ORDER: _("Add-on order"),
    CaseQueue.VIP_PACKAGE: _("VIP package"),
    CaseQueue.ASSISTANCE: _("Careteam assistance"),
    CaseQueue.EVIDENCE: _("Cancellation evidence"),
    CaseQueue.VERIFICATION: _("Provider verification"),
    CaseQueue.UNANSWERED_QUOTE: _("Unanswered quote request"),
    CaseQueue.FAILED_MESSAGE: _("Failed message"),
    CaseQueue.SECOND_OPINION: _("Second opinion"),
    CaseQueue.DATA_REQUEST: _("Data-rights request"),
    CaseQueue.UNANSWERED_MESSAGE: _("Unanswered message"),
    CaseQueue.DISPUTE: _("Dispute"),
}

STAGE_LABELS = {
    CaseStage.NEW: _("New"),
    CaseStage.IN_PROGRESS: _("In progress"),
    CaseStage.WAITING: _("Waiting"),
    CaseStage.SCHEDULED: _("Scheduled"),
}

# Audit actions whose generic wording ("Booking: cancelled") would read badly on a timeline.
ACTION_LABELS = {
    "careteam.case.assigned": _("assigned the case"),
    "careteam.case.unassigned": _("unassigned the case"),
    "careteam.case.note_added": _("wrote a note"),
}


def queue_label(queue: str) -> str:
    return str(QUEUE_LABELS.get(queue, queue.replace("_", " ").capitalize()))


def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


def action_words(action: str) -> str:
    """An audit action ("bookings.evidence.submitted") in words ("evidence: submitted")."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    parts = action.split(".")
    subject = parts[-2] if len(parts) >= 2 else parts[0]
    return f"{subject.replace('_', ' ')}: {parts[-1].replace('_', ' ')}"
