"""Notification services: record messages, send them once, follow Twilio's reports, honour STOP.

A message is recorded (`notify`) per person, channel and event under a unique idempotency key,
and sent by a Celery task enqueued once the recording transaction commits: a rolled-back
transaction sends nothing. The task claims the message with a conditional update (queued →
sending), so a task delivered twice, or two workers, send it once.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from accounts.models import PatientProfile, User
from accounts.services import erased_email
from notifications import sms
from notifications.models import Channel, DeliveryReport, Message, MessageStatus, NotificationPreference
from notifications.rendering import SMS_MAX, SUBJECT_MAX, language_of, one_line, render_part

logger = logging.getLogger(__name__)

# The events that also go by SMS (to a person who has a phone and accepts SMS); the others are e-mail only.
SMS_EVENTS = frozenset(
    {
        "booking_confirmed",
        "appointment_changed",
        "booking_cancelled",
        "reminder_7d",
        "reminder_24h",
        "evidence_deadline",
        # concierge's add-on orders: who comes, new times, the refund, tomorrow's pickup
        "addon_supplier_assigned",
        "addon_order_changed",
        "addon_order_cancelled",
        "addon_transfer_reminder",
        # messaging: a new message in a thread (a link only, never its words)
        "message_new",
    }
)

# Twilio's statuses that change ours; the others (queued, accepted, sending…) change nothing.
TWILIO_STATUSES = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
}
# A report may move a message forward only: queued/sending/sent → delivered or failed.
_FINAL = frozenset({MessageStatus.DELIVERED, MessageStatus.FAILED})

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "ARRÊT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})


class TransientSendError(Exception):
    """The message could not be sent now; the task tries again later."""


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- preferences ----------------------------------------------------------------------------------


def preference_of(user: User) -> NotificationPreference:
    """The person's preferences (not saved when they never changed them: e-mail and SMS on)."""
    found = NotificationPreference.objects.filter(user_id=user.pk).first()
    return found or NotificationPreference(user=user, email=True, sms=True)


def preference_update(*, user: User, email: bool, sms: bool, now: dt.datetime) -> NotificationPreference:
    """The person turns e-mail and SMS on or off. Turning SMS on again lifts a STOP they sent."""
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
            user=user, defaults={"updated_at": now}
        )
        if sms and not preference.sms:
            preference.sms_opted_out_at = None
        preference.email = email
        preference.sms = sms
        preference.updated_at = now
        preference.save()
    return preference


def _users_with_phone(number: str) -> list[int]:
    return list(PatientProfile.objects.filter(phone=number).values_list("user_id", flat=True))


def sms_opt_out(*, number: str, now: dt.datetime) -> int:
    """Whoever has the phone `number` receives no more SMS (they texted STOP); returns how many."""
    users = _users_with_phone(number)
    for user_id in users:
        preference, _created = NotificationPreference.objects.get_or_create(
            user_id=user_id, defaults={"updated_at": now}
        )
        if preference.sms_opted_out_at is None:
            NotificationPreference.objects.filter(pk=preference.pk).update(sms_opted_out_at=now, updated_at=now)
    return len(users)


def sms_opt_in(*, number: str, now: dt.datetime) -> int:
    """The person with `number` texted START: SMS may go to them again if they keep SMS on."""
    users = _users_with_phone(number)
    NotificationPreference.objects.filter(user_id__in=users).update(sms_opted_out_at=None, updated_at=now)
    return len(users)


def _accepts(preference: NotificationPreference, channel: str) -> bool:
    if channel == Channel.EMAIL:
        return preference.email
    return preference.sms and preference.sms_opted_out_at is None


# --- recording ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str


def _address(user: User, channel: str) -> str | None:
    if channel == Channel.EMAIL:
        return user.email or None
    profile = PatientProfile.objects.filter(user_id=user.pk).first()
    return str(profile.phone) if profile is not None and profile.phone else None


