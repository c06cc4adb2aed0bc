"""Retention of inactive accounts (docs/decisions.md, "Retention"): a patient who has not signed in
for RETENTION_INACTIVE_ACCOUNT_DAYS is warned by e-mail; RETENTION_INACTIVE_WARNING_DAYS later, if
they still have not signed in and nothing stands in the way (a booking to come, a deposit held in
trust), their account is closed through the erasure (privacy.services.erasure), like one they asked
for themselves.

The warning is an audit event on the account (`privacy.inactivity.warned`, ids only) beside the
e-mail: signing in after it (a newer `last_login`) starts the count again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from accounts.models import User
from core.audit import audit_record
from core.models import AuditEvent
from notifications.services import notify, site_url
from privacy.services.erasure import erasure_confirm, erasure_preview

logger = logging.getLogger(__name__)

WARNED = "privacy.inactivity.warned"
CLOSING = "privacy.inactivity.closing"


@dataclass(frozen=True)
class InactivityRun:
    warned: int
    closed: int
    blocked: int


def _last_seen(user: User) -> dt.datetime:
    return user.last_login or user.date_joined


def _inactive(*, before: dt.datetime) -> QuerySet[User]:
    """Patients (not staff, not already closed) whose last sign-in (or sign-up) is before `before`."""
    return (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False, patient_profile__isnull=False)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=before)
        .order_by("last_seen", "pk")
    )


def _warning_of(user: User) -> AuditEvent | None:
    """The warning sent since the person last signed in, if any."""
    return (
        AuditEvent.objects.filter(
            action=WARNED, target_type=User._meta.label_lower, target_id=str(user.pk), at__gte=_last_seen(user)
        )
        .order_by("at")
        .first()
    )


def inactive_account_warn(*, user: User, now: dt.datetime) -> bool:
    """Warn `user` (once per stretch of inactivity) that their account will be closed; False when
    they were already warned since they last signed in."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if _warning_of(user) is not None:
            return False
        closing_on = now + dt.timedelta(days=settings.RETENTION_INACTIVE_WARNING_DAYS)
        notify(
            event="account_inactive",
            recipient=user,
            context={
                "last_seen": _last_seen(user),
                "closing_on": closing_on,
                "sign_in_url": site_url(reverse("account_login")),
            },
            key=f"account-inactive:{_last_seen(user).date().isoformat()}",
            now=now,
            tz=user.timezone or "UTC",
            required=True,
        )
        audit_record(actor=None, action=WARNED, target=user, after={"user": user.pk}, now=now)
    return True


def _erasure_close(*, user: User, now: dt.datetime) -> bool:
    """Close `user`'s account through the erasure (privacy.services.erasure): False,
    and the account left for the next run, when something must end first (the preview's blockers)."""
    if erasure_preview(user=user, now=now).blockers:
        return False
    audit_record(actor=None, action=CLOSING, target=user, after={"user": user.pk}, now=now)
    erasure_confirm(user=user, now=now)  # opens the erasure request and runs it once committed
    return True


def _warned_since_last_seen() -> Exists:
    return Exists(
        AuditEvent.objects.filter(
            action=WARNED,
            target_type=User._meta.label_lower,
            target_id=Cast(OuterRef("pk"), output_field=CharField()),
            at__gte=OuterRef("last_seen"),
        )
    )


def inactive_accounts_process(*, now: dt.datetime, batch_size: int | None = None) -> InactivityRun:
    """Warn the patients inactive for RETENTION_INACTIVE_ACCOUNT_DAYS, and close those warned at
    least RETENTION_INACTIVE_WARNING_DAYS ago who have not signed in since (and nothing blocks).
    At most `batch_size` of each per run; idempotent (a warning once per stretch of inactivity,
    an erasure request once: asking again returns the open one)."""
    limit = batch_size or settings.RETENTION_BATCH_SIZE
    cutoff = now - dt.timedelta(days=settings.RETENTION_INACTIVE_ACCOUNT_DAYS)
    grace = dt.timedelta(days=settings.RETENTION_INACTIVE_WARNING_DAYS)
    inactive = _inactive(before=cutoff).annotate(warned=_warned_since_last_seen())
    warned = closed = blocked = 0
    for user in inactive.filter(warned=False)[:limit]:
        if inactive_account_warn(user=user, now=now):
            warned += 1
    for user in inactive.filter(warned=True)[:limit]:
        warning = _warning_of(user)
        if warning is None or warning.at > now - grace:
            continue
        if _erasure_close(user=user, now=now):
            closed += 1
        else:
            blocked += 1
    logger.info("retention: inactive accounts: %d warned, %d closed, %d waiting (blocked)", warned, closed, blocked)
    return InactivityRun(warned=warned, closed=closed, blocked=blocked)
