"""Links that let someone without an account read one thing for a while: a second opinion for the
patient's own doctor, a discharge pack for their home doctor (docs/decisions.md, "Discharge pack").

The token is shown once, to the person who makes the link; only its SHA-256 is stored, so a copy of
the database opens nothing. A link lives until it expires or its maker revokes it. Every refused
opening counts as a probe of the client's address (`document_probes`, the throttle that stops a
script trying tokens) and is audited at most once a minute per address, so such a script cannot
fill the audit trail either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Protocol

from django.core.cache import cache
from django.db import models

from core.audit import audit_record
from core.throttling import throttle_hit

# A longer "token" is not one of ours: refused before any lookup.
TOKEN_MAX_LENGTH = 100


class ShareLink(Protocol):
    revoked_at: dt.datetime | None
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """A new link's token (shown once) and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_looks_valid(token: str) -> bool:
    return bool(token) and len(token) <= TOKEN_MAX_LENGTH


def link_is_live(link: ShareLink, *, now: dt.datetime) -> bool:
    return link.revoked_at is None and link.expires_at > now


def link_refused_reason(link: ShareLink, *, now: dt.datetime) -> str:
    """Why a known link no longer opens: "revoked" or "expired" ("" when it is live)."""
    if link.revoked_at is not None:
        return "revoked"
    return "" if link.expires_at > now else "expired"


def link_refused_audit(
    *,
    action: str,
    link: models.Model | None,
    model: type[models.Model],
    reason: str,
    ip: str,
    now: dt.datetime,
    keep_ip: bool = False,
) -> None:
    """Audit a refused opening (`action`, with its `reason`) at most once a minute per client
    address, and count it as a probe of that address. An unknown token names no link: the event's
    target is then an unsaved `model()`, a stand-in without an id. The address keys the count; the
    event holds it only with `keep_ip`."""
    minute = int(now.timestamp() // 60)
    if cache.add(f"share-link-refused:{action}:{ip or 'unknown'}:{minute}", 1, timeout=61):
        audit_record(
            actor=None,
            action=action,
            target=link if link is not None else model(),
            after={"reason": reason},
            now=now,
            ip=ip if keep_ip else "",
        )
    throttle_hit(scope="document_probes", key=ip or "unknown")
