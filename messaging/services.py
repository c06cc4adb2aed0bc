"""Every write of messaging: opening a thread, sending a message (with its attachment and its
automatic notice), read receipts, a provider's messaging settings.

Each action has its `<entity>_<action>_check`, used by the page, the API and the service. Someone
who does not take part in a thread gets NotFound, whether or not it exists. Audit events name
threads and messages by id, never their words.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import NotFound, ValidationFailed
from documents.models import MedicalDocument
from documents.services import document_shred, document_upload
from messaging import notifications
from messaging.models import BODY_MAX_LENGTH, Attachment, Message, Notice, ProviderMessaging, Thread, ThreadRead
from messaging.participants import Subject, subject_of, takes_part
from providers.models import MemberRole, Offering, Provider, ProviderMember

# The careteam's own hours, for threads no provider's office hours govern (orders, second opinions,
# a provider that did not opt in).
CARETEAM_HOURS = {
    "timezone": "Europe/Paris",
    "weekdays": [0, 1, 2, 3, 4],
    "opens_at": dt.time(9),
    "closes_at": dt.time(18),
}


def not_in_thread() -> NotFound:
    return NotFound(_("You have no conversation with this number."))


# --- who may do what ----------------------------------------------------------------------------------


def subject_for(*, kind: str, subject_id: int, user: User | object) -> Subject:
    """The subject if `user` takes part in its thread; NotFound otherwise, whether or not it exists."""
    subject = subject_of(kind=kind, subject_id=subject_id)
    if subject is None or not takes_part(subject=subject, user=user):
        raise not_in_thread()
    return subject


def thread_read_check(*, thread: Thread, actor: User | object) -> Check:
    subject = subject_of(kind=thread.kind, subject_id=thread.subject_id)
    if subject is None or not takes_part(subject=subject, user=actor):
        return refuse(not_in_thread())
    return ALLOWED


def message_send_check(*, thread: Thread, actor: User | object) -> Check:
    """A participant may write in the thread; anyone else is told it does not exist."""
    return thread_read_check(thread=thread, actor=actor)


# --- office hours -------------------------------------------------------------------------------------


def office_hours_of(subject: Subject) -> dict[str, Any]:
    found = subject.settings
    if found is None:
        return CARETEAM_HOURS
    return {
        "timezone": found.timezone,
        "weekdays": list(found.weekdays),
        "opens_at": found.opens_at,
        "closes_at": found.closes_at,
    }


def in_office_hours(*, hours: dict[str, Any], at: dt.datetime) -> bool:
    local = at.astimezone(zoneinfo.ZoneInfo(hours["timezone"]))
    return local.weekday() in hours["weekdays"] and hours["opens_at"] <= local.time() < hours["closes_at"]


# --- threads and messages -----------------------------------------------------------------------------


def thread_open(*, subject: Subject, now: dt.datetime) -> Thread:
    """The subject's one thread, opened now if it has none yet (two at once: one wins, both get it)."""
    thread = Thread.objects.filter(kind=subject.kind, subject_id=subject.subject_id).first()
    if thread is not None:
        return thread
    try:
        with transaction.atomic():
            thread = Thread.objects.create(
                kind=subject.kind, subject_id=subject.subject_id, patient_id=subject.patient_id, created_at=now
            )
            audit_record(
                actor=None, action="messaging.thread.opened", target=thread, after={"kind": subject.kind}, now=now
            )
    except IntegrityError:
        thread = Thread.objects.get(kind=subject.kind, subject_id=subject.subject_id)
    return thread


def _clean_body(body: str) -> str:
    text = (body or "").replace("\x00", "").strip()
    if not text:
        message = _("Write your message before sending it.")
        raise ValidationFailed(message, code="empty_body", details={"body": [message]})
    if len(text) > BODY_MAX_LENGTH:
        message = _("A message holds at most %(max)d characters: split it in two.") % {"max": BODY_MAX_LENGTH}
        raise ValidationFailed(message, code="body_too_long", details={"body": [message]})
    return text


