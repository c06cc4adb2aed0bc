"""What a request says about where it comes from."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent `request` ("" when the server was not told).

    REMOTE_ADDR only: behind a reverse proxy that is the proxy's address, which undercounts
    distinct clients but cannot be forged by a header.
    """
    return str(request.META.get("REMOTE_ADDR") or "")
