"""Quote request and quote services (docs/decisions.md#quotes).

Request: draft → sent → answered → accepted | declined | expired | withdrawn.
Quote: sent → accepted | declined | expired | withdrawn; accepting one declines the others of
the same request and creates the booking awaiting its deposit.

Every transition locks the request row first, then its quotes, so two of them on one request
(accepting two quotes at once, a provider answering while the patient withdraws) run one at a
time and the second sees what the first did. States change only through `core.state.transition`
with the machines `QUOTE_REQUEST` and `QUOTE`.

Each action a page offers has its check (`quote_request_withdraw_check`, `quote_accept_check`,
`quote_decline_check`, `quote_submit_check`, `quote_withdraw_check`): the pages and the API read it
to offer the action, and the service enforces it again under its locks.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import available_timezones

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import consent_required_check
from bookings.services import booking_create_awaiting_deposit
from concierge.models import AddonOrder
from concierge.services.assistance import assistance_start, mandate_valid_check
from concierge.services.packages import careteam_check
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.money import CURRENCY_EXPONENTS, Money
from core.rates import rates_on
from core.state import Machine, transition, transition_check
from documents.models import DocumentGrant, MedicalDocument
from documents.services import document_grant, document_grants_end
from providers.models import CancellationPolicyChoice, Procedure, Provider, Specialty
from providers.services.permissions import require_member
from quotes.models import (
    OPEN_REQUEST_STATUSES,
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
    Tender,
)
from quotes.notifications import (
    notify_quote_accepted,
    notify_quote_received,
    notify_quote_request_sent,
    notify_tender_comparison,
)

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


def _refuse_request(current: str, target: str) -> Conflict:
    return Conflict(
        _("This request is %(status)s and can no longer be changed that way.")
        % {"status": QuoteRequestStatus(current).label.lower()},
        code="request_closed",
    )


def _refuse_quote(current: str, target: str) -> Conflict:
    if current == QuoteStatus.ACCEPTED and target == QuoteStatus.ACCEPTED:
        return Conflict(
            _("You have already accepted this quote: its booking is waiting for the deposit."),
            code="quote_already_accepted",
        )
    return Conflict(
        _("This quote is %(status)s and can no longer be changed that way.")
        % {"status": QuoteStatus(current).label.lower()},
        code="quote_closed",
    )


# A move to the state a record is already in is refused like any other: the services that are safe
# to run twice (withdrawing, declining) return early themselves, and accepting twice is an error.
QUOTE_REQUEST = Machine(
    model=QuoteRequest, table=QUOTE_REQUEST_TRANSITIONS, refuse=_refuse_request, repeat_is_noop=False
)
QUOTE = Machine(model=Quote, table=QUOTE_TRANSITIONS, refuse=_refuse_quote, repeat_is_noop=False)


def _move_check(machine: Machine, instance: QuoteRequest | Quote, target: str) -> Check:
    return Check(transition_check(machine=machine, instance=instance, target=target))


def _lock_request(request_id: int) -> QuoteRequest:
    return QuoteRequest.objects.select_for_update().get(pk=request_id)


def _lock_quote(quote_id: int, request: QuoteRequest) -> Quote:
    """Lock a quote of the locked `request` (always after it: the request row first, then its quotes)."""
    quote = Quote.objects.select_for_update().get(pk=quote_id)
    quote.request = request
    return quote


def _patient_check(request: QuoteRequest, actor: User) -> Check:
    """Only the patient who made a request acts on it; anyone else is told it does not exist."""
    if not actor.is_authenticated or request.patient_id != actor.pk:
        return refuse(NotFound(_("You have no quote request with this id.")))
    return ALLOWED


def _member_check(provider: Provider, actor: User) -> Check:
    try:
        require_member(user=actor, provider=provider)
    except Forbidden as refusal:
        return refuse(refusal)
    return ALLOWED


def quote_expires_at(quote: Quote) -> dt.datetime:
    """A quote is valid through the whole of its `valid_until` day (UTC)."""
    return dt.datetime.combine(quote.valid_until + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


def _quote_in_force(quote: Quote, now: dt.datetime) -> Check:
    if now >= quote_expires_at(quote):
        return refuse(
            Conflict(
                _("This quote was valid until %(date)s. Ask the provider for a new one.")
                % {"date": quote.valid_until.isoformat()},
                code="quote_expired",
            )
        )
    return ALLOWED


def _first_date_ahead(quote: Quote, now: dt.datetime) -> Check:
    starts = sorted(slot.start for slot in quote.slots.all())
    if not starts or starts[0] <= now:
        return refuse(
            Conflict(
                _("The first date this quote proposes has passed. Ask the provider for new dates."),
                code="quote_dates_passed",
            )
        )
    return ALLOWED


# --- what each person may do now (read by the pages and the API, enforced by the services) ------


def quote_request_withdraw_check(*, request: QuoteRequest, actor: User) -> Check:
    """May `actor` withdraw `request` now? Its patient may, while it is a draft or open."""
    return first_refusal(
        _patient_check(request, actor),
        _move_check(QUOTE_REQUEST, request, QuoteRequestStatus.WITHDRAWN),
    )


def quote_accept_check(*, quote: Quote, actor: User, now: dt.datetime) -> Check:
    """May `actor` accept `quote` now? Its patient may while the quote and its request are open,
    the quote is still valid and its first proposed date is ahead (reads `quote.request` and
    `quote.slots`, prefetched or not)."""
    request = quote.request
    patient = _patient_check(request, actor)
    if not patient:
        return patient
    return first_refusal(
        _move_check(QUOTE, quote, QuoteStatus.ACCEPTED),
        _quote_in_force(quote, now),
        _move_check(QUOTE_REQUEST, request, QuoteRequestStatus.ACCEPTED),
        _first_date_ahead(quote, now),
    )


def quote_decline_check(*, quote: Quote, actor: User) -> Check:
    """May `actor` decline `quote` now? Its patient may while it is open."""
    return first_refusal(_patient_check(quote.request, actor), _move_check(QUOTE, quote, QuoteStatus.DECLINED))


def quote_withdraw_check(*, quote: Quote, actor: User) -> Check:
    """May `actor` withdraw `quote` now? A member of its provider may, before the patient decides."""
    return first_refusal(_member_check(quote.provider, actor), _move_check(QUOTE, quote, QuoteStatus.WITHDRAWN))


def quote_submit_check(*, request: QuoteRequest, provider: Provider, actor: User, now: dt.datetime) -> Check:
    """May `actor` answer `request` with a quote of `provider` now? A member of a verified provider
    the request was sent to may, while the request is open and no quote of that provider is in
    force. (`now` is taken like every other check's: no rule of time applies today.)"""
    member = _member_check(provider, actor)
    if not member:
        return member
    if not QuoteRecipient.objects.filter(request=request, provider=provider).exists():
        return refuse(
            NotFound(_("No quote request with this id was sent to %(provider)s.") % {"provider": provider.name})
        )
    if not provider.is_verified:
        return refuse(
            Conflict(
                _("%(provider)s is not verified and cannot send quotes.") % {"provider": provider.name},
                code="provider_unverified",
            )
        )
    if request.status not in OPEN_REQUEST_STATUSES:
        return refuse(
            Conflict(
                _("This request is %(status)s: it takes no more quotes.")
                % {"status": QuoteRequestStatus(request.status).label.lower()},
                code="request_closed",
            )
        )
    if Quote.objects.filter(request=request, provider=provider, status=QuoteStatus.SENT).exists():
        return refuse(
            Conflict(
                _("You have already sent a quote for this request; withdraw it first to send another."),
                code="quote_exists",
            )
        )
    return ALLOWED


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
    documents: Sequence[MedicalDocument] = (),
    now: dt.datetime,
) -> QuoteRequest:
    """A draft request of `patient`; nothing is shared until it is sent (and nothing is written
    when the patient withdrew their health-data consent: the request could not be sent)."""
    consent_required_check(user=patient).enforce()
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
    _patient_check(request, actor).enforce()
    return _request_send(request=request, actor=actor, providers=providers, now=now)


