"""Holding a slot while the patient pays, and releasing holds that lapse."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
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


def booking_hold(*, patient: User, offering: Offering, start: dt.datetime, now: dt.datetime) -> Booking:
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
        expire_bookings(booking_ids=lapsed, status=BookingStatus.HELD, now=now)
        if live_appointments_overlapping(provider_ids=[provider.pk], start=slot.start, end=slot.end).exists():
            raise slot_taken()

        deposit = offering.deposit
        policy = policy_in_force(code=offering.cancellation_policy, now=now)
        hold_expires_at = now + HOLD_DURATION
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
