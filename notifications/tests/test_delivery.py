"""Recording and sending: once per person, channel and event; Twilio through its HTTP layer."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from accounts.models import PatientProfile
from accounts.tests.factories import PatientFactory
from bookings.policy import Reason
from bookings.services import booking_cancel
from bookings.tests.support import NOW, booked, confirm
from notifications.models import Channel, Message, MessageStatus, NotificationPreference
from notifications.services import notify, preference_update
from notifications.tasks import requeue_stale_messages, send_message
from notifications.tests.twilio_stub import ACCOUNT_SID, AUTH_TOKEN, FROM, connection_lost, created, refused

pytestmark = pytest.mark.django_db


def test_a_rolled_back_transaction_records_and_sends_nothing(patient, django_capture_on_commit_callbacks, twilio):
    booking = booked(patient)

    def confirm_then_fail():
        with transaction.atomic():
            confirm(booking)
            raise RuntimeError("the payment's own transaction failed after confirming")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        confirm_then_fail()

    assert callbacks == []
    assert Message.objects.count() == 0
    assert mail.outbox == []
    assert twilio.requests == []


def test_a_committed_confirmation_sends_each_message_once_even_when_the_task_runs_twice(
    patient, django_capture_on_commit_callbacks, twilio
):
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)
    for message in Message.objects.all():
        assert send_message.delay(message.pk).get() == "not_claimed"
    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)  # the same payment reported again changes nothing

    rows = sorted(Message.objects.values_list("recipient__email", "channel", "status"))
    member = booking.provider.members.get().user
    assert rows == sorted(
        [
            (patient.email, Channel.EMAIL, MessageStatus.SENT),
            (patient.email, Channel.SMS, MessageStatus.SENT),
            (member.email, Channel.EMAIL, MessageStatus.SENT),
        ]
    )
    assert sorted(m.to for m in mail.outbox) == sorted([[patient.email], [member.email]])
    assert len(twilio.requests) == 1
    assert Message.objects.filter(attempts=1).count() == 3


def test_the_sms_goes_through_twilio_with_the_request_twilio_expects(
    patient, django_capture_on_commit_callbacks, twilio
):
    twilio.answers.append(created(sid="SM" + "b" * 32))
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    (request,) = twilio.requests
    assert request.method == "POST"
    assert request.uri == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.data["To"] == "+33612345678"
    assert request.data["From"] == FROM
    assert request.data["StatusCallback"] == "https://medibroker.test/notifications/twilio/status/"
    assert request.data["Body"].startswith(
        "MediBroker: your appointment on Monday, 4 February 2030, 09:00 (Paris time) is confirmed."
    )
    sms = Message.objects.get(channel=Channel.SMS)
    assert (sms.status, sms.provider_message_id, sms.to) == (MessageStatus.SENT, "SM" + "b" * 32, "+33612345678")


def test_a_number_twilio_rejects_is_failed_with_its_reason_and_not_retried(
    patient, django_capture_on_commit_callbacks, twilio
):
    twilio.answers.append(refused(21211, "The 'To' number +33612345678 is not a valid phone number."))
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    sms = Message.objects.get(channel=Channel.SMS)
    assert sms.status == MessageStatus.FAILED
    assert sms.error.startswith("21211: ")
    assert "is not a valid phone number" in sms.error
    assert sms.attempts == 1
    assert len(twilio.requests) == 1
    assert Message.objects.get(channel=Channel.EMAIL, recipient=patient).status == MessageStatus.SENT


def test_a_transient_error_is_retried_and_the_message_sent_once(patient, django_capture_on_commit_callbacks, twilio):
    twilio.answers.extend([connection_lost(), refused(20500, "Internal server error", status=500), created()])
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    sms = Message.objects.get(channel=Channel.SMS)
    assert (sms.status, sms.attempts, sms.error) == (MessageStatus.SENT, 3, "")
    assert len(twilio.requests) == 3


def test_twilio_refusing_a_number_that_texted_stop_turns_sms_off_for_that_person(
    patient, django_capture_on_commit_callbacks, twilio
):
    twilio.answers.append(refused(21610, "Attempt to send to unsubscribed recipient"))
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, actor=patient, reason=Reason.NONE, now=NOW)

    assert NotificationPreference.objects.get(user=patient).sms_opted_out_at is not None
    assert list(Message.objects.filter(channel=Channel.SMS).values_list("event", "status")) == [
        ("booking_confirmed", MessageStatus.FAILED)
    ]
    assert len(twilio.requests) == 1
    assert Message.objects.filter(event="booking_cancelled", recipient=patient, channel=Channel.EMAIL).exists()


def test_a_phone_that_is_not_a_number_is_recorded_as_failed_and_the_email_still_goes(
    patient, django_capture_on_commit_callbacks, twilio
):
    PatientProfile.objects.filter(user=patient).update(phone="12")
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    sms = Message.objects.get(channel=Channel.SMS)
    assert (sms.status, sms.error, sms.to) == (MessageStatus.FAILED, "Not a valid phone number.", "12")
    assert twilio.requests == []
    assert Message.objects.get(channel=Channel.EMAIL, recipient=patient).status == MessageStatus.SENT


def test_each_person_gets_only_the_channels_they_accept(patient, django_capture_on_commit_callbacks, twilio):
    preference_update(user=patient, email=False, sms=True, now=NOW)
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    assert list(Message.objects.filter(recipient=patient).values_list("channel", flat=True)) == [Channel.SMS]
    assert [m.to for m in mail.outbox] == [[booking.provider.members.get().user.email]]


def test_a_patient_is_written_to_in_their_language(django_capture_on_commit_callbacks, twilio):
    patient = PatientFactory(profile__preferred_language="fr")
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    email = Message.objects.get(recipient=patient, channel=Channel.EMAIL)
    assert email.language == "fr"
    assert email.subject == "Votre rendez-vous du 4 février 2030 est confirmé — détails dans votre compte"
    assert Message.objects.get(recipient=patient, channel=Channel.SMS).body.startswith("MediBroker : votre rendez-vous")


def test_a_template_missing_in_a_language_falls_back_to_english_and_says_so(
    settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    folder = tmp_path / "notifications" / "test_only" / "en"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("Only in English")
    (folder / "body.txt").write_text("Hello {{ name }} & co")
    (folder / "body.html").write_text("<p>Hello {{ name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    patient = PatientFactory(profile__preferred_language="fr")

    with (
        caplog.at_level(logging.WARNING, logger="notifications.rendering"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (message,) = notify(event="test_only", recipient=patient, context={"name": "Anne"}, key="test:1", now=NOW)

    assert (message.language, message.subject, message.body) == ("fr", "Only in English", "Hello Anne & co\n")
    assert "notifications/test_only/fr/subject.txt is missing: falling back to English" in caplog.text
    assert mail.outbox[0].subject == "Only in English"


def test_the_same_key_twice_records_once(patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(event="release_paid", recipient=patient, context={}, key="release_paid:1", now=NOW)
        second = notify(event="release_paid", recipient=patient, context={}, key="release_paid:1", now=NOW)

    assert len(first) == 1
    assert second == []
    assert len(mail.outbox) == 1


def test_in_production_without_twilio_an_sms_is_failed_not_printed(
    patient, django_capture_on_commit_callbacks, settings, capsys
):
    settings.PRODUCTION = True
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_FROM = ""
    booking = booked(patient)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(booking)

    sms = Message.objects.get(channel=Channel.SMS)
    assert sms.status == MessageStatus.FAILED
    assert "not configured" in sms.error
    assert str(PatientProfile.objects.get(user=patient).phone) not in capsys.readouterr().out


def test_a_message_left_queued_is_enqueued_again_by_the_beat_task_and_sent_once(patient):
    message = Message.objects.create(
        recipient=patient,
        channel=Channel.EMAIL,
        event="release_paid",
        template="release_paid",
        language="en",
        key="stale:1",
        to=patient.email,
        subject="Paid",
        body="Paid",
        created_at=NOW,
        updated_at=NOW,
    )

    with time_machine.travel(NOW + dt.timedelta(minutes=59), tick=False):
        assert requeue_stale_messages.delay().get() == 0  # its task may still be coming
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert requeue_stale_messages.delay().get() == 1
        assert requeue_stale_messages.delay().get() == 0

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert [m.subject for m in mail.outbox] == ["Paid"]
