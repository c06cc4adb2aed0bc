"""What the booking messages say and to whom (the canary test for health information, which runs
every event, is core/tests/test_quote_notifications.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from accounts.tests.factories import PatientFactory
from bookings.policy import Reason
from bookings.services import booking_cancel
from bookings.tests.support import booked, confirm
from notifications.models import Channel, Message, MessageStatus

pytestmark = pytest.mark.django_db


def test_the_booking_confirmed_email_carries_the_schedule_the_calendar_file_and_the_payment_confirmation(
    patient, django_capture_on_commit_callbacks, twilio
):
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    (email,) = [m for m in mail.outbox if m.to == [patient.email]]
    assert email.subject == "Your appointment on 4 February 2030 is confirmed — details in your account"
    # The platform default: free until 15 days before, half of €500 8–14 days before, and no refund
    # 15 days after payment (paid 7 January): the largest fee that applies.
    assert "- until 20 January 2030: fee €0.00, refund €500.00" in email.body
    assert "- 21 January 2030: fee €250.00, refund €250.00" in email.body
    assert "- from 22 January 2030 or if you do not come: fee €500.00, refund €0.00" in email.body
    assert "Monday, 4 February 2030, 09:00 (Paris time)\n" in email.body  # the patient has no timezone of their own
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


def test_the_french_confirmation_words_the_schedule_in_french(django_capture_on_commit_callbacks, twilio):
    patient = PatientFactory(profile__preferred_language="fr")
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    email = Message.objects.get(recipient=patient, channel=Channel.EMAIL)
    assert "- jusqu'au 20 janvier 2030 : frais 0,00\xa0€, remboursement 500,00\xa0€" in email.body
    assert "- le 21 janvier 2030 : frais 250,00\xa0€, remboursement 250,00\xa0€" in email.body
    assert "- à partir du 22 janvier 2030 ou en cas d'absence : frais 500,00\xa0€" in email.body
    assert "lundi 4 février 2030, 09:00 (heure de Paris)" in email.body


def test_an_email_shows_the_appointment_in_the_place_s_time_and_the_recipient_s_beside_it(
    patient, django_capture_on_commit_callbacks, twilio
):
    """Issue 15, item 2: e-mails use the recipient's timezone (User.timezone), not the request's."""
    patient.timezone = "Asia/Tokyo"
    patient.save(update_fields=["timezone"])
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    (email,) = [m for m in mail.outbox if m.to == [patient.email]]
    # 09:00 in Paris on 4 February 2030 (UTC+1) is 17:00 in Tokyo (UTC+9).
    assert "Monday, 4 February 2030, 09:00 (Paris time) (Mon, 4 Feb 2030, 17:00 your time, Tokyo)" in email.body
    html, _mimetype = email.alternatives[0]
    assert '<time datetime="2030-02-04T08:00:00+00:00">Monday, 4 February 2030, 09:00 (Paris time)</time>' in html
