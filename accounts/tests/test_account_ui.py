"""What a person sees on the sign-in and account pages, found by walking them in a browser: the QR
code must show under the Content-Security-Policy, a destructive button must not look like the
primary one, and whoever is sent to set up MFA is told why and what comes next."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.tests.factories import PASSWORD, totp_code, without_mfa
from accounts.tests.test_api_tokens import token_for

pytestmark = pytest.mark.django_db

SITE_CSS = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()


def css_defines(selector: str) -> bool:
    return re.search(rf"(^|[\s,}}]){re.escape(selector)}[\s,:{{]", SITE_CSS, re.MULTILINE) is not None


def test_the_totp_qr_code_is_drawn_inline_not_as_a_data_image_the_csp_blocks(client, patient):
    # img-src 'self' refuses allauth's <img src="data:image/svg+xml...">: the browser showed the
    # secret as a broken image's alt text and there was nothing to scan.
    assert "data:" not in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    client.post(reverse("account_login"), {"login": patient.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    html = client.get(reverse("mfa_activate_totp")).content.decode()

    assert 'data-testid="totp-qr"' in html
    qr = html.split('data-testid="totp-qr"', 1)[1]
    assert "<svg" in qr.split("</div>", 1)[0]
    assert 'src="data:' not in html
    assert "style=" not in qr.split("</div>", 1)[0]  # an inline style would be blocked too


def test_revoking_tokens_uses_danger_buttons_that_ask_first(client, patient):
    token_for(patient, device="Work laptop")
    client.force_login(patient)

    html = client.get(reverse("accounts_api_tokens")).content.decode()

    assert '<summary class="button button-danger">Revoke</summary>' in html
    assert '<summary class="button button-danger">Revoke all</summary>' in html
    assert '<button type="submit" class="button-danger">Yes, revoke this token</button>' in html
    assert '<button type="submit" class="button-danger">Yes, revoke every token</button>' in html


@pytest.mark.parametrize("selector", [".button-danger", ".visually-hidden", 'button[type="submit"].button-secondary'])
def test_the_stylesheet_defines_the_classes_the_templates_use(selector):
    # bookings/detail.html and the tokens page used .button-danger and .visually-hidden, which the
    # stylesheet did not define: "Cancel the booking" looked like the primary button, and the
    # tokens table showed a visible "Actions" header. .button-secondary on a submit button lost to
    # the more specific submit-button rule.
    assert css_defines(selector)


def test_the_inline_forms_of_account_pages_are_not_drawn_as_cards():
    assert css_defines(".account-page #main form.inline-form")
    assert css_defines(".account-page #main form#logout-from-stage")


def test_a_privileged_user_sent_to_set_up_mfa_is_told_the_password_is_asked_again(client, careteam):
    without_mfa(careteam)
    client.post(reverse("account_login"), {"login": careteam.email, "password": PASSWORD})

    response = client.get("/")
    texts = [str(message) for message in get_messages(response.wsgi_request)]

    assert response["Location"] == reverse("mfa_activate_totp")
    assert any("two-factor" in text and "Confirm your password" in text for text in texts)


def test_a_one_minute_idle_timeout_says_one_minute_not_one_minutes(client, patient, settings):
    # Seen with SESSION_IDLE_TIMEOUT_PATIENT=60: "after 1 minutes without activity".
    settings.SESSION_IDLE_TIMEOUT_PATIENT = 60
    start = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(patient)
        assert client.get("/documents/").status_code == 200
        traveller.shift(dt.timedelta(seconds=61))
        response = client.get("/documents/")

    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert "You were signed out after 1 minute without activity." in texts


def test_after_setting_up_mfa_the_recovery_codes_page_leads_on(client, careteam):
    # Sent to set up MFA before anything else, then left on the recovery codes with no way back.
    without_mfa(careteam)
    client.post(reverse("account_login"), {"login": careteam.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret

    page = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret=secret)}, follow=True)

    html = page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    actions = html.split('data-testid="recovery-actions"', 1)[1].split("</p>", 1)[0]
    assert f'href="{reverse("home")}"' in actions
    assert reverse("mfa_download_recovery_codes") in actions
