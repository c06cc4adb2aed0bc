"""Quote request and quote services (docs/decisions.md#quotes).

Request: draft → sent → answered → accepted | declined | expired | withdrawn.
Quote: sent → accepted | declined | expired | withdrawn; accepting one declines the others of
the same request and creates the booking awaiting its deposit.

Every transition locks the request row first, then its quotes, so two of them on one request
(accepting two quotes at once, a provider answering while the patient withdraws) run one at a
time and the second sees what the first did.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from zoneinfo import available_timezones

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.services import booking_create_awaiting_deposit
from core.audit import audit_record
from core.errors import Conflict, NotFound, ValidationFailed
from core.money import CURRENCY_EXPONENTS, Money
from core.rates import rates_on
from documents.models import DocumentGrant, MedicalDocument
from documents.services import document_grant, document_grants_end
from providers.models import CancellationPolicyChoice, Procedure, Provider, Specialty
from providers.services.permissions import require_member
from quotes.models import (
    QUOTE_REQUEST_TRANSITIONS,
    QUOTE_TRANSITIONS,
    Quote,
    QuoteLine,
    QuoteLineKind,
    QuoteRecipient,
    QuoteRequest,
    QuoteRequestStatus,
    QuoteSlot,
    QuoteStatus,
)
from quotes.notifications import notify_quote_accepted, notify_quote_received, notify_quote_request_sent

MAX_RECIPIENTS = 5
# How long a sent request stays open for answers and the patient's decision.
REQUEST_OPEN_FOR = dt.timedelta(days=30)
MAX_PAYMENT_DAYS = 30
MAX_SLOTS = 10
MAX_LINES = 30


@dataclass(frozen=True)
class LineInput:
    kind: str
    description: str
    quantity: int
    unit_amount: int  # minor units of the quote's currency


@dataclass(frozen=True)
class SlotInput:
    start: dt.datetime
    end: dt.datetime


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


def _request_transition(request: QuoteRequest, target: str) -> None:
    if target not in QUOTE_REQUEST_TRANSITIONS[request.status]:
        raise Conflict(
            _("This request is %(status)s and can no longer be changed that way.")
            % {"status": QuoteRequestStatus(request.status).label.lower()},
            code="request_closed",
        )


def _quote_transition(quote: Quote, target: str) -> None:
    if quote.status == QuoteStatus.ACCEPTED and target == QuoteStatus.ACCEPTED:
        raise Conflict(
            _("You have already accepted this quote: its booking is waiting for the deposit."),
            code="quote_already_accepted",
        )
    if target not in QUOTE_TRANSITIONS[quote.status]:
        raise Conflict(
            _("This quote is %(status)s and can no longer be changed that way.")
            % {"status": QuoteStatus(quote.status).label.lower()},
            code="quote_closed",
        )


def _lock_request(request_id: int) -> QuoteRequest:
    return QuoteRequest.objects.select_for_update().get(pk=request_id)


def _require_patient(request: QuoteRequest, actor: User) -> None:
    if not actor.is_authenticated or request.patient_id != actor.pk:
        raise NotFound(_("You have no quote request with this id."))


def quote_expires_at(quote: Quote) -> dt.datetime:
    """A quote is valid through the whole of its `valid_until` day (UTC)."""
    return dt.datetime.combine(quote.valid_until + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


# --- the patient's side --------------------------------------------------------------------------


@transaction.atomic
def quote_request_create(
    *,
    patient: User,
    subject: str,
    description: str,
    desired_from: dt.date,
    desired_to: dt.date,
    specialty: Specialty | None = None,
    procedure: Procedure | None = None,
    travel_constraints: str = "",
    documents: list[MedicalDocument] = (),
    now: dt.datetime,
) -> QuoteRequest:
    """A draft request of `patient`; nothing is shared until it is sent."""
    subject, description = subject.strip(), description.strip()
    if not subject:
        raise _invalid("subject", _("Say in a few words what the request is about."))
    if not description:
        raise _invalid("description", _("Describe your situation and what you are looking for."))
    if desired_to < desired_from:
        raise _invalid("desired_to", _("The end of the desired period is before its start."))
    if desired_from < now.date():
        raise _invalid("desired_from", _("The desired period must not start in the past."))
    foreign = [d for d in documents if d.owner_id != patient.pk]
    if foreign:
        raise _invalid("documents", _("You can attach only your own documents."))
    request = QuoteRequest.objects.create(
        patient=patient,
        subject=subject,
        description=description,
        desired_from=desired_from,
        desired_to=desired_to,
        specialty=specialty,
        procedure=procedure,
        travel_constraints=travel_constraints.strip(),
        created_at=now,
    )
    request.documents.set(documents)
    audit_record(
        actor=patient,
        action="marketplace.quote_request.created",
        target=request,
        after={"status": request.status, "documents": [str(d.pk) for d in documents]},
        now=now,
    )
    return request


@transaction.atomic
def quote_request_send(
    *, request: QuoteRequest, actor: User, providers: list[Provider], now: dt.datetime
) -> QuoteRequest:
    """Send a draft to one to five verified providers and share its documents with them."""
    _require_patient(request, actor)
    request = _lock_request(request.pk)
    _request_transition(request, QuoteRequestStatus.SENT)
    unique = {p.pk: p for p in providers}
    if not unique:
        raise _invalid("providers", _("Choose at least one provider to send the request to."))
    if len(unique) > MAX_RECIPIENTS:
        raise _invalid(
            "providers",
            _("A request goes to %(max)d providers at most; you chose %(count)d.")
            % {"max": MAX_RECIPIENTS, "count": len(unique)},
        )
    # Read the status again under our transaction: a provider suspended a moment ago is refused.
    recipients = list(Provider.objects.filter(pk__in=unique).order_by("name", "pk"))
    unverified = [p.name for p in recipients if not p.is_verified]
    if len(recipients) != len(unique) or unverified:
        raise _invalid(
            "providers",
            _("Requests go to verified providers only: %(names)s cannot receive one.")
            % {"names": ", ".join(unverified) or _("an unknown provider")},
            code="provider_unverified",
        )

    documents = list(request.documents.order_by("pk"))
    for provider in recipients:
        QuoteRecipient.objects.create(request=request, provider=provider, sent_at=now)
        for document in documents:
            already = DocumentGrant.objects.live(now=now).filter(document=document, provider=provider).exists()
            grant = document_grant(document=document, actor=actor, provider=provider, now=now)
            if not already:  # only the grants this request created end with it
                request.grants.add(grant)

    before = request.status
    request.status = QuoteRequestStatus.SENT
    request.sent_at = now
    request.expires_at = now + REQUEST_OPEN_FOR
    request.save(update_fields=["status", "sent_at", "expires_at"])
    audit_record(
        actor=actor,
        action="marketplace.quote_request.sent",
        target=request,
        before={"status": before},
        after={"status": request.status, "providers": [p.pk for p in recipients]},
        now=now,
    )
    notify_quote_request_sent(request=request, providers=recipients, now=now)
    return request


# What a patient writes in a request, by the names the page's form and the API share.
REQUEST_FIELDS = (
    "subject",
    "description",
    "desired_from",
    "desired_to",
    "specialty",
    "procedure",
    "travel_constraints",
)


@transaction.atomic
def quote_request_submit(
    *, patient: User, providers: list[Provider], documents: list[MedicalDocument], now: dt.datetime, **details
) -> QuoteRequest:
    """Create a request from `details` (REQUEST_FIELDS) and send it at once, as the page and the
    API do; nothing is written when either step refuses."""
    draft = quote_request_create(patient=patient, documents=documents, now=now, **details)
    return quote_request_send(request=draft, actor=patient, providers=providers, now=now)


def _close_quote(*, quote: Quote, status: str, actor: User | None, now: dt.datetime, because: str = "") -> None:
    """Move the locked, open `quote` to `status` (declined, expired, withdrawn) and audit it."""
    quote.status = status
    quote.decided_at = now
    quote.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor,
        action=f"marketplace.quote.{status}",
        target=quote,
        before={"status": QuoteStatus.SENT},
        after={"status": status, **({"because": because} if because else {})},
        now=now,
    )


def _close_request(*, request: QuoteRequest, status: str, actor: User | None, now: dt.datetime, keep=None) -> None:
    """Close the locked `request`: its open quotes are declined, expired or withdrawn with it and the
    grants it created end, except those of `keep` (the provider whose quote was accepted)."""
    _request_transition(request, status)
    quote_status = {
        QuoteRequestStatus.ACCEPTED: QuoteStatus.DECLINED,
        QuoteRequestStatus.DECLINED: QuoteStatus.DECLINED,
        QuoteRequestStatus.EXPIRED: QuoteStatus.EXPIRED,
        QuoteRequestStatus.WITHDRAWN: QuoteStatus.DECLINED,
    }[status]
    for quote in Quote.objects.select_for_update().filter(request=request, status=QuoteStatus.SENT).order_by("pk"):
        _close_quote(quote=quote, status=quote_status, actor=actor, now=now, because=f"request {status}")
    grants = [g for g in request.grants.all() if keep is None or g.provider_id != keep.pk]
    document_grants_end(grants=grants, reason=f"quote request {status}", now=now)
    before = request.status
    request.status = status
    request.closed_at = now
    request.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        action=f"marketplace.quote_request.{status}",
        target=request,
        before={"status": before},
        after={"status": status},
        now=now,
    )


@transaction.atomic
def quote_request_withdraw(*, request: QuoteRequest, actor: User, now: dt.datetime) -> QuoteRequest:
    """The patient withdraws a request they no longer need; withdrawing twice changes nothing."""
    _require_patient(request, actor)
    request = _lock_request(request.pk)
    if request.status == QuoteRequestStatus.WITHDRAWN:
        return request
    _close_request(request=request, status=QuoteRequestStatus.WITHDRAWN, actor=actor, now=now)
    return request


@transaction.atomic
def quote_decline(*, quote: Quote, actor: User, now: dt.datetime) -> Quote:
    """The patient declines one quote; when none is left open and every provider has answered, the
    request closes as declined."""
    _require_patient(quote.request, actor)
    request = _lock_request(quote.request_id)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status == QuoteStatus.DECLINED:
        return quote
    _quote_transition(quote, QuoteStatus.DECLINED)
    _close_quote(quote=quote, status=QuoteStatus.DECLINED, actor=actor, now=now)
    still_open = Quote.objects.filter(request=request, status=QuoteStatus.SENT).exists()
    waiting = request.recipients.filter(first_answered_at__isnull=True).exists()
    if not still_open and not waiting and request.status == QuoteRequestStatus.ANSWERED:
        _close_request(request=request, status=QuoteRequestStatus.DECLINED, actor=actor, now=now)
    return quote


@transaction.atomic
def quote_accept(*, quote: Quote, actor: User, patient_currency: str, now: dt.datetime) -> Quote:
    """The patient accepts `quote`: the booking is created awaiting its deposit, the other quotes of
    the request are declined, the request is closed, and the conversion shown in `patient_currency`
    is locked on the quote.

    1. Lock the request, then the quote; check both are open and the quote still valid.
    2. Book every proposed time with the provider (`booking_create_awaiting_deposit` locks the
       provider and refuses a time taken since the quote was sent).
    3. Decline the other quotes, end the document grants of the other providers, close the request.
    """
    _require_patient(quote.request, actor)
    request = _lock_request(quote.request_id)
    quote = Quote.objects.select_for_update().select_related("provider").get(pk=quote.pk)
    _quote_transition(quote, QuoteStatus.ACCEPTED)
    if now >= quote_expires_at(quote):
        raise Conflict(
            _("This quote was valid until %(date)s. Ask the provider for a new one.")
            % {"date": quote.valid_until.isoformat()},
            code="quote_expired",
        )
    _request_transition(request, QuoteRequestStatus.ACCEPTED)
    slots = [(s.start, s.end) for s in quote.slots.order_by("start")]
    if not slots or slots[0][0] <= now:
        raise Conflict(
            _("The first date this quote proposes has passed. Ask the provider for new dates."),
            code="quote_dates_passed",
        )

    deadline = min(now + dt.timedelta(days=quote.payment_days), slots[0][0])
    booking = booking_create_awaiting_deposit(
        patient=actor,
        provider=quote.provider,
        offering=None,
        deposit=Money(quote.deposit_amount, quote.currency),
        total=Money(quote.total_amount, quote.currency),
        slots=slots,
        payment_deadline=deadline,
        policy_code=quote.cancellation_policy,
        actor=actor,
        now=now,
    )
    converted = rates_on(day=now.date()).convert(Money(quote.total_amount, quote.currency), patient_currency)
    quote.status = QuoteStatus.ACCEPTED
    quote.decided_at = now
    quote.booking = booking
    if converted is not None:
        quote.patient_currency = patient_currency
        quote.patient_total_amount = converted.money.amount
        quote.patient_rate_date = converted.rate_date
    quote.save(
        update_fields=[
            "status",
            "decided_at",
            "booking",
            "patient_currency",
            "patient_total_amount",
            "patient_rate_date",
        ]
    )
    audit_record(
        actor=actor,
        action="marketplace.quote.accepted",
        target=quote,
        before={"status": QuoteStatus.SENT},
        after={
            "status": QuoteStatus.ACCEPTED,
            "booking": booking.pk,
            "locked_conversion": [quote.patient_total_amount, quote.patient_currency, str(quote.patient_rate_date)],
        },
        now=now,
    )
    _close_request(request=request, status=QuoteRequestStatus.ACCEPTED, actor=actor, now=now, keep=quote.provider)
    notify_quote_accepted(quote=quote, now=now)
    return quote


# --- the provider's side -------------------------------------------------------------------------


def _check_lines(lines: list[LineInput], currency: str) -> int:
    if not lines:
        raise _invalid("lines", _("Add at least one line: what the patient pays for."))
    if len(lines) > MAX_LINES:
        raise _invalid("lines", _("A quote has %(max)d lines at most.") % {"max": MAX_LINES})
    kinds = set(QuoteLineKind.values)
    total = 0
    for line in lines:
        if line.kind not in kinds or not line.description.strip():
            raise _invalid("lines", _("Each line needs a kind and a description."))
        if line.quantity < 1 or line.unit_amount < 0:
            raise _invalid("lines", _("Quantities are at least 1 and prices are not negative."))
        Money(line.unit_amount, currency)  # checks the amount is a whole number of minor units
        total += line.quantity * line.unit_amount
    if total <= 0:
        raise _invalid("lines", _("The total of the quote must be more than zero."))
    return total


def _check_slots(slots: list[SlotInput], *, now: dt.datetime) -> None:
    if not slots:
        raise _invalid("slots", _("Propose at least one date and time for the appointment."))
    if len(slots) > MAX_SLOTS:
        raise _invalid("slots", _("Propose %(max)d dates at most.") % {"max": MAX_SLOTS})
    ordered = sorted(slots, key=lambda s: s.start)
    for slot in ordered:
        if slot.start.tzinfo is None or slot.end.tzinfo is None:
            raise _invalid("slots", _("Proposed times must include their timezone."))
        if slot.end <= slot.start:
            raise _invalid("slots", _("Each proposed time must end after it starts."))
        if slot.start <= now:
            raise _invalid("slots", _("Proposed times must be in the future."))
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            raise _invalid("slots", _("Two proposed times overlap."))


@transaction.atomic
def quote_submit(
    *,
    request: QuoteRequest,
    provider: Provider,
    actor: User,
    currency: str,
    lines: list[LineInput],
    deposit_amount: int,
    valid_until: dt.date,
    slots: list[SlotInput],
    payment_days: int,
    max_variation_bps: int,
    cancellation_policy: str = CancellationPolicyChoice.PLATFORM_DEFAULT,
    timezone: str = "UTC",
    excluded: str = "",
    message: str = "",
    now: dt.datetime,
) -> Quote:
    """A member of `provider` answers `request` with a quote. Nothing is written when it raises."""
    require_member(user=actor, provider=provider)
    request = _lock_request(request.pk)
    recipient = QuoteRecipient.objects.filter(request=request, provider=provider).first()
    if recipient is None:
        raise NotFound(_("No quote request with this id was sent to %(provider)s.") % {"provider": provider.name})
    if not provider.is_verified:
        raise Conflict(
            _("%(provider)s is not verified and cannot send quotes.") % {"provider": provider.name},
            code="provider_unverified",
        )
    if request.status not in (QuoteRequestStatus.SENT, QuoteRequestStatus.ANSWERED):
        raise Conflict(
            _("This request is %(status)s: it takes no more quotes.")
            % {"status": QuoteRequestStatus(request.status).label.lower()},
            code="request_closed",
        )
    if Quote.objects.filter(request=request, provider=provider, status=QuoteStatus.SENT).exists():
        raise Conflict(
            _("You have already sent a quote for this request; withdraw it first to send another."),
            code="quote_exists",
        )
    if currency not in CURRENCY_EXPONENTS:
        raise _invalid("currency", _("Unknown currency: %(currency)s.") % {"currency": currency})
    total = _check_lines(lines, currency)
    if deposit_amount <= 0 or deposit_amount > total:
        raise _invalid("deposit_amount", _("The deposit must be more than zero and at most the total."))
    Money(deposit_amount, currency)
    if valid_until < now.date():
        raise _invalid("valid_until", _("The quote must be valid at least until today."))
    if request.expires_at and valid_until > request.expires_at.date():
        raise _invalid(
            "valid_until",
            _("The request closes on %(date)s; the quote cannot be valid after that.")
            % {"date": request.expires_at.date().isoformat()},
        )
    if not 1 <= payment_days <= MAX_PAYMENT_DAYS:
        raise _invalid(
            "payment_days", _("The deposit is due 1 to %(max)d days after acceptance.") % {"max": MAX_PAYMENT_DAYS}
        )
    if not 0 <= max_variation_bps <= 10_000:
        raise _invalid("max_variation_bps", _("The maximum price variation is between 0 and 100%."))
    if cancellation_policy not in CancellationPolicyChoice.values:
        raise _invalid("cancellation_policy", _("Choose one of the platform's cancellation policies."))
    if timezone not in available_timezones() and timezone != "UTC":
        raise _invalid("timezone", _("Unknown timezone: %(timezone)s.") % {"timezone": timezone})
    _check_slots(slots, now=now)

    quote = Quote.objects.create(
        request=request,
        provider=provider,
        author=actor,
        currency=currency,
        total_amount=total,
        deposit_amount=deposit_amount,
        excluded=excluded.strip(),
        message=message.strip(),
        valid_until=valid_until,
        payment_days=payment_days,
        max_variation_bps=max_variation_bps,
        cancellation_policy=cancellation_policy,
        timezone=timezone,
        sent_at=now,
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            kind=line.kind,
            description=line.description.strip(),
            quantity=line.quantity,
            unit_amount=line.unit_amount,
        )
        for line in lines
    )
    QuoteSlot.objects.bulk_create(QuoteSlot(quote=quote, start=s.start, end=s.end) for s in slots)
    if recipient.first_answered_at is None:
        recipient.first_answered_at = now
        recipient.save(update_fields=["first_answered_at"])
    if request.status == QuoteRequestStatus.SENT:
        request.status = QuoteRequestStatus.ANSWERED
        request.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="marketplace.quote.sent",
        target=quote,
        after={"status": quote.status, "request": request.pk, "total": [total, currency], "deposit": deposit_amount},
        now=now,
    )
    notify_quote_received(quote=quote, now=now)
    return quote


@transaction.atomic
def quote_withdraw(*, quote: Quote, actor: User, now: dt.datetime) -> Quote:
    """A member of the quote's provider withdraws it before the patient decides."""
    require_member(user=actor, provider=quote.provider)
    _lock_request(quote.request_id)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status == QuoteStatus.WITHDRAWN:
        return quote
    _quote_transition(quote, QuoteStatus.WITHDRAWN)
    _close_quote(quote=quote, status=QuoteStatus.WITHDRAWN, actor=actor, now=now)
    return quote


