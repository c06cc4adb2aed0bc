"""Twilio's status callback and inbound webhook: signed requests only; bad input handled, nothing lost."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from notifications.models import Channel, DeliveryReport, Message, MessageStatus, NotificationPreference
from notifications.services import message_send
from notifications.tests.support import NOW
from notifications.tests.twilio_stub import AUTH_TOKEN, created

pytestmark = pytest.mark.django_db

STATUS_URL = "http://testserver/notifications/twilio/status/"
INBOUND_URL = "http://testserver/notifications/twilio/inbound/"
SID = "SM" + "c" * 32


def signed_post(client, url, params, token=AUTH_TOKEN):
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)


def an_sms(patient, *, sid=SID, status=MessageStatus.SENT) -> Message:
    return Message.objects.create(
        recipient=patient,
        channel=Channel.SMS,
        event="reminder_24h",
        template="reminder",
        language="en",
        key=f"test:{sid}",
        to="+33612345678",
        body="MediBroker reminder",
        status=status,
        provider_message_id=sid if status == MessageStatus.SENT else "",
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_signed_status_callback_marks_the_message_delivered(client, patient, twilio):
    message = an_sms(patient)

    response = signed_post(client, STATUS_URL, {"MessageSid": SID, "MessageStatus": "delivered", "AccountSid": "AC1"})

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_an_undelivered_report_fails_the_message_with_twilios_error(client, patient, twilio):
    message = an_sms(patient)

    signed_post(client, STATUS_URL, {"MessageSid": SID, "MessageStatus": "undelivered", "ErrorCode": "30003"})

    message.refresh_from_db()
    assert (message.status, message.error) == (MessageStatus.FAILED, "Twilio reported undelivered (error 30003)")


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "forged"])
def test_a_callback_without_a_valid_signature_is_refused_and_changes_nothing(client, patient, twilio, signature):
    message = an_sms(patient)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}

    response = client.post(STATUS_URL, {"MessageSid": SID, "MessageStatus": "delivered"}, **headers)

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert DeliveryReport.objects.count() == 0


def test_a_callback_signed_with_another_token_is_refused(client, patient, twilio):
    an_sms(patient)

    response = signed_post(client, STATUS_URL, {"MessageSid": SID, "MessageStatus": "delivered"}, token="other")

    assert response.status_code == 403


def test_without_twilio_configured_every_callback_is_refused(client, patient, settings):
    settings.TWILIO_AUTH_TOKEN = ""

    response = signed_post(client, STATUS_URL, {"MessageSid": SID, "MessageStatus": "delivered"}, token="")

    assert response.status_code == 403


@pytest.mark.parametrize(
    "params",
    [{}, {"MessageSid": SID}, {"MessageStatus": "delivered"}, {"MessageSid": "x" * 65, "MessageStatus": "sent"}],
)
def test_a_malformed_callback_is_answered_400_and_changes_nothing(client, patient, twilio, params):
    message = an_sms(patient)

    response = signed_post(client, STATUS_URL, params)

    assert response.status_code == 400
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_report_for_an_unknown_message_is_kept_and_applied_once_the_send_records_its_id(
    client, patient, twilio, django_capture_on_commit_callbacks
):
    message = an_sms(patient, sid="", status=MessageStatus.QUEUED)
    twilio.answers.append(created(sid=SID))

    response = signed_post(client, STATUS_URL, {"MessageSid": SID, "MessageStatus": "delivered"})
    assert response.status_code == 204
    assert DeliveryReport.objects.get().applied is False

    assert message_send(message_id=message.pk, now=NOW) == "sent"

    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (MessageStatus.DELIVERED, SID)
    assert DeliveryReport.objects.get().applied is True


def test_a_late_sent_report_does_not_undo_delivered(client, patient, twilio):
    message = an_sms(patient)

    signed_post(client, STATUS_URL, {"MessageSid": SID, "MessageStatus": "delivered"})
    signed_post(client, STATUS_URL, {"MessageSid": SID, "MessageStatus": "sent"})

    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_a_stop_reported_in_a_callback_turns_sms_off(client, patient, twilio):
    an_sms(patient)

    signed_post(client, STATUS_URL, {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "21610"})

    assert NotificationPreference.objects.get(user=patient).sms_opted_out_at is not None


def test_texting_stop_then_start_turns_sms_off_then_on(client, patient, twilio):
    response = signed_post(client, INBOUND_URL, {"From": "+33612345678", "Body": "Stop", "MessageSid": "SM1"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=patient).sms_opted_out_at is not None

    signed_post(client, INBOUND_URL, {"From": "+33612345678", "Body": "START", "MessageSid": "SM2"})
    assert NotificationPreference.objects.get(user=patient).sms_opted_out_at is None


def test_an_inbound_message_from_a_number_that_is_not_one_is_answered_and_ignored(client, patient, twilio):
    response = signed_post(client, INBOUND_URL, {"From": "not-a-number", "Body": "STOP"})

    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()


def test_a_callback_signed_for_the_public_address_is_accepted_behind_a_proxy(client, patient, twilio):
    message = an_sms(patient)

    params = {"MessageSid": SID, "MessageStatus": "delivered"}
    public = "https://medibroker.test/notifications/twilio/status/"  # SITE_URL's, not http://testserver
    signature = RequestValidator(AUTH_TOKEN).compute_signature(public, params)

    response = client.post(STATUS_URL, params, HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
