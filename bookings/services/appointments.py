"""After the deposit: the provider closes a booking (completed, no-show); anyone concerned moves an appointment."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bookings import policy
from bookings.models import Appointment, Booking, BookingStatus
from bookings.notifications import notify_appointment_changed
from bookings.selectors import live_appointments_overlapping
from bookings.services.cancellation import decision_fields, decision_for
from bookings.services.common import (
    BOOKING,
    EXPIRY_DEADLINE,
    AlreadyDone,
    expire_bookings,
    first_appointment,
    is_careteam,
    is_overlap_violation,
    lock_booking,
    provider_offering_ids,
    slot_taken,
)
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, Forbidden, ValidationFailed
from core.hooks import booking_changed
from core.state import transition, transition_check
from providers.availability import offering_free_slots
from providers.models import Offering, Provider
from providers.services.derived import offerings_changed
from providers.services.permissions import member_role

# --- closing: completed, no-show ---------------------------------------------------------------------


def _close_check(
    *, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime, target: str, done: AlreadyDone
) -> Check:
    """A member of the provider closes a confirmed booking once its first appointment has begun."""
    if actor is None or member_role(user=actor, provider=booking.provider) is None:
        return refuse(Forbidden(_("Only the provider's members can close this booking.")))
    if booking.status == target:
        return refuse(done)
    refusal = transition_check(machine=BOOKING, instance=booking, target=target)
    if refusal is not None:
        return refuse(refusal)
    first = first_appointment(booking)
    if first is None or first.start > now:
        return refuse(
            Conflict(
                _("The first appointment has not started yet: it can only be closed after it begins."),
                code="appointment_not_started",
            )
        )
    return ALLOWED


def booking_complete_check(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Check:
    """May `actor` mark `booking` completed now? A member of its provider may, once the confirmed
    booking's first appointment has begun."""
    return _close_check(
        booking=booking,
        actor=actor,
        now=now,
        target=BookingStatus.COMPLETED,
        done=AlreadyDone(
            _("This booking is already marked as completed."), code="already_completed", details={"booking": booking.pk}
        ),
    )


