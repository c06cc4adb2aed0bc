from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from messaging import services
from messaging.models import Message, SubjectKind, Thread
from messaging.participants import subject_of


def thread_of(booking, *, now: dt.datetime) -> Thread:
    subject = subject_of(kind=SubjectKind.BOOKING, subject_id=booking.pk)
    return services.thread_open(subject=subject, now=now)


def send(
    thread: Thread, actor, body: str = "Hello, a question about my stay.", *, now: dt.datetime, **extra
) -> Message:
    return services.message_send(thread=thread, actor=actor, body=body, now=now, **extra)


def pdf_upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    from documents.tests.samples import pdf

    return SimpleUploadedFile(name, pdf(), content_type="application/pdf")
