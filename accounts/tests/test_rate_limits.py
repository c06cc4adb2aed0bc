"""Rate limits of the sign-in and password-reset pages (security issue, finding 1): allauth's
ACCOUNT_RATE_LIMITS, keyed on the real client address and on the account."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_limits_are_configured_explicitly():
    limits = settings.ACCOUNT_RATE_LIMITS

    assert limits["login"] == "30/m/ip"
    assert limits["login_failed"] == "10/m/ip,5/5m/key"
    assert limits["reset_password"] == "20/m/ip,5/m/key"
    assert limits["signup"] == "20/m/ip"
    assert limits["signup_account"] == "5/10m/key"


def test_sign_ins_on_the_page_are_limited_per_address_whatever_x_forwarded_for(client):
    statuses = [
        client.post(
            reverse("account_login"),
            {"login": f"nobody{n}@example.test", "password": "nope"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(31)
    ]

    assert 429 not in statuses[:30]
    assert statuses[30] == 429


def test_failed_sign_ins_from_one_address_are_limited_whatever_x_forwarded_for(client, patient):
    for n in range(10):
        client.post(
            reverse("account_login"),
            {"login": f"nobody{n}@example.test", "password": "nope"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    response = client.post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.99"
    )

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failed_sign_ins_lock_the_account_on_the_page_whatever_the_address(patient):
    for n in range(5):
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(reverse("account_login"), {"login": patient.email, "password": "nope"})

    locked = Client(REMOTE_ADDR="192.0.2.99")
    response = locked.post(reverse("account_login"), {"login": patient.email.upper(), "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in locked.session


def test_password_reset_requests_for_one_account_are_limited_whatever_the_address(patient):
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(reverse("account_reset_password"), {"email": patient.email}).status_code
        for n in range(6)
    ]

    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    assert len(mail.outbox) == 5


@pytest.mark.parametrize("known", [True, False], ids=["known-addresses", "unknown-addresses"])
def test_password_reset_requests_from_one_address_are_limited_whatever_x_forwarded_for(client, known):
    """Known or not, the addresses asked for are answered alike and counted alike: the limit can
    neither be dodged nor used to tell which addresses have an account."""
    if known:
        for n in range(21):
            UserFactory(email=f"nobody{n}@example.test")
    statuses = [
        client.post(
            reverse("account_reset_password"),
            {"email": f"nobody{n}@example.test"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(21)
    ]

    assert 429 not in statuses[:20]
    assert statuses[20] == 429


def test_behind_one_proxy_the_page_limits_key_on_the_right_most_address(settings, patient):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="172.16.0.2")
    for n in range(21):
        UserFactory(email=f"nobody{n}@example.test")

    statuses = [
        proxy.post(
            reverse("account_reset_password"),
            {"email": f"nobody{n}@example.test"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7",
        ).status_code
        for n in range(21)
    ]
    another_client = proxy.post(
        reverse("account_reset_password"), {"email": patient.email}, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )

    assert statuses[20] == 429
    assert another_client.status_code == 302