def notify(
    *,
    event: str,
    recipient: User,
    context: dict[str, Any],
    key: str,
    now: dt.datetime,
    template: str | None = None,
    tz: str = "UTC",
    booking_id: int | None = None,
    quote_request_id: int | None = None,
    attachments: list[Attachment] | None = None,
    required: bool = False,
) -> list[Message]:
    """Record `event` for `recipient` on each channel they accept, rendered in their language, and
    send each message once the current transaction commits. Returns the messages recorded now.

    The message key is `<key>:<recipient>:<channel>`; a key already recorded is skipped, so calling
    this twice (two beat runs, a task delivered twice) records and sends once. An SMS to a number
    that is not a phone number is recorded as failed with the reason, not sent. `required`: a notice
    the person cannot turn off (their account is about to be closed), sent by e-mail whatever their
    preferences.
    """
    if recipient.email == erased_email(user_id=recipient.pk):
        return []  # an erased person is told nothing more: they have no address left (privacy)
    template = template or event
    language = language_of(recipient)
    preference = preference_of(recipient)
    channels = [Channel.EMAIL, Channel.SMS] if event in SMS_EVENTS else [Channel.EMAIL]
    recorded: list[Message] = []
    for channel in channels:
        to = _address(recipient, channel)
        if to is None or not ((required and channel == Channel.EMAIL) or _accepts(preference, channel)):
            continue
        message_key = f"{key}:{recipient.pk}:{channel}"
        if Message.objects.filter(key=message_key).exists():
            continue
        fields: dict[str, Any] = {"status": MessageStatus.QUEUED}

        def part(name: str, channel_template: str = template) -> str:
            return render_part(
                template=channel_template,
                language=language,
                part=name,
                context=context,
                tz=tz,
                viewer_tz=recipient.timezone,
            )

        if channel == Channel.EMAIL:
            fields["subject"] = one_line(part("subject.txt"), SUBJECT_MAX)
            fields["body"] = part("body.txt").strip() + "\n"
            fields["html"] = part("body.html")
            fields["attachments"] = [a.__dict__ for a in attachments or []]
        else:
            fields["body"] = one_line(part("sms.txt"), SMS_MAX)
            number = sms.e164(to)
            if number is None:
                fields.update(status=MessageStatus.FAILED, error="Not a valid phone number.")
            else:
                to = number
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    recipient=recipient,
                    channel=channel,
                    event=event,
                    template=template,
                    language=language,
                    key=message_key,
                    to=to,
                    booking_id=booking_id,
                    quote_request_id=quote_request_id,
                    created_at=now,
                    updated_at=now,
                    **fields,
                )
        except IntegrityError:
            continue  # recorded a moment ago by another run
        recorded.append(message)
        if message.status == MessageStatus.QUEUED:
            _enqueue_on_commit(message.pk)
    return recorded


def _enqueue_on_commit(message_id: int) -> None:
    transaction.on_commit(lambda: _enqueue(message_id), robust=True)


def _enqueue(message_id: int) -> None:
    from notifications.tasks import send_message

    send_message.delay(message_id)


# Longer than the longest backoff between two tries: a message queued that long has no task coming.
STALE_AFTER = dt.timedelta(hours=1)


def messages_requeue_stale(*, now: dt.datetime) -> int:
    """Enqueue again the messages still queued long after they were last touched (the broker was
    down when they were recorded, or the task was lost); the claim keeps them from going twice."""
    stale = list(
        Message.objects.filter(status=MessageStatus.QUEUED, updated_at__lt=now - STALE_AFTER).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in stale:
        Message.objects.filter(pk=pk, status=MessageStatus.QUEUED).update(updated_at=now)
        _enqueue(pk)
    return len(stale)


# --- sending --------------------------------------------------------------------------------------


def _send_email(message: Message) -> str:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"X-MediBroker-Message": message.key},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments or []:
        email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    email.send()
    return ""


def _finish(message: Message, now: dt.datetime, **fields: Any) -> None:
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(updated_at=now, **fields)


