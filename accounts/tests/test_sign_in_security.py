"""One way in (allauth's, with its rate limits and second factor), MFA required of whoever can read
other people's data, sessions that end, secrets encrypted at rest, no account enumeration."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.mfa import decrypt_secret, encrypt_secret, is_encrypted, transform_data
from accounts.middleware import SIGNED_IN_AT
from accounts.tests.factories import PASSWORD, TOTP_SECRET, UserFactory, enroll_mfa, totp_code, without_mfa

pytestmark = pytest.mark.django_db


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def root(db):
    """A superuser with TOTP enrolled (the factories enroll whoever must use MFA)."""
    return UserFactory(email="root@medibroker.test", is_staff=True, is_superuser=True)


# --- finding 2: the admin's own sign-in form -----------------------------------------------------------


def test_posting_a_superusers_password_to_the_admin_login_signs_nobody_in(client, root):
    response = client.post("/admin/login/?next=/admin/", {"username": root.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=%2Fadmin%2F" in response["Location"]
    assert signed_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_patient_cannot_become_a_superuser_through_the_admin_login(client, patient, root):
    client.force_login(patient)

    response = client.post("/admin/login/", {"username": root.email, "password": PASSWORD})

    assert response.status_code == 403
    assert signed_in_user_id(client) == str(patient.pk)
    assert client.get("/admin/").status_code in (302, 403)


def test_the_admin_login_never_shows_djangos_form(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_wrong_passwords_are_rate_limited_on_the_one_sign_in_form(client, patient):
    for n in range(30):
        client.post(reverse("account_login"), {"login": patient.email, "password": f"wrong guess {n}"})

    # Even the right password is refused now: the guesses were counted and stopped.
    response = client.post(reverse("account_login"), {"login": patient.email, "password": PASSWORD})

    assert signed_in_user_id(client) is None
    # allauth's per-address limit (a form error) or its per-address-of-origin one (429), whichever bit first.
    assert response.status_code == 429 or "Too many failed login attempts" in response.content.decode()


def test_a_superuser_with_mfa_is_asked_for_the_code_and_only_then_signed_in(client, root):
    response = client.post(reverse("account_login"), {"login": root.email, "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert signed_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"})
    assert wrong.status_code == 200
    assert signed_in_user_id(client) is None

    done = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert done.status_code == 302
    assert signed_in_user_id(client) == str(root.pk)
    assert client.get("/admin/").status_code == 200


def test_signed_in_staff_on_the_admin_login_go_on_to_the_admin(client, root):
    client.force_login(root)

    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/accounts/user/"


def test_staff_without_mfa_on_the_admin_login_are_sent_to_set_it_up(client, db):
    admin_user = UserFactory(is_staff=True, is_superuser=True, mfa=False)
    client.force_login(admin_user)

    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


# --- finding 3: MFA required of staff, admins and provider members ---------------------------------------


@pytest.mark.parametrize("persona", ["careteam", "finance", "coordinator", "clinic_member"])
def test_a_privileged_user_without_mfa_must_set_it_up_before_anything_else(request, client, persona):
    user = without_mfa(request.getfixturevalue(persona))
    client.force_login(user)

    for path in ("/", "/bookings/", "/documents/", "/finance/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path
    assert any("two-factor" in text for text in page_messages(response))


def test_the_pages_needed_to_set_up_mfa_stay_open(client, careteam):
    without_mfa(careteam)
    client.force_login(careteam)

    assert client.get(reverse("mfa_index")).status_code == 200
    # allauth asks for the password again before showing the secret; that page is open too.
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert client.get("/healthz").status_code == 200

    secret = page.context["form"].secret
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret=secret)})
    assert activated.status_code == 302
    assert client.get("/bookings/").status_code == 200


def test_a_privileged_user_without_mfa_can_still_sign_out(client, careteam):
    without_mfa(careteam)
    client.force_login(careteam)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_the_api_answers_403_mfa_setup_required_to_a_session_without_mfa(client, finance):
    without_mfa(finance)
    client.force_login(finance)

    response = client.get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_setup_required"
    assert response.json()["message"]


def test_patients_and_enrolled_staff_are_not_stopped(client, patient, careteam):
    client.force_login(patient)
    assert client.get("/documents/").status_code == 200

    client.force_login(careteam)
    assert Authenticator.objects.filter(user=careteam).exists()
    assert client.get("/bookings/").status_code == 200


def test_the_factories_enroll_privileged_users_only(patient, careteam, clinic_member):
    assert not Authenticator.objects.filter(user=patient).exists()
    assert Authenticator.objects.filter(user=careteam, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=clinic_member, type=Authenticator.Type.TOTP).exists()
    assert not Authenticator.objects.filter(user=UserFactory(is_staff=True, mfa=False)).exists()


# --- sessions: idle and absolute timeouts ----------------------------------------------------------------

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_a_staff_session_ends_after_thirty_idle_minutes(client, careteam):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(careteam)
        assert client.get("/bookings/").status_code == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/bookings/").status_code == 200  # activity resets the idle clock
        traveller.shift(dt.timedelta(minutes=31))

        response = client.get("/bookings/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=%2Fbookings%2F" in response["Location"]
    assert signed_in_user_id(client) is None
    assert "You were signed out after 30 minutes without activity." in page_messages(response)


def test_a_patient_session_survives_an_hour_idle_but_not_two(client, patient):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(patient)
        assert client.get("/documents/").status_code == 200
        traveller.shift(dt.timedelta(minutes=90))
        assert client.get("/documents/").status_code == 200
        traveller.shift(dt.timedelta(minutes=121))

        response = client.get("/documents/")

    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    assert "You were signed out after 120 minutes without activity." in page_messages(response)


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, patient):
    with time_machine.travel(START, tick=False) as traveller:
        client.post(reverse("account_login"), {"login": patient.email, "password": PASSWORD})
        assert signed_in_user_id(client) == str(patient.pk)
        assert client.session[SIGNED_IN_AT] == START.timestamp()
        for _ in range(12 * 2 + 1):
            traveller.shift(dt.timedelta(minutes=30))
            response = client.get("/documents/")
            if response.status_code != 200:
                break

    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    assert any("12 hours" in text for text in page_messages(response))


def test_the_idle_timeouts_follow_the_settings(client, patient, settings):
    settings.SESSION_IDLE_TIMEOUT_PATIENT = 5 * 60
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(patient)
        client.get("/documents/")
        traveller.shift(dt.timedelta(minutes=6))
        response = client.get("/documents/")

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_an_expired_api_session_is_anonymous(client, patient):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(patient)
        assert client.get("/api/v1/me").status_code == 200
        traveller.shift(dt.timedelta(hours=3))
        response = client.get("/api/v1/me")

    assert response.status_code in (401, 403)
    assert signed_in_user_id(client) is None


def test_the_session_cookie_lasts_no_longer_than_the_absolute_timeout(settings):
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60
    assert settings.SESSION_IDLE_TIMEOUT_PRIVILEGED == 30 * 60
    assert settings.SESSION_IDLE_TIMEOUT_PATIENT == 2 * 60 * 60


# --- TOTP secrets encrypted at rest ----------------------------------------------------------------------


def test_a_totp_secret_is_stored_encrypted_and_a_code_still_signs_in(client, root):
    authenticator = Authenticator.objects.get(user=root, type=Authenticator.Type.TOTP)
    stored = str(authenticator.data)

    assert TOTP_SECRET not in stored
    assert TOTP_SECRET.lower() not in stored.lower()
    assert decrypt_secret(authenticator.data["secret"]) == TOTP_SECRET

    client.post(reverse("account_login"), {"login": root.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert signed_in_user_id(client) == str(root.pk)


def test_the_recovery_codes_seed_is_encrypted_too(client, careteam):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(careteam)
    seed = codes.instance.data["seed"]

    assert is_encrypted(seed)
    assert len(codes.get_unused_codes()) > 0


def test_an_old_key_still_opens_secrets_after_a_new_one_is_put_first(settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [old]
    token = encrypt_secret("SECRET")
    settings.MFA_ENCRYPTION_KEYS = [new, old]

    assert decrypt_secret(token) == "SECRET"


def test_the_migration_encrypts_clear_secrets_once_and_the_reverse_decrypts_them(careteam):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0005_encrypt_mfa_secrets")
    authenticator = Authenticator.objects.get(user=careteam)
    # As stored before the adapter: in clear.
    Authenticator.objects.filter(pk=authenticator.pk).update(data={"secret": TOTP_SECRET})

    migration.forwards(apps, None)
    once = Authenticator.objects.get(pk=authenticator.pk).data
    migration.forwards(apps, None)
    twice = Authenticator.objects.get(pk=authenticator.pk).data
    assert TOTP_SECRET not in str(once)
    assert decrypt_secret(twice["secret"]) == TOTP_SECRET  # not encrypted twice

    migration.backwards(apps, None)
    assert Authenticator.objects.get(pk=authenticator.pk).data == {"secret": TOTP_SECRET}


def test_transform_data_leaves_other_fields_alone():
    data = {"seed": "a", "used_mask": 3, "migrated_codes": ["x", "y"]}

    assert transform_data(data, str.upper) == {"seed": "A", "used_mask": 3, "migrated_codes": ["X", "Y"]}


def test_the_admin_shows_who_has_a_second_factor_but_never_the_secret(client, root, careteam):
    client.force_login(root)
    authenticator = Authenticator.objects.get(user=careteam)

    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    detail = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))

    assert listing.status_code == detail.status_code == 200
    assert careteam.email in listing.content.decode()
    for page in (listing, detail):
        html = page.content.decode()
        assert authenticator.data["secret"] not in html
        assert TOTP_SECRET not in html
        assert 'name="data"' not in html
    model_admin = admin.site._registry[Authenticator]
    assert "data" not in model_admin.get_fields(detail.wsgi_request, authenticator)


# --- enumeration and password reset links --------------------------------------------------------------


def test_the_reset_form_answers_the_same_for_a_known_and_an_unknown_address(client, patient):
    known = client.post(reverse("account_reset_password"), {"email": patient.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_a_reset_link_expires_after_one_hour(client, patient):
    with time_machine.travel(START, tick=False) as traveller:
        client.post(reverse("account_reset_password"), {"email": patient.email})
        link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
        traveller.shift(dt.timedelta(minutes=61))

        response = client.get(link, follow=True)

    assert response.status_code == 200
    assert response.context.get("token_fail") is True


def test_enroll_mfa_gives_one_authenticator_however_often_it_is_called(patient):
    enroll_mfa(patient)
    enroll_mfa(patient)

    assert Authenticator.objects.filter(user=patient).count() == 1


def test_a_token_signed_in_privileged_user_without_mfa_gets_403_from_the_api(api_as, clinic_member, patient):
    without_mfa(clinic_member)

    refused = api_as(clinic_member).get("/api/v1/me")
    allowed = api_as(patient).get("/api/v1/me")

    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa_setup_required"
    assert set(refused.json()) == {"code", "message", "details"}
    assert allowed.status_code == 200