def _request_send(*, request: QuoteRequest, actor: User, providers: list[Provider], now: dt.datetime) -> QuoteRequest:
    """Send the draft `request` (the caller checked who `actor` is: the patient, or the careteam
    under the patient's mandate). The documents are shared in the patient's name: they are theirs,
    and a tender shares them because the patient's mandate says so."""
    request = _lock_request(request.pk)
    _move_check(QUOTE_REQUEST, request, QuoteRequestStatus.SENT).enforce()
    consent_required_check(user=request.patient).enforce()
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
            grant = document_grant(document=document, actor=request.patient, provider=provider, now=now)
            if not already:  # only the grants this request created end with it
                request.grants.add(grant)

    transition(
        machine=QUOTE_REQUEST,
        instance=request,
        locked=True,
        target=QuoteRequestStatus.SENT,
        actor=actor,
        action="marketplace.quote_request.sent",
        now=now,
        fields={"sent_at": now, "expires_at": now + REQUEST_OPEN_FOR},
        audit_after={"providers": [p.pk for p in recipients]},
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
    *, patient: User, providers: list[Provider], documents: list[MedicalDocument], now: dt.datetime, **details: Any
) -> QuoteRequest:
    """Create a request from `details` (REQUEST_FIELDS) and send it at once, as the page and the
    API do; nothing is written when either step refuses."""
    draft = quote_request_create(patient=patient, documents=documents, now=now, **details)
    return quote_request_send(request=draft, actor=patient, providers=providers, now=now)


