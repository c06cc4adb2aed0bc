"""allauth's pages work inside the site: password reset, MFA set-up, sign-out."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD, without_mfa

pytestmark = pytest.mark.django_db


def test_a_patient_resets_a_forgotten_password_from_the_emailed_link(client, patient):
    client.post(reverse("account_reset_password"), {"email": patient.email})

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password("a-brand-new-passphrase")
    assert not patient.check_password(PASSWORD)


@pytest.mark.parametrize("persona", ["patient", "careteam", "finance", "coordinator"])
def test_every_user_can_set_up_two_factor_authentication(request, client, persona):
    user = without_mfa(request.getfixturevalue(persona))  # the staff personas come enrolled
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    index = client.get(reverse("mfa_index"))
    asked = client.get(reverse("mfa_activate_totp"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    totp = client.get(reverse("mfa_activate_totp"))

    assert index.status_code == 200
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert totp.status_code == 200
    assert 'name="code"' in totp.content.decode()


def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("path", ["/", "/search/?q=knee", "/legal/terms/", "/legal/notice/", "/accounts/signup/"])
def test_public_pages_render_in_french(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Conditions d'utilisation" in html


def test_setting_up_two_factor_authentication_asks_for_the_password_again_on_an_old_session(client, patient):
    client.force_login(patient)  # a session with no record of a recent password check

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
