"""Fixtures of the notification tests."""

from __future__ import annotations

import pytest

from notifications.tests.twilio_stub import ACCOUNT_SID, AUTH_TOKEN, FROM, RecordingHttpClient


@pytest.fixture
def twilio(settings):
    """Twilio configured; its HTTP layer is a recording stub (append answers to `twilio.answers`)."""
    client = RecordingHttpClient()
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM = FROM
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_HTTP_CLIENT = client
    settings.SITE_URL = "https://medibroker.test"
    return client