def _close_quote(*, quote: Quote, status: str, actor: User | None, now: dt.datetime, because: str = "") -> None:
    """Move the locked, open `quote` to `status` (declined, expired, withdrawn) and audit it."""
    transition(
        machine=QUOTE,
        instance=quote,
        locked=True,
        target=status,
        actor=actor,
        action=f"marketplace.quote.{status}",
        now=now,
        fields={"decided_at": now},
        audit_after={"because": because} if because else None,
    )


def _close_request(
    *, request: QuoteRequest, status: str, actor: User | None, now: dt.datetime, keep: Provider | None = None
) -> None:
    """Close the locked `request`: its open quotes are declined, expired or withdrawn with it and the
    grants it created end, except those of `keep` (the provider whose quote was accepted)."""
    _move_check(QUOTE_REQUEST, request, status).enforce()  # before any of its quotes moves
    quote_status_on_close: dict[str, str] = {
        QuoteRequestStatus.ACCEPTED: QuoteStatus.DECLINED,
        QuoteRequestStatus.DECLINED: QuoteStatus.DECLINED,
        QuoteRequestStatus.EXPIRED: QuoteStatus.EXPIRED,
        QuoteRequestStatus.WITHDRAWN: QuoteStatus.DECLINED,
    }
    quote_status = quote_status_on_close[status]
    for quote in Quote.objects.select_for_update().filter(request=request, status=QuoteStatus.SENT).order_by("pk"):
        _close_quote(quote=quote, status=quote_status, actor=actor, now=now, because=f"request {status}")
    grants = [g for g in request.grants.all() if keep is None or g.provider_id != keep.pk]
    document_grants_end(grants=grants, reason=f"quote request {status}", now=now)
    transition(
        machine=QUOTE_REQUEST,
        instance=request,
        locked=True,
        target=status,
        actor=actor,
        action=f"marketplace.quote_request.{status}",
        now=now,
        fields={"closed_at": now},
    )


@transaction.atomic
def quote_request_withdraw(*, request: QuoteRequest, actor: User, now: dt.datetime) -> QuoteRequest:
    """The patient withdraws a request they no longer need; withdrawing twice changes nothing."""
    _patient_check(request, actor).enforce()
    request = _lock_request(request.pk)
    if request.status == QuoteRequestStatus.WITHDRAWN:
        return request
    quote_request_withdraw_check(request=request, actor=actor).enforce()
    _close_request(request=request, status=QuoteRequestStatus.WITHDRAWN, actor=actor, now=now)
    return request


