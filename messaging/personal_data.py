"""What messaging holds about a person (`core.personal_data`): the threads about their care, the
messages they sent and received there, their read receipts, and the documents they attached.

Erasure: the words of every message the person wrote are erased (the row stays, so the thread
still reads in order for the others, with "erased" in place of the words), and the documents they
attached are crypto-shredded through documents' service. Messages others wrote to them stay with
their authors, who keep their own words; the thread no longer names the person (its patient is
their pseudonymised account).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.personal_data import Declaration, Subject
from documents.services import document_shred
from messaging.models import Attachment, Message, Thread, ThreadRead


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    threads = Thread.objects.filter(patient_id=person.pk).order_by("created_at", "pk")
    own_thread_ids = set(threads.values_list("pk", flat=True))
    written = set(Message.objects.filter(author_id=person.pk).values_list("thread_id", flat=True))
    rows = (
        Message.objects.filter(thread_id__in=own_thread_ids | written)
        .prefetch_related("attachments")
        .order_by("thread_id", "sent_at", "pk")
    )
    messages = [
        {
            "thread": m.thread_id,
            "sent": m.author_id == person.pk,
            "author": m.author_id,
            "sent_at": _iso(m.sent_at),
            "body": m.body,
            "notice": m.notice,
            "erased_at": _iso(m.redacted_at),
            "attachments": [str(a.document_id) for a in m.attachments.all()],
        }
        for m in rows
        if m.author_id == person.pk or m.thread_id in own_thread_ids
    ]
    return {
        "threads": [
            {"id": t.pk, "about": t.kind, "subject": t.subject_id, "opened_at": _iso(t.created_at)} for t in threads
        ],
        "messages": messages,
        "read_receipts": [
            {"thread": r.thread_id, "read_up_to": _iso(r.last_read_at)}
            for r in ThreadRead.objects.filter(user_id=person.pk).order_by("pk")
        ],
    }


def erase(subject: Subject, now: dt.datetime) -> None:
    """Erase the words of the person's messages and shred their attachments (idempotent)."""
    with transaction.atomic():
        Message.objects.filter(author_id=subject.user_id, redacted_at__isnull=True).update(body="", redacted_at=now)
        ThreadRead.objects.filter(user_id=subject.user_id).delete()
    documents = Attachment.objects.filter(message__author_id=subject.user_id).select_related("document")
    for attachment in documents:
        document_shred(document=attachment.document, now=now)


DECLARATION = Declaration(
    app="messaging",
    models={
        "messaging.Thread": _("the conversations about your care (whose patient you are)"),
        "messaging.Message": _("the messages you wrote and received"),
        "messaging.Attachment": _("the documents attached to messages (medical documents)"),
        "messaging.ThreadRead": _("when you last read each conversation"),
    },
    not_personal={
        "messaging.ProviderMessaging": _("a provider's messaging settings: offerings and office hours"),
    },
    export=export,
    erase=erase,
    erased=_("The words of your messages and the documents you attached to them"),
)
