"""The messages data-rights requests send.

Each `notify_*` function is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`); message keys make each message go once.
No health information and no person's name goes to a provider: a forwarded request is named by
its number and the person's pseudonymous reference, which the provider's page resolves for its
members only.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from notifications.messages import after_commit
from notifications.services import notify, site_url
from privacy.models import DataRequest, ProviderForward
from privacy.selectors import person_reference
from providers.selectors import provider_members_to_notify


def notify_forwarded(*, forward: ProviderForward, now: dt.datetime) -> None:
    after_commit(_send_forwarded, forward_id=forward.pk, now=now)


def _send_forwarded(*, forward_id: int, now: dt.datetime) -> None:
    forward = ProviderForward.objects.select_related("request", "provider").get(pk=forward_id)
    request = forward.request
    for member in provider_members_to_notify(provider_id=forward.provider_id):
        notify(
            event="privacy_request_forwarded",
            recipient=member,
            context={
                "request_number": request.pk,
                "kind": request.get_kind_display(),
                "reference": person_reference(request.user_id),
                "provider_name": forward.provider.name,
                "due_at": request.due_at,
                "url": site_url(reverse("privacy:provider_forwards")),
            },
            key=f"privacy.forwarded:{forward.pk}",
            now=now,
        )


def notify_extended(*, request: DataRequest, now: dt.datetime) -> None:
    after_commit(_send_to_person, request_id=request.pk, event="privacy_request_extended", now=now)


def notify_answered(*, request: DataRequest, now: dt.datetime) -> None:
    after_commit(_send_to_person, request_id=request.pk, event="privacy_request_answered", now=now)


def _send_to_person(*, request_id: int, event: str, now: dt.datetime) -> None:
    request = DataRequest.objects.select_related("user__patient_profile").get(pk=request_id)
    notify(
        event=event,
        recipient=request.user,
        context={
            "request_number": request.pk,
            "kind": request.get_kind_display(),
            "due_at": request.due_at,
            "reason": request.extension_reason,
            "answer": request.answer,
            "status": request.get_status_display(),
            "url": site_url(reverse("privacy:home")),
        },
        key=f"{event}:{request.pk}:{request.due_at.isoformat()}:{request.status}",
        now=now,
    )
