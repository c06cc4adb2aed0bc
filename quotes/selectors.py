"""Reads of quote requests and quotes, each scoped to the person asking."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.selectors import CancellationSchedule, proposed_cancellation_schedule
from core.errors import NotFound
from core.money import Money
from core.when import zone
from quotes.models import Quote, QuoteRecipient, QuoteRequest, QuoteRequestStatus, QuoteStatus, Tender

# The median response time reads a provider's latest answers only, so it follows recent habits.
RESPONSE_SAMPLE = 50


def _quotes_prefetch() -> Prefetch:
    return Prefetch(
        "quotes",
        queryset=Quote.objects.select_related("provider", "booking").prefetch_related("lines", "slots"),
    )


def _of_patient(patient: User) -> QuerySet[QuoteRequest]:
    if not patient.is_authenticated:
        return QuoteRequest.objects.none()
    return (
        QuoteRequest.objects.filter(patient=patient)
        .select_related("specialty", "procedure")
        .prefetch_related("recipients__provider")
    )


def patient_quote_requests(*, patient: User) -> QuerySet[QuoteRequest]:
    return _of_patient(patient).prefetch_related("quotes")


def patient_quote_request(*, patient: User, request_id: int) -> QuoteRequest:
    """One of `patient`'s requests with its recipients, documents and quotes; NotFound otherwise."""
    request = _of_patient(patient).prefetch_related("documents", _quotes_prefetch()).filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("You have no quote request with this id."))
    return request


def patient_quote(*, patient: User, quote_id: int) -> Quote:
    quote = (
        Quote.objects.filter(pk=quote_id, request__patient_id=patient.pk if patient.is_authenticated else None)
        .select_related("request", "provider", "booking")
        .prefetch_related("lines", "slots")
        .first()
    )
    if quote is None:
        raise NotFound(_("You have no quote with this id."))
    return quote


def quote_cancellation_schedule(*, quote: Quote, now: dt.datetime) -> CancellationSchedule | None:
    """What cancelling would cost, as dates and amounts, if the patient accepted `quote` and paid its
    deposit today: the same schedule the booking will show (the quote's policy, in the place's
    timezone, from its first proposed date). None once the quote is no longer open (the booking
    shows its own) or without a deposit. Reads `quote.slots`, prefetched or not."""
    starts = sorted(slot.start for slot in quote.slots.all())
    if quote.status != QuoteStatus.SENT or not starts:
        return None
    return proposed_cancellation_schedule(
        policy_code=quote.cancellation_policy,
        deposit=Money(quote.deposit_amount, quote.currency),
        first_appointment=starts[0],
        tz=zone(quote.timezone),
        now=now,
    )


def member_recipients(*, user: User) -> QuerySet[QuoteRecipient]:
    """The requests sent to providers `user` works for, newest first (one row per provider)."""
    if not user.is_authenticated:
        return QuoteRecipient.objects.none()
    return (
        QuoteRecipient.objects.filter(provider__members__user=user)
        .select_related("request", "request__specialty", "request__procedure", "provider")
        .order_by("-sent_at", "-pk")
    )


def member_recipient(*, user: User, recipient_id: int) -> QuoteRecipient:
    """One request as a provider's member sees it, with that provider's quotes; NotFound otherwise."""
    recipient = member_recipients(user=user).prefetch_related("request__documents").filter(pk=recipient_id).first()
    if recipient is None:
        raise NotFound(_("No quote request with this id was sent to you."))
    recipient.provider_quotes = list(
        Quote.objects.filter(request_id=recipient.request_id, provider_id=recipient.provider_id)
        .prefetch_related("lines", "slots")
        .order_by("-sent_at")
    )
    return recipient


def provider_median_response(*, provider_id: int) -> dt.timedelta | None:
    """The median time from a request reaching the provider to its first quote, over its latest
    answered requests; None before it has answered any."""
    rows = (
        QuoteRecipient.objects.filter(provider_id=provider_id, first_answered_at__isnull=False)
        .order_by("-first_answered_at")
        .values_list("sent_at", "first_answered_at")[:RESPONSE_SAMPLE]
    )
    durations = [(answered - sent).total_seconds() for sent, answered in rows if answered is not None]
    if not durations:
        return None
    return dt.timedelta(seconds=statistics.median(durations))


@dataclass(frozen=True)
class ResponseTimes:
    """A provider's response times to quote requests: their median and how many there were."""

    median: dt.timedelta | None
    samples: int


def providers_response_times(
    *, provider_ids: list[int], since: dt.datetime, unanswered_as: dt.timedelta
) -> dict[int, ResponseTimes]:
    """For the published ranking: each provider's response times to the requests sent to it since
    `since`, in one query. An answered request counts from its sending to the
    provider's first quote; one that expired without the provider's quote counts as
    `unanswered_as`; one still open, or closed by the patient, does not count. Providers without
    any are absent."""
    rows = QuoteRecipient.objects.filter(provider_id__in=provider_ids, sent_at__gte=since).filter(
        Q(first_answered_at__isnull=False)
        | Q(first_answered_at__isnull=True, request__status=QuoteRequestStatus.EXPIRED)
    )
    durations: dict[int, list[float]] = {}
    for provider_id, sent, answered in rows.values_list("provider_id", "sent_at", "first_answered_at").iterator():
        seconds = (answered - sent).total_seconds() if answered is not None else unanswered_as.total_seconds()
        durations.setdefault(provider_id, []).append(max(0.0, seconds))
    return {
        provider_id: ResponseTimes(median=dt.timedelta(seconds=statistics.median(values)), samples=len(values))
        for provider_id, values in durations.items()
    }


# --- tenders (careteam assistance) ---------------------------------------------------------------------


def careteam_tender(*, tender_id: int) -> Tender:
    """A tender with its request, recipients and quotes, for the careteam (the caller checked the role)."""
    tender = (
        Tender.objects.filter(pk=tender_id)
        .select_related("order__patient", "request", "invited_by", "comparison_sent_by")
        .prefetch_related("request__recipients__provider")
        .first()
    )
    if tender is None:
        raise NotFound(_("There is no such tender."))
    return tender


def patient_tender(*, patient: User, tender_id: int) -> Tender:
    """The patient's own tender whose comparison the careteam sent (anyone else's: not found)."""
    tender = (
        Tender.objects.filter(
            pk=tender_id, request__patient_id=getattr(patient, "pk", None), comparison_sent_at__isnull=False
        )
        .select_related("request")
        .first()
    )
    if tender is None:
        raise NotFound(_("You have no comparison with this id."))
    return tender


def tender_quotes(*, tender: Tender) -> list[Quote]:
    """The quotes in the comparison: those still open (or accepted), cheapest first."""
    return list(
        Quote.objects.filter(request=tender.request, status__in=["sent", "accepted"])
        .select_related("provider", "booking")
        .prefetch_related("slots")
        .order_by("total_amount", "pk")
    )


def order_tenders(*, order_id: int) -> list[Tender]:
    return list(Tender.objects.filter(order_id=order_id).select_related("request").order_by("-invited_at", "-pk"))


def booking_care(*, booking_id: int) -> str | None:
    """Answers `core.hooks.booking_care`: what a booking made from a quote is for (the request's
    procedure, else its subject); None for a booking that no quote made."""
    quote = Quote.objects.select_related("request__procedure").filter(booking_id=booking_id).first()
    if quote is None:
        return None
    request = quote.request
    return request.procedure.name if request.procedure is not None else request.subject
