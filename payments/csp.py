"""The Content-Security-Policy of the pages where Stripe.js takes a card.

The site-wide policy (config/settings.py CONTENT_SECURITY_POLICY) allows only our own origin.
A page that loads Stripe.js adds, with `@stripe_js_csp`, Stripe's origins and nothing else: its
script, its frames (Elements, 3-D Secure) and its API, plus the origins STRIPE_JS_URL and
STRIPE_API_BASE name (the local emulator's in development). Every other page keeps the strict
policy. The add-on order payment page uses the same decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

STRIPE_JS = "https://js.stripe.com"
STRIPE_API = "https://api.stripe.com"
STRIPE_HOOKS = "https://hooks.stripe.com"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def stripe_directives() -> dict[str, list[str]]:
    """Read at each request: the settings name the emulator's address (tests move it)."""
    return {
        "script-src": sorted({STRIPE_JS, _origin(settings.STRIPE_JS_URL)} - {""}),
        "frame-src": [STRIPE_JS, STRIPE_HOOKS],
        "connect-src": sorted({STRIPE_API, _origin(settings.STRIPE_API_BASE)} - {""}),
    }


def stripe_js_csp(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """django-csp's `csp_update` with Stripe's directives, computed when the page is asked for."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return csp_update(stripe_directives())(view)(request, *args, **kwargs)

    return wrapped
