"""Holding a slot while the patient pays, and releasing holds that lapse."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import Appointment, Booking, BookingStatus
from bookings.selectors import live_appointments_overlapping
from bookings.services.common import (
    expire_bookings,
    expire_lapsed,
    is_overlap_violation,
    policy_in_force,
    provider_offering_ids,
    slot_taken,
)
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from providers.availability import offering_free_slots
from providers.models import BookingMode, Offering, Provider
from providers.services.derived import offerings_changed

HOLD_DURATION = dt.timedelta(minutes=15)
# Within this window, one patient holds the same slot at most BOOKING_MAX_HOLDS_PER_SLOT times.
SLOT_HOLDS_WINDOW = dt.timedelta(hours=24)


def _hold_limits(*, patient: User, provider: Provider, start: dt.datetime, now: dt.datetime) -> None:
    """Refuse a hold past the patient's limits (docs/decisions.md#holds-per-patient).

    1. At most BOOKING_MAX_LIVE_HOLDS live holds at once: one patient cannot keep a calendar busy.
       A live hold keeps a slot without any payment yet: held and not lapsed, or awaiting its
       deposit before the deadline.
    2. The same slot held at most BOOKING_MAX_HOLDS_PER_SLOT times a day by the same patient: a
       hold is "renewed" by holding the slot again when it lapses (or after cancelling it), so
       this bounds how long one patient can keep a slot without paying (twice 15 minutes by default).

    Both are counted in one query over the patient's bookings (distinct bookings: the join with
    the appointments must not count a booking of several appointments more than once).
    """
    counts = Booking.objects.filter(patient=patient).aggregate(
        live=Count(
            "pk",
            distinct=True,
            filter=Q(status=BookingStatus.HELD, hold_expires_at__gt=now)
            | Q(status=BookingStatus.AWAITING_DEPOSIT, deposit_due_at__gt=now),
        ),
        earlier=Count(
            "pk",
            distinct=True,
            filter=Q(provider=provider, created_at__gt=now - SLOT_HOLDS_WINDOW, appointments__start=start),
        ),
    )
    limit = settings.BOOKING_MAX_LIVE_HOLDS
    if counts["live"] >= limit:
        raise Conflict(
            _(
                "You already hold %(limit)d appointments that are not paid for. Pay for one, or let one go, "
                "before holding another."
            )
            % {"limit": limit},
            code="too_many_holds",
            details={"limit": limit},
        )
    per_slot = settings.BOOKING_MAX_HOLDS_PER_SLOT
    earlier = counts["earlier"]
    if earlier >= per_slot:
        raise Conflict(
            _(
                "You have already held this time %(count)d times today. It is now left for other patients; "
                "please pick another time."
            )
            % {"count": earlier},
            code="hold_renewal_limit",
            details={"limit": per_slot},
        )


def booking_hold(*, patient: User, offering: Offering, start: dt.datetime, now: dt.datetime) -> Booking:
    """Hold the slot of `offering` starting at `start` for `patient` for 15 minutes, while paying.

    1. Lock the provider's row: holds for one provider run one at a time.
    2. Lock the patient's row and apply their limits (`_hold_limits`): live holds, renewals.
    3. Check the provider is verified, the offering published and bookable online, and `start`
       is one of its slots that day (opening hours, minimum notice, horizon).
    4. Refuse if a live appointment overlaps, unless it is a hold that has lapsed: release those.
    5. Create the held booking and its appointment (the exclusion constraint is the last word),
       audit, and refresh the offerings' next free slot after commit.

    Raises ValidationFailed for a slot that is not offered, Conflict when it cannot be taken.
    Nothing is written when it raises.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValidationFailed(_("The start time must include its timezone."), code="naive_datetime")

    with transaction.atomic():
        # The patient's row first: two holds of one patient at once (for two providers) are
        # counted one after the other. No other service locks a user, so no lock-order cycle.
        User.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True).first()
        # One query locks the provider's row (holds for one provider run one at a time) and reads
        # the offering with its location and provider.
        offering = (
            Offering.objects.select_related("location", "provider")
            .select_for_update(of=("provider",))
            .get(pk=offering.pk)
        )
        provider = offering.provider
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

        _hold_limits(patient=patient, provider=provider, start=slot.start, now=now)

        # One query: the live appointments in the way. Lapsed holds among them are released here
        # (under their rows' locks; the beat job releases the others); anything else takes the slot.
        in_the_way = list(
            live_appointments_overlapping(provider_ids=[provider.pk], start=slot.start, end=slot.end).values_list(
                "booking_id", "booking__status", "booking__hold_expires_at"
            )
        )
        lapsed = sorted(
            {
                booking_id
                for booking_id, status, expires in in_the_way
                if status == BookingStatus.HELD and expires is not None and expires <= now
            }
        )
        if any(booking_id not in lapsed for booking_id, _status, _expires in in_the_way):
            raise slot_taken()
        if lapsed:
            locked = list(
                Booking.objects.select_for_update().filter(pk__in=lapsed).order_by("pk").values_list("pk", flat=True)
            )
            expire_bookings(booking_ids=locked, status=BookingStatus.HELD, now=now)
            # One of them may have been paid meanwhile (then it keeps its time): ask again.
            if live_appointments_overlapping(provider_ids=[provider.pk], start=slot.start, end=slot.end).exists():
                raise slot_taken()

        deposit = offering.deposit
        policy = policy_in_force(code=offering.cancellation_policy, now=now)
        hold_expires_at = now + HOLD_DURATION
        # No savepoint: a refused insert ends the hold, and the whole transaction rolls back.
        try:
            booking = Booking.objects.create(
                patient=patient,
                offering=offering,
                provider=provider,
                status=BookingStatus.HELD,
                deposit_amount=deposit.amount,
                currency=deposit.currency,
                cancellation_policy=policy,
                hold_expires_at=hold_expires_at,
                timezone=offering.location.timezone,
                created_at=now,
                updated_at=now,
            )
            appointment = Appointment.objects.create(
                booking=booking, provider=provider, start=slot.start, end=slot.end, live=True
            )
        except IntegrityError as error:
            if is_overlap_violation(error):
                raise slot_taken() from error
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
                "hold_expires_at": hold_expires_at.isoformat(),
                "deposit": [deposit.amount, deposit.currency],
                "cancellation_policy": [policy.code, policy.version],
            },
            now=now,
        )
        offerings_changed(offering_ids=provider_offering_ids({provider.pk}), index=False)
    return booking


def booking_expire_holds(*, now: dt.datetime, batch_size: int = 500) -> int:
    """Expire held bookings whose hold has lapsed at `now`; returns how many (see `expire_lapsed`)."""
    return expire_lapsed(status=BookingStatus.HELD, now=now, batch_size=batch_size)
