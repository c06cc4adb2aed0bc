"""Fixtures shared by every test: named personas, API clients, fast password hashing, Twilio's stub."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import StaffGroup
from accounts.tests.factories import PatientFactory, UserFactory
from notifications.tests.twilio_stub import ACCOUNT_SID, AUTH_TOKEN, FROM, RecordingHttpClient


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_tasks(request):
    """Tasks run in the test's own process, also when a broker is configured (the services run),
    so tests see their effects; only `real_worker` tests send them through the broker."""
    from config.celery import app

    if request.node.get_closest_marker("real_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rate limits and used TOTP codes do not leak across."""
    cache.clear()
    yield
    cache.clear()


def _requirement(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


REQUIRE_SERVICES = _requirement("MEDIBROKER_REQUIRE_SERVICES")
REQUIRE_BROWSER = _requirement("MEDIBROKER_REQUIRE_BROWSER")


@pytest.fixture
def patient(db):
    return PatientFactory(email="alice@example.test")


@pytest.fixture
def other_patient(db):
    return PatientFactory(email="bob@example.test")


@pytest.fixture
def careteam(db):
    return UserFactory(email="carla@example.test", is_staff=True, groups=[StaffGroup.CARETEAM])


@pytest.fixture
def finance(db):
    return UserFactory(email="fiona@example.test", is_staff=True, groups=[StaffGroup.FINANCE])


@pytest.fixture
def coordinator(db):
    return UserFactory(email="dr.cole@example.test", is_staff=True, groups=[StaffGroup.MEDICAL_COORDINATOR])


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def api():
    """An API client; call `api.force_authenticate(user)` or use `api_as`."""
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def twilio(settings):
    """Twilio configured; its HTTP layer is a recording stub (append answers to `twilio.answers`).
    For every app whose messages go by SMS (notifications' tests, bookings', quotes')."""
    client = RecordingHttpClient()
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM = FROM
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_HTTP_CLIENT = client
    settings.SITE_URL = "https://medibroker.test"
    return client
