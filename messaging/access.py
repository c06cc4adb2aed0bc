"""Who reads a message's attachment (`core.hooks.document_read_rights`): the thread's participants,
as they are now (a provider member who left, a specialist no longer on the case, read no more).
The author reads it as its owner (documents' own rule); the answer names the thread in the read's
audit event."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from messaging.models import Attachment
from messaging.participants import subject_of, takes_part


def document_read_right(*, document_id: uuid.UUID | str, reader: Any, now: dt.datetime) -> dict[str, Any] | None:
    if not getattr(reader, "is_authenticated", False):
        return None
    rows = (
        Attachment.objects.filter(document_id=uuid.UUID(str(document_id)))
        .select_related("message__thread")
        .order_by("pk")
    )
    for attachment in rows:
        thread = attachment.message.thread
        subject = subject_of(kind=thread.kind, subject_id=thread.subject_id)
        if subject is not None and takes_part(subject=subject, user=reader):
            return {"as": "thread_participant", "thread": thread.pk}
    return None
