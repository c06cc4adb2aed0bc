"""Through Redis to a real Celery worker: a message recorded after commit is sent once."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core import mail

from conftest import REQUIRE_SERVICES
from notifications.models import Message, MessageStatus
from notifications.services import notify
from notifications.tests.support import NOW

services = pytest.mark.skipif(not (settings.REDIS_URL or REQUIRE_SERVICES), reason="REDIS_URL is not set")


@services
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_a_recorded_message_once(patient):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        (message,) = notify(event="release_paid", recipient=patient, context={}, key="worker:1", now=NOW)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status != MessageStatus.QUEUED and message.status != MessageStatus.SENDING:
                break
            time.sleep(0.2)

    assert message.status == MessageStatus.SENT
    assert Message.objects.count() == 1
    assert [m.to for m in mail.outbox] == [[patient.email]]
