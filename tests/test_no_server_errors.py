"""Every route, asked with ids that do not exist, junk query strings and empty or junk POST bodies,
by each kind of person: an answer, never a server error (a 500 is a bug)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from providers.tests.factories import MemberFactory
from tests.support import url_patterns

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "987654", "slug": "no-such-thing", "str": "no-such-thing", "uuid": str(uuid.uuid4()), "path": "x"}
# Stripe is not running here: the payment pages answer 502 "the payment service cannot be reached",
# with a message, which is right. Any other 5xx is a bug.
OUTSIDE_SERVICE_DOWN = {502}
NUL = "\x00"
SKIP = ("admin/", "accounts/logout", "api/docs", "api/schema", "i18n/", "__debug__")


def _routes() -> list[str]:
    return [pattern.route for pattern in url_patterns()]


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
            ("get", {"data": {"page": "-1", "q": "\x00" * 3, "start": "not-a-date", "currency": "XXX", "city": NUL}}),
            ("post", {"data": {"junk": "\x00", "amount": "1e309"}}),
            ("post", {"data": "{not json", "content_type": "application/json"}),
        ]:
            response = getattr(client, method)(path, **kwargs)
            if response.status_code >= 500 and response.status_code not in OUTSIDE_SERVICE_DOWN:
                errors.append(f"{method.upper()} {path} → {response.status_code}")
    assert errors == []


@pytest.fixture
def scene(patient, careteam, finance, settings, tmp_path):
    return build_scene(patient, settings, tmp_path)


def build_scene(patient, settings, tmp_path) -> dict:
    """One of everything, owned by the patient and a provider's member: a sent request with a
    document, an answered quote, a booking awaiting its deposit, a release asked for."""
    import datetime as dt

    from cryptography.fernet import Fernet
    from django.utils import timezone

    from documents.tests import samples
    from documents.tests.helpers import upload_file
    from providers.tests.factories import LocationFactory, OfferingFactory, ProviderFactory, open_weekdays
    from quotes.services import LineInput, SlotInput, quote_accept, quote_request_submit, quote_submit

    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    now = timezone.now()
    provider = ProviderFactory()
    location = LocationFactory(provider=provider)
    open_weekdays(location)
    offering = OfferingFactory(provider=provider, location=location)
    member = MemberFactory(provider=provider, user=UserFactory(email="member@scene.test")).user
    document = upload_file(patient, samples.pdf("Scan"))
    request = quote_request_submit(
        patient=patient,
        providers=[provider],
        documents=[document],
        subject="Knee",
        description="Pain",
        desired_from=now.date() + dt.timedelta(days=10),
        desired_to=now.date() + dt.timedelta(days=40),
        specialty=None,
        procedure=None,
        travel_constraints="",
        now=now,
    )
    start = now.replace(microsecond=0) + dt.timedelta(days=20)
    quote = quote_submit(
        request=request,
        provider=provider,
        actor=member,
        currency="EUR",
        lines=[LineInput("procedure", "Arthroscopy", 1, 300_000)],
        deposit_amount=50_000,
        valid_until=now.date() + dt.timedelta(days=5),
        slots=[SlotInput(start=start, end=start + dt.timedelta(hours=1))],
        payment_days=3,
        max_variation_bps=500,
        now=now,
    )
    booking = quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=now).booking
    return {
        "booking_id": booking.pk,
        "provider_id": provider.pk,
        "document_id": document.pk,
        "quote_id": quote.pk,
        "location_id": location.pk,
        "request_id": request.pk,
        "offering_id": offering.pk,
        "recipient_id": request.recipients.get().pk,
        "appointment_id": booking.appointments.get().pk,
        "slug": provider.slug,
        "member": member,
    }


def _real_path(route: str, ids: dict) -> str | None:
    if route.startswith("^") or "(?P" in route:
        return None
    path = re.sub(
        r"<(?:(\w+):)?(\w+)>",
        lambda m: str(ids.get(m.group(2), SAMPLE.get(m.group(1) or "str", "x"))),
        route,
    )
    return "/" + path


@pytest.mark.parametrize("who", ["patient", "member", "careteam", "finance"])
def test_no_route_about_real_objects_answers_with_a_server_error(scene, people, who, patient):
    client = Client(raise_request_exception=False)
    client.force_login(scene["member"] if who == "member" else people[who])
    paths = sorted(
        {p for p in (_real_path(r, scene) for r in _routes()) if p is not None and not p.lstrip("/").startswith(SKIP)}
    )
    errors = []
    for path in paths:
        for method, kwargs in [
            ("get", {"data": {"page": "0", "q": "x" * 5000, "currency": "XXX", "start": "2026-13-45"}}),
            ("post", {"data": {"reason": "\x00", "amount": "1e309", "start": "yesterday", "currency": "EUR"}}),
            ("post", {"data": "[1, 2", "content_type": "application/json"}),
        ]:
            response = getattr(client, method)(path, **kwargs)
            if response.status_code >= 500 and response.status_code not in OUTSIDE_SERVICE_DOWN:
                errors.append(f"{method.upper()} {path} → {response.status_code}")
    assert errors == []
