"""The way to a subject's thread from its page: the patient's booking page (`core.hooks.booking_sections`),
an add-on order's pages (`core.hooks.order_sections`), a quote request's and a second-opinion case's
pages (`core.hooks.subject_sections`)."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from messaging.models import SubjectKind, Thread
from messaging.participants import subject_of, takes_part
from quotes.models import QuoteRecipient


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


def subject_thread_section(*, subject: str, subject_id: int, viewer_id: int) -> list[tuple[str, dict[str, object]]]:
    """`core.hooks.subject_sections`: a quote request's page (the patient's: one conversation per
    provider it went to; a member's: their provider's), a second-opinion case's pages."""
    if subject == "quote_recipient":
        return _section(SubjectKind.QUOTE, subject_id, viewer_id)
    if subject == "opinion_case":
        return _section(SubjectKind.OPINION, subject_id, viewer_id)
    if subject != "quote_request":
        return []
    viewer = User.objects.filter(pk=viewer_id).first()
    links = []
    for recipient in QuoteRecipient.objects.filter(request_id=subject_id).select_related("provider").order_by("pk"):
        found = subject_of(kind=SubjectKind.QUOTE, subject_id=recipient.pk)
        if found is not None and viewer is not None and takes_part(subject=found, user=viewer):
            url = reverse("messaging:subject", args=[SubjectKind.QUOTE, recipient.pk])
            links.append({"provider": recipient.provider.name, "url": url, "declined": found.provider_declined})
    return [("messaging/_request_section.html", {"links": links})] if links else []
