"""Writing to the append-only audit trail. Every service that changes state calls `audit_record`."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from core.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def audit_record(
    *,
    actor: models.Model | AnonymousUser | None,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    now: datetime | None = None,
    ip: str = "",
) -> AuditEvent:
    """Append one event. `action` is dotted, e.g. "accounts.terms.accepted".

    `ip` is the client's address (core.http.client_ip) where the event comes from a request that
    may name no account; anything that is not an address is stored as none.
    """
    if not _ACTION.match(action):
        raise ValueError(f"audit action {action!r} is not in dotted form (app.subject.verb)")
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", True) else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=before,
        after=after,
        at=now or timezone.now(),
        ip=_address(ip),
    )


def _address(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address(ip.strip())) if ip else None
    except ValueError:
        return None
