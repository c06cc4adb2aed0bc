"""What the booking services share: the booking's state machine, the conflicts, expiry, and locking.

No double booking (docs/decisions.md#bookings-and-holds) rests on two guards:
- every service that gives a provider's time to a booking first locks that provider's row, so
  such services run one at a time per provider and see each other's committed appointments;
- on PostgreSQL an exclusion constraint refuses two live overlapping appointments of one
  provider, whatever code path inserts them. Its violation becomes the same `slot_taken` conflict.

Every change of a booking's status goes through `core.state.transition` with `BOOKING`, and every
change of its evidence with `EVIDENCE` (docs/decisions.md#state-changes). Expiry alone updates
rows in bulk, conditionally, after checking the move against the same table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import StaffGroup
from bookings.models import (
    ALLOWED_TRANSITIONS,
    EVIDENCE_TRANSITIONS,
    Appointment,
    Booking,
    BookingStatus,
    CancellationPolicy,
    EvidenceStatus,
)
from core.audit import audit_record
from core.errors import Conflict
from core.state import Machine
from providers.models import Offering
from providers.services.derived import offerings_changed


def _refuse_booking_move(current: str, target: str) -> Conflict:
    return Conflict(
        _("A booking that is %(current)s cannot become %(target)s.")
        % {"current": BookingStatus(current).label, "target": BookingStatus(target).label},
        code="invalid_transition",
    )


def _refuse_evidence_move(current: str, target: str) -> Conflict:
    return Conflict(
        _("The evidence of this cancellation cannot go from “%(current)s” to “%(target)s”.")
        % {"current": EvidenceStatus(current).label, "target": EvidenceStatus(target).label},
        code="invalid_transition",
    )


BOOKING = Machine(model=Booking, table=ALLOWED_TRANSITIONS, refuse=_refuse_booking_move)
# A repeat is a move of its own here: a second document keeps the evidence pending, and the
# deadline makes a rejection final; each is audited.
EVIDENCE = Machine(
    model=Booking,
    table=EVIDENCE_TRANSITIONS,
    field="evidence_status",
    refuse=_refuse_evidence_move,
    repeat_is_noop=False,
)


class AlreadyDone(Conflict):
    """The action was already done: its service returns early (safe to run twice), while its
    check refuses, so no page offers it again."""


def is_careteam(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.in_group(StaffGroup.CARETEAM))


NO_OVERLAP_CONSTRAINT = "bookings_appointment_no_overlap"
EXCLUSION_VIOLATION = "23P01"  # PostgreSQL SQLSTATE

# The deadline that makes a booking in each status expire.
EXPIRY_DEADLINE: dict[str, str] = {
    BookingStatus.HELD: "hold_expires_at",
    BookingStatus.AWAITING_DEPOSIT: "deposit_due_at",
}


def slot_taken() -> Conflict:
    return Conflict(_("This time has just been taken by someone else. Please choose another slot."), code="slot_taken")


def is_overlap_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == EXCLUSION_VIOLATION or NO_OVERLAP_CONSTRAINT in str(error)


def policy_in_force(*, code: str, now: dt.datetime) -> CancellationPolicy:
    policy = CancellationPolicy.objects.filter(code=code, published_at__lte=now).order_by("-version").first()
    if policy is None:
        raise Conflict(
            _("This offering's cancellation policy is not available yet; it cannot be booked."),
            code="policy_missing",
        )
    return policy


def provider_offering_ids(provider_ids: set[int]) -> list[int]:
    # A provider's appointments take the time of all its offerings, so all their next slots move.
    return list(Offering.objects.filter(provider_id__in=provider_ids).values_list("pk", flat=True))


def lock_booking(booking: Booking) -> Booking:
    """The booking's row, locked for the rest of the transaction, as it is now."""
    return Booking.objects.select_for_update().get(pk=booking.pk)


def free_time(*, booking: Booking) -> None:
    """The booking's appointments no longer hold their time; the provider's next slots move."""
    Appointment.objects.filter(booking_id=booking.pk).update(live=False)
    offerings_changed(offering_ids=provider_offering_ids({booking.provider_id}), index=False)


def expire_bookings(*, booking_ids: list[int], status: str, now: dt.datetime) -> list[int]:
    """Turn these bookings from `status` (held or awaiting_deposit) to expired once their deadline
    has passed, and free their time; returns the ids expired.

    The caller holds the rows' locks; the update is conditional anyway, so a booking that has
    moved on (paid, expired by another worker) is left alone.
    """
    if not BOOKING.allows(status, BookingStatus.EXPIRED):
        raise BOOKING.refusal(status, BookingStatus.EXPIRED)
    deadline = EXPIRY_DEADLINE[status]
    due = Q(pk__in=booking_ids, status=status, **{f"{deadline}__lte": now})
    rows = list(Booking.objects.filter(due).order_by("pk").values_list("pk", "provider_id"))
    ids = [pk for pk, _provider in rows]
    if not ids:
        return []
    Booking.objects.filter(pk__in=ids, status=status).update(status=BookingStatus.EXPIRED, updated_at=now)
    Appointment.objects.filter(booking_id__in=ids).update(live=False)
    for pk in ids:
        audit_record(
            actor=None,
            action="bookings.booking.expired",
            target=Booking(pk=pk),
            before={"status": status},
            after={"status": BookingStatus.EXPIRED},
            now=now,
        )
    offerings_changed(offering_ids=provider_offering_ids({provider for _pk, provider in rows}), index=False)
    return ids


def expire_lapsed(*, status: str, now: dt.datetime, batch_size: int = 500) -> int:
    """Expire every booking in `status` (held or awaiting_deposit) whose deadline has passed at
    `now`; returns how many this call expired.

    Safe to run twice and concurrently: rows are claimed in batches with `SKIP LOCKED` and expired
    with a conditional update, so each booking is expired (and audited) exactly once.
    """
    deadline = EXPIRY_DEADLINE[status]
    expired = 0
    while True:
        with transaction.atomic():
            ids = list(
                Booking.objects.select_for_update(skip_locked=True)
                .filter(status=status, **{f"{deadline}__lte": now})
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return expired
            expired += len(expire_bookings(booking_ids=ids, status=status, now=now))
        if len(ids) < batch_size:
            return expired


def first_appointment(booking: Booking) -> Appointment | None:
    """The booking's earliest appointment (from its prefetched appointments when the page has them)."""
    return min(booking.appointments.all(), key=lambda a: a.start, default=None)
