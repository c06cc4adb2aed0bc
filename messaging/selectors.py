"""Reads of messaging, each scoped to who asks: someone outside a thread never learns it exists."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from accounts.models import StaffGroup, User
from core.errors import NotFound
from messaging.models import Attachment, Message, SubjectKind, Thread, ThreadRead
from messaging.participants import Subject, subject_of, takes_part
from messaging.services import not_in_thread
from providers.models import ProviderMember
from quotes.models import QuoteRecipient
from secondopinion.models import OpinionCase

INBOX_LIMIT = 200


def _with_unread(threads: QuerySet[Thread], user: User) -> QuerySet[Thread]:
    last_read = ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=user.pk).values("last_read_at")[:1]
    return threads.annotate(my_last_read=Subquery(last_read)).annotate(
        unread=Count(
            "messages",
            filter=Q(messages__notice="")
            & ~Q(messages__author_id=user.pk)
            & (Q(my_last_read__isnull=True) | Q(messages__sent_at__gt=F("my_last_read"))),
        )
    )


def threads_of(*, user: User | object) -> list[Thread]:
    """The threads `user` takes part in (with `unread`, the messages from others not read yet, and
    `subject`), latest message first."""
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    visible = Q(patient_id=user.pk)
    if user.in_group(StaffGroup.CARETEAM):
        visible |= Q(kind__in=[SubjectKind.BOOKING, SubjectKind.QUOTE, SubjectKind.ORDER])
    provider_ids = list(ProviderMember.objects.filter(user_id=user.pk).values_list("provider_id", flat=True))
    if provider_ids:
        from bookings.models import Booking

        visible |= Q(
            kind=SubjectKind.BOOKING,
            subject_id__in=Booking.objects.filter(provider_id__in=provider_ids).values("pk"),
        )
        visible |= Q(
            kind=SubjectKind.QUOTE,
            subject_id__in=QuoteRecipient.objects.filter(provider_id__in=provider_ids).values("pk"),
        )
    cases = OpinionCase.objects.filter(Q(coordinator_id=user.pk) | Q(specialist__provider_id__in=provider_ids))
    visible |= Q(kind=SubjectKind.OPINION, subject_id__in=cases.values("pk"))
    rows = _with_unread(Thread.objects.filter(visible), user).order_by(
        F("last_message_at").desc(nulls_last=True), "-pk"
    )
    found = []
    for thread in rows[:INBOX_LIMIT]:
        subject = subject_of(kind=thread.kind, subject_id=thread.subject_id)
        if subject is not None and takes_part(subject=subject, user=user):
            thread.subject = subject  # type: ignore[attr-defined]
            found.append(thread)
    return found


def thread_for(*, user: User | object, thread_id: int) -> tuple[Thread, Subject]:
    """One thread `user` takes part in, with its subject; NotFound otherwise, whether or not it exists."""
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise not_in_thread()
    subject = subject_of(kind=thread.kind, subject_id=thread.subject_id)
    if subject is None or not takes_part(subject=subject, user=user):
        raise not_in_thread()
    return thread, subject


def thread_of_subject(*, kind: str, subject_id: int) -> Thread | None:
    return Thread.objects.filter(kind=kind, subject_id=subject_id).first()


def thread_messages(*, thread: Thread, after_id: int = 0) -> list[Message]:
    rows = thread.messages.select_related("author").prefetch_related("attachments__document").order_by("sent_at", "pk")
    if after_id:
        rows = rows.filter(pk__gt=after_id)
    return list(rows)


@dataclass(frozen=True)
class Receipt:
    user_id: int
    name: str
    last_read_at: object


def participant_names(*, subject: Subject, user_ids: Iterable[int | None]) -> dict[int, str]:
    """How a conversation names the people in it: a patient by their name, a provider's member by
    their provider's name ("Clinique du Lac"), the careteam and the coordinator by their role; never
    a staff member's e-mail address. One query per kind, whatever the number of messages."""
    from django.utils.translation import gettext as _

    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return {}
    users = User.objects.filter(pk__in=ids).select_related("patient_profile").prefetch_related("groups")
    practices: dict[int, str] = {}
    for user_id, provider_id, provider_name in ProviderMember.objects.filter(user_id__in=ids).values_list(
        "user_id", "provider_id", "provider__name"
    ):
        # The subject's own provider first, when a member belongs to several.
        if user_id not in practices or provider_id == subject.provider_id:
            practices[user_id] = provider_name
    names: dict[int, str] = {}
    for user in users:
        groups = {group.name for group in user.groups.all()}
        if hasattr(user, "patient_profile"):
            names[user.pk] = user.get_full_name()
        elif user.pk in practices:
            names[user.pk] = practices[user.pk]
        elif StaffGroup.MEDICAL_COORDINATOR in groups:
            names[user.pk] = _("Medical coordinator")
        elif StaffGroup.CARETEAM in groups:
            names[user.pk] = _("MediBroker careteam")
        else:
            names[user.pk] = user.get_full_name()
    return names


def thread_receipts(*, thread: Thread, subject: Subject) -> list[Receipt]:
    """Each participant's read receipt (who read up to when), named as the conversation names them."""
    rows = list(ThreadRead.objects.filter(thread=thread).order_by("pk"))
    names = participant_names(subject=subject, user_ids=[r.user_id for r in rows])
    return [Receipt(user_id=r.user_id, name=names.get(r.user_id, ""), last_read_at=r.last_read_at) for r in rows]


def read_by_others(*, message: Message, receipts: list[Receipt]) -> list[Receipt]:
    return [r for r in receipts if r.user_id != message.author_id and r.last_read_at >= message.sent_at]  # type: ignore[operator]


def thread_attachment(*, thread: Thread, document_id: uuid.UUID) -> Attachment:
    found = (
        Attachment.objects.filter(message__thread=thread, document_id=document_id).select_related("document").first()
    )
    if found is None:
        raise NotFound(_no_attachment())
    return found


def _no_attachment() -> str:
    from django.utils.translation import gettext as _

    return _("This conversation has no attachment with this id.")


def unread_total(*, user: User | object) -> int:
    return sum(getattr(t, "unread", 0) for t in threads_of(user=user))
