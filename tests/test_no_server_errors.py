"""Every route, asked with ids that do not exist, junk query strings and empty or junk POST bodies,
by each kind of person: an answer, never a server error (a 500 is a bug)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.tests.factories import UserFactory
from providers.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "987654", "slug": "no-such-thing", "str": "no-such-thing", "uuid": str(uuid.uuid4()), "path": "x"}
SKIP = ("admin/", "accounts/logout", "api/docs", "api/schema", "i18n/", "__debug__")


def _routes(resolver=None, prefix: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _routes(entry, pattern)
        elif isinstance(entry, URLPattern):
            routes.append(pattern)
    return routes


def _path(route: str) -> str | None:
    if route.startswith("^") or "(?P" in route:
        return None  # a regex route (allauth's, static files): left to their own tests
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    return "/" + path


PATHS = sorted({p for p in map(_path, _routes()) if p is not None and not p.lstrip("/").startswith(SKIP)})


@pytest.fixture
def people(patient, careteam, finance):
    member = MemberFactory(user=UserFactory(email="member@clinic.test")).user
    return {"anonymous": None, "patient": patient, "member": member, "careteam": careteam, "finance": finance}


@pytest.mark.parametrize("who", ["anonymous", "patient", "member", "careteam", "finance"])
def test_no_route_answers_with_a_server_error(people, who):
    client = Client(raise_request_exception=False)
    if people[who] is not None:
        client.force_login(people[who])
    errors = []
    for path in PATHS:
        for method, kwargs in [
            ("get", {"data": {"page": "-1", "q": "\x00" * 3, "start": "not-a-date", "currency": "XXX"}}),
            ("post", {"data": {"junk": "\x00", "amount": "1e309"}}),
            ("post", {"data": "{not json", "content_type": "application/json"}),
        ]:
            response = getattr(client, method)(path, **kwargs)
            if response.status_code >= 500:
                errors.append(f"{method.upper()} {path} → {response.status_code}")
    assert errors == []
