"""API tokens (security issue, findings 1, 3 and 4): hashed at rest, one per sign-in and device,
expiring, listed and revoked by their owner, revoked when the password or the second factor
changes; sign-in through the API is rate-limited per client address and per account, and the
roles that must use MFA get no token without it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken, User
from accounts.tasks import delete_expired_api_tokens
from accounts.tests.factories import PASSWORD, UserFactory, without_mfa
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
DEVICE = "Alice's iPhone"
SECRET = "JBSWY3DPEHPK3PXP"


def current_totp(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def sign_in(client, user, *, device=DEVICE, password=PASSWORD, **extra):
    return client.post(TOKEN_URL, {"email": user.email, "password": password, "device": device, **extra}, format="json")


def token_for(user, device=DEVICE) -> str:
    response = sign_in(APIClient(), user, device=device)
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def as_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    return as_token(token).get("/api/v1/me").status_code == 200


@pytest.fixture
def no_api_throttles(monkeypatch):
    """DRF's throttles out of the way, to see allauth's per-account lockout on its own."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "1000/min", "auth_account": "1000/min"})


# --- finding 1: rate limits a client cannot dodge ---------------------------------------------------


def test_a_new_x_forwarded_for_on_each_guess_does_not_escape_the_throttle(anonymous, patient):
    statuses = [
        sign_in(anonymous, patient, password=f"guess-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(100)
    ]
    right = sign_in(anonymous, patient, HTTP_X_FORWARDED_FOR="203.0.113.200")

    assert 429 in statuses[:11], statuses[:11]
    assert statuses.count(403) <= 5  # the account throttle (5/min) and allauth's lockout: 5 guesses
    assert right.status_code == 429
    assert "token" not in right.json()
    assert not ApiToken.objects.exists()


def test_guesses_at_one_account_from_many_addresses_are_throttled_per_account(anonymous, patient):
    statuses = [sign_in(anonymous, patient, password="nope", REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(7)]

    assert statuses[:5] == [403] * 5
    assert statuses[5:] == [429, 429]


def test_the_throttle_key_is_the_account_whatever_the_case_of_the_email(anonymous, patient):
    for n in range(5):
        anonymous.post(
            TOKEN_URL,
            {"email": "  ALICE@Example.Test " if n % 2 else "alice@example.test", "password": "x", "device": "d"},
            format="json",
            REMOTE_ADDR=f"192.0.2.{n}",
        )

    response = sign_in(anonymous, patient, REMOTE_ADDR="192.0.2.99")

    assert response.status_code == 429


def test_five_wrong_passwords_from_different_addresses_lock_the_account_on_the_api(
    anonymous, patient, no_api_throttles
):
    for n in range(5):
        assert sign_in(anonymous, patient, password="nope", REMOTE_ADDR=f"192.0.2.{n}").status_code == 403

    locked = sign_in(anonymous, patient, REMOTE_ADDR="192.0.2.77")

    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_login_attempts"
    assert not ApiToken.objects.exists()


def test_the_lockout_is_shared_by_the_sign_in_page_and_the_api(anonymous, patient, no_api_throttles):
    for n in range(5):
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(reverse("account_login"), {"login": patient.email, "password": "nope"})

    api = sign_in(anonymous, patient, REMOTE_ADDR="192.0.2.50")
    page = Client(REMOTE_ADDR="192.0.2.51").post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD}
    )

    assert api.status_code == 429
    assert api.json()["code"] == "too_many_login_attempts"
    assert "_auth_user_id" not in page.wsgi_request.session
    assert "Too many failed login attempts" in page.content.decode()


def test_failed_api_sign_ins_lock_the_sign_in_page_too(anonymous, patient, no_api_throttles):
    for n in range(5):
        sign_in(anonymous, patient, password="nope", REMOTE_ADDR=f"192.0.2.{n}")

    page = Client(REMOTE_ADDR="192.0.2.60").post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD}
    )

    assert "_auth_user_id" not in page.wsgi_request.session
    assert "Too many failed login attempts" in page.content.decode()


def test_with_one_trusted_proxy_the_right_most_address_is_the_client(anonymous, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    # The client writes what it likes on the left; our proxy appends the address it saw.
    statuses = [
        anonymous.post(
            TOKEN_URL,
            {"email": f"nobody{n}@example.test", "password": "nope", "device": DEVICE},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7",
        ).status_code
        for n in range(11)
    ]
    other_client = anonymous.post(
        TOKEN_URL,
        {"email": "nobody@example.test", "password": "nope", "device": DEVICE},
        format="json",
        HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.8",
    )

    assert statuses[:10] == [403] * 10
    assert statuses[10] == 429
    assert other_client.status_code == 403


# --- finding 3 (tokens): the roles that must use MFA ------------------------------------------------


@pytest.mark.parametrize("persona", ["careteam", "finance", "coordinator", "clinic_admin", "clinic_member"])
def test_a_privileged_user_without_mfa_gets_no_token(request, anonymous, persona):
    user = without_mfa(request.getfixturevalue(persona))

    response = sign_in(anonymous, user)

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_setup_required"
    assert not ApiToken.objects.exists()


def test_an_admin_without_mfa_gets_no_token(anonymous):
    admin = UserFactory(email="root@example.test", is_staff=True, is_superuser=True, mfa=False)

    response = sign_in(anonymous, admin)

    assert response.json()["code"] == "mfa_setup_required"


def test_a_privileged_user_with_mfa_needs_a_valid_code(anonymous, careteam):
    TOTP.activate(without_mfa(careteam), SECRET)

    missing = sign_in(anonymous, careteam)
    wrong = sign_in(anonymous, careteam, code="000000")
    right = sign_in(anonymous, careteam, code=current_totp(SECRET))

    assert (missing.status_code, missing.json()["code"]) == (403, "mfa_required")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "mfa_required")
    assert right.status_code == 200
    assert works(right.json()["token"])


def test_a_wrong_password_says_nothing_about_mfa(anonymous, careteam):
    response = sign_in(anonymous, careteam, password="nope")

    assert response.json()["code"] == "bad_credentials"


# --- finding 4: tokens hashed, expiring, one per sign-in, revocable -----------------------------------


def test_no_token_is_stored_in_clear_anywhere_in_the_database(patient):
    token = token_for(patient)
    assert works(token)

    found, scanned = [], set()
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        # Every model's table (apps.get_models), and every other table there is (django_migrations…).
        model_tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
        for table in sorted(tables):
            for column in connection.introspection.get_table_description(cursor, table):
                quoted_table, quoted_column = connection.ops.quote_name(table), connection.ops.quote_name(column.name)
                # Identifiers from the database's own catalogue, quoted; the token is a parameter.
                sql = f"SELECT COUNT(*) FROM {quoted_table} WHERE CAST({quoted_column} AS TEXT) LIKE %s"  # noqa: S608
                cursor.execute(sql, [f"%{token}%"])
                scanned.add(table)
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")

    assert found == []
    assert ApiToken._meta.db_table in scanned
    assert model_tables <= scanned | {m._meta.db_table for m in apps.get_models() if m._meta.proxy}
    assert ApiToken.objects.filter(user=patient).count() == 1


def test_each_sign_in_makes_a_new_token_and_both_work(patient):
    first = token_for(patient, device="Laptop")
    second = token_for(patient, device="Phone")

    assert first != second
    assert works(first)
    assert works(second)
    assert sorted(ApiToken.objects.filter(user=patient).values_list("name", flat=True)) == ["Laptop", "Phone"]


def test_a_token_needs_a_device_name(anonymous, patient):
    missing = anonymous.post(TOKEN_URL, {"email": patient.email, "password": PASSWORD}, format="json")
    blank = sign_in(anonymous, patient, device="   ")

    assert missing.status_code == 400
    assert "device" in missing.json()["details"]
    assert blank.status_code == 400
    assert "device" in blank.json()["details"]
    assert not ApiToken.objects.exists()


def test_a_token_expires_after_the_configured_days(patient):
    assert settings.API_TOKEN_TTL_DAYS == 30
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        token = token_for(patient)
        assert ApiToken.objects.get().expiry == start + dt.timedelta(days=30)
    with time_machine.travel(start + dt.timedelta(days=29, hours=23), tick=False):
        assert works(token)
    with time_machine.travel(start + dt.timedelta(days=30, minutes=1), tick=False):
        response = as_token(token).get("/api/v1/me")
    assert response.status_code == 403  # 403 rather than 401: session authentication comes first
    assert response.json()["code"] == "authentication_failed"
    with time_machine.travel(start + dt.timedelta(days=30, minutes=1), tick=False):
        assert delete_expired_api_tokens.delay().get() == 1
    assert not ApiToken.objects.exists()


def test_the_last_use_is_recorded(patient):
    token = token_for(patient)
    assert ApiToken.objects.get().last_used_at is None

    as_token(token).get("/api/v1/me")

    assert ApiToken.objects.get().last_used_at is not None


def test_the_owner_lists_their_tokens_without_any_secret(patient, other_patient):
    token = token_for(patient, device="Laptop")
    token_for(patient, device="Phone")
    token_for(other_patient, device="Bob's")

    response = as_token(token).get("/api/v1/auth/tokens/")

    assert response.status_code == 200
    rows = response.json()
    assert [row["name"] for row in rows] == ["Phone", "Laptop"]
    assert set(rows[0]) == {"id", "name", "created", "last_used_at", "expires_at", "current"}
    assert [row["current"] for row in rows] == [False, True]
    assert token not in response.content.decode()
    assert not any(t.digest in response.content.decode() for t in ApiToken.objects.all())


def test_the_owner_revokes_one_token(patient):
    keep, drop = token_for(patient, device="Keep"), token_for(patient, device="Drop")
    drop_id = ApiToken.objects.get(name="Drop").pk

    response = as_token(keep).delete(f"/api/v1/auth/tokens/{drop_id}/")

    assert response.status_code == 204
    assert not works(drop)
    assert works(keep)
    assert AuditEvent.objects.filter(action="accounts.api_token.revoked", target_id=str(drop_id)).exists()


