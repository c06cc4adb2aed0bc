"""What the privacy app holds about a person (`core.personal_data`): their data-rights requests."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.personal_data import Declaration, Kept, Subject, redact
from privacy.models import DataRequest, ProviderForward
from privacy.services.export import export_blob_delete


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    requests = DataRequest.objects.filter(user_id=person.pk).prefetch_related("forwards__provider").order_by("pk")
    return {
        "requests": [
            {
                "number": request.pk,
                "kind": request.kind,
                "status": request.status,
                "details": request.details,
                "received_at": _iso(request.received_at),
                "due_at": _iso(request.due_at),
                "extension_reason": request.extension_reason,
                "completed_at": _iso(request.completed_at),
                "answer": request.answer,
                "forwarded_to": [
                    {
                        "provider": forward.provider.name,
                        "sent_at": _iso(forward.sent_at),
                        "answered_at": _iso(forward.answered_at),
                        "outcome": forward.outcome,
                        "answer": forward.answer,
                    }
                    for forward in request.forwards.all()
                ],
            }
            for request in requests
        ]
    }


def erase(subject: Subject, now: dt.datetime) -> None:
    """The requests stay (proof that the person's rights were answered): the person's own words go,
    the answers are redacted, and the ZIP of a copy not yet downloaded is deleted."""
    for request in DataRequest.objects.filter(user_id=subject.user_id):
        if request.export_path:
            export_blob_delete(request=request)
        fields = {
            "details": "",
            **{name: redact(getattr(request, name), subject) for name in ("answer", "extension_reason")},
        }
        changed = [name for name, value in fields.items() if value != getattr(request, name)]
        if changed:
            for name in changed:
                setattr(request, name, fields[name])
            request.save(update_fields=changed)
    for forward in ProviderForward.objects.filter(request__user_id=subject.user_id):
        answer = redact(forward.answer, subject)
        if answer != forward.answer:
            ProviderForward.objects.filter(pk=forward.pk).update(answer=answer)


def kept(person: Any, now: dt.datetime) -> list[Kept]:
    if not DataRequest.objects.filter(user_id=person.pk).exists():
        return []
    return [
        Kept(
            what=_("Your data-rights requests and our answers, with your name taken out"),
            why=_("Proof that your rights were answered (GDPR art. 5(2), accountability): 5 years"),
            until=(now + dt.timedelta(days=5 * 365)).date(),
        )
    ]


DECLARATION = Declaration(
    app="privacy",
    models={
        "privacy.DataRequest": "the person's data-rights requests: what they asked, in their words, and our answers",
        "privacy.ProviderForward": "a provider's answer to a request forwarded to it (who answered)",
    },
    export=export,
    erase=erase,
    erased=cast(str, gettext_lazy("The texts of your data-rights requests")),
    kept=kept,
    order=900,
)
