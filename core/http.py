"""The real client address, the one every rate limit and log line keys on; the headers of a page a
share link opens."""

from __future__ import annotations

import ipaddress
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

UNKNOWN = "unknown"


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent `request`.

    X-Forwarded-For is written by whoever sends the request: only the entries our own proxies
    appended can be believed. With TRUSTED_PROXY_COUNT = N (the proxies we run in front of the
    app), the N-th entry from the right is the address our outermost proxy saw; with 0 the header
    is ignored and the socket's peer (REMOTE_ADDR) is the client. A header with fewer entries than
    we have proxies did not come through them all: the peer address is used.
    """
    remote = _valid(str(request.META.get("REMOTE_ADDR") or "")) or UNKNOWN
    count: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if count <= 0 or not forwarded:
        return remote
    entries = forwarded.split(",")
    if len(entries) < count:
        return remote
    return _valid(entries[-count]) or remote


R = TypeVar("R", bound=HttpResponseBase)


def private_page(response: R) -> R:
    """A page a share link opens (a second opinion, a discharge pack): never cached, its address
    never sent on as a referrer, never indexed."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
