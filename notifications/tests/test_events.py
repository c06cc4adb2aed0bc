"""What each event says and to whom; health information never in a subject or an SMS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from accounts.tests.factories import PatientFactory
from bookings.policy import Reason
from bookings.services import booking_cancel, booking_reschedule
from bookings.tests.support import NOW, paris
from notifications.models import Channel, Message, MessageStatus
from notifications.reminders import evidence_reminders_send_due, reminders_send_due
from notifications.tests.support import booked, confirm
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


def test_the_booking_confirmed_email_carries_the_schedule_the_calendar_file_and_the_payment_confirmation(
    patient, django_capture_on_commit_callbacks, twilio
):
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    (email,) = [m for m in mail.outbox if m.to == [patient.email]]
    assert email.subject == "Your appointment on 4 February is confirmed — details in your account"
    # The platform default: free until 15 days before, half of €500 8–14 days before, and no refund
    # 15 days after payment (paid 7 January): the largest fee that applies.
    assert "- until 20 January 2030: fee €0.00, refund €500.00" in email.body
    assert "- 21 January 2030: fee €250.00, refund €250.00" in email.body
    assert "- from 22 January 2030 or if you do not come: fee €500.00, refund €0.00" in email.body
    assert "Monday 4 February 2030, 09:00 (Europe/Paris)" in email.body
    assert f"https://medibroker.test/payments/bookings/{booking.pk}/confirmation.pdf" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "fee €250.00, refund €250.00" in html
    ((filename, ics, ics_type),) = email.attachments
    assert (filename.endswith(".ics"), ics_type) == (True, "text/calendar")
    assert "BEGIN:VEVENT" in ics
    assert "DTSTART:20300204T080000Z" in ics


def test_the_cancellation_tells_the_patient_the_fee_and_the_refund(patient, django_capture_on_commit_callbacks, twilio):
    booking = booked(patient)
    confirm(booking)
    fourteen_days_before = dt.datetime(2030, 1, 21, 9, 0, tzinfo=dt.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, actor=patient, reason=Reason.NONE, now=fourteen_days_before)

    email = Message.objects.get(event="booking_cancelled", recipient=patient, channel=Channel.EMAIL)
    assert "Kept as the cancellation fee: €250.00" in email.body
    assert "Refunded to your card: €250.00" in email.body
    sms = Message.objects.get(event="booking_cancelled", recipient=patient, channel=Channel.SMS)
    assert (
        sms.body
        == f"MediBroker: booking no. {booking.pk} is cancelled. Refund: €250.00, fee: €250.00. Details in your account."
    )
    provider_email = Message.objects.get(event="booking_cancelled", template="booking_cancelled_provider")
    assert provider_email.status == MessageStatus.SENT


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


def test_the_french_confirmation_words_the_schedule_in_french(django_capture_on_commit_callbacks, twilio):
    patient = PatientFactory(profile__preferred_language="fr")
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    email = Message.objects.get(recipient=patient, channel=Channel.EMAIL)
    assert "- jusqu'au 20 janvier 2030 : frais 0,00\xa0€, remboursement 500,00\xa0€" in email.body
    assert "- le 21 janvier 2030 : frais 250,00\xa0€, remboursement 250,00\xa0€" in email.body
    assert "- à partir du 22 janvier 2030 ou en cas d'absence : frais 500,00\xa0€" in email.body
    assert "lundi 4 février 2030, 09:00 (Europe/Paris)" in email.body
