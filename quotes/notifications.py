"""The messages quotes send, and who hears of them: a request sent to providers, a quote received,
a quote accepted.

Each `notify_*` function is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`); the providers' members hear through
`providers.selectors.provider_members_to_notify`. No subject and no details of the request ever
go into these messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from notifications.messages import after_commit, money_text
from notifications.rendering import language_of
from notifications.services import notify, site_url
from providers.models import Provider
from providers.selectors import provider_members_to_notify
from quotes.models import Quote, QuoteRequest, Tender


def notify_quote_request_sent(*, request: QuoteRequest, providers: Iterable[Provider], now: dt.datetime) -> None:
    """A quote request reached these providers: their members hear of it (no subject, no details)."""
    after_commit(_quote_request_sent, request_id=request.pk, provider_ids=[p.pk for p in providers], now=now)


def _quote_request_sent(*, request_id: int, provider_ids: list[int], now: dt.datetime) -> None:
    for provider_id in provider_ids:
        for member in provider_members_to_notify(provider_id=provider_id):
            notify(
                event="quote_request_received",
                recipient=member,
                context={"request_number": request_id, "inbox_url": site_url(reverse("quotes:inbox"))},
                key=f"quote_request_received:{request_id}:{provider_id}",
                quote_request_id=request_id,
                now=now,
            )


def notify_quote_received(*, quote: Quote, now: dt.datetime) -> None:
    """A provider answered: the patient hears of the quote."""
    after_commit(_quote_received, quote_id=quote.pk, now=now)


def _quote_received(*, quote_id: int, now: dt.datetime) -> None:
    quote = Quote.objects.select_related("provider", "request__patient__patient_profile").get(pk=quote_id)
    patient = quote.request.patient
    language = language_of(patient)
    notify(
        event="quote_received",
        recipient=patient,
        context={
            "request_number": quote.request_id,
            "provider_name": quote.provider.name,
            "total": money_text(amount=quote.total_amount, currency=quote.currency, language=language),
            "valid_until": quote.valid_until,
            "request_url": site_url(reverse("quotes:request_detail", args=[quote.request_id])),
        },
        key=f"quote_received:{quote.pk}",
        quote_request_id=quote.request_id,
        now=now,
    )


def notify_quote_accepted(*, quote: Quote, now: dt.datetime) -> None:
    """The patient accepted a quote: the provider's members hear of the booking awaiting its deposit."""
    after_commit(_quote_accepted, quote_id=quote.pk, now=now)


def _quote_accepted(*, quote_id: int, now: dt.datetime) -> None:
    quote = Quote.objects.select_related("provider", "booking").get(pk=quote_id)
    for member in provider_members_to_notify(provider_id=quote.provider_id):
        notify(
            event="quote_accepted",
            recipient=member,
            context={
                "request_number": quote.request_id,
                "booking_number": quote.booking_id,
                "deposit": money_text(
                    amount=quote.deposit_amount, currency=quote.currency, language=language_of(member)
                ),
                "booking_url": site_url(reverse("bookings:detail", args=[quote.booking_id]))
                if quote.booking_id
                else "",
            },
            key=f"quote_accepted:{quote.pk}",
            booking_id=quote.booking_id,
            quote_request_id=quote.request_id,
            now=now,
        )


def notify_tender_comparison(*, tender: Tender, now: dt.datetime) -> None:
    """The careteam sent the patient the comparison of the quotes their tender received."""
    after_commit(_tender_comparison, tender_id=tender.pk, now=now)


def _tender_comparison(*, tender_id: int, now: dt.datetime) -> None:
    tender = Tender.objects.select_related("request__patient").get(pk=tender_id)
    patient = tender.request.patient
    notify(
        event="tender_comparison",
        recipient=patient,
        context={
            "request_number": tender.request_id,
            "quotes": tender.request.quotes.filter(status="sent").count(),
            "comparison_url": site_url(reverse("quotes:tender_comparison", args=[tender.pk])),
        },
        key=f"tender_comparison:{tender.pk}:{now.isoformat()}",
        quote_request_id=tender.request_id,
        now=now,
    )
