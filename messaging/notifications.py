"""The message messaging sends: "you have a new message", by e-mail and SMS, to the thread's other
participants (the patient, the provider's members, a case's coordinator and specialist).

Never the message's words, its attachment's title or the care it is about: the subject and the SMS
name the thread ("Booking #12") and carry a link (`notifications/message_new/<language>/`).
The careteam is not e-mailed for every message: they read their inbox, and a patient's message
unanswered for 48 hours comes onto their case board (messaging/cases.py).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from messaging.models import Message
from messaging.participants import subject_of, to_notify
from notifications.messages import after_commit
from notifications.services import notify, site_url

EVENT = "message_new"


def notify_message_new(*, message: Message, now: dt.datetime) -> None:
    """Called inside the sending transaction: the others hear of `message` once it commits."""
    after_commit(_message_new, message_id=message.pk, now=now)


def _message_new(*, message_id: int, now: dt.datetime) -> None:
    message = Message.objects.select_related("thread").get(pk=message_id)
    thread = message.thread
    subject = subject_of(kind=thread.kind, subject_id=thread.subject_id)
    if subject is None:
        return
    context = {"title": subject.title, "thread_url": site_url(reverse("messaging:thread", args=[thread.pk]))}
    for recipient in to_notify(subject=subject):
        if recipient.pk == message.author_id:
            continue
        notify(event=EVENT, recipient=recipient, context=context, key=f"{EVENT}:{message.pk}", now=now)
