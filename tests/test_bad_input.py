"""Bad input never gets a server error: every API endpoint, asked by each kind of person with the
six families of bad input, answers 4xx with the error body `{code, message, details}`.

The families: deeply nested JSON; NUL bytes (body, query string, URL); numbers beyond what a column
holds; dates near year 9999; values of the wrong JSON type; a body that is not an object. Pages get
the query-string families too (they answer 400 or ignore, never 500).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.db import DataError
from django.test import Client
from django.utils import timezone
from rest_framework.response import Response

from accounts.tests.factories import UserFactory
from core.idempotency import HEADER
from core.models import IdempotencyRecord, IdempotencyStatus
from providers.tests.factories import MemberFactory
from tests.test_no_server_errors import SKIP, _real_path, _routes, build_scene

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
NOT_OBJECTS = ["[]", "[1, 2]", '"text"', "42", "true", "null"]
NUL = "a\x00b"
# Every field name an API takes, with a value of each family: NUL in text, out of range numbers and dates.
FIELD_NAMES = [
    "email", "password", "password1", "password2", "first_name", "last_name", "date_of_birth", "phone",
    "accept_terms", "acts_as_representative", "country", "code", "reason", "start", "end", "offering",
    "appointment", "subject", "description", "desired_from", "desired_to", "specialty", "procedure",
    "travel_constraints", "providers", "documents", "currency", "lines", "slots", "deposit_amount",
    "valid_until", "payment_days", "max_variation_bps", "patient_currency", "quote", "name", "title",
    "duration_minutes", "slot_minutes", "price", "deposit_percent", "min_notice_hours", "horizon_days",
    "is_active", "includes", "excludes", "weekday", "opens_at", "closes_at", "date", "latitude", "longitude",
    "timezone", "city", "address", "languages", "role", "grantee", "expires_at", "kind", "label",
]  # fmt: skip
BIG_INT = 10**30
FAMILIES_BODY = {
    "nul": dict.fromkeys(FIELD_NAMES, NUL),
    "big_number": dict.fromkeys(FIELD_NAMES, BIG_INT),
    "float_overflow": dict.fromkeys(FIELD_NAMES, 1e30),
    "big_decimal_string": dict.fromkeys(FIELD_NAMES, "1" + "0" * 30),
    "far_date": dict.fromkeys(FIELD_NAMES, "9999-12-31"),
    "far_datetime": dict.fromkeys(FIELD_NAMES, "9999-12-31T23:59:59+00:00"),
    "wrong_type_bool": dict.fromkeys(FIELD_NAMES, True),
    "wrong_type_object": {name: {"a": 1} for name in FIELD_NAMES},
    "wrong_type_list": {name: [1, "x"] for name in FIELD_NAMES},
}
QUERY_NAMES = [
    "q", "specialty", "procedure", "country", "city", "language", "kind", "price_min", "price_max",
    "accreditation", "available_before", "currency", "sort", "page", "from", "to", "status", "ids", "offering",
]  # fmt: skip
FAMILIES_QUERY = {
    "nul": dict.fromkeys(QUERY_NAMES, NUL),
    "far_date": dict.fromkeys(QUERY_NAMES, "9999-12-31"),
    "big_number": dict.fromkeys(QUERY_NAMES, "1" + "0" * 30),
    "year_zero": dict.fromkeys(QUERY_NAMES, "0001-01-01"),
}
OUTSIDE_SERVICE_DOWN = {502}  # Stripe does not run here (see test_no_server_errors)


@pytest.fixture
def scene(patient, settings, tmp_path):
    return build_scene(patient, settings, tmp_path)


@pytest.fixture
def people(patient, careteam, finance):
    member = MemberFactory(user=UserFactory(email="member@clinic.test")).user
    return {"anonymous": None, "patient": patient, "member": member, "careteam": careteam, "finance": finance}


def _api_paths(ids: dict) -> list[str]:
    paths = {_real_path(r, ids) for r in _routes() if r.startswith("api/v1/")}
    return sorted(p for p in paths if p is not None)


def _page_paths(ids: dict) -> list[str]:
    paths = {_real_path(r, ids) for r in _routes() if not r.startswith(("api/", *SKIP))}
    return sorted(p for p in paths if p is not None)


def _check(response, label: str, errors: list[str], *, api: bool = True) -> None:
    if response.status_code >= 500 and response.status_code not in OUTSIDE_SERVICE_DOWN:
        errors.append(f"{label} → {response.status_code}")
        return
    if api and response.status_code >= 400 and response.status_code not in OUTSIDE_SERVICE_DOWN:
        try:
            body = response.json()
        except ValueError:
            errors.append(f"{label} → {response.status_code} not JSON")
            return
        if not (isinstance(body, dict) and {"code", "message", "details"} <= body.keys()):
            errors.append(f"{label} → {response.status_code} body {str(body)[:80]}")


def _client(who, people, scene) -> Client:
    client = Client(raise_request_exception=False, enforce_csrf_checks=False)
    user = scene["member"] if who == "member" else people[who]
    if user is not None:
        client.force_login(user)
    return client


WHO = ["anonymous", "patient", "member", "careteam"]  # careteam: staff


@pytest.mark.parametrize("who", WHO)
def test_bad_bodies_get_a_4xx_with_the_error_shape_from_every_api_endpoint(scene, people, who):
    client = _client(who, people, scene)
    raws = [("deep", DEEP), ("deep_object", DEEP_OBJECT), *[(f"not_object {b}", b) for b in NOT_OBJECTS]]
    errors: list[str] = []
    for path in _api_paths(scene):
        for label, raw in raws:
            _check(client.post(path, raw, content_type="application/json"), f"post {path} {label}", errors)
        for label, body in FAMILIES_BODY.items():
            _check(client.post(path, body, content_type="application/json"), f"post {path} {label}", errors)
        for method in ("put", "patch"):  # the same parser and views: the shape families are enough
            for label, raw in [("deep", DEEP), ("not_object", "[1, 2]"), ("nul", json.dumps({"title": NUL}))]:
                response = getattr(client, method)(path, raw, content_type="application/json")
                _check(response, f"{method} {path} {label}", errors)
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("who", WHO)
def test_bad_query_strings_get_a_4xx_or_are_ignored_by_every_endpoint(scene, people, who):
    client = _client(who, people, scene)
    errors: list[str] = []
    for path in _api_paths(scene):
        for label, query in FAMILIES_QUERY.items():
            _check(client.get(path, query), f"get {path} ?{label}", errors)
    for path in _page_paths(scene):
        for label, query in FAMILIES_QUERY.items():
            _check(client.get(path, query), f"get {path} ?{label}", errors, api=False)
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("who", WHO)
def test_nul_in_a_query_string_or_url_is_refused_with_400(scene, people, who):
    client = _client(who, people, scene)
    response = client.get("/api/v1/search/", {"specialty": NUL})
    assert response.status_code == 400
    assert response.json()["details"] == {"specialty": ["Null characters are not allowed."]}
    response = client.get(f"/api/v1/offerings/{scene['offering_id']}/slots/", {"from": NUL, "to": "2030-01-01"})
    assert response.status_code == 400
    assert "from" in response.json()["details"]
    response = client.get("/api/v1/providers/a%00b/")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    # A page: the form says so next to the field, or the address is refused; never a 500.
    assert client.get("/search/", {"procedure": NUL}).status_code == 200
    assert client.get("/providers/a%00b/").status_code == 400


def test_deep_json_is_refused_before_sign_in_and_sign_up(client):
    for path in ("/api/v1/auth/token/", "/api/v1/auth/signup/"):
        response = client.post(path, DEEP, content_type="application/json")
        assert response.status_code == 400, path
        assert response.json()["code"] == "invalid_body"


def test_a_body_too_large_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/auth/token/", json.dumps({"email": "x" * 2000}), content_type="application/json")
    assert response.status_code in (400, 413)
    assert response.json()["code"] in ("invalid_body", "too_large")


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_a_body_that_is_not_an_object_is_refused_with_invalid_body(client, body):
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_body"


def test_signup_with_values_of_the_wrong_type_is_a_400(client):
    body = {
        "email": "new@example.test",
        "password1": "a-Long-pass-9876",
        "password2": "a-Long-pass-9876",
        "first_name": True,
        "last_name": ["x"],
        "date_of_birth": True,
        "accept_terms": True,
        "accept_health_data": True,
    }
    response = client.post("/api/v1/auth/signup/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_slots_near_year_9999_are_a_400(scene, client):
    path = f"/api/v1/offerings/{scene['offering_id']}/slots/"
    for first, last in [("9999-12-30", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02")]:
        response = client.get(path, {"from": first, "to": last})
        assert response.status_code == 400, (first, response.content[:200])
        assert response.json()["details"]


def test_offering_numbers_beyond_their_columns_are_a_400(scene, people, client):
    client.force_login(scene["member"])
    path = f"/api/v1/my/providers/{scene['provider_id']}/offerings/"
    from providers.models import Procedure

    procedure = Procedure.objects.first()
    base = {
        "title": "Knee",
        "procedure": procedure.code if procedure else "x",
        "price": "1000.00",
        "currency": "EUR",
        "deposit_percent": "20",
        "duration_minutes": 60,
        "slot_minutes": 60,
        "location": scene["location_id"],
    }
    for change in [
        {"duration_minutes": 1e30},
        {"duration_minutes": 10**30},
        {"slot_minutes": 2**63},
        {"horizon_days": 10**12},
        {"min_notice_hours": 10**12},
        {"price": "1" + "0" * 30},
        {"deposit_percent": "1e30"},
    ]:
        response = client.post(path, {**base, **change}, content_type="application/json")
        assert response.status_code == 400, (change, response.content[:300])
        assert set(response.json()) == {"code", "message", "details"}


def test_strict_booleans(scene, client):
    client.force_login(scene["member"])
    path = f"/api/v1/my/providers/{scene['provider_id']}/offerings/"
    response = client.post(path, {"is_active": "yes"}, content_type="application/json")
    assert "is_active" in response.json()["details"]
    response = client.post(path, {"is_active": 1}, content_type="application/json")
    assert "is_active" in response.json()["details"]
    response = client.post(path, {"is_active": True}, content_type="application/json")
    assert "is_active" not in response.json()["details"]


def test_nul_in_a_form_body_is_refused(scene, patient, client):
    client.force_login(patient)
    response = client.post(f"/api/v1/quotes/{scene['quote_id']}/accept/", {"currency": "E\x00"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_body"


def test_an_idempotent_answer_with_a_nul_is_stored_without_it():
    """PostgreSQL's jsonb refuses \\u0000: a NUL echoed into an answer is stored as U+FFFD."""
    from core.idempotency import _store

    user = UserFactory()
    claim = IdempotencyRecord.objects.create(
        user=user, key="k-0", method="POST", path="/x", fingerprint="f", created_at=timezone.now()
    )
    _store(claim, Response({"code": "invalid", "message": '"E\x00" is not a valid choice.', "details": {}}, status=400))
    claim.refresh_from_db()
    assert claim.status == IdempotencyStatus.DONE
    assert claim.response_body["message"] == '"E\ufffd" is not a valid choice.'


