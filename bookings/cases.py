"""Bookings' work for the careteam's case board (`core.hooks.case_items`): evidence to review."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from bookings.models import Booking, EvidenceReview
from core.cases import CaseItem, CaseLink, CaseQueue, CaseStage


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    """Cancellations whose evidence waits for the careteam, due by the evidence deadline."""
    bookings = (
        Booking.objects.filter(evidence__status=EvidenceReview.PENDING)
        .select_related("offering__location")
        .prefetch_related("evidence", "provider__locations")
        .distinct()
        .order_by("evidence_due_at", "pk")
    )
    items = []
    for booking in bookings:
        pending = [evidence for evidence in booking.evidence.all() if evidence.status == EvidenceReview.PENDING]
        items.append(
            CaseItem(
                key=f"bookings.evidence:{booking.pk}",
                queue=CaseQueue.EVIDENCE,
                # The reason given may be medical: the title names only the booking.
                title=_("Cancellation evidence for booking #%(number)s") % {"number": booking.pk},
                stage=CaseStage.NEW,
                opened_at=min(evidence.submitted_at for evidence in pending),
                url=reverse("bookings:evidence_queue"),
                due_at=booking.evidence_due_at,
                city=_booking_city(booking),
                timezone=booking.timezone,
                patient_id=booking.patient_id,
                audit_targets=(("bookings.booking", str(booking.pk)),),
                links=(
                    CaseLink(
                        _("Booking #%(number)s") % {"number": booking.pk}, reverse("bookings:detail", args=[booking.pk])
                    ),
                    # The documents stay in `documents`: a link to their own download, never a copy.
                    *(
                        CaseLink(
                            _("Evidence document %(n)s") % {"n": position},
                            reverse("documents:download", args=[evidence.document_id]),
                        )
                        for position, evidence in enumerate(pending, start=1)
                    ),
                ),
            )
        )
    return items


def _booking_city(booking: Booking) -> str:
    if booking.offering is not None:
        return booking.offering.location.city
    locations = list(booking.provider.locations.all())
    return locations[0].city if locations else ""
