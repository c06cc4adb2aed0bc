"""Helpers shared by tests of different apps."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from config.env import OUR_PREFIXES

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run `manage.py` in a fresh process (settings are read once per process) with only `env`
    among MediBroker's own variables, so that the caller's configuration does not leak in."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OUR_PREFIXES)}
    return subprocess.run(  # noqa: S603 -- our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_environment(**overrides: str) -> dict[str, str]:
    """What production mode needs to start (fresh secrets each call); `overrides` add or, with an
    empty value, leave a variable out (empty = unset, as everywhere in our settings)."""
    import secrets

    from cryptography.fernet import Fernet

    base = {
        "DJANGO_PRODUCTION": "true",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "medibroker.example",
        "DOCUMENT_KEYS": Fernet.generate_key().decode(),
        "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_urlsafe(24),
        "STRIPE_PUBLISHABLE_KEY": "pk_live_" + secrets.token_urlsafe(24),
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(24),
        "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(24),
        # Production refuses SQLite, a missing Redis and non-sending e-mail; `check` connects to none.
        "DATABASE_URL": "postgres://medibroker@db.medibroker.example:5432/medibroker",
        "REDIS_URL": "redis://cache.medibroker.example:6379/0",
        "EMAIL_URL": "smtp+tls://medibroker:password@smtp.medibroker.example:587",
        "SITE_URL": "https://medibroker.example",
    }
    return {**base, **overrides}


@dataclass(frozen=True)
class Pattern:
    key: str  # namespaced name, or the route string when the pattern has no name
    route: str


def url_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list[Pattern]:
    """Every URL pattern of config.urls, with its namespaced name (or its route when unnamed)."""
    resolver = resolver or get_resolver()
    found: list[Pattern] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace) if n)
            found += url_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(n for n in (namespace, entry.name) if n) if entry.name else None
            found.append(Pattern(key=name or route, route=route))
    return found