def test_an_idempotent_answer_that_cannot_be_stored_still_answers_and_releases_the_key(scene, patient, client):
    """When storing the answer fails, the client still gets it and the key is released, so that
    a retry runs again (it used to be claimed, 409 "in flight", for 5 minutes)."""
    client.force_login(patient)
    path = f"/api/v1/quotes/{scene['quote_id']}/accept/"
    body = {"currency": "XXX"}
    with mock.patch("core.idempotency._store", side_effect=DataError("jsonb refuses it")):
        response = client.post(path, body, content_type="application/json", headers={HEADER: "k-2"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not IdempotencyRecord.objects.filter(key="k-2").exists()
    again = client.post(path, body, content_type="application/json", headers={HEADER: "k-2"})
    assert again.status_code == 400  # run again, not 409 "in flight"
    assert IdempotencyRecord.objects.get(key="k-2").status == IdempotencyStatus.DONE


def test_dates_are_bounded_in_request_bodies(scene, patient, client):
    client.force_login(patient)
    today = timezone.localdate()
    response = client.post(
        "/api/v1/quote-requests/",
        {
            "providers": [scene["slug"]],
            "subject": "Knee",
            "description": "Pain",
            "desired_from": str(today + dt.timedelta(days=10)),
            "desired_to": "9999-12-31",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "desired_to" in response.json()["details"]


def test_decimal_strings_in_amounts_are_bounded(scene, client):
    client.force_login(scene["member"])
    response = client.post(
        f"/api/v1/my/providers/{scene['provider_id']}/quote-requests/{scene['request_id']}/quotes/",
        {"currency": "EUR", "deposit_amount": str(Decimal(10) ** 30), "lines": [], "slots": []},
        content_type="application/json",
    )
    assert response.status_code < 500


def test_a_far_date_in_the_search_filters_is_refused(client):
    response = client.get("/api/v1/search/", {"available_before": "9999-12-31"})
    assert response.status_code == 400
    assert "available_before" in response.json()["details"]
