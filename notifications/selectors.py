"""Reads of notifications: the careteam's message log; whether a message was recorded under a key."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.errors import Forbidden
from notifications.models import Message

LOG_LIMIT = 200


def message_log(*, user: User, query: str = "") -> QuerySet[Message]:
    """Messages for the careteam, newest first, filtered by booking number or recipient e-mail.

    Never the bodies: the log shows who, what event, which channel and how it went.
    """
    if not (user.is_authenticated and user.in_group(StaffGroup.CARETEAM)):
        raise Forbidden(_("Only the careteam can read the message log."))
    messages = Message.objects.select_related("recipient").defer("body", "html", "attachments")
    query = query.strip().lstrip("#")
    if query.isdigit():
        messages = messages.filter(booking_id=int(query))
    elif query:
        messages = messages.filter(recipient__email__iexact=query)
    return messages.order_by("-created_at", "-id")[:LOG_LIMIT]


def message_recorded(*, key: str) -> bool:
    """Whether a message was recorded under `key` for anyone, on any channel (the senders' own check
    before recording a reminder again; `notify` makes the key `<key>:<recipient>:<channel>`)."""
    return Message.objects.filter(key__startswith=f"{key}:").exists()
