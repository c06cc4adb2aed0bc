"""Fernet key rings read from settings: a list of keys, newest first (docs/decisions.md).

The first key encrypts; every key decrypts, so a new key can be put first while what was stored
under older ones stays readable until it is re-encrypted. The keys are read on every call, so a
changed setting takes effect at once. Used by medical documents (DOCUMENT_KEYS) and second-factor
secrets (MFA_ENCRYPTION_KEYS).
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def fernet_keys(setting: str, keys: list[str] | None = None) -> list[Fernet]:
    """The ring named by `setting` (or the given `keys`), newest first; a clear ImproperlyConfigured
    naming the setting and the key's position (never the key) when it is empty or malformed."""
    raw = list(keys if keys is not None else (getattr(settings, setting, []) or []))
    if not raw:
        raise ImproperlyConfigured(f"{setting} is empty: nothing can be encrypted or read with it.")
    fernets = []
    for position, key in enumerate(raw, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            # The position, never the key: this message may end up in logs.
            raise ImproperlyConfigured(
                f"{setting}: key number {position} is not a Fernet key (32 url-safe base64-encoded bytes)."
            ) from exc
    return fernets
