"""Reads of disputes, scoped to who asks: a patient their own, a provider's member those of their
provider's bookings, the careteam and finance all."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.errors import NotFound
from disputes.models import Dispute, DisputeEvidence


def disputes_for(*, user: User | AnonymousUser) -> QuerySet[Dispute]:
    base = Dispute.objects.select_related("booking__provider", "order", "patient")
    if not user.is_authenticated:
        return base.none()
    if user.in_group(StaffGroup.CARETEAM) or user.in_group(StaffGroup.FINANCE):
        return base
    return base.filter(Q(patient=user) | Q(booking__provider__members__user=user)).distinct()


def dispute_for(*, user: User | AnonymousUser, dispute_id: int) -> Dispute:
    """The dispute `user` may see, or NotFound (another's dispute is not disclosed)."""
    found = disputes_for(user=user).filter(pk=dispute_id).first()
    if found is None:
        raise NotFound(_("You have no dispute with this id."))
    return found


def dispute_evidence(*, dispute: Dispute) -> QuerySet[DisputeEvidence]:
    return dispute.evidence.select_related("document", "added_by").order_by("added_at", "pk")


def dispute_timeline(*, dispute: Dispute) -> list[dict]:
    """What happened, in order: opened, each document, the answer, the proposal, the decision."""
    events: list[dict] = [{"at": dispute.opened_at, "what": "opened", "label": _("Opened")}]
    for item in dispute_evidence(dispute=dispute):
        events.append(
            {
                "at": item.added_at,
                "what": "evidence",
                "label": _("Document added: %(kind)s") % {"kind": item.get_kind_display()},
            }
        )
    if dispute.answered_at:
        events.append({"at": dispute.answered_at, "what": "answered", "label": _("Answered")})
    if dispute.proposed_at:
        events.append({"at": dispute.proposed_at, "what": "proposed", "label": _("Decision proposed to finance")})
    if dispute.decided_at:
        events.append({"at": dispute.decided_at, "what": "decided", "label": dispute.get_status_display()})
    return sorted(events, key=lambda event: event["at"])
