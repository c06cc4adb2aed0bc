"""Notifications' work for the careteam's case board (`core.hooks.case_items`): failed messages.

A message that failed (after its retries, or refused by Twilio) reached nobody: someone should
tell the person another way. The board shows the failures of the last 14 days; older ones are
left to the message log, since nothing else would ever take them off the board.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from core.cases import CaseItem, CaseLink, CaseQueue, CaseStage
from notifications.models import Message, MessageStatus

SHOWN_FOR = dt.timedelta(days=14)
TELL_WITHIN = dt.timedelta(days=1)  # someone should reach the person by the next day


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    messages = (
        Message.objects.filter(status=MessageStatus.FAILED, updated_at__gte=now - SHOWN_FOR)
        .select_related("recipient")
        .defer("body", "html", "attachments")
        .order_by("updated_at", "pk")
    )
    items = []
    for message in messages:
        # The log finds a booking's messages by its number, anyone else's by their address.
        query = f"{message.booking_id}" if message.booking_id else message.recipient.email
        links = []
        if message.booking_id:
            links.append(
                CaseLink(
                    _("Booking #%(number)s") % {"number": message.booking_id},
                    reverse("bookings:detail", args=[message.booking_id]),
                )
            )
        items.append(
            CaseItem(
                key=f"notifications.message:{message.pk}",
                queue=CaseQueue.FAILED_MESSAGE,
                # The event's name and the channel only: never the subject or the text.
                title=_("%(channel)s to %(to)s failed (%(event)s)")
                % {"channel": message.get_channel_display(), "to": message.recipient.email, "event": message.event},
                stage=CaseStage.NEW,
                opened_at=message.updated_at,
                url=f"{reverse('notifications:log')}?{urlencode({'q': query})}",
                due_at=message.updated_at + TELL_WITHIN,
                patient_id=message.recipient_id,
                summary=message.error,
                audit_targets=(("notifications.message", str(message.pk)),),
                links=tuple(links),
            )
        )
    return items
