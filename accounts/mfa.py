"""Second factor: allauth.mfa's adapter, with TOTP secrets and recovery-code seeds encrypted at rest.

allauth stores an authenticator's secret in `Authenticator.data` and passes it through the adapter's
`encrypt` / `decrypt` hooks. Here they are Fernet under `settings.MFA_ENCRYPTION_KEYS` (newest first,
older keys kept to read what was stored under them), so a database dump or backup gives
nobody the codes of the staff's authenticator apps. The keys are read on every call, like the
documents' ring, so a changed setting takes effect at once.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import InvalidToken, MultiFernet

from accounts.selectors import user_requires_mfa
from core.keyring import fernet_keys

# Fields of Authenticator.data that allauth passes through encrypt(): the TOTP secret, the
# recovery codes' seed, and the codes carried over from an older allauth format.
SECRET_FIELDS = ("secret", "seed")
SECRET_LIST_FIELDS = ("migrated_codes",)


class UndecryptableSecret(Exception):
    """No key in MFA_ENCRYPTION_KEYS opens this secret (a lost key, or a secret stored in clear)."""


def _ring(keys: list[str] | None = None) -> MultiFernet:
    return MultiFernet(fernet_keys("MFA_ENCRYPTION_KEYS", keys))


def encrypt_secret(text: str, *, keys: list[str] | None = None) -> str:
    return _ring(keys).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str, *, keys: list[str] | None = None) -> str:
    try:
        return _ring(keys).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise UndecryptableSecret("No MFA_ENCRYPTION_KEYS key opens this secret.") from exc


def is_encrypted(token: str, *, keys: list[str] | None = None) -> bool:
    try:
        decrypt_secret(token, keys=keys)
    except UndecryptableSecret:
        return False
    return True


def transform_data(data: dict[str, Any], change) -> dict[str, Any]:
    """`data` with every secret field passed through `change` (for migrations and key rotation)."""
    result = dict(data)
    for field in SECRET_FIELDS:
        if isinstance(result.get(field), str):
            result[field] = change(result[field])
    for field in SECRET_LIST_FIELDS:
        if isinstance(result.get(field), list):
            result[field] = [change(value) for value in result[field]]
    return result


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Whoever must use a second factor cannot switch theirs off: with a stolen session and
        password, that would let a thief put their own in its place. A lost device is replaced by
        support (`manage.py mfa_reset`), after checking who asks."""
        return not user_requires_mfa(user=authenticator.user)