def message_send(*, message_id: int, now: dt.datetime, final_attempt: bool = False) -> str:
    """Send the message if this call claims it (queued → sending); returns what happened.

    1. Claim it with a conditional update: another worker, or this task delivered again, finds
       nothing to claim and stops ("not_claimed").
    2. Refuse it if the person has turned the channel off (or texted STOP) since it was recorded.
    3. Send it. A transient error (network, SMTP, Twilio 429/5xx) puts it back in the queue and
       raises TransientSendError for the task to retry, unless this is the final attempt; a
       permanent error (invalid number, STOP) fails it with the reason.
    4. Record Twilio's message id and apply any delivery report that arrived before it.
    """
    claimed = Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if claimed != 1:
        return "not_claimed"
    message = Message.objects.select_related("recipient").get(pk=message_id)
    if not _accepts(preference_of(message.recipient), message.channel):
        _finish(message, now, status=MessageStatus.FAILED, error="The recipient turned this channel off.")
        return "refused"
    try:
        if message.channel == Channel.EMAIL:
            provider_id = _send_email(message)
        else:
            callback = site_url(reverse("notifications:twilio_status")) if sms.twilio_configured() else None
            provider_id = sms.sms_send(to=message.to, body=message.body, status_callback=callback).provider_message_id
    except sms.SmsError as error:
        if not error.transient:
            _finish(message, now, status=MessageStatus.FAILED, error=str(error)[:500])
            if error.code == sms.OPTED_OUT:
                sms_opt_out(number=message.to, now=now)
            return "failed"
        return _transient(message, now, str(error), final_attempt)
    except smtplib.SMTPRecipientsRefused as error:
        _finish(message, now, status=MessageStatus.FAILED, error=f"Recipient refused: {error.recipients}"[:500])
        return "failed"
    except (smtplib.SMTPException, OSError) as error:
        return _transient(message, now, f"{type(error).__name__}: {error}", final_attempt)
    _finish(message, now, status=MessageStatus.SENT, sent_at=now, provider_message_id=provider_id, error="")
    if provider_id:
        _apply_reports(provider_message_id=provider_id, now=now)
    return "sent"


def _transient(message: Message, now: dt.datetime, reason: str, final_attempt: bool) -> str:
    if final_attempt:
        _finish(message, now, status=MessageStatus.FAILED, error=f"Gave up: {reason}"[:500])
        return "failed"
    _finish(message, now, status=MessageStatus.QUEUED, error=reason[:500])
    raise TransientSendError(reason)


# --- Twilio's reports -----------------------------------------------------------------------------


def delivery_report_record(*, provider_message_id: str, status: str, error_code: str, now: dt.datetime) -> None:
    """Keep Twilio's status report and apply it to its message (now, or once the id is recorded)."""
    DeliveryReport.objects.create(
        provider_message_id=provider_message_id, status=status, error_code=error_code, received_at=now
    )
    _apply_reports(provider_message_id=provider_message_id, now=now)


def _apply_reports(*, provider_message_id: str, now: dt.datetime) -> None:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().filter(provider_message_id=provider_message_id).first()
            if provider_message_id
            else None
        )
        if message is None:
            return  # kept until the send records this id
        reports = list(
            DeliveryReport.objects.select_for_update()
            .filter(provider_message_id=provider_message_id, applied=False)
            .order_by("received_at", "pk")
        )
        for report in reports:
            target = TWILIO_STATUSES.get(report.status)
            if target is None or message.status in _FINAL or target == message.status:
                continue
            message.status = target
            if target == MessageStatus.FAILED:
                message.error = f"Twilio reported {report.status}" + (
                    f" (error {report.error_code})" if report.error_code else ""
                )
            if report.error_code == str(sms.OPTED_OUT):
                sms_opt_out(number=message.to, now=now)
        if reports:
            message.updated_at = now
            message.save(update_fields=["status", "error", "updated_at"])
            DeliveryReport.objects.filter(pk__in=[r.pk for r in reports]).update(applied=True)


# --- retention -----------------------------------------------------------------------------------

_DONE = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.FAILED)


def messages_purge_bodies(*, now: dt.datetime, batch_size: int | None = None) -> int:
    """Retention (docs/decisions.md, "Retention"): empty the texts of the messages recorded more
    than RETENTION_MESSAGE_BODY_DAYS ago (subject, body, HTML and attachments: they may name the
    provider, the appointment, the person), keeping the log row (who, which event, when, whether it
    was delivered). Only messages whose sending is over (sent, delivered, failed): a message still
    queued keeps its text. At most `batch_size` per run; returns how many were emptied."""
    cutoff = now - dt.timedelta(days=settings.RETENTION_MESSAGE_BODY_DAYS)
    limit = batch_size or settings.RETENTION_BATCH_SIZE
    due = Message.objects.filter(created_at__lt=cutoff, body_purged_at__isnull=True, status__in=_DONE)
    ids = list(due.order_by("created_at").values_list("pk", flat=True)[:limit])
    emptied = Message.objects.filter(pk__in=ids, body_purged_at__isnull=True).update(
        subject="", body="", html="", attachments=[], body_purged_at=now, updated_at=now
    )
    logger.info("retention: %d message texts emptied (recorded before %s)", emptied, cutoff.isoformat())
    return emptied
