"""The way to a subject's thread from its page: the patient's booking page (`core.hooks.booking_sections`)
and an add-on order's pages (`core.hooks.order_sections`)."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from messaging.models import SubjectKind, Thread
from messaging.participants import subject_of, takes_part


def _section(kind: str, subject_id: int, viewer_id: int) -> list[tuple[str, dict[str, object]]]:
    subject = subject_of(kind=kind, subject_id=subject_id)
    viewer = User.objects.filter(pk=viewer_id).first()
    if subject is None or viewer is None or not takes_part(subject=subject, user=viewer):
        return []
    thread = Thread.objects.filter(kind=kind, subject_id=subject_id).first()
    return [
        (
            "messaging/_subject_section.html",
            {
                "url": reverse("messaging:subject", args=[kind, subject_id]),
                "started": thread is not None and thread.last_message_at is not None,
                "provider_declined": subject.provider_declined,
            },
        )
    ]


def booking_thread_section(*, booking_id: int, viewer_id: int) -> list[tuple[str, dict[str, object]]]:
    return _section(SubjectKind.BOOKING, booking_id, viewer_id)


def order_thread_section(*, order_id: int, viewer_id: int) -> list[tuple[str, dict[str, object]]]:
    return _section(SubjectKind.ORDER, order_id, viewer_id)
