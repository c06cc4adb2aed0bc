"""Notifications in the admin: read-only. Messages and delivery reports are the sending services'
record; a person's preferences, and an SMS STOP, are theirs to change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from notifications.models import Channel, DeliveryReport, Message, MessageStatus, NotificationPreference

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def root_client(db):
    client = Client()
    client.force_login(UserFactory(email="root@medibroker.test", is_staff=True, is_superuser=True))
    return client


def test_an_sms_stop_cannot_be_lifted_in_the_admin(root_client, patient):
    preference = NotificationPreference.objects.create(user=patient, sms=True, sms_opted_out_at=NOW, updated_at=NOW)
    change = reverse("admin:notifications_notificationpreference_change", args=[preference.pk])

    assert root_client.get(change).status_code == 200
    assert root_client.post(change, {"user": patient.pk, "email": "on", "sms": "on"}).status_code == 403
    delete = reverse("admin:notifications_notificationpreference_delete", args=[preference.pk])
    assert root_client.post(delete).status_code == 403
    preference.refresh_from_db()
    assert preference.sms_opted_out_at == NOW


def test_a_message_is_shown_without_its_body_and_not_changed(root_client, patient):
    message = Message.objects.create(
        recipient=patient,
        channel=Channel.EMAIL,
        event="booking_confirmed",
        template="booking_confirmed",
        language="en",
        key="test:admin",
        to=patient.email,
        subject="Your appointment is confirmed",
        body="Rhinoplasty on 4 February",
        status=MessageStatus.SENT,
        created_at=NOW,
        updated_at=NOW,
    )
    change = reverse("admin:notifications_message_change", args=[message.pk])

    page = root_client.get(change)

    assert page.status_code == 200
    assert "Your appointment is confirmed" in page.content.decode()
    assert "Rhinoplasty" not in page.content.decode()
    assert root_client.post(change, {"status": MessageStatus.FAILED}).status_code == 403
    assert root_client.post(reverse("admin:notifications_message_delete", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_delivery_report_is_kept_as_received(root_client):
    report = DeliveryReport.objects.create(provider_message_id="SM123", status="delivered", received_at=NOW)
    change = reverse("admin:notifications_deliveryreport_change", args=[report.pk])

    assert root_client.get(change).status_code == 200
    assert root_client.post(change, {"provider_message_id": "SM123", "status": "failed"}).status_code == 403
    assert root_client.post(reverse("admin:notifications_deliveryreport_delete", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert (report.status, report.applied) == ("delivered", False)
