"""Schemathesis over the API's OpenAPI schema, in process, as each kind of person.

For every operation drf-spectacular documents, Hypothesis generates requests (valid ones, then
ones that break the schema) and sends them to the WSGI app signed in as the role. Two checks:
no 5xx (`not_a_server_error`) and every documented answer matches its schema
(`response_schema_conformance`). A small world (a verified provider with an offering and open
hours, a quote request answered, a booking) lets the ids in paths name real objects, so the owner
reaches the code behind the 404.

Bounded: MAX_EXAMPLES per operation and generation mode, a fixed seed (derandomize), no deadline.
One test per role, each on a fresh database (operations may change the world; that is fine).
Run: `python -m pytest -q tests/test_api_fuzz.py`: about 1,300 cases per role, about 7 minutes for the 7
roles on SQLite (more on PostgreSQL) on a loaded 2-core machine.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections import Counter
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase
from rest_framework.throttling import ScopedRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from tests.test_no_server_errors import build_scene

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "patient", "member", "careteam", "finance", "coordinator", "admin"]
MAX_EXAMPLES = 5  # per operation and generation mode (10 took 13 min on SQLite once the API passed 2,500 cases a role)
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
CHECKS = [not_a_server_error, response_schema_conformance]
# Stripe does not run in tests: an endpoint that must reach it answers 502 with a message (right).
OUTSIDE_SERVICE_DOWN = {502}


def sign_in(user: Any) -> dict[str, Any]:
    """What each request carries to be signed in as `user` (nothing for anonymous): keyword
    arguments of Schemathesis' `case.call`.

    The one place that knows how a role authenticates: a session cookie and its CSRF token. Adapt
    it here when sign-in changes (API tokens, a second factor).
    """
    if user is None:
        return {}
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    return {
        "cookies": {
            django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            django_settings.CSRF_COOKIE_NAME: csrf,
        },
        "headers": {"X-CSRFToken": csrf},
    }


def _user(role: str, world: dict[str, Any], patient: Any) -> Any:
    if role == "anonymous":
        return None
    if role == "patient":
        return patient
    if role == "member":
        return world["member"]
    if role == "admin":
        return UserFactory(email="root@example.test", is_staff=True, is_superuser=True)
    group = {"careteam": StaffGroup.CARETEAM, "finance": StaffGroup.FINANCE}.get(role, StaffGroup.MEDICAL_COORDINATOR)
    return UserFactory(email=f"{role}@example.test", is_staff=True, groups=[group])


def _world(patient: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    world = build_scene(patient, settings, tmp_path)
    from documents.models import DocumentGrant
    from providers.models import AvailabilityException, ProviderMember, WeeklyRule

    rule = WeeklyRule.objects.filter(location_id=world["location_id"]).first()
    exception = AvailabilityException.objects.filter(location_id=world["location_id"]).first()
    grant = DocumentGrant.objects.filter(document_id=world["document_id"]).first()
    member = ProviderMember.objects.filter(provider_id=world["provider_id"]).first()
    world.update(
        rule_id=rule.pk if rule else 1,
        exception_id=exception.pk if exception else 1,
        grant_id=grant.pk if grant else 1,
        member_id=member.pk if member else 1,
    )
    return world


def _schema() -> Any:
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, cls=DjangoJSONEncoder)))
    schema.app = get_wsgi_application()
    return schema


def _strategies(operation: Any, world: dict[str, Any]) -> list[tuple[GenerationMode, Any]]:
    """Valid requests naming the world's objects; then, when the operation takes any input,
    requests that break its schema (ids included)."""
    raw = operation.definition.raw
    names = [p["name"] for p in raw.get("parameters", []) if p.get("in") == "path"]
    real_ids = {name: world[name] for name in names if name in world}
    strategies = [(GenerationMode.POSITIVE, operation.as_strategy(path_parameters=real_ids or None))]
    if GenerationMode.NEGATIVE in MODES and (raw.get("parameters") or "requestBody" in raw):
        strategies.append((GenerationMode.NEGATIVE, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)))
    return strategies


def _runner(strategy: Any, auth: dict[str, Any], on_case: Any, record: Any) -> Any:
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(**auth)
        on_case(response.status_code)
        if response.status_code in OUTSIDE_SERVICE_DOWN:
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # Schemathesis' failure group: recorded, the run goes on
            record(response.status_code, exc)

    return run


def fuzz(auth: dict[str, Any], world: dict[str, Any]) -> tuple[int, dict[str, int], list[str]]:
    """Run every operation: the number of cases, of answers per status class, and one line per
    failing (operation, mode, status)."""
    cases = 0
    failures: dict[str, str] = {}
    statuses: Counter[str] = Counter()

    def on_case(status: int) -> None:
        nonlocal cases
        cases += 1
        statuses[f"{status // 100}xx"] += 1

    def record(label: str, mode: str, status: int, exc: BaseException) -> None:
        key = f"{label} [{mode}] {status}"
        failures.setdefault(key, f"{key}: {' '.join(str(exc).split())[:1200]}")

    for result in _schema().get_all_operations():
        operation = result.ok()
        for mode, strategy in _strategies(operation, world):
            run = _runner(strategy, auth, on_case, record=functools.partial(record, operation.label, mode.value))
            with contextlib.suppress(hypothesis.errors.Unsatisfiable):  # nothing of this mode to generate
                run()
    return cases, dict(sorted(statuses.items())), sorted(failures.values())


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_every_generated_request_without_a_server_error_and_as_documented(
    role, patient, settings, tmp_path, capsys, monkeypatch, request
):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # The WSGI handler closes the database connection at each request's end, which would end the
    # test's transaction (PostgreSQL); Django's test Client disconnects it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: request_started.connect(close_old_connections))
    request.addfinalizer(lambda: request_finished.connect(close_old_connections))
    # The sign-in endpoints' rate limit would answer most cases 429: the fuzz is about what is behind it.
    monkeypatch.setattr(ScopedRateThrottle, "allow_request", lambda self, request, view: True)
    world = _world(patient, settings, tmp_path)
    auth = sign_in(_user(role, world, patient))
    started = time.monotonic()
    cases, statuses, failures = fuzz(auth, world)
    with capsys.disabled():
        print(f"\n[fuzz] {role}: {cases} cases {statuses}, {len(failures)} failures, {time.monotonic() - started:.0f}s")
    assert failures == [], "\n".join(failures)
