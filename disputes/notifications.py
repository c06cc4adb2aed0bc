"""The messages disputes sends: a dispute opened (to the other side, or the careteam for an add-on
order), a decision awaiting finance (to finance), and the decision (to the patient and the
provider's members; for an add-on order, with the consumer mediator's contact).

Each `notify_*` is called inside the service's transaction and only registers work for after the
commit. No subject or SMS says what the dispute is about beyond its number: no health detail, no
statement (they are read on the dispute's page, signed in).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from accounts.models import StaffGroup, User
from disputes.models import Dispute, DisputeSide, DisputeStatus
from notifications.messages import after_commit, money_text
from notifications.rendering import language_of
from notifications.services import notify, site_url
from providers.selectors import provider_members_to_notify


def _dispute(dispute_id: int) -> Dispute:
    return Dispute.objects.select_related("booking__provider", "order", "patient").get(pk=dispute_id)


def _url(dispute: Dispute) -> str:
    return site_url(reverse("disputes:detail", args=[dispute.pk]))


def _staff(group: str) -> list[User]:
    return list(User.objects.filter(groups__name=group, is_active=True).order_by("pk"))


def mediator() -> dict[str, str]:
    """The consumer mediator's contact (settings CONSUMER_MEDIATOR_*)."""
    return {
        "name": settings.CONSUMER_MEDIATOR_NAME,
        "address": settings.CONSUMER_MEDIATOR_ADDRESS,
        "url": settings.CONSUMER_MEDIATOR_URL,
    }


def _context(dispute: Dispute, recipient: User) -> dict[str, Any]:
    language = language_of(recipient)
    return {
        "number": dispute.pk,
        "url": _url(dispute),
        "subject_kind": "order" if dispute.order_id else "booking",
        "subject_number": dispute.order_id or dispute.booking_id,
        "outcome": dispute.get_outcome_display() if dispute.outcome else "",
        "refund": money_text(amount=dispute.refund_amount or None, currency=dispute.currency, language=language),
        "answer_due_at": dispute.answer_due_at,
        # A dispute over a non-medical service (an add-on) may go to the consumer mediator.
        "mediator": mediator() if dispute.order_id else None,
    }


def _parties(dispute: Dispute) -> list[User]:
    people = [dispute.patient]
    if dispute.booking is not None:
        people += provider_members_to_notify(provider_id=dispute.booking.provider_id)
    return people


def notify_dispute_opened(*, dispute: Dispute, now: dt.datetime) -> None:
    after_commit(_opened, dispute_id=dispute.pk, now=now)


def _opened(*, dispute_id: int, now: dt.datetime) -> None:
    dispute = _dispute(dispute_id)
    if dispute.status == DisputeStatus.UNDER_REVIEW:  # an add-on order: the careteam reviews it
        recipients = _staff(StaffGroup.CARETEAM.value)
    elif dispute.opened_by_side == DisputeSide.PATIENT and dispute.booking is not None:
        recipients = provider_members_to_notify(provider_id=dispute.booking.provider_id)
    else:
        recipients = [dispute.patient]
    for recipient in recipients:
        notify(
            event="dispute_opened",
            recipient=recipient,
            context=_context(dispute, recipient),
            key=f"dispute_opened:{dispute.pk}",
            now=now,
            booking_id=dispute.booking_id,
        )


def notify_finance_to_approve(*, dispute: Dispute, now: dt.datetime) -> None:
    after_commit(_to_approve, dispute_id=dispute.pk, proposed_at=dispute.proposed_at, now=now)


def _to_approve(*, dispute_id: int, proposed_at: dt.datetime | None, now: dt.datetime) -> None:
    dispute = _dispute(dispute_id)
    stamp = proposed_at.isoformat() if proposed_at else ""
    for recipient in _staff(StaffGroup.FINANCE.value):
        if recipient.pk == dispute.proposed_by_id:
            continue
        notify(
            event="dispute_to_approve",
            recipient=recipient,
            context=_context(dispute, recipient),
            key=f"dispute_to_approve:{dispute.pk}:{stamp}",
            now=now,
        )


def notify_dispute_decided(*, dispute: Dispute, now: dt.datetime) -> None:
    after_commit(_decided, dispute_id=dispute.pk, now=now)


def _decided(*, dispute_id: int, now: dt.datetime) -> None:
    dispute = _dispute(dispute_id)
    for recipient in _parties(dispute):
        notify(
            event="dispute_decided",
            recipient=recipient,
            context=_context(dispute, recipient),
            key=f"dispute_decided:{dispute.pk}",
            now=now,
            booking_id=dispute.booking_id,
        )
