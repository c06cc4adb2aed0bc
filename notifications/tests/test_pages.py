"""The preferences page and the careteam's message log."""

from __future__ import annotations

import pytest

from accounts.tests.factories import PASSWORD
from notifications.models import Channel, Message, MessageStatus, NotificationPreference
from notifications.tests.support import NOW

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_a_person_turns_sms_off_and_e_mail_stays_on(client, patient):
    signed_in(client, patient)

    page = client.get("/notifications/preferences/")
    response = client.post("/notifications/preferences/", {"email": "on"})

    assert page.status_code == 200
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=patient)
    assert (preference.email, preference.sms) == (True, False)


def test_the_preferences_page_says_when_sms_were_stopped_by_stop(client, patient):
    NotificationPreference.objects.create(user=patient, sms=True, sms_opted_out_at=NOW, updated_at=NOW)

    page = signed_in(client, patient).get("/notifications/preferences/")

    assert "You answered STOP" in page.content.decode()


def test_the_preferences_page_needs_a_signed_in_person(client):
    assert client.get("/notifications/preferences/").status_code == 302


def _message(user, booking_id, body):
    return Message.objects.create(
        recipient=user,
        channel=Channel.EMAIL,
        event="booking_confirmed",
        template="booking_confirmed",
        language="en",
        key=f"test:{booking_id}:{user.pk}",
        to=user.email,
        subject="Your appointment on 4 February is confirmed — details in your account",
        body=body,
        status=MessageStatus.SENT,
        booking_id=booking_id,
        created_at=NOW,
        updated_at=NOW,
    )


def test_the_careteam_finds_a_bookings_messages_without_their_bodies(client, careteam, patient, other_patient):
    _message(patient, 41, "CANARY-ONCOLOGY body")
    _message(other_patient, 42, "other body")

    by_booking = signed_in(client, careteam).get("/notifications/log/", {"q": "41"}).content.decode()
    by_email = client.get("/notifications/log/", {"q": "BOB@example.test"}).content.decode()

    assert patient.email in by_booking
    assert other_patient.email not in by_booking
    assert "CANARY-ONCOLOGY" not in by_booking
    assert other_patient.email in by_email
    assert patient.email not in by_email


def test_the_message_log_is_for_the_careteam_only(client, patient):
    assert signed_in(client, patient).get("/notifications/log/").status_code == 403