def quote_request_close_for_erasure(*, request: QuoteRequest, now: dt.datetime) -> QuoteRequest:
    """The patient is being erased (privacy): an open or draft request is withdrawn with its quotes,
    and the grants it gave on the patient's documents end. A closed request changes nothing."""
    with transaction.atomic():
        request = _lock_request(request.pk)
        if request.status in (QuoteRequestStatus.DRAFT, *OPEN_REQUEST_STATUSES):
            _close_request(request=request, status=QuoteRequestStatus.WITHDRAWN, actor=None, now=now)
        else:
            # A closed request's grants have ended already, except the accepted provider's (its booking
            # needs the file): those end too, the documents are being destroyed.
            document_grants_end(grants=list(request.grants.all()), reason="patient erased", now=now)
    return request


@transaction.atomic
def quote_decline(*, quote: Quote, actor: User, now: dt.datetime) -> Quote:
    """The patient declines one quote; when none is left open and every provider has answered, the
    request closes as declined."""
    _patient_check(quote.request, actor).enforce()
    request = _lock_request(quote.request_id)
    quote = _lock_quote(quote.pk, request)
    if quote.status == QuoteStatus.DECLINED:
        return quote
    quote_decline_check(quote=quote, actor=actor).enforce()
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
    _patient_check(quote.request, actor).enforce()
    request = _lock_request(quote.request_id)
    quote = Quote.objects.select_for_update().select_related("provider").prefetch_related("slots").get(pk=quote.pk)
    quote.request = request
    quote_accept_check(quote=quote, actor=actor, now=now).enforce()
    slots = sorted((s.start, s.end) for s in quote.slots.all())

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
    # The conversion shown to the patient is locked on the quote (left as it was without a rate).
    conversion = {
        "patient_currency": quote.patient_currency if converted is None else patient_currency,
        "patient_total_amount": quote.patient_total_amount if converted is None else converted.money.amount,
        "patient_rate_date": quote.patient_rate_date if converted is None else converted.rate_date,
    }
    transition(
        machine=QUOTE,
        instance=quote,
        locked=True,
        target=QuoteStatus.ACCEPTED,
        actor=actor,
        action="marketplace.quote.accepted",
        now=now,
        fields={"decided_at": now, "booking": booking, **conversion},
        audit_after={
            "booking": booking.pk,
            "locked_conversion": [
                conversion["patient_total_amount"],
                conversion["patient_currency"],
                str(conversion["patient_rate_date"]),
            ],
        },
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
    _member_check(provider, actor).enforce()
    request = _lock_request(request.pk)
    quote_submit_check(request=request, provider=provider, actor=actor, now=now).enforce()
    recipient = QuoteRecipient.objects.get(request=request, provider=provider)
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
        transition(
            machine=QUOTE_REQUEST,
            instance=request,
            locked=True,
            target=QuoteRequestStatus.ANSWERED,
            actor=actor,
            action="marketplace.quote_request.answered",
            now=now,
            audit_after={"quote": quote.pk},
        )
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
    provider = quote.provider
    _member_check(provider, actor).enforce()
    quote = _lock_quote(quote.pk, _lock_request(quote.request_id))
    quote.provider = provider
    if quote.status == QuoteStatus.WITHDRAWN:
        return quote
    quote_withdraw_check(quote=quote, actor=actor).enforce()
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


# --- the provider competition (a tender, careteam assistance) ------------------------------------------
# The careteam sends one request in the patient's name to 2–5 verified providers, under the patient's
# mandate (`concierge.services.assistance.mandate_valid_check`), with an answer-by deadline; the log is
# the `Tender` row and the request's recipients. The patient accepts one quote on the usual page.

MIN_TENDER_PROVIDERS = 2
MAX_TENDER_ANSWER_BY = dt.timedelta(days=30)


def _tender_mandate_check(order: AddonOrder, actor: User, now: dt.datetime) -> Check:
    # Asking providers for quotes in the patient's name is what the mandate's "request_quotes" allows.
    return first_refusal(careteam_check(actor), mandate_valid_check(order=order, now=now, scope="request_quotes"))


def tender_start_check(*, order: AddonOrder, actor: User, now: dt.datetime) -> Check:
    """May the careteam start a tender for `order`: a paid careteam order whose mandate holds."""
    return _tender_mandate_check(order, actor, now)


def tender_comparison_send_check(*, tender: Tender, actor: User, now: dt.datetime) -> Check:
    """May the careteam send the patient the comparison: the mandate holds and a quote came in."""
    mandate = _tender_mandate_check(tender.order, actor, now)
    if not mandate:
        return mandate
    if not tender.request.quotes.filter(status=QuoteStatus.SENT).exists():
        return refuse(Conflict(_("No provider has answered yet: there is nothing to compare."), code="no_quotes"))
    return ALLOWED


@transaction.atomic
def tender_start(
    *,
    order: AddonOrder,
    actor: User,
    providers: list[Provider],
    subject: str,
    message: str,
    answer_by: dt.datetime,
    desired_from: dt.date,
    desired_to: dt.date,
    specialty: Specialty | None = None,
    procedure: Procedure | None = None,
    documents: Sequence[MedicalDocument] = (),
    now: dt.datetime,
) -> Tender:
    """Send a quote request in the patient's name to 2–5 verified providers, with a deadline, and log it."""
    order = AddonOrder.objects.select_for_update().get(pk=order.pk)
    tender_start_check(order=order, actor=actor, now=now).enforce()
    unique = {p.pk for p in providers}
    if len(unique) < MIN_TENDER_PROVIDERS:
        raise _invalid("providers", _("Put at least %(min)d providers in competition.") % {"min": MIN_TENDER_PROVIDERS})
    if answer_by <= now:
        raise _invalid("answer_by", _("The deadline for answers must be in the future."))
    if answer_by > now + MAX_TENDER_ANSWER_BY:
        raise _invalid("answer_by", _("The deadline for answers is at most 30 days away."))
    # The request's own rules (dates, documents the patient's own, 5 verified providers at most) follow.
    draft = quote_request_create(
        patient=order.patient,
        subject=subject,
        description=message,
        desired_from=desired_from,
        desired_to=desired_to,
        specialty=specialty,
        procedure=procedure,
        documents=documents,
        now=now,
    )
    request = _request_send(request=draft, actor=actor, providers=providers, now=now)
    tender = Tender.objects.create(
        order=order, request=request, invited_by=actor, invited_at=now, answer_by=answer_by, message=message.strip()
    )
    audit_record(
        actor=actor,
        action="quotes.tender.started",
        target=tender,
        after={
            "order": order.pk,
            "request": request.pk,
            "providers": sorted(unique),
            "answer_by": answer_by.isoformat(),
        },
        now=now,
    )
    assistance_start(order=order, actor=actor, now=now)
    return tender


@transaction.atomic
def tender_comparison_send(*, tender: Tender, actor: User, now: dt.datetime) -> Tender:
    """Send the patient the side-by-side comparison of the quotes received (page + e-mail)."""
    tender = Tender.objects.select_for_update().select_related("order", "request").get(pk=tender.pk)
    tender_comparison_send_check(tender=tender, actor=actor, now=now).enforce()
    quotes = list(tender.request.quotes.filter(status=QuoteStatus.SENT).values_list("pk", flat=True))
    tender.comparison_sent_at = now
    tender.comparison_sent_by = actor
    tender.save(update_fields=["comparison_sent_at", "comparison_sent_by"])
    audit_record(actor=actor, action="quotes.tender.comparison_sent", target=tender, after={"quotes": quotes}, now=now)
    notify_tender_comparison(tender=tender, now=now)
    return tender