# --- time ----------------------------------------------------------------------------------------


def quotes_expire(*, now: dt.datetime, batch_size: int = 200) -> int:
    """Expire requests past their open period and quotes past their validity; returns how many
    requests and quotes this call closed.

    Safe to run twice and concurrently: rows are claimed in batches with `SKIP LOCKED`, each batch
    in its own transaction, so each is expired (and audited) once.
    """
    closed = 0
    while True:
        with transaction.atomic():
            requests = list(
                QuoteRequest.objects.select_for_update(skip_locked=True)
                .filter(status__in=[QuoteRequestStatus.SENT, QuoteRequestStatus.ANSWERED], expires_at__lte=now)
                .order_by("pk")[:batch_size]
            )
            for request in requests:
                _close_request(request=request, status=QuoteRequestStatus.EXPIRED, actor=None, now=now)
        closed += len(requests)
        if len(requests) < batch_size:
            break
    while True:
        with transaction.atomic():
            # valid_until is the last day of validity (UTC): a quote expires the next day.
            quotes = list(
                Quote.objects.select_for_update(skip_locked=True)
                .filter(status=QuoteStatus.SENT, valid_until__lt=now.date())
                .order_by("pk")[:batch_size]
            )
            for quote in quotes:
                _close_quote(quote=quote, status=QuoteStatus.EXPIRED, actor=None, now=now)
        closed += len(quotes)
        if len(quotes) < batch_size:
            return closed
