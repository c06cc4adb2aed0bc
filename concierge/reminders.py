"""The reminder the day before a transfer leg's pickup.

It falls due at the same local time (the destination's timezone) one day before the pickup, like
bookings' 24-hour reminder (`bookings.reminders.reminder_due_at`). Beat runs
`transfer_reminders_send` every 15 minutes (`concierge.tasks.send_transfer_reminders`); the key
names the leg and its pickup time, so two runs record it once and a re-timed leg is reminded again.
"""

from __future__ import annotations

import datetime as dt

from bookings.reminders import LATE_LIMIT, reminder_due_at
from concierge.models import AddonOrderStatus, TransferLeg
from concierge.notifications import order_timezone, transfer_remind
from notifications.selectors import message_recorded

REMINDER_BEFORE = dt.timedelta(days=1)
# Paid orders whose transfer has not happened yet: confirmed (being arranged) or arranged.
_LIVE = (AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS)


def transfer_reminders_send(*, now: dt.datetime) -> int:
    """Record the reminders due at `now` for paid transfer legs; returns how many were recorded.

    A leg is reminded once, between the moment one day (same local time) before its pickup and
    LATE_LIMIT after that, and only while the pickup is still ahead.
    """
    legs = (
        TransferLeg.objects.filter(
            order__status__in=_LIVE,
            pickup_at__gt=now,
            pickup_at__lte=now + REMINDER_BEFORE + dt.timedelta(days=1),
        )
        .select_related("order__booking", "order__patient__patient_profile")
        .order_by("pickup_at", "pk")
    )
    reminded = 0
    for leg in legs:
        order = leg.order
        due = reminder_due_at(start=leg.pickup_at, timezone=order_timezone(order), days_before=REMINDER_BEFORE)
        if not due <= now < due + LATE_LIMIT:
            continue
        key = f"addon_transfer_reminder:{leg.pk}:{leg.pickup_at.astimezone(dt.UTC):%Y%m%dT%H%MZ}"
        if message_recorded(key=key):
            continue
        transfer_remind(order=order, pickup_at=leg.pickup_at, key=key, now=now)
        reminded += 1
    return reminded
