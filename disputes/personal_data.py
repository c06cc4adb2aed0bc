"""What disputes holds about a person (`core.personal_data`): the disputes about their bookings and
orders (their statement, the other side's answer, the decision's reasons) and the documents they
gave as evidence (the files stay in `documents`, which exports and erases them). An open dispute
blocks the erasure; a decided one is kept with the payments it moved, its texts redacted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.personal_data import Blocker, Declaration, Kept, Subject, redact
from disputes.models import OPEN_STATUSES, Dispute

ACCOUNTING_YEARS = 10


def _theirs(person: Any):
    return Dispute.objects.filter(Q(patient_id=person.pk) | Q(opened_by_id=person.pk) | Q(answered_by_id=person.pk))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    return {
        "disputes": [
            {
                "id": dispute.pk,
                "kind": dispute.kind,
                "booking": dispute.booking_id,
                "order": dispute.order_id,
                "reason": dispute.reason,
                "statement": dispute.statement,
                "answer": dispute.answer,
                "status": dispute.status,
                "opened_at": _iso(dispute.opened_at),
                "decision": dispute.outcome,
                "refund": dispute.refund_amount,
                "currency": dispute.currency,
                "decision_reasons": dispute.decision_note,
                "decided_at": _iso(dispute.decided_at),
                "evidence": [
                    {"document": str(item.document_id), "kind": item.kind, "added_at": _iso(item.added_at)}
                    for item in dispute.evidence.all()
                ],
            }
            for dispute in _theirs(person).prefetch_related("evidence").order_by("opened_at", "pk")
        ]
    }


def blockers(person: Any, now: dt.datetime) -> list[Blocker]:
    return [
        Blocker(
            what=gettext("Dispute no. %(number)s is open.") % {"number": dispute.pk},
            action=gettext("Wait for its decision, or withdraw it if you opened it."),
            url=reverse("disputes:detail", args=[dispute.pk]),
        )
        for dispute in Dispute.objects.filter(patient_id=person.pk, status__in=OPEN_STATUSES).order_by("pk")
    ]


def kept(person: Any, now: dt.datetime) -> list[Kept]:
    decided = Dispute.objects.filter(patient_id=person.pk, decided_at__isnull=False).order_by("-decided_at").first()
    if decided is None or decided.decided_at is None:
        return []
    last = decided.decided_at.date()
    return [
        Kept(
            what=gettext("Your disputes' decisions and the amounts they moved, their texts without your name"),
            why=gettext("Accounting law: 10 years (French Commercial Code, L123-22)"),
            until=_plus_years(last, ACCOUNTING_YEARS),
        )
    ]


def erase(subject: Subject, now: dt.datetime) -> None:
    """The texts of the person's disputes lose their name, phone and e-mail; the rows stay (the
    money they moved is accounted for). Idempotent."""
    for dispute in Dispute.objects.filter(
        Q(patient_id=subject.user_id) | Q(opened_by_id=subject.user_id) | Q(answered_by_id=subject.user_id)
    ):
        fields = {
            "statement": redact(dispute.statement, subject),
            "answer": redact(dispute.answer, subject),
            "decision_note": redact(dispute.decision_note, subject),
        }
        changed = [name for name, value in fields.items() if getattr(dispute, name) != value]
        if changed:
            for name in changed:
                setattr(dispute, name, fields[name])
            dispute.save(update_fields=changed)


DECLARATION = Declaration(
    app="disputes",
    models={
        "disputes.Dispute": _("Your disputes: your statement, the other side's answer, the decision and its reasons"),
        "disputes.DisputeEvidence": _("The documents you gave as evidence in a dispute (the files are your documents)"),
    },
    export=export,
    erase=erase,
    erased=_("Your name in your disputes' texts"),
    kept=kept,
    blockers=blockers,
    order=150,
)
