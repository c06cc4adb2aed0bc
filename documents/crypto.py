"""Encryption at rest of document bytes: Fernet (AES-128-CBC + HMAC-SHA256), envelope style.

Each document has its own random data key (`new_data_key`); its bytes are encrypted with that key
(`encrypt_with`/`decrypt_with`), and the data key is stored only wrapped by the key ring
(`wrap_key`/`unwrap_key`). Destroying a document's wrapped key makes its bytes unreadable
everywhere, backups included: crypto-shredding (docs/decisions.md, "Crypto-shredding").

`settings.DOCUMENT_KEYS` lists the ring's keys newest first. `MultiFernet` encrypts under the first
and decrypts with whichever one fits, so a new key can be put first while older wrapped keys stay
readable until `documents.services.documents_rotate` has re-wrapped them (the blobs stay as they
are). Documents stored before per-document keys (legacy) are encrypted with the ring itself
(`encrypt`/`decrypt`); the rotation moves them to a data key of their own. The keys are read from
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


# --- per-document data keys (envelope encryption) -------------------------------------------------------


def new_data_key() -> bytes:
    """A fresh random Fernet key for one document; never stored unwrapped."""
    return Fernet.generate_key()


def wrap_key(data_key: bytes) -> str:
    """`data_key` encrypted under the ring's newest key, as stored on the document's row."""
    return _fernets()[0].encrypt(data_key).decode("ascii")


def unwrap_key(wrapped: str) -> bytes:
    """The data key inside `wrapped`, opened with whichever key of the ring fits."""
    try:
        return MultiFernet(_fernets()).decrypt(wrapped.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise UndecryptableError from exc


def encrypt_with(data_key: bytes, data: bytes) -> bytes:
    return Fernet(data_key).encrypt(data)


def decrypt_with(data_key: bytes, token: bytes) -> bytes:
    try:
        return Fernet(data_key).decrypt(token)
    except (InvalidToken, ValueError) as exc:
        raise UndecryptableError from exc
