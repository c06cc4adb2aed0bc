"""One piece of each kind of careteam work, built as each app builds it, at a fixed `NOW`."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from bookings.policy import Reason
from bookings.services import booking_cancel, booking_submit_evidence
from bookings.tests.support import awaiting, bookable, confirm
from concierge.models import (
    AddonKind,
    AddonOrder,
    AddonOrderStatus,
    CareMandate,
    InterpreterRequest,
    PlaceKind,
    TransferLeg,
)
from documents.services import document_upload
from notifications.models import Channel, Message, MessageStatus
from providers.models import Provider, VerificationStatus
from providers.tests.factories import LocationFactory, ProviderFactory
from quotes.models import QuoteRecipient, QuoteRequest, QuoteRequestStatus

UTC = dt.UTC
NOW = dt.datetime(2030, 3, 6, 12, 0, tzinfo=UTC)  # a Wednesday
DAY = dt.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = itertools.count(1)


def pending_provider(*, applied: dt.datetime, city: str = "Lyon", name: str = "") -> Provider:
    provider = ProviderFactory(status=VerificationStatus.PENDING, verified_at=None, name=name or "Dr Awaiting Check")
    LocationFactory(provider=provider, city=city)
    Provider.objects.filter(pk=provider.pk).update(created_at=applied)  # `created_at` is set on insert
    provider.refresh_from_db()
    return provider


def evidence_waiting(patient, *, cancelled: dt.datetime = NOW - 8 * DAY, diagnosis: str = "Medical certificate"):
    """A confirmed booking in Paris cancelled as unfit to travel, its certificate awaiting review."""
    start = NOW + 20 * DAY
    booking = awaiting(
        patient,
        bookable().provider,
        now=cancelled - 2 * DAY,
        slots=[(start, start + dt.timedelta(hours=1))],
        payment_deadline=cancelled - DAY,
    )
    confirm(booking, at=cancelled - DAY - dt.timedelta(hours=1))
    booking_cancel(booking=booking, actor=patient, reason=Reason.UNFIT_TO_TRAVEL, now=cancelled)
    document = document_upload(owner=patient, upload=io.BytesIO(PDF), title=diagnosis, now=cancelled)
    booking_submit_evidence(booking=booking, actor=patient, document=document, now=cancelled + dt.timedelta(hours=1))
    booking.refresh_from_db()
    return booking, document


def unanswered_request(patient, provider: Provider, *, sent: dt.datetime, subject: str = "Knee replacement"):
    request = QuoteRequest.objects.create(
        patient=patient,
        subject=subject,
        description="Details of the condition",
        desired_from=(NOW + 30 * DAY).date(),
        desired_to=(NOW + 60 * DAY).date(),
        status=QuoteRequestStatus.SENT,
        created_at=sent,
        sent_at=sent,
        expires_at=sent + 30 * DAY,
    )
    QuoteRecipient.objects.create(request=request, provider=provider, sent_at=sent)
    return request


def failed_message(recipient, *, failed: dt.datetime, booking_id: int | None = None) -> Message:
    serial = next(_serial)
    return Message.objects.create(
        recipient=recipient,
        channel=Channel.SMS,
        event="booking_reminder",
        template="bookings/reminder",
        language="en",
        key=f"booking_reminder:{serial}:{recipient.pk}:sms",
        to="+33600000000",
        subject="",
        body="Your appointment is tomorrow",
        status=MessageStatus.FAILED,
        error="21610 unsubscribed",
        booking_id=booking_id,
        created_at=failed - dt.timedelta(minutes=5),
        updated_at=failed,
    )


def order(patient, kind: str, status: str, *, created: dt.datetime, city: str = "Istanbul", **fields) -> AddonOrder:
    return AddonOrder.objects.create(
        patient=patient,
        kind=kind,
        description=str(AddonKind(kind).label),
        city=city,
        amount=None if status == AddonOrderStatus.REQUESTED else 12_000,
        currency="EUR",
        status=status,
        created_at=created,
        **fields,
    )


def transfer_paid(patient, *, pickup: dt.datetime, paid: dt.datetime, assigned: bool = False, **fields) -> AddonOrder:
    extra = {"supplier_name": "Mehmet Yilmaz", "assigned_at": paid + DAY} if assigned else {}
    status = AddonOrderStatus.IN_PROGRESS if assigned else AddonOrderStatus.CONFIRMED
    placed = order(
        patient, AddonKind.TRANSFER, status, created=paid - dt.timedelta(hours=1), paid_at=paid, **extra, **fields
    )
    TransferLeg.objects.create(
        order=placed,
        position=1,
        origin_kind=PlaceKind.AIRPORT,
        origin="IST",
        destination_kind=PlaceKind.HOTEL,
        destination="Hotel Pera",
        pickup_at=pickup,
        flight_number="TK1822",
    )
    return placed


def interpreter_paid(patient, *, first_day: dt.date, last_day: dt.date, paid: dt.datetime) -> AddonOrder:
    placed = order(patient, AddonKind.INTERPRETER, AddonOrderStatus.CONFIRMED, created=paid, paid_at=paid)
    InterpreterRequest.objects.create(
        order=placed, language="en", provider_language="tr", booked_minutes=180, first_day=first_day, last_day=last_day
    )
    return placed


def assistance_under_mandate(patient, *, granted: dt.datetime, expires: dt.datetime) -> AddonOrder:
    placed = order(patient, AddonKind.CARETEAM, AddonOrderStatus.CONFIRMED, created=granted, paid_at=granted)
    CareMandate.objects.create(order=placed, scope="Find and book a clinic", granted_at=granted, expires_at=expires)
    return placed
