"""Reminders: 7 days and 24 hours before the first appointment, and before the evidence deadline.

A reminder falls due at the same local time (the provider's timezone) 7 days, or 1 day, before
the first appointment: across a change of daylight-saving time it is 7 calendar days at the
same wall-clock time, not 168 hours. Beat runs `reminders_send_due` every 15 minutes
(`bookings.tasks.send_due_reminders`); each reminder's key names the booking and the appointment's
time, so two runs (or two at once) record it once and a moved appointment is reminded again.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Min, Q

from bookings.models import Booking, BookingStatus, EvidenceStatus
from bookings.notifications import booking_evidence_remind, booking_remind
from notifications.selectors import message_recorded

REMINDERS = (("reminder_7d", dt.timedelta(days=7)), ("reminder_24h", dt.timedelta(days=1)))
EVIDENCE_LEAD = dt.timedelta(days=3)
# A reminder not sent within this long of falling due (beat stopped, booking confirmed late) is skipped.
LATE_LIMIT = dt.timedelta(hours=12)


def reminder_due_at(*, start: dt.datetime, timezone: str, days_before: dt.timedelta) -> dt.datetime:
    """When a reminder `days_before` `start` falls due: the same local time that many days earlier (UTC)."""
    local = start.astimezone(ZoneInfo(timezone))
    return (local - days_before).astimezone(dt.UTC)  # aware arithmetic in one zone keeps the wall-clock time


def reminders_send_due(*, now: dt.datetime) -> int:
    """Record the appointment reminders due at `now`; returns how many bookings were reminded.

    Only the latest reminder due is sent, only if the booking was confirmed before it fell due (a
    booking confirmed 5 days before gets no "7 days" one) and at most LATE_LIMIT after that.
    """
    candidates = (
        Booking.objects.filter(status=BookingStatus.CONFIRMED)
        .annotate(first_start=Min("appointments__start", filter=Q(appointments__live=True)))
        .filter(first_start__gt=now, first_start__lte=now + dt.timedelta(days=8))
        .order_by("first_start", "pk")
    )
    reminded = 0
    for booking in candidates:
        confirmed_at = booking.paid_at or booking.created_at
        due = None
        for event, days_before in REMINDERS:
            at = reminder_due_at(start=booking.first_start, timezone=booking.timezone, days_before=days_before)
            if at <= now < at + LATE_LIMIT and confirmed_at <= at:
                due = event
        if due is None:
            continue
        key = f"{due}:{booking.pk}:{booking.first_start.astimezone(dt.UTC):%Y%m%dT%H%MZ}"
        if message_recorded(key=key):
            continue
        full = Booking.objects.select_related(
            "provider", "patient__patient_profile", "offering__location", "cancellation_policy"
        ).get(pk=booking.pk)
        booking_remind(booking=full, event=due, key=key, now=now)
        reminded += 1
    return reminded


def evidence_reminders_send_due(*, now: dt.datetime) -> int:
    """Remind patients whose evidence of a legitimate reason is due within 3 days and not yet sent."""
    due = Booking.objects.filter(
        status=BookingStatus.CANCELLED,
        cancellation_final=False,
        evidence_status__in=[EvidenceStatus.NONE, EvidenceStatus.REJECTED],
        evidence_due_at__gt=now,
        evidence_due_at__lte=now + EVIDENCE_LEAD,
    ).select_related("provider", "patient__patient_profile", "offering__location")
    reminded = 0
    for booking in due:
        key = f"evidence_deadline:{booking.pk}"
        if message_recorded(key=key):
            continue
        booking_evidence_remind(booking=booking, key=key, now=now)
        reminded += 1
    return reminded