def test_nobody_else_revokes_a_token(patient, other_patient):
    alice = token_for(patient)
    bob = token_for(other_patient, device="Bob's")
    alice_id = ApiToken.objects.get(user=patient).pk

    response = as_token(bob).delete(f"/api/v1/auth/tokens/{alice_id}/")

    assert response.status_code == 404
    assert works(alice)


def test_the_owner_revokes_every_token_of_theirs_at_once_and_no_one_else_s(patient, other_patient):
    first, second = token_for(patient, device="One"), token_for(patient, device="Two")
    bob = token_for(other_patient, device="Bob's")

    response = as_token(first).delete("/api/v1/auth/tokens/")

    assert response.status_code == 204
    assert not works(first)
    assert not works(second)
    assert works(bob)


def test_logout_revokes_the_current_token_only(patient):
    current, other = token_for(patient, device="One"), token_for(patient, device="Two")

    response = as_token(current).post("/api/v1/auth/logout/")

    assert response.status_code == 204
    assert not works(current)
    assert works(other)


def test_logout_without_a_token_is_a_clear_error(api_as, patient):
    response = api_as(patient).post("/api/v1/auth/logout/")

    assert response.status_code == 400
    assert response.json()["code"] == "not_token"


def test_changing_the_password_on_the_page_revokes_every_token(client, patient):
    tokens = [token_for(patient, device="One"), token_for(patient, device="Two")]
    client.force_login(patient)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
    )

    assert response.status_code == 302
    assert not any(works(token) for token in tokens)
    assert AuditEvent.objects.filter(action="accounts.api_tokens.revoked", after__reason="password_changed").exists()


def test_a_password_saved_anywhere_else_revokes_every_token(patient):
    token = token_for(patient)

    user = User.objects.get(pk=patient.pk)
    user.set_password("set-by-an-administrator")
    user.save()

    assert not works(token)


def test_a_sign_in_that_upgrades_the_password_hash_keeps_the_tokens(patient, settings):
    token = token_for(patient)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    assert User.objects.get(pk=patient.pk).check_password(PASSWORD)  # rehashed and saved

    assert works(token)


@pytest.mark.parametrize(
    "signal",
    [
        account_signals.password_reset,
        account_signals.password_set,
        account_signals.password_changed,
        mfa_signals.authenticator_added,
        mfa_signals.authenticator_removed,
        mfa_signals.authenticator_reset,
    ],
    ids=["password_reset", "password_set", "password_changed", "mfa_added", "mfa_removed", "mfa_reset"],
)
def test_allauth_password_and_mfa_changes_revoke_every_token(rf, patient, other_patient, signal):
    token, bobs = token_for(patient), token_for(other_patient)

    signal.send(sender=Authenticator, request=rf.post("/"), user=patient, authenticator=None)

    assert not works(token)
    assert works(bobs)


def test_my_account_lists_the_tokens_and_revokes_one_or_all(client, patient, other_patient):
    one, two = token_for(patient, device="Work laptop"), token_for(patient, device="Home tablet")
    bobs = token_for(other_patient, device="Bob's phone")
    client.force_login(patient)

    page = client.get(reverse("accounts_api_tokens"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Work laptop" in html
    assert "Home tablet" in html
    assert "Bob&#x27;s phone" not in html
    assert one not in html
    assert ApiToken.objects.get(name="Work laptop").digest not in html
    assert html.count("Revoke</summary>") == 2

    bob_id = ApiToken.objects.get(user=other_patient).pk
    assert client.post(reverse("accounts_api_token_revoke", args=[bob_id])).status_code == 404
    assert works(bobs)

    client.post(reverse("accounts_api_token_revoke", args=[ApiToken.objects.get(name="Work laptop").pk]))
    assert not works(one)
    assert works(two)

    response = client.post(reverse("accounts_api_tokens_revoke_all"), follow=True)
    assert not works(two)
    assert works(bobs)
    assert "No app holds a token of your account." in response.content.decode()


def test_the_account_menu_links_to_the_tokens(client, patient):
    client.force_login(patient)

    html = client.get(reverse("account_change_password")).content.decode()

    assert reverse("accounts_api_tokens") in html


def test_the_admin_shows_no_digest_and_knox_is_not_listed(patient):
    from django.contrib import admin
    from knox.models import AuthToken

    token_for(patient)
    root = Client()
    root.force_login(UserFactory(email="root@medibroker.test", is_staff=True, is_superuser=True))

    html = root.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    stored = ApiToken.objects.get()

    assert DEVICE.replace("'", "&#x27;") in html
    assert stored.digest not in html
    assert stored.token_key not in html
    assert AuthToken not in admin.site._registry
    assert root.get(reverse("admin:accounts_apitoken_add")).status_code == 403
