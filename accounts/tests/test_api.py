"""The account API: who am I, and API tokens (with MFA when it is on)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time

from accounts.models import ApiToken
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def current_totp(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_me_describes_the_patient_and_their_profile(api_as, patient):
    body = api_as(patient).get("/api/v1/me").json()

    assert body["email"] == "alice@example.test"
    assert body["roles"] == ["patient"]
    assert body["mfa_enabled"] is False
    assert body["terms_to_accept"] is None
    assert body["patient_profile"]["phone"] == "+33612345678"
    assert body["patient_profile"]["nationality"] == "GB"


@pytest.mark.parametrize(
    ("persona", "role"), [("careteam", "careteam"), ("finance", "finance"), ("coordinator", "medical_coordinator")]
)
def test_me_names_the_staff_role(request, api_as, persona, role):
    body = api_as(request.getfixturevalue(persona)).get("/api/v1/me").json()

    assert body["roles"] == [role]
    assert body["patient_profile"] is None


def test_me_refuses_anonymous_callers_with_the_error_shape(anonymous):
    response = anonymous.get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"code", "message", "details"}


DEVICE = "Alice's iPhone"


def test_a_token_is_given_for_the_right_password_and_then_authenticates(anonymous, patient):
    response = anonymous.post(
        "/api/v1/auth/token/", {"email": patient.email, "password": PASSWORD, "device": DEVICE}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    stored = ApiToken.objects.get(user=patient)
    assert (body["id"], body["name"], stored.name) == (stored.pk, DEVICE, DEVICE)
    assert token not in {stored.digest, stored.token_key}
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous.get("/api/v1/me").json()["email"] == patient.email


def test_a_wrong_password_gets_no_token(anonymous, patient):
    response = anonymous.post(
        "/api/v1/auth/token/", {"email": patient.email, "password": "nope", "device": DEVICE}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "bad_credentials"
    assert not ApiToken.objects.exists()


def test_an_unverified_account_gets_no_token(anonymous):
    user = UserFactory(verified=False)

    response = anonymous.post(
        "/api/v1/auth/token/", {"email": user.email, "password": PASSWORD, "device": DEVICE}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "unverified"


def test_with_mfa_on_a_token_needs_a_valid_code_used_only_once(anonymous, patient):
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(patient, secret)
    body = {"email": patient.email, "password": PASSWORD, "device": DEVICE}

    missing = anonymous.post("/api/v1/auth/token/", body, format="json")
    wrong = anonymous.post("/api/v1/auth/token/", {**body, "code": "000000"}, format="json")
    code = current_totp(secret)
    right = anonymous.post("/api/v1/auth/token/", {**body, "code": code}, format="json")
    replayed = anonymous.post("/api/v1/auth/token/", {**body, "code": code}, format="json")

    assert missing.json()["code"] == "mfa_required"
    assert wrong.json()["code"] == "mfa_required"
    assert right.status_code == 200
    assert replayed.status_code == 403
    assert Authenticator.objects.filter(user=patient).count() == 1


def test_token_requests_are_throttled_per_client_address(anonymous):
    # Ten different accounts: only the address throttle (API_AUTH_THROTTLE, 10/min) is in play.
    statuses = [
        anonymous.post(
            "/api/v1/auth/token/",
            {"email": f"nobody{n}@example.test", "password": "nope", "device": DEVICE},
            format="json",
        ).status_code
        for n in range(11)
    ]

    assert statuses[:10] == [403] * 10
    assert statuses[10] == 429


def test_the_openapi_schema_lists_the_account_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    paths = response.json()["paths"]
    assert {
        "/api/v1/me",
        "/api/v1/me/terms",
        "/api/v1/auth/signup/",
        "/api/v1/auth/token/",
        "/api/v1/auth/tokens/",
        "/api/v1/auth/tokens/{id}/",
        "/api/v1/auth/logout/",
    } <= set(paths)


def test_the_api_docs_are_served_from_the_project(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "://" not in html.split("<body")[1].replace("http://testserver", "")


def test_session_callers_must_send_the_csrf_token(patient):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(patient)

    response = client.post("/api/v1/me/terms")

    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
