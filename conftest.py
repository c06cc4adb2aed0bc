"""Fixtures shared by every test: named personas, API clients, fast password hashing, Twilio's stub."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import StaffGroup
from accounts.tests.factories import PatientFactory, UserFactory
from notifications.tests.twilio_stub import ACCOUNT_SID, AUTH_TOKEN, FROM, RecordingHttpClient
from providers.models import MemberRole
from providers.tests.factories import LocationFactory, MemberFactory, ProviderFactory


def pytest_configure(config):
    """Every run has a read replica alias (core/db.py): a test mirror of the primary, unless
    DATABASE_REPLICA_URL named one. Reads go to it only in the tests that turn REPLICA_READS on
    (tests/test_read_replica.py): a mirror is a second connection, which sees only committed rows."""
    from django.conf import settings

    if "replica" not in settings.DATABASES:
        settings.DATABASES["replica"] = {
            **settings.DATABASES["default"],
            "ATOMIC_REQUESTS": False,
            "TEST": {"MIRROR": "default"},
        }
    settings.REPLICA_READS = False


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


@pytest.fixture(autouse=True)
def _default_language():
    """Each test ends in the default language: a request activates the language it asks for
    (Django's LocaleMiddleware, accounts.middleware.UserLanguageMiddleware) and leaves it active in
    the thread, so a test asking in Russian would otherwise leave the next one speaking Russian."""
    yield
    translation.deactivate()


def _requirement(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


REQUIRE_SERVICES = _requirement("MEDIBROKER_REQUIRE_SERVICES")
REQUIRE_BROWSER = _requirement("MEDIBROKER_REQUIRE_BROWSER")
REQUIRE_S3 = _requirement("MEDIBROKER_REQUIRE_S3")


@pytest.fixture(scope="session")
def s3_endpoint():
    """An S3-compatible server (tests/s3.py): MEDIBROKER_TEST_S3_ENDPOINT, or moto's started here.
    Skips the test when there is none, or fails it when MEDIBROKER_REQUIRE_S3=1 (CI)."""
    from tests.s3 import s3_server

    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    """The default storage is a fresh, empty bucket on the S3-compatible server for this test
    (django-storages' S3Storage, configured as STORAGE_URL would): yields that storage."""
    from django.core.files.storage import storages

    from tests.s3 import new_bucket, storage_options

    if s3_endpoint is None:
        message = "no S3-compatible server: set MEDIBROKER_TEST_S3_ENDPOINT, or install moto[server]"
        if REQUIRE_S3:
            pytest.fail(message + " (MEDIBROKER_REQUIRE_S3=1)")
        pytest.skip(message)
    settings.STORAGES = {**settings.STORAGES, "default": storage_options(s3_endpoint, new_bucket(s3_endpoint))}
    return storages["default"]  # the very instance default_storage now stands for


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


# --- providers and their people -----------------------------------------------------------------------
# A test module that needs more of a provider (a location, an offering) builds on these under another
# name (`open_clinic(clinic)`) rather than redefining them.


@pytest.fixture
def clinic(db):
    """A verified provider, Clinique du Lac (EUR)."""
    return ProviderFactory(name="Clinique du Lac", slug="clinique-du-lac")


@pytest.fixture
def clinic_admin(clinic):
    """Clinique du Lac's administrator: may change its profile, offerings and members."""
    return MemberFactory(provider=clinic, user=UserFactory(email="admin@lac.test"), role=MemberRole.ADMIN).user


@pytest.fixture
def clinic_member(clinic):
    """A nurse of Clinique du Lac: a staff member, not an administrator."""
    return MemberFactory(provider=clinic, user=UserFactory(email="nurse@lac.test"), role=MemberRole.STAFF).user


@pytest.fixture
def location(clinic):
    """Clinique du Lac's practice in Paris (no opening hours)."""
    return LocationFactory(provider=clinic, timezone="Europe/Paris")


@pytest.fixture
def rival(db):
    """Another verified provider, Rival Hospital: what Clinique du Lac's people must not see or change."""
    return ProviderFactory(name="Rival Hospital", slug="rival-hospital")


@pytest.fixture
def rival_member(rival):
    """Rival Hospital's administrator."""
    return MemberFactory(provider=rival, user=UserFactory(email="admin@rival.test"), role=MemberRole.ADMIN).user


# --- clients ------------------------------------------------------------------------------------------


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