def message_send(
    *,
    thread: Thread,
    actor: User,
    body: str,
    now: dt.datetime,
    attachment: IO[bytes] | None = None,
    attachment_title: str = "",
) -> Message:
    """Send `body` (and one medical document) to the thread, as one of its participants.

    1. The check (NotFound for anyone else), then the body: nothing is stored when either fails.
    2. The attachment goes through documents' upload (type read from its bytes, size limit,
       encryption); a refusal there stores nothing either.
    3. The message, its attachment and, for the thread's first message or a patient's message sent
       outside office hours, the automatic notice (not for emergencies) are written in one
       transaction; the patient's message waits for a reply until someone else writes.
    4. The other participants are told by e-mail or SMS once it commits, with a link, never the words.
    """
    message_send_check(thread=thread, actor=actor).enforce()
    subject = subject_of(kind=thread.kind, subject_id=thread.subject_id)
    if subject is None:  # deleted since the check
        raise not_in_thread()
    text = _clean_body(body)
    document: MedicalDocument | None = None
    if attachment is not None:
        title = attachment_title.strip() or _("Sent in a message")
        document = document_upload(owner=actor, upload=attachment, title=title, now=now)
    try:
        with transaction.atomic():
            locked = Thread.objects.select_for_update().get(pk=thread.pk)
            first = not locked.messages.exists()
            message = Message.objects.create(thread=locked, author=actor, body=text, sent_at=now)
            if document is not None:
                Attachment.objects.create(message=message, document=document)
            by_patient = actor.pk == locked.patient_id
            notice = ""
            if by_patient and not in_office_hours(hours=office_hours_of(subject), at=now):
                notice = Notice.OUTSIDE_HOURS
            elif first:
                notice = Notice.FIRST
            if notice:
                Message.objects.create(thread=locked, author=None, notice=notice, sent_at=now)
            locked.last_message_at = now
            if by_patient:
                locked.awaiting_reply_since = locked.awaiting_reply_since or now
            else:
                locked.awaiting_reply_since = None
            locked.save(update_fields=["last_message_at", "awaiting_reply_since"])
            _mark_read(thread=locked, user=actor, now=now)
            audit_record(
                actor=actor,
                action="messaging.message.sent",
                target=message,
                after={"thread": locked.pk, "attachments": [str(document.pk)] if document else [], "notice": notice},
                now=now,
            )
            notifications.notify_message_new(message=message, now=now)
    except BaseException:
        if document is not None:
            document_shred(document=document, now=now)
        raise
    thread.last_message_at = locked.last_message_at
    thread.awaiting_reply_since = locked.awaiting_reply_since
    return message


def _mark_read(*, thread: Thread, user: User, now: dt.datetime) -> ThreadRead:
    # Whoever reads the thread now has seen every message in it, even one stamped a moment later by
    # another server's clock.
    up_to = max(now, thread.last_message_at or now)
    read, created = ThreadRead.objects.get_or_create(thread=thread, user=user, defaults={"last_read_at": up_to})
    if not created and read.last_read_at < up_to:
        read.last_read_at = up_to
        read.save(update_fields=["last_read_at"])
    return read


def thread_mark_read(*, thread: Thread, actor: User, now: dt.datetime) -> ThreadRead:
    """`actor` has read everything sent in the thread up to `now` (their read receipt)."""
    thread_read_check(thread=thread, actor=actor).enforce()
    return _mark_read(thread=thread, user=actor, now=now)


# --- a provider's settings ----------------------------------------------------------------------------


def provider_messaging_update_check(*, provider: Provider, actor: User | object) -> Check:
    """The provider's administrators set its messaging; nobody else sees the page."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        return refuse(NotFound(_("You manage no provider with this number.")))
    if not ProviderMember.objects.filter(provider=provider, user_id=actor.pk, role=MemberRole.ADMIN).exists():
        return refuse(NotFound(_("You manage no provider with this number.")))
    return ALLOWED


def provider_messaging_update(
    *,
    provider: Provider,
    actor: User,
    offering_ids: list[int],
    quote_requests: bool,
    timezone: str,
    weekdays: list[int],
    opens_at: dt.time,
    closes_at: dt.time,
    now: dt.datetime,
) -> ProviderMessaging:
    """Which of its offerings (and whether quote requests) open to patients' messages, and its office hours."""
    provider_messaging_update_check(provider=provider, actor=actor).enforce()
    errors: dict[str, list[str]] = {}
    own = set(Offering.objects.filter(provider=provider).values_list("pk", flat=True))
    if not set(offering_ids) <= own:
        errors["offerings"] = [_("Choose among your own offerings.")]
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [_("This is not a timezone we know: choose one from the list, such as Europe/Paris.")]
    if not weekdays or not set(weekdays) <= set(range(7)):
        errors["weekdays"] = [_("Choose at least one office day.")]
    if opens_at >= closes_at:
        errors["closes_at"] = [_("The office must close after it opens, on the same day.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    with transaction.atomic():
        Provider.objects.select_for_update().filter(pk=provider.pk).first()
        found, _created = ProviderMessaging.objects.get_or_create(provider=provider, defaults={"updated_at": now})
        before = {"offerings": sorted(found.offering_ids), "quote_requests": found.quote_requests}
        found.offering_ids = sorted(set(offering_ids))
        found.quote_requests = quote_requests
        found.timezone = timezone
        found.weekdays = sorted(set(weekdays))
        found.opens_at = opens_at
        found.closes_at = closes_at
        found.updated_at = now
        found.save()
        audit_record(
            actor=actor,
            action="messaging.settings.updated",
            target=found,
            before=before,
            after={"offerings": found.offering_ids, "quote_requests": quote_requests},
            now=now,
        )
    return found
