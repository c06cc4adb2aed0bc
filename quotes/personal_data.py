"""What quotes hold about a person (`core.personal_data`): their quote requests (what care, when,
their travel constraints, the documents shared), the quotes providers sent them, and the tenders
the careteam ran for them. Open requests are no blocker: erasure withdraws them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.personal_data import Declaration, Kept, Subject, redact
from quotes.models import Quote, QuoteLine, QuoteRecipient, QuoteRequest, QuoteStatus, Tender
from quotes.services import quote_request_close_for_erasure

ACCOUNTING_YEARS = 10


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _requests(person: Any):
    return QuoteRequest.objects.filter(patient_id=person.pk).order_by("created_at", "pk")


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    requests = (
        _requests(person)
        .select_related("specialty", "procedure")
        .prefetch_related("documents", "recipients__provider", "quotes__lines", "quotes__slots", "quotes__provider")
    )
    items = []
    for request in requests:
        items.append(
            {
                "id": request.pk,
                "subject": request.subject,
                "specialty": request.specialty.name if request.specialty_id else None,
                "procedure": str(request.procedure) if request.procedure_id else None,
                "description": request.description,
                "desired_from": _iso(request.desired_from),
                "desired_to": _iso(request.desired_to),
                "travel_constraints": request.travel_constraints,
                "status": request.status,
                "created_at": _iso(request.created_at),
                "sent_at": _iso(request.sent_at),
                "closed_at": _iso(request.closed_at),
                "documents": [str(d.pk) for d in request.documents.all()],
                "sent_to": [
                    {"provider": r.provider_id, "name": r.provider.name, "sent_at": _iso(r.sent_at)}
                    for r in request.recipients.all()
                ],
                "quotes": [
                    {
                        "id": q.pk,
                        "provider": {"id": q.provider_id, "name": q.provider.name},
                        "status": q.status,
                        "currency": q.currency,
                        "total_amount": q.total_amount,
                        "deposit_amount": q.deposit_amount,
                        "message": q.message,
                        "not_included": q.excluded,
                        "valid_until": _iso(q.valid_until),
                        "sent_at": _iso(q.sent_at),
                        "decided_at": _iso(q.decided_at),
                        "booking": q.booking_id,
                        "lines": [
                            {
                                "kind": line.kind,
                                "description": line.description,
                                "quantity": line.quantity,
                                "unit_amount": line.unit_amount,
                            }
                            for line in q.lines.all()
                        ],
                        "slots": [{"start": _iso(s.start), "end": _iso(s.end)} for s in q.slots.all()],
                    }
                    for q in request.quotes.all()
                ],
            }
        )
    tenders = Tender.objects.filter(request__patient_id=person.pk).order_by("invited_at", "pk")
    return {
        "quote_requests": items,
        "tenders": [
            {
                "id": t.pk,
                "request": t.request_id,
                "order": t.order_id,
                "invited_at": _iso(t.invited_at),
                "answer_by": _iso(t.answer_by),
                "message": t.message,
                "comparison_sent_at": _iso(t.comparison_sent_at),
            }
            for t in tenders
        ],
    }


def erase(subject: Subject, now: dt.datetime) -> None:
    """Withdraw open requests (their quotes declined, their document grants ended), then empty the
    person's own words and redact the providers' and careteam's texts. The rows stay: a booking made
    from a quote points at it. Idempotent."""
    for request in QuoteRequest.objects.filter(patient_id=subject.user_id).order_by("pk"):
        quote_request_close_for_erasure(request=request, now=now)
        QuoteRequest.objects.filter(pk=request.pk).update(subject="", description="", travel_constraints="")
    for quote in Quote.objects.filter(request__patient_id=subject.user_id).order_by("pk"):
        message, excluded = redact(quote.message, subject), redact(quote.excluded, subject)
        if (message, excluded) != (quote.message, quote.excluded):
            Quote.objects.filter(pk=quote.pk).update(message=message, excluded=excluded)
    for line in QuoteLine.objects.filter(quote__request__patient_id=subject.user_id).order_by("pk"):
        description = redact(line.description, subject)
        if description != line.description:
            QuoteLine.objects.filter(pk=line.pk).update(description=description[:200])
    for tender in Tender.objects.filter(request__patient_id=subject.user_id).order_by("pk"):
        message = redact(tender.message, subject)
        if message != tender.message:
            Tender.objects.filter(pk=tender.pk).update(message=message)


def kept(person: Any, now: dt.datetime) -> list[Kept]:
    accepted = Quote.objects.filter(request__patient_id=person.pk, status=QuoteStatus.ACCEPTED).order_by("-decided_at")
    last = accepted.values_list("decided_at", flat=True).first()
    if last is None:
        return []
    return [
        Kept(
            what=gettext("The quotes you accepted (provider, lines and amounts), without your request's text"),
            why=gettext("The contract behind your booking's payments: 10 years (French Commercial Code, L123-22)"),
            until=_plus_years(last.date(), ACCOUNTING_YEARS),
        )
    ]


def providers(person: Any) -> list[int]:
    return sorted(
        set(QuoteRecipient.objects.filter(request__patient_id=person.pk).values_list("provider_id", flat=True))
    )


DECLARATION = Declaration(
    app="quotes",
    models={
        "quotes.QuoteRequest": _("Your quote requests: the care you asked about, when, your travel constraints"),
        "quotes.Quote": _("The quotes providers sent you, their messages and your decisions"),
        "quotes.QuoteLine": _("The lines of the quotes sent to you"),
        "quotes.Tender": _("The careteam's call for quotes on your behalf and its message to providers"),
    },
    export=export,
    erase=erase,
    erased=_("Your quote requests' texts (open ones are withdrawn) and your name in the quotes' messages"),
    kept=kept,
    providers=providers,
)
