"""Production mode: refuses to start without its secrets, and passes Django's deployment checks.

Settings are read once per process, so each case runs `manage.py` in a fresh one.
"""

from __future__ import annotations

import secrets

import pytest

from tests.support import manage, production_environment

PRODUCTION = production_environment()


def test_production_passes_the_deployment_checklist_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SITE_URL"]
)
def test_production_refuses_to_start_without_its_secret_key_or_hosts(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = manage("check", **env)

    assert result.returncode != 0
    assert f"Production mode needs {missing}" in result.stderr


def test_production_flags_a_weak_secret_key():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "DJANGO_SECRET_KEY": "short"})

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_refuses_debug():
    result = manage("check", **{**PRODUCTION, "DJANGO_DEBUG": "true"})

    assert result.returncode != 0
    assert "DJANGO_DEBUG=true is refused in production mode" in result.stderr


def test_a_misspelt_boolean_stops_the_process_instead_of_meaning_false():
    result = manage("check", DJANGO_PRODUCTION="ture")

    assert result.returncode != 0
    assert "DJANGO_PRODUCTION='ture' is not a boolean" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(secrets.token_urlsafe(64))
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}

    result = manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY_FILE=str(key_file), **env)

    assert result.returncode == 0, result.stderr


def test_the_embedded_default_needs_no_configuration():
    result = manage("shell", "--no-imports", "-c", _PRINT_DEFAULTS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite3", "True", "LocMemCache", "console.EmailBackend"]


_PRINT_DEFAULTS = (
    "from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1], s.CELERY_TASK_ALWAYS_EAGER, "
    "s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], s.EMAIL_BACKEND.split('backends.')[-1])"
)


def test_an_empty_variable_means_not_set():
    result = manage("shell", "--no-imports", "-c", _PRINT_DEFAULTS, DATABASE_URL="", REDIS_URL="", EMAIL_URL="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite3", "True", "LocMemCache", "console.EmailBackend"]


def test_database_and_redis_urls_switch_the_backends():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        _PRINT_DEFAULTS,
        DATABASE_URL="postgres://app@db.internal:5432/medibroker",
        REDIS_URL="redis://cache.internal:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql", "False", "RedisCache", "console.EmailBackend"]


@pytest.mark.django_db
def test_the_legal_notice_shows_the_operator_from_the_environment(client, settings):
    settings.OPERATOR = {**settings.OPERATOR, "name": "Santé Voyage SAS", "email": "contact@sante-voyage.example"}

    html = client.get("/legal/notice/").content.decode()

    assert "Santé Voyage SAS" in html
    assert 'href="mailto:contact@sante-voyage.example"' in html
    assert "Not provided by the operator yet." in html  # the fields still unset say so


# --- Production fails closed: no silent fallback to a development default ------------------------


@pytest.mark.parametrize(
    "missing",
    [
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "STRIPE_PUBLISHABLE_KEY",
        "STRIPE_CONNECT_WEBHOOK_SECRET",
        "DOCUMENT_KEYS",
    ],
)
def test_production_refuses_to_start_without_a_service_it_would_otherwise_fake(missing):
    # Each of these has a development default (SQLite, eager tasks and per-process limits, e-mail
    # printed to the logs, the emulator's key, a fixed webhook secret) that production must not use.
    result = manage("check", **production_environment(**{missing: ""}))

    assert result.returncode != 0
    assert f"Production mode needs {missing}" in result.stderr


def test_production_refuses_sqlite():
    result = manage("check", **production_environment(DATABASE_URL="sqlite:////tmp/medibroker.sqlite3"))

    assert result.returncode != 0
    assert "DATABASE_URL names SQLite: refused in production mode" in result.stderr


@pytest.mark.parametrize("url", ["consolemail://", "dummymail://", "memorymail://", "filemail:///tmp/mail"])
def test_production_refuses_an_email_backend_that_sends_nothing(url):
    # Console e-mail would print password-reset links into the logs.
    result = manage("check", **production_environment(EMAIL_URL=url))

    assert result.returncode != 0
    assert "EMAIL_URL must name a mail server" in result.stderr


def test_production_with_every_service_uses_them():
    result = manage("shell", "--no-imports", "-c", _PRINT_DEFAULTS, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql", "False", "RedisCache", "smtp.EmailBackend"]
