"""Rate limits a client cannot dodge, for pages and the API alike.

Sign-in and sign-up (`ClientAddressThrottle`, `AccountThrottle`): DRF's own throttles key on
X-Forwarded-For as the client sends it unless NUM_PROXIES is set; these key on
`core.http.client_ip` (TRUSTED_PROXY_COUNT), and on the e-mail address the request is about, so
that changing address does not buy more guesses at one account.

Everything else (`throttle_hit`, `UserRateThrottle`; docs/decisions.md#holds-per-patient): a scope
("holds", "quote_requests", "document_uploads", "document_probes") has a rate in
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` ("20/hour"); a caller is a key within it (a user id, a
client address). `throttle_hit` counts one action and raises `Throttled` once the caller has used
up the rate in the current window. The counts live in the cache (fixed windows), so they are
shared by every process that shares the cache, and lost, harmlessly, when it is emptied.

Pages call `throttle_hit` before running their service; API views list `UserRateThrottle`
(unsafe methods only) with their `throttle_scope`, which calls the same function.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from core.errors import DomainError
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


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Throttled(DomainError):
    code = "throttled"
    http_status = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, message: str, *, wait: int) -> None:
        # No `details`: a page would show them as field errors. The wait goes in Retry-After.
        super().__init__(message)
        self.wait = wait


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/hour" → (20, 3600): how many actions, in how many seconds."""
    count, _sep, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0]]


def scope_rate(scope: str) -> tuple[int, int] | None:
    """The scope's (count, seconds), or None when no rate is set (no limit)."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    return parse_rate(str(rate)) if rate else None


def _window(scope: str, key: str, seconds: int, at: float) -> tuple[str, int]:
    start = int(at // seconds) * seconds
    return f"throttle:{scope}:{key}:{start}", int(start + seconds - at) + 1


def throttle_exceeded(*, scope: str, key: str | int) -> int:
    """Seconds to wait when `key` has used up `scope`'s rate, 0 when it may act (counts nothing)."""
    rate = scope_rate(scope)
    if rate is None:
        return 0
    count, seconds = rate
    cache_key, wait = _window(scope, str(key), seconds, time.time())
    return wait if (cache.get(cache_key) or 0) >= count else 0


def throttle_hit(*, scope: str, key: str | int) -> None:
    """Count one action of `key` in `scope`; raise Throttled when it goes over the rate."""
    rate = scope_rate(scope)
    if rate is None:
        return
    count, seconds = rate
    cache_key, wait = _window(scope, str(key), seconds, time.time())
    cache.add(cache_key, 0, timeout=seconds + 1)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=seconds + 1)
        used = 1
    if used > count:
        raise Throttled(
            _("Too many attempts: please wait %(seconds)d seconds and try again.") % {"seconds": wait}, wait=wait
        )


class UserRateThrottle(BaseThrottle):
    """DRF throttle on the view's `throttle_scope`, keyed on the signed-in user's id, for writes only.

    Reads are never counted; an anonymous caller is left to the view's permissions.
    """

    def __init__(self) -> None:
        self.wait_seconds: int | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.user.is_authenticated:
            return True
        try:
            throttle_hit(scope=view.throttle_scope, key=request.user.pk)
        except Throttled as exc:
            self.wait_seconds = exc.wait
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds
