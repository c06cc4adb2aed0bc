"""API throttles a client cannot dodge: per real client address, and per account named in the body.

DRF's own throttles key on X-Forwarded-For as the client sends it unless NUM_PROXIES is set; these
key on `core.http.client_ip` (TRUSTED_PROXY_COUNT), and on the e-mail address the request is
about, so that changing address does not buy more guesses at one account.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from core.http import client_ip


class ClientAddressThrottle(ScopedRateThrottle):
    """The view's `throttle_scope` rate, per real client address."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request._request)}


def normalised_email(value: object) -> str:
    """An e-mail address as accounts are looked up (case-insensitive, no surrounding spaces)."""
    return value.strip().lower() if isinstance(value, str) else ""


class AccountThrottle(ScopedRateThrottle):
    """The view's `throttle_account_scope` rate, per account: the e-mail address in the body.

    A request without an e-mail address is not counted here (the address throttle still is).
    """

    scope_attr = "throttle_account_scope"
    email_field = "email"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data
        email = normalised_email(data.get(self.email_field) if isinstance(data, Mapping) else None)
        if not email:
            return None
        # A digest: the cache holds no e-mail addresses.
        ident = hashlib.sha256(email.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
