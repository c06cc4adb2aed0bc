"""Health check, background tasks and demo data on whatever backends this run is configured with.

The embedded run (no DATABASE_URL/REDIS_URL) checks SQLite and eager tasks. CI runs the suite
again with PostgreSQL and Redis, and `services` tests then use them for real: a Celery worker
consumes tasks from Redis and the health check reaches both servers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.demo import PEOPLE
from accounts.models import PatientProfile, TermsAcceptance, User
from accounts.tasks import clear_expired_sessions
from conftest import REQUIRE_SERVICES
from core.models import AuditEvent
from providers.demo import PROVIDERS
from providers.models import Location, Provider
from providers.selectors import offerings_public, providers_public
from quotes.models import QuoteRequest

USES_SERVICES = bool(settings.REDIS_URL) or REQUIRE_SERVICES
services = pytest.mark.skipif(not USES_SERVICES, reason="REDIS_URL is not set: embedded run")


def make_sessions():
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="current", session_data="", expire_date=now + dt.timedelta(days=1))


@pytest.mark.django_db
def test_health_check_reports_every_part_to_staff(client, careteam):
    client.force_login(careteam)

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert body["checks"]["database"]["detail"] == connection.vendor
    assert all(check["status"] == "ok" for check in body["checks"].values())


@pytest.mark.django_db
def test_health_check_answers_503_and_names_the_part_that_failed_to_staff(client, settings, careteam):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(careteam)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["cache"] == {"status": "error", "detail": "RuntimeError"}
    assert response.json()["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_health_check_tells_anyone_else_only_up_or_down(client, settings, patient):
    assert client.get("/healthz").json() == {"status": "ok"}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    anonymous = client.get("/healthz")
    client.force_login(patient)
    signed_in = client.get("/healthz")

    assert (anonymous.status_code, anonymous.json()) == (503, {"status": "down"})
    assert (signed_in.status_code, signed_in.json()) == (503, {"status": "down"})


@pytest.mark.django_db
def test_health_check_never_shows_an_exception_text(client, settings, careteam, monkeypatch):
    from core import health

    def broken() -> str:
        raise OSError("could not connect to server at 10.0.3.7:5432 as medibroker (password=hunter2)")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    client.force_login(careteam)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"status": "error", "detail": "OSError"}
    assert b"10.0.3.7" not in response.content
    assert b"hunter2" not in response.content
    assert "no-store" in response["Cache-Control"]


@pytest.mark.skipif(USES_SERVICES, reason="this run has a broker")
@pytest.mark.django_db
def test_without_a_broker_tasks_run_eagerly():
    make_sessions()

    clear_expired_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_gives_each_person_what_they_need(capsys):
    call_command("seed_demo")
    counts = (
        User.objects.count(),
        PatientProfile.objects.count(),
        TermsAcceptance.objects.count(),
        Provider.objects.count(),
    )
    events = AuditEvent.objects.count()
    call_command("seed_demo")

    assert counts == (len(PEOPLE) + len(PROVIDERS), 3, len(PEOPLE) + len(PROVIDERS), len(PROVIDERS))
    assert (
        User.objects.count(),
        PatientProfile.objects.count(),
        TermsAcceptance.objects.count(),
        Provider.objects.count(),
    ) == counts
    assert AuditEvent.objects.count() == events
    assert User.objects.get(email="careteam@medibroker.test").groups.get().name == "careteam"
    assert User.objects.get(email="admin@medibroker.test").is_superuser
    assert PatientProfile.objects.get(first_name="Elias").acts_as_representative
    assert providers_public().count() == len(PROVIDERS) - 1
    assert {o.currency for o in offerings_public()} >= {"EUR", "THB", "TRY", "INR", "KWD", "JPY"}
    assert len({loc.timezone for loc in Location.objects.all()}) == len(PROVIDERS)
    assert all(loc.weekly_rules.count() == 5 for loc in Location.objects.all())
    assert User.objects.get(email="claire.dupont@provider.test").provider_memberships.count() == 2
    assert "careteam@medibroker.test" in capsys.readouterr().out
    # Amelia's request reached two hospitals, one answered: the quote flow is there to try.
    request = QuoteRequest.objects.get(patient__email="amelia.hughes@example.test")
    assert request.recipients.count() == 2
    assert [(q.provider.slug, q.total_amount) for q in request.quotes.all()] == [
        ("anadolu-health-hospital", 37_500_000)
    ]


# --- with PostgreSQL and Redis ------------------------------------------------------------------


@services
def test_the_services_run_uses_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@services
@pytest.mark.django_db
def test_health_check_reaches_the_broker(client, careteam):
    client.force_login(careteam)
    checks = client.get("/healthz").json()["checks"]

    assert checks["broker"] == {"status": "ok", "detail": "connected"}
    assert checks["cache"]["detail"] == "RedisCache"


@services
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_celery_worker_runs_a_task_sent_through_redis():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    make_sessions()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        result = clear_expired_sessions.delay()
        result.get(timeout=30)

    assert result.status == "SUCCESS"
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
