"""No health information in a subject or an SMS: every event, quotes' and bookings', run with a
canary term in the offering, the procedure, the request's subject and description, the quote."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from bookings.policy import Reason
from bookings.reminders import evidence_reminders_send_due, reminders_send_due
from bookings.services import booking_cancel, booking_reschedule
from bookings.tests.support import NOW, booked, confirm, paris
from notifications.models import Channel, Message
from providers.tests.factories import MemberFactory, ProcedureFactory, ProviderFactory
from quotes.services import (
    LineInput,
    SlotInput,
    quote_accept,
    quote_request_create,
    quote_request_send,
    quote_submit,
)

pytestmark = pytest.mark.django_db

CANARY = "CANARY-ONCOLOGY"


def _all_subjects_and_sms() -> list[str]:
    texts = [m.subject for m in Message.objects.filter(channel=Channel.EMAIL)]
    texts += [m.body for m in Message.objects.filter(channel=Channel.SMS)]
    texts += [m.subject for m in mail.outbox]
    return texts


def test_a_health_term_never_appears_in_a_subject_or_an_sms(
    patient, django_capture_on_commit_callbacks, twilio, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    procedure = ProcedureFactory(name_en=f"{CANARY} resection", name_fr=f"{CANARY} exérèse")
    booking = booked(patient, title=f"{CANARY} consultation", procedure=procedure, specialty=procedure.specialty)
    clinic = ProviderFactory()
    member = MemberFactory(provider=clinic).user
    start = dt.datetime(2030, 3, 4, 9, 0, tzinfo=dt.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        request = quote_request_create(
            patient=patient,
            subject=f"{CANARY} second treatment",
            description=f"{CANARY}: stage II",
            desired_from=dt.date(2030, 3, 1),
            desired_to=dt.date(2030, 3, 30),
            travel_constraints="",
            documents=[],
            now=NOW,
        )
        quote_request_send(request=request, actor=patient, providers=[clinic], now=NOW)
        quote = quote_submit(
            request=request,
            provider=clinic,
            actor=member,
            currency="EUR",
            lines=[LineInput(kind="procedure", description=f"{CANARY} surgery", quantity=1, unit_amount=400_000)],
            deposit_amount=100_000,
            valid_until=dt.date(2030, 1, 30),
            slots=[SlotInput(start=start, end=start + dt.timedelta(hours=2))],
            payment_days=7,
            max_variation_bps=1000,
            message=f"About your {CANARY}",
            now=NOW,
        )
        quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=NOW)
        confirm(booking)
        booking_reschedule(booking=booking, actor=patient, start=paris(10, day=dt.date(2030, 2, 4)), now=NOW)
        reminders_send_due(now=dt.datetime(2030, 1, 28, 9, 0, tzinfo=dt.UTC))
        reminders_send_due(now=dt.datetime(2030, 2, 3, 9, 0, tzinfo=dt.UTC))
        booking_cancel(
            booking=booking,
            actor=patient,
            reason=Reason.UNFIT_TO_TRAVEL,
            now=dt.datetime(2030, 2, 3, 10, 0, tzinfo=dt.UTC),
        )
        evidence_reminders_send_due(now=dt.datetime(2030, 2, 15, 10, 0, tzinfo=dt.UTC))

    events = set(Message.objects.values_list("event", flat=True))
    assert events == {
        "quote_request_received",
        "quote_received",
        "quote_accepted",
        "booking_confirmed",
        "appointment_changed",
        "reminder_7d",
        "reminder_24h",
        "booking_cancelled",
        "evidence_deadline",
    }
    texts = _all_subjects_and_sms()
    assert len(texts) >= 2 * Message.objects.count() - Message.objects.filter(channel=Channel.SMS).count()
    assert not [text for text in texts if CANARY in text or "ONCOLOGY" in text.upper()]
    assert not [m for m in Message.objects.all() if CANARY in m.body and m.channel == Channel.SMS]
