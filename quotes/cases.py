"""Quotes' work for the careteam's case board (`core.hooks.case_items`): requests nobody answered.

A request still unanswered 48 hours after it was sent needs the careteam to chase the providers
(docs/decisions.md, "Case board"). Only the patient opens the request's own page, so the work is
done from the case page, which links to each invited provider's record.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.cases import CaseItem, CaseLink, CaseQueue, CaseStage
from quotes.models import QuoteRecipient, QuoteRequest, QuoteRequestStatus

ANSWER_WITHIN = dt.timedelta(hours=48)


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    requests = (
        QuoteRequest.objects.filter(
            status=QuoteRequestStatus.SENT, sent_at__lte=now - ANSWER_WITHIN, expires_at__gt=now
        )
        .exclude(recipients__first_answered_at__isnull=False)
        .prefetch_related(
            Prefetch(
                "recipients", QuoteRecipient.objects.select_related("provider").prefetch_related("provider__locations")
            )
        )
        .order_by("sent_at", "pk")
    )
    items = []
    for request in requests:
        assert request.sent_at is not None  # noqa: S101 -- filtered on above
        recipients = list(request.recipients.all())
        places = {
            (location.city, location.timezone)
            for recipient in recipients
            for location in recipient.provider.locations.all()
        }
        items.append(
            CaseItem(
                key=f"quotes.request:{request.pk}",
                queue=CaseQueue.UNANSWERED_QUOTE,
                # The subject may name a condition: the title never carries it.
                title=ngettext(
                    "Quote request #%(number)s: no answer from its provider",
                    "Quote request #%(number)s: no answer from its %(count)s providers",
                    len(recipients),
                )
                % {"number": request.pk, "count": len(recipients)},
                stage=CaseStage.WAITING,
                opened_at=request.sent_at,
                url="",
                due_at=request.sent_at + ANSWER_WITHIN,
                # A city (and its clock) only when every invited provider is in the same one.
                city=next(iter(places))[0] if len(places) == 1 else "",
                timezone=next(iter(places))[1] if len(places) == 1 else "",
                patient_id=request.patient_id,
                audit_targets=(("quotes.quoterequest", str(request.pk)),),
                links=tuple(
                    CaseLink(
                        _("Invited: %(provider)s") % {"provider": recipient.provider.name},
                        reverse("providers:verification_review", args=[recipient.provider_id]),
                    )
                    for recipient in recipients
                ),
            )
        )
    return items
