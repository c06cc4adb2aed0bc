"""Booking services: holding a slot while the patient pays, and releasing holds that lapse.

No double booking (DESIGN.md §4) rests on two guards:
- every service that gives a provider's time to a booking first locks that provider's row, so
  such services run one at a time per provider and see each other's committed appointments;
- on PostgreSQL an exclusion constraint refuses two live overlapping appointments of one
  provider, whatever code path inserts them. Its violation becomes the same `slot_taken` conflict.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bookings.models import (
    ALLOWED_TRANSITIONS,
    Appointment,
    Booking,
    BookingStatus,
    CancellationPolicy,
)
from marketplace.audit import audit_record
from marketplace.errors import Conflict, ValidationFailed
from providers.availability import offering_free_slots
from providers.models import BookingMode, Offering, Provider
from providers.services.derived import offerings_changed

HOLD_DURATION = dt.timedelta(minutes=15)
NO_OVERLAP_CONSTRAINT = "bookings_appointment_no_overlap"
EXCLUSION_VIOLATION = "23P01"  # PostgreSQL SQLSTATE


def _slot_taken() -> Conflict:
    return Conflict(_("This time has just been taken by someone else. Please choose another slot."), code="slot_taken")


def _is_overlap_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == EXCLUSION_VIOLATION or NO_OVERLAP_CONSTRAINT in str(error)


def _check_transition(current: str, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[current]:
        raise Conflict(
            _("A booking that is %(current)s cannot become %(target)s.")
            % {"current": BookingStatus(current).label, "target": BookingStatus(target).label},
            code="invalid_transition",
        )


def _policy_in_force(*, code: str, now: dt.datetime) -> CancellationPolicy:
    policy = CancellationPolicy.objects.filter(code=code, published_at__lte=now).order_by("-version").first()
    if policy is None:
        raise Conflict(
            _("This offering's cancellation policy is not available yet; it cannot be booked."),
            code="policy_missing",
        )
    return policy


def _provider_offering_ids(provider_ids: set[int]) -> list[int]:
    # A provider's appointments take the time of all its offerings, so all their next slots move.
    return list(Offering.objects.filter(provider_id__in=provider_ids).values_list("pk", flat=True))


def _expire(*, booking_ids: list[int], now: dt.datetime) -> list[int]:
    """Turn these bookings from held to expired and free their time; returns the ids expired.

    The caller holds the rows' locks; the update is conditional anyway, so a booking that is no
    longer held (paid, expired by another worker) is left alone.
    """
    _check_transition(BookingStatus.HELD, BookingStatus.EXPIRED)
    rows = list(
        Booking.objects.filter(pk__in=booking_ids, status=BookingStatus.HELD, hold_expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", "provider_id")
    )
    ids = [pk for pk, _provider in rows]
    if not ids:
        return []
    Booking.objects.filter(pk__in=ids, status=BookingStatus.HELD).update(status=BookingStatus.EXPIRED, updated_at=now)
    Appointment.objects.filter(booking_id__in=ids).update(live=False)
    for pk in ids:
        audit_record(
            actor=None,
            action="bookings.booking.expired",
            target=Booking(pk=pk),
            before={"status": BookingStatus.HELD},
            after={"status": BookingStatus.EXPIRED},
            now=now,
        )
    offerings_changed(offering_ids=_provider_offering_ids({provider for _pk, provider in rows}), index=False)
    return ids


def booking_hold(*, patient, offering: Offering, start: dt.datetime, now: dt.datetime) -> Booking:
    """Hold the slot of `offering` starting at `start` for `patient` for 15 minutes, while paying.

    1. Lock the provider's row: holds for one provider run one at a time.
    2. Check the provider is verified, the offering published and bookable online, and `start`
       is one of its slots that day (opening hours, minimum notice, horizon).
    3. Release the provider's holds that have lapsed, then refuse if a live appointment overlaps.
    4. Create the held booking and its appointment (the exclusion constraint is the last word),
       audit, and refresh the offerings' next free slot after commit.

    Raises ValidationFailed for a slot that is not offered, Conflict when it cannot be taken.
    Nothing is written when it raises.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValidationFailed(_("The start time must include its timezone."), code="naive_datetime")

    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=offering.provider_id)
        offering = Offering.objects.select_related("location").get(pk=offering.pk)
        if not provider.is_verified:
            raise Conflict(
                _("%(provider)s is not verified yet and cannot take bookings.") % {"provider": provider.name},
                code="provider_unverified",
            )
        if not offering.is_active:
            raise Conflict(_("This offering is no longer published."), code="offering_unpublished")
        if offering.booking_mode != BookingMode.ONLINE:
            raise ValidationFailed(
                _("This offering is on quote only: send a quote request instead of booking a slot."),
                code="quote_only",
            )
        if offering.location.provider_id != provider.pk:
            raise ValidationFailed(_("This offering's location belongs to another provider."), code="bad_location")

        tz = ZoneInfo(offering.location.timezone)
        local_day = start.astimezone(tz).date()
        offered = offering_free_slots(offering=offering, first_day=local_day, last_day=local_day, now=now, busy=[])
        slot = next((s for s in offered if s.start == start), None)
        if slot is None:
            raise ValidationFailed(
                _(
                    "%(offering)s cannot be booked at that time: it is outside the opening hours, too soon "
                    "or too far ahead. Please pick one of the slots offered."
                )
                % {"offering": offering.title},
                code="slot_not_offered",
            )

        lapsed = list(
            Booking.objects.select_for_update()
            .filter(provider=provider, status=BookingStatus.HELD, hold_expires_at__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _expire(booking_ids=lapsed, now=now)
        if Appointment.objects.filter(provider=provider, live=True, start__lt=slot.end, end__gt=slot.start).exists():
            raise _slot_taken()

        deposit = offering.deposit
        policy = _policy_in_force(code=offering.cancellation_policy, now=now)
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    patient=patient,
                    offering=offering,
                    provider=provider,
                    status=BookingStatus.HELD,
                    deposit_amount=deposit.amount,
                    currency=deposit.currency,
                    cancellation_policy=policy,
                    hold_expires_at=now + HOLD_DURATION,
                    created_at=now,
                    updated_at=now,
                )
                appointment = Appointment.objects.create(
                    booking=booking, provider=provider, start=slot.start, end=slot.end, live=True
                )
        except IntegrityError as error:
            if _is_overlap_violation(error):
                raise _slot_taken() from error
            raise

        audit_record(
            actor=patient,
            action="bookings.booking.held",
            target=booking,
            after={
                "status": BookingStatus.HELD,
                "offering": offering.pk,
                "start": appointment.start.isoformat(),
                "end": appointment.end.isoformat(),
                "hold_expires_at": booking.hold_expires_at.isoformat(),
                "deposit": [deposit.amount, deposit.currency],
                "cancellation_policy": [policy.code, policy.version],
            },
            now=now,
        )
        offerings_changed(offering_ids=_provider_offering_ids({provider.pk}), index=False)
    return booking


def booking_expire_holds(*, now: dt.datetime, batch_size: int = 500) -> int:
    """Expire held bookings whose hold has lapsed at `now`; returns how many this call expired.

    Safe to run twice and concurrently: rows are claimed with `SKIP LOCKED` and expired with a
    conditional update, so each hold is expired (and audited) exactly once.
    """
    expired = 0
    while True:
        with transaction.atomic():
            ids = list(
                Booking.objects.select_for_update(skip_locked=True)
                .filter(status=BookingStatus.HELD, hold_expires_at__lte=now)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return expired
            expired += len(_expire(booking_ids=ids, now=now))
        if len(ids) < batch_size:
            return expired
