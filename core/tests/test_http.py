"""The real client address (security issue, finding 1): X-Forwarded-For counts only as far as our
own proxies wrote it (TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.http import client_ip

factory = RequestFactory()


def request(xff: str | None = None, remote: str = "192.0.2.1"):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return factory.get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request("198.51.100.9")) == "192.0.2.1"
    assert client_ip(request("198.51.100.9, 203.0.113.7")) == "192.0.2.1"


def test_the_default_trusts_no_proxy():
    from django.conf import settings

    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0


def test_with_one_proxy_the_right_most_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request("10.9.8.7, 203.0.113.7", remote="172.16.0.2")) == "203.0.113.7"
    assert client_ip(request("203.0.113.7", remote="172.16.0.2")) == "203.0.113.7"


def test_with_two_proxies_the_second_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request("1.1.1.1, 203.0.113.7, 172.16.0.9", remote="172.16.0.2")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("xff", "expected"),
    [
        ("", "172.16.0.2"),  # no header: the request did not come through the proxy
        ("203.0.113.7", "172.16.0.2"),  # fewer entries than proxies
        ("203.0.113.7, not-an-address, 172.16.0.9", "172.16.0.2"),  # garbage where the client should be
    ],
)
def test_a_header_our_proxies_did_not_write_falls_back_to_the_peer(settings, xff, expected):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request(xff, remote="172.16.0.2")) == expected


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request("2001:DB8::0001", remote="::1")) == "2001:db8::1"


def test_allauth_rate_limits_read_the_same_address(settings):
    from allauth.account.adapter import get_adapter

    settings.TRUSTED_PROXY_COUNT = 1
    incoming = request("10.9.8.7, 203.0.113.7", remote="172.16.0.2")

    assert get_adapter(incoming).get_client_ip(incoming) == client_ip(incoming) == "203.0.113.7"