def booking_no_show_check(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Check:
    """May `actor` record that the patient of `booking` did not come? A member of its provider may,
    once the confirmed booking's first appointment has begun."""
    return _close_check(
        booking=booking,
        actor=actor,
        now=now,
        target=BookingStatus.NO_SHOW,
        done=AlreadyDone(
            _("This booking is already closed as a no-show."), code="already_no_show", details={"booking": booking.pk}
        ),
    )


def _closed_already(check: Check) -> bool:
    return isinstance(check.refusal, AlreadyDone)


def booking_complete(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Booking:
    """A member of the provider records that the confirmed booking took place (after its first
    appointment began: `booking_complete_check`). Doing it again changes nothing."""
    with transaction.atomic():
        locked = lock_booking(booking)
        check = booking_complete_check(booking=locked, actor=actor, now=now)
        if _closed_already(check):
            return locked
        check.enforce()
        transition(
            machine=BOOKING,
            instance=locked,
            target=BookingStatus.COMPLETED,
            actor=actor,
            action="bookings.booking.completed",
            now=now,
            fields={"completed_at": now},
            locked=True,
        )
    return locked


def booking_mark_no_show(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Booking:
    """A member of the provider records that the patient did not come to the first appointment
    (`booking_no_show_check`): the policy's no-show fee is recorded (the refund, if any, is the
    payments app's job). Doing it again changes nothing."""
    with transaction.atomic():
        locked = lock_booking(booking)
        check = booking_no_show_check(booking=locked, actor=actor, now=now)
        if _closed_already(check):
            return locked
        check.enforce()
        fields = decision_fields(decision_for(locked, cancelled_at=now, reason=policy.Reason.NONE, no_show=True))
        transition(
            machine=BOOKING,
            instance=locked,
            target=BookingStatus.NO_SHOW,
            actor=actor,
            action="bookings.booking.no_show",
            now=now,
            fields={**fields, "completed_at": now},
            audit_after={"fee": fields["cancellation_fee"], "refund": fields["cancellation_refund"]},
            locked=True,
        )
    return locked


# --- moving an appointment ---------------------------------------------------------------------------


def _started(appointment: Appointment, now: dt.datetime) -> Conflict | None:
    if appointment.start <= now:
        return Conflict(_("This appointment has already started."), code="appointment_started")
    return None


def booking_reschedule_check(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Check:
    """May `actor` move an appointment of `booking` now? The patient, a member of the provider or
    the careteam may, while the booking is live, was booked on an offering's slots (a quote's
    dates are proposed again by its provider instead) and has an appointment not yet begun."""
    allowed = (
        actor is not None
        and actor.is_authenticated
        and (
            actor.pk == booking.patient_id
            or is_careteam(actor)
            or member_role(user=actor, provider=booking.provider) is not None
        )
    )
    if not allowed:
        return refuse(Forbidden(_("Only the patient, the provider or the careteam can move this appointment.")))
    if not booking.is_live:
        return refuse(
            Conflict(
                _("A booking that is %(status)s cannot be rescheduled.")
                % {"status": BookingStatus(booking.status).label},
                code="invalid_transition",
            )
        )
    if booking.offering_id is None:
        return refuse(
            Conflict(
                _("This booking was made from a quote: ask the provider to propose new dates."),
                code="reschedule_needs_offering",
            )
        )
    refusals = [_started(a, now) for a in booking.appointments.all()]
    started = [r for r in refusals if r is not None]
    if refusals and len(started) == len(refusals):
        return refuse(started[0])
    return ALLOWED


def booking_reschedule(
    *,
    booking: Booking,
    actor: User | AnonymousUser | None,
    start: dt.datetime,
    now: dt.datetime,
    appointment: Appointment | None = None,
) -> Booking:
    """Move an appointment of a live booking to another slot its offering offers.

    The patient, a member of the provider or the careteam may do it (`booking_reschedule_check`),
    before the appointment starts. As for holds: lock the provider's row, release lapsed holds and unpaid bookings,
    refuse an overlap with any other live appointment (`slot_taken`). A booking made from a quote
    has no offering to check the slot against: its provider proposes new dates instead.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValidationFailed(_("The start time must include its timezone."), code="naive_datetime")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=booking.provider_id)
        locked = lock_booking(booking)
        booking_reschedule_check(booking=locked, actor=actor, now=now).enforce()
        appointments = list(locked.appointments.order_by("start"))
        if appointment is None:
            if len(appointments) != 1:
                raise ValidationFailed(_("Say which appointment to move."), code="appointment_required")
            appointment = appointments[0]
        elif appointment.pk not in {a.pk for a in appointments}:
            raise ValidationFailed(_("This appointment belongs to another booking."), code="bad_appointment")
        else:
            appointment = next(a for a in appointments if a.pk == appointment.pk)
        started = _started(appointment, now)
        if started is not None:
            raise started

        offering = Offering.objects.select_related("location").filter(bookings=locked).first()
        if offering is None or not offering.is_active:
            raise Conflict(_("This offering is no longer published."), code="offering_unpublished")
        local_day = start.astimezone(ZoneInfo(offering.location.timezone)).date()
        offered = offering_free_slots(offering=offering, first_day=local_day, last_day=local_day, now=now, busy=[])
        slot = next((s for s in offered if s.start == start), None)
        if slot is None:
            raise ValidationFailed(
                _("%(offering)s is not offered at that time. Please pick one of the slots offered.")
                % {"offering": offering.title},
                code="slot_not_offered",
            )
        if (slot.start, slot.end) == (appointment.start, appointment.end):
            return locked
        for status, deadline in EXPIRY_DEADLINE.items():
            lapsed = list(
                Booking.objects.select_for_update()
                .filter(provider=provider, status=status, **{f"{deadline}__lte": now})
                .exclude(pk=locked.pk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            expire_bookings(booking_ids=lapsed, status=status, now=now)
        others = live_appointments_overlapping(provider_ids=[provider.pk], start=slot.start, end=slot.end).exclude(
            pk=appointment.pk
        )
        if others.exists() or not appointment.live:
            raise slot_taken()
        before = {"start": appointment.start.isoformat(), "end": appointment.end.isoformat()}
        try:
            with transaction.atomic():
                Appointment.objects.filter(pk=appointment.pk).update(start=slot.start, end=slot.end)
        except IntegrityError as error:
            if is_overlap_violation(error):
                raise slot_taken() from error
            raise
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            action="bookings.appointment.rescheduled",
            target=locked,
            before={"appointment": appointment.pk, **before},
            after={"appointment": appointment.pk, "start": slot.start.isoformat(), "end": slot.end.isoformat()},
            now=now,
        )
        offerings_changed(offering_ids=provider_offering_ids({provider.pk}), index=False)
        booking_changed.call(booking_id=locked.pk, change="rescheduled", now=now)
        notify_appointment_changed(booking=locked, now=now)
    return locked
