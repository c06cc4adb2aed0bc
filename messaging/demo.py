"""Demo data of messaging for `manage.py seed_demo`: three demo providers take patients' messages on
their offerings (and quote requests) with their office hours, and Amelia has a conversation with the
Paris practice about her paid booking (or, without the Stripe emulator, with the Istanbul hospital
about her quote request): her message with the automatic notice, the clinic's reply she has not read.
Through messaging's services; idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from messaging.models import ProviderMessaging, SubjectKind, Thread
from messaging.participants import subject_of
from messaging.services import message_send, provider_messaging_update, thread_open
from providers.models import MemberRole, Offering, Provider
from quotes.models import QuoteRecipient

AMELIA = "amelia.hughes@example.test"


@dataclass(frozen=True)
class DemoHours:
    admin_email: str
    timezone: str
    weekdays: tuple[int, ...]  # 0 = Monday
    opens_at: dt.time
    closes_at: dt.time


HOURS = (
    DemoHours("claire.dupont@provider.test", "Europe/Paris", (0, 1, 2, 3, 4), dt.time(9), dt.time(18)),
    DemoHours("manager@bangkoksmile.test", "Asia/Bangkok", (0, 1, 2, 3, 4, 5), dt.time(9), dt.time(19)),
    DemoHours("international@anadolu.test", "Europe/Istanbul", (0, 1, 2, 3, 4, 5), dt.time(8, 30), dt.time(20)),
)


def _opt_in() -> int:
    """Each provider of HOURS opens all its offerings and its quote requests to messages (once)."""
    now = timezone.now()
    count = 0
    for hours in HOURS:
        provider = Provider.objects.filter(
            members__user__email=hours.admin_email, members__role=MemberRole.ADMIN
        ).first()
        if provider is None:
            continue
        count += 1
        if ProviderMessaging.objects.filter(provider=provider).exists():
            continue
        provider_messaging_update(
            provider=provider,
            actor=User.objects.get(email=hours.admin_email),
            offering_ids=list(Offering.objects.filter(provider=provider).values_list("pk", flat=True)),
            quote_requests=True,
            timezone=hours.timezone,
            weekdays=list(hours.weekdays),
            opens_at=hours.opens_at,
            closes_at=hours.closes_at,
            now=now,
        )
    return count


def _subject(amelia: User) -> tuple[str, int, str, str] | None:
    """(kind, id, where, the clinic member's e-mail) of Amelia's conversation."""
    booking = (
        Booking.objects.filter(
            patient=amelia,
            provider__members__user__email="claire.dupont@provider.test",
            provider__members__role=MemberRole.ADMIN,
        )
        .exclude(patient_review__isnull=False)  # her reviewed past booking is not the one she writes about
        .order_by("-pk")
        .first()
    )
    if booking is not None:
        return SubjectKind.BOOKING, booking.pk, f"booking #{booking.pk} in Paris", "claire.dupont@provider.test"
    recipient = (
        QuoteRecipient.objects.filter(
            request__patient=amelia, provider__members__user__email="international@anadolu.test"
        )
        .order_by("pk")
        .first()
    )
    if recipient is not None:
        return SubjectKind.QUOTE, recipient.pk, "hip quote request in Istanbul", "international@anadolu.test"
    return None


def seed_messaging() -> str:
    """Returns a line for the seed's output."""
    providers = _opt_in()
    amelia = User.objects.get(email=AMELIA)
    found = _subject(amelia)
    if found is None:
        return f"{providers} providers take messages; no conversation (Amelia has no booking or quote request)"
    kind, subject_id, where, clinic_email = found
    subject = subject_of(kind=kind, subject_id=subject_id)
    if subject is None:
        return f"{providers} providers take messages; no conversation"
    thread = Thread.objects.filter(kind=kind, subject_id=subject_id).first()
    if thread is None or not thread.messages.exists():
        now = timezone.now()
        thread = thread_open(subject=subject, now=now - dt.timedelta(hours=26))
        message_send(
            thread=thread,
            actor=amelia,
            body=(
                "Hello, my flight lands the evening before my appointment. Could I come half an hour early to "
                "fill in the forms, and is there somewhere to leave a small suitcase?"
            ),
            now=now - dt.timedelta(hours=26),
        )
        message_send(
            thread=thread,
            actor=User.objects.get(email=clinic_email),
            body=(
                "Good morning Mrs Hughes, of course: come at 9:30 and reception will have your forms ready. "
                "You can leave your suitcase with us during the appointment."
            ),
            now=now - dt.timedelta(hours=20),
        )
    return (
        f"{providers} providers take messages with office hours; Amelia's conversation about her {where} "
        f"has the clinic's reply, unread (/messages/{thread.pk}/)"
    )
