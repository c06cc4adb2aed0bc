"""What bookings hold about a person (`core.personal_data`): their bookings, appointments and
cancellations, and the evidence they sent for a legitimate reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, BookingStatus, CancellationEvidence, PackShareLink
from bookings.services.cancellation import booking_cancel_quote
from core.personal_data import Blocker, Declaration, Kept, Subject, redact

# How long a cardholder may dispute a card payment with their bank (Visa and Mastercard: 120 days
# from the transaction or the service's date): the cancellation's evidence is kept until then.
DISPUTE_PERIOD = dt.timedelta(days=120)
# Accounting records (French Commercial Code, L123-22): 10 years.
ACCOUNTING_YEARS = 10


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _bookings(person: Any):
    return (
        Booking.objects.filter(patient_id=person.pk)
        .select_related("provider", "offering", "cancellation_policy")
        .prefetch_related("appointments", "evidence", "discharge_items", "pack_share_links")
        .order_by("created_at", "pk")
    )


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    bookings = []
    for booking in _bookings(person):
        bookings.append(
            {
                "id": booking.pk,
                "provider": {"id": booking.provider_id, "name": booking.provider.name},
                "offering": booking.offering.title if booking.offering is not None else None,
                "status": booking.status,
                "currency": booking.currency,
                "deposit_amount": booking.deposit_amount,
                "total_amount": booking.total_amount,
                "cancellation_policy": f"{booking.cancellation_policy.code} v{booking.cancellation_policy.version}",
                "timezone": booking.timezone,
                "created_at": _iso(booking.created_at),
                "deposit_due_at": _iso(booking.deposit_due_at),
                "paid_at": _iso(booking.paid_at),
                "payment_reference": booking.payment_reference,
                "cancelled_at": _iso(booking.cancelled_at),
                "cancelled_by_you": booking.cancelled_by_id == person.pk if booking.cancelled_by_id else None,
                "cancellation_reason": booking.cancellation_reason,
                "cancellation_fee": booking.cancellation_fee,
                "cancellation_refund": booking.cancellation_refund,
                "cancellation_explanation": booking.cancellation_explanation,
                "cancellation_final": booking.cancellation_final,
                "evidence_status": booking.evidence_status,
                "completed_at": _iso(booking.completed_at),
                "appointments": [
                    {"start": _iso(a.start), "end": _iso(a.end), "holds_its_time": a.live}
                    for a in booking.appointments.all()
                ],
                "evidence": [
                    {
                        "document": str(e.document_id),
                        "submitted_at": _iso(e.submitted_at),
                        "review": e.status,
                        "reviewed_at": _iso(e.reviewed_at),
                        "note": e.note,
                    }
                    for e in booking.evidence.all()
                ],
                "discharge_pack": [
                    {
                        "item": item.kind,
                        "document": str(item.document_id) if item.document_id else None,
                        "does_not_apply": item.not_applicable,
                        "added_at": _iso(item.uploaded_at),
                        "replaced_at": _iso(item.replaced_at),
                    }
                    for item in booking.discharge_items.all()
                ],
                "discharge_pack_links": [
                    {
                        "for": link.recipient,
                        "email": link.email,
                        "created_at": _iso(link.created_at),
                        "expires_at": _iso(link.expires_at),
                        "revoked_at": _iso(link.revoked_at),
                        "times_opened": link.opened_count,
                    }
                    for link in booking.pack_share_links.all()
                ],
            }
        )
    return {"bookings": bookings}


def erase(subject: Subject, now: dt.datetime) -> None:
    """The rows stay (the money and the provider's calendar need them); free text that could name
    the person is redacted. Idempotent: redacting twice changes nothing."""
    for booking in Booking.objects.filter(patient_id=subject.user_id).order_by("pk"):
        explanation = redact(booking.cancellation_explanation, subject)
        if explanation != booking.cancellation_explanation:
            Booking.objects.filter(pk=booking.pk).update(cancellation_explanation=explanation)
    for evidence in CancellationEvidence.objects.filter(booking__patient_id=subject.user_id).order_by("pk"):
        note = redact(evidence.note, subject)
        if note != evidence.note:
            CancellationEvidence.objects.filter(pk=evidence.pk).update(note=note)
    # The links to the discharge pack stop working and forget whom they were for (the documents
    # themselves are the person's and are shredded by documents).
    links = PackShareLink.objects.filter(booking__patient_id=subject.user_id)
    links.filter(revoked_at__isnull=True).update(revoked_at=now)
    links.exclude(recipient="", email="").update(recipient="", email="")


def kept(person: Any, now: dt.datetime) -> list[Kept]:
    bookings = list(Booking.objects.filter(patient_id=person.pk).exclude(paid_at=None).order_by("pk"))
    found: list[Kept] = []
    if bookings:
        last = max(b.completed_at or b.cancelled_at or b.paid_at or b.created_at for b in bookings)
        found.append(
            Kept(
                what=gettext("Your paid bookings (dates, amounts, cancellations), under a pseudonym"),
                why=gettext("Accounting law: 10 years (French Commercial Code, L123-22)"),
                until=_plus_years(last.date(), ACCOUNTING_YEARS),
            )
        )
    cancelled = [b.cancelled_at for b in bookings if b.cancelled_at is not None]
    if cancelled:
        last = max(cancelled)
        found.append(
            Kept(
                what=gettext("The record of your cancellations and of the evidence you sent (not its content)"),
                why=gettext("Evidence of the cancellation until the card dispute period ends"),
                until=(last + DISPUTE_PERIOD).date(),
            )
        )
    return found


LIVE = (BookingStatus.HELD, BookingStatus.AWAITING_DEPOSIT, BookingStatus.CONFIRMED)


def blockers(person: Any, now: dt.datetime) -> list[Blocker]:
    found: list[Blocker] = []
    bookings = Booking.objects.filter(patient_id=person.pk, status__in=LIVE).select_related("provider")
    for booking in bookings.prefetch_related("appointments").order_by("pk"):
        first = min((a.start for a in booking.appointments.all()), default=None)
        quote = booking_cancel_quote(booking=booking, now=now)
        what = gettext("Booking %(id)s with %(provider)s (%(status)s)") % {
            "id": booking.pk,
            "provider": booking.provider.name,
            "status": booking.get_status_display(),
        }
        if first is not None:
            what += gettext(", first appointment %(when)s") % {"when": first.date().isoformat()}
        if quote.paid:
            action = gettext("Cancel the booking: %(refund)s is refunded, %(fee)s kept under its policy.") % {
                "refund": quote.refund,
                "fee": quote.fee,
            }
        else:
            action = gettext("Cancel the booking: its deposit was not paid, nothing is kept.")
        found.append(Blocker(what=what, action=action, url=reverse("bookings:detail", args=[booking.pk])))
    return found


def providers(person: Any) -> list[int]:
    return sorted(set(Booking.objects.filter(patient_id=person.pk).values_list("provider_id", flat=True)))


DECLARATION = Declaration(
    app="bookings",
    models={
        "bookings.Booking": _("Your bookings: provider, dates, deposit and price, cancellation and its decision"),
        "bookings.Appointment": _("The times of your appointments"),
        "bookings.CancellationEvidence": _("The evidence you sent for a cancellation and its review"),
        "bookings.DischargeItem": _("The documents of your discharge pack, which your provider added for you"),
        "bookings.PackShareLink": _("The links you gave your doctor to read your discharge pack, and for whom"),
    },
    not_personal={
        "bookings.CancellationPolicy": _("A published cancellation policy: its name is the policy's, not a person's"),
    },
    export=export,
    erase=erase,
    erased=_(
        "What you wrote in your bookings and the careteam's notes on your cancellation evidence; the links "
        "you made to send your discharge pack end, and no longer name whom they were for"
    ),
    kept=kept,
    blockers=blockers,
    providers=providers,
)
