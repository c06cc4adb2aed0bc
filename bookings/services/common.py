"""What the booking services share: the transition check, the conflicts, expiry, and locking.

No double booking (docs/decisions.md#bookings-and-holds) rests on two guards:
- every service that gives a provider's time to a booking first locks that provider's row, so
  such services run one at a time per provider and see each other's committed appointments;
- on PostgreSQL an exclusion constraint refuses two live overlapping appointments of one
  provider, whatever code path inserts them. Its violation becomes the same `slot_taken` conflict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bookings.models import (
    ALLOWED_TRANSITIONS,
    Appointment,
    Booking,
    BookingStatus,
    CancellationPolicy,
)
from core.audit import audit_record
from core.errors import Conflict
from providers.models import Offering
from providers.services.derived import offerings_changed

NO_OVERLAP_CONSTRAINT = "bookings_appointment_no_overlap"
EXCLUSION_VIOLATION = "23P01"  # PostgreSQL SQLSTATE

# The deadline that makes a booking in each status expire.
EXPIRY_DEADLINE = {BookingStatus.HELD: "hold_expires_at", BookingStatus.AWAITING_DEPOSIT: "deposit_due_at"}


def slot_taken() -> Conflict:
    return Conflict(_("This time has just been taken by someone else. Please choose another slot."), code="slot_taken")


def is_overlap_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == EXCLUSION_VIOLATION or NO_OVERLAP_CONSTRAINT in str(error)


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[current]:
        raise Conflict(
            _("A booking that is %(current)s cannot become %(target)s.")
            % {"current": BookingStatus(current).label, "target": BookingStatus(target).label},
            code="invalid_transition",
        )


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


def transition(
    *,
    booking: Booking,
    target: str,
    actor: Any,
    action: str,
    now: dt.datetime,
    fields: dict[str, Any] | None = None,
    audit_after: dict[str, Any] | None = None,
) -> Booking:
    """Move a locked `booking` to `target`, setting `fields`, and audit it (the caller checked the rules)."""
    current = booking.status
    check_transition(current, target)
    booking.status = target
    booking.updated_at = now
    for name, value in (fields or {}).items():
        setattr(booking, name, value)
    booking.save(update_fields=["status", "updated_at", *(fields or {})])
    audit_record(
        actor=actor,
        action=action,
        target=booking,
        before={"status": current},
        after={"status": target, **(audit_after or {})},
        now=now,
    )
    return booking


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
    check_transition(status, BookingStatus.EXPIRED)
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
