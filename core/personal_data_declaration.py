"""What the kernel holds about a person (`core.personal_data`): the audit trail, the replayed
responses of `Idempotency-Key` requests, and Django admin's log, which core declares on its behalf.

(`core/personal_data.py` is the declarations' framework; this module is core's own declaration.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent, IdempotencyRecord
from core.personal_data import Declaration, Kept, Subject, redact


def _audit_years() -> int | None:
    """How long the audit trail is kept: an open point for the data-protection officer
    (docs/decisions.md, "Retention"); None until it is set."""
    return getattr(settings, "AUDIT_RETENTION_YEARS", None)


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    """The person's own actions in the audit trail, and how many idempotent requests are on record
    (their stored responses are the answers the person already received)."""
    events = AuditEvent.objects.filter(actor_id=person.pk).order_by("at", "id")
    return {
        "audit_events_by_you": [
            {
                "action": event.action,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "at": event.at.isoformat(),
            }
            for event in events.iterator()
        ],
        "idempotent_requests_on_record": IdempotencyRecord.objects.filter(user_id=person.pk).count(),
    }


def erase(subject: Subject, now: dt.datetime) -> None:
    """Delete the person's stored responses (they may repeat their details); redact the admin log's
    descriptions that name them. The audit trail is left alone: it holds ids, not personal data
    (tests/test_audit_holds_no_personal_data.py), and the database refuses to change it."""
    IdempotencyRecord.objects.filter(user_id=subject.user_id).delete()
    strings = [s for s in subject.strings if len(s) >= 3]
    if not strings:
        return
    LogEntry = apps.get_model("admin", "LogEntry")
    naming = Q()
    for string in strings:
        naming |= Q(object_repr__icontains=string) | Q(change_message__icontains=string)
    for entry in LogEntry.objects.filter(naming).iterator():
        entry.object_repr = redact(entry.object_repr, subject)[:200]
        entry.change_message = redact(entry.change_message, subject)
        entry.save(update_fields=["object_repr", "change_message"])


def kept(person: Any, now: dt.datetime) -> list[Kept]:
    years = _audit_years()
    if years:
        why = str(_("The security of health data: who did what, and when, kept %(years)d years.")) % {"years": years}
    else:
        why = str(
            _("The security of health data: who did what, and when; its period is set by our data-protection officer.")
        )
    latest = AuditEvent.objects.filter(actor_id=person.pk).order_by("-at").values_list("at", flat=True).first()
    until = (latest + dt.timedelta(days=365 * years + 2)).date() if years and latest else None
    return [
        Kept(
            what=str(
                _("The audit trail of actions on your account and documents, by number only (no name, no address)")
            ),
            why=str(why),
            until=until,
        )
    ]


DECLARATION = Declaration(
    app="marketplace",
    models={
        "marketplace.AuditEvent": _(
            "The trail of actions: who (an account number) did what to which record (by number), when, from "
            "which network address"
        ),
        "marketplace.IdempotencyRecord": _(
            "For 7 days, the answer given to an API request you may send again (it may repeat your details)"
        ),
        "admin.LogEntry": _("Our staff's changes in the administration site, and the record they changed"),
    },
    export=export,
    erase=erase,
    erased=_("The stored answers of your recent API requests; your name in our staff's change log."),
    kept=kept,
    order=900,
)
