"""Encryption at rest of document bytes: Fernet (AES-128-CBC + HMAC-SHA256) with a key ring.

`settings.DOCUMENT_KEYS` lists the keys newest first. `MultiFernet` encrypts under the first and
decrypts with whichever one fits, so a new key can be put first while older documents stay
readable until `documents.services.documents_rotate` has re-encrypted them. The keys are read from
settings on every call, so a changed ring takes effect without caching surprises.

Fernet works on whole messages in memory; the upload limit (DOCUMENT_MAX_BYTES) keeps that bounded.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.keyring import fernet_keys


class UndecryptableError(Exception):
    """No key in the ring opens this token, or the token was altered."""


def _fernets() -> list[Fernet]:
    return fernet_keys("DOCUMENT_KEYS")


def check_keys() -> None:
    """Raise ImproperlyConfigured if the key ring is empty or holds a malformed key."""
    _fernets()


def encrypt(data: bytes) -> bytes:
    """A token for `data` under the newest key."""
    return _fernets()[0].encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return MultiFernet(_fernets()).decrypt(token)
    except InvalidToken as exc:
        raise UndecryptableError from exc


def is_under_newest_key(token: bytes) -> bool:
    """Whether the newest key alone opens `token` (so rotating it would change nothing)."""
    try:
        _fernets()[0].decrypt(token)
    except InvalidToken:
        return False
    return True
