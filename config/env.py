"""Reading the environment: strict booleans and secrets that may come from files.

django-environ does the parsing of URLs and lists; these two helpers close the gaps that bit
other projects: a boolean typo ("ture") must stop the process instead of silently meaning False,
and a secret may be mounted as a file (Docker/Kubernetes secrets) instead of an env variable.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Prefixes of the variables MediBroker reads (documented in .env.example).
OUR_PREFIXES: tuple[str, ...] = (
    "DJANGO_",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "CELERY_",
    "API_",
    "OPERATOR_",
    "DOCUMENT_",
    "STRIPE_",
    # Sign-in, MFA and sessions (docs/decisions.md "Sign-in and MFA", "Sessions").
    "MFA_",
    "SESSION_",
    "PASSWORD_RESET_",
    "ACCOUNT_REAUTHENTICATION_",
    "TRUSTED_PROXY_COUNT",
    # Abuse limits (docs/decisions.md "Holds per patient").
    "THROTTLE_",
    "BOOKING_",
    "PAYMENTS_",
    # Second opinions' clock and breach refund (docs/decisions.md "Second opinion").
    "SECOND_OPINION_",
    # Stored files on an S3-compatible bucket (config/storage.py).
    "STORAGE_URL",
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean strictly: anything but a known spelling is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)
