"""What notifications holds about a person (`core.personal_data`): the messages sent to them (their
address or number, subjects and texts) and what they accept to receive.

Erasure empties the texts of the messages sent to the person and puts the pseudonym in place of
their address; the log row stays (who was told what, when, by event and status). Messages to other
people that name the person (a provider's staff told about their booking) are redacted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import erased_email
from core.personal_data import Declaration, Kept, Subject, redact
from notifications.models import DeliveryReport, Message, NotificationPreference


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(person: User, now: dt.datetime) -> dict[str, Any]:
    preference = NotificationPreference.objects.filter(user=person).first()
    return {
        "messages_sent_to_you": [
            {
                "id": message.pk,
                "channel": message.channel,
                "event": message.event,
                "to": message.to,
                "subject": message.subject,
                "body": message.body,
                "status": message.status,
                "created_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
            }
            for message in Message.objects.filter(recipient=person).order_by("created_at", "pk").iterator()
        ],
        "preferences": None
        if preference is None
        else {
            "email": preference.email,
            "sms": preference.sms,
            "sms_stopped_at": _iso(preference.sms_opted_out_at),
            "updated_at": _iso(preference.updated_at),
        },
    }


@transaction.atomic
def erase(subject: Subject, now: dt.datetime) -> None:
    """Empty the person's messages (subject, texts, attachments), put the pseudonym's address in
    place of theirs, redact other people's messages that name them; delete their preferences.
    Safe to run again."""
    address = erased_email(user_id=subject.user_id)
    Message.objects.filter(recipient_id=subject.user_id).update(
        to=address, subject="", body="", html="", attachments=[], error="", updated_at=now
    )
    strings = [s for s in subject.strings if len(s) >= 3]
    if strings:
        naming = Q()
        for string in strings:
            naming |= Q(subject__icontains=string) | Q(body__icontains=string) | Q(html__icontains=string)
            naming |= Q(to__iexact=string)
        for message in Message.objects.filter(naming).exclude(recipient_id=subject.user_id).iterator():
            message.subject = redact(message.subject, subject)[:200]
            message.body = redact(message.body, subject)
            message.html = redact(message.html, subject)
            message.updated_at = now
            message.save(update_fields=["subject", "body", "html", "updated_at"])
    NotificationPreference.objects.filter(user_id=subject.user_id).delete()


def kept(person: User, now: dt.datetime) -> list[Kept]:
    if not Message.objects.filter(recipient=person).exists():
        return []
    return [
        Kept(
            what=_("A log of the messages we sent you: the event, channel, status and dates, without their text"),
            why=_("To answer a question about a message or a delivery; kept like any message log."),
        )
    ]


DECLARATION = Declaration(
    app="notifications",
    models={
        "notifications.Message": gettext_lazy(
            "The e-mails and SMS we sent you: your address or number, their subject and text"
        ),
        "notifications.NotificationPreference": gettext_lazy("Whether you accept e-mails and SMS from us"),
    },
    not_personal={
        DeliveryReport._meta.label: gettext_lazy("Twilio's delivery statuses, by message id: nobody's number."),
    },
    export=export,
    erase=erase,
    erased=gettext_lazy(
        "The texts of the messages we sent you and your address on them; your name in messages to others."
    ),
    kept=kept,
    order=400,
)
