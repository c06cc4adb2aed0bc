"""The messages bookings send, and who hears of them: confirmed, appointment changed, cancelled,
reminders and the evidence deadline.

Each `notify_*` function is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`); see there. The provider's side hears
through `providers.selectors.provider_members_to_notify`.

Health information never goes into a subject or an SMS: the templates
(`bookings/templates/notifications/<template>/<language>/`) name the provider, the date and the
booking number, never the offering, procedure, specialty or request subject.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from bookings.ics import appointment_ics
from bookings.models import Booking, PackShareLink
from bookings.policy import EVIDENCE_WINDOW
from bookings.selectors import booking_cancellation_schedule
from core.money import format_money
from notifications.messages import after_commit, money_text
from notifications.rendering import SUBJECT_MAX, language_of, one_line, render_part
from notifications.services import Attachment, notify, site_url
from providers.models import Location
from providers.selectors import provider_members_to_notify


def _booking(booking_id: int) -> Booking:
    return (
        Booking.objects.select_related(
            "provider", "patient__patient_profile", "offering__location", "cancellation_policy"
        )
        .prefetch_related("appointments")
        .get(pk=booking_id)
    )


def _location(booking: Booking) -> Location | None:
    if booking.offering is not None:
        return booking.offering.location
    return Location.objects.filter(provider_id=booking.provider_id).order_by("pk").first()


def booking_context(booking: Booking, language: str, now: dt.datetime) -> dict[str, Any]:
    """What the booking templates show: times (rendered in the provider's timezone), place, amounts."""
    appointments = sorted(booking.appointments.all(), key=lambda a: a.start)
    location = _location(booking)
    return {
        "booking_number": booking.pk,
        "provider_name": booking.provider.name,
        "start": appointments[0].start if appointments else None,
        "appointments": [a.start for a in appointments],
        "timezone": booking.timezone,
        "address": f"{location.address}, {location.city}" if location is not None else "",
        "deposit": money_text(amount=booking.deposit_amount, currency=booking.currency, language=language),
        "booking_url": site_url(reverse("bookings:detail", args=[booking.pk])),
        "account_url": site_url(reverse("bookings:list")),
    }


def _schedule(booking: Booking, language: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The cancellation schedule as periods (first and last day, fee kept, refund) for the templates,
    which word it in their language; amounts formatted for `language`."""
    found = booking_cancellation_schedule(booking=booking, now=now)
    if found is None:
        return []
    return [
        {
            "start": period.start,
            "end": period.end,
            "first": index == 0,
            "one_day": period.start == period.end,
            "fee": format_money(period.fee, language),
            "refund": format_money(period.refund, language),
        }
        for index, period in enumerate(found.periods)
    ]


def _ics_attachments(booking: Booking, language: str, now: dt.datetime) -> list[Attachment]:
    domain = urlsplit(settings.SITE_URL).hostname or "medibroker.local"
    attachments = []
    with translation.override(language):
        for appointment in sorted(booking.appointments.all(), key=lambda a: a.start):
            appointment.booking = booking
            text = appointment_ics(appointment=appointment, domain=domain, now=now)
            attachments.append(Attachment(f"appointment-{appointment.pk}.ics", text, "text/calendar"))
    return attachments


def _notify_booking(
    *,
    event: str,
    booking: Booking,
    user: User,
    template: str,
    key: str,
    now: dt.datetime,
    context: dict[str, Any] | None = None,
    context_for=None,
    attachments: list[Attachment] | None = None,
) -> None:
    """`notify` with the booking's context in `user`'s language (plus `context_for(language)`)."""
    language = language_of(user)
    full = {**booking_context(booking, language, now), **(context or {})}
    if context_for is not None:
        full.update(context_for(language))
    notify(
        event=event,
        recipient=user,
        context=full,
        key=key,
        template=template,
        tz=booking.timezone,
        booking_id=booking.pk,
        attachments=attachments,
        now=now,
    )


def notify_booking_confirmed(*, booking: Booking, now: dt.datetime) -> None:
    """The deposit is paid: the patient (schedule, .ics, payment confirmation) and the provider hear."""
    after_commit(_booking_confirmed, booking_id=booking.pk, now=now)


def _booking_confirmed(*, booking_id: int, now: dt.datetime) -> None:
    booking = _booking(booking_id)
    key = f"booking_confirmed:{booking.pk}"
    patient = booking.patient
    language = language_of(patient)
    _notify_booking(
        event="booking_confirmed",
        booking=booking,
        user=patient,
        template="booking_confirmed",
        key=key,
        now=now,
        context={
            "schedule": _schedule(booking, language, now),
            "evidence_days": EVIDENCE_WINDOW.days,
            "confirmation_url": site_url(reverse("payments:confirmation", args=[booking.pk])),
        },
        attachments=_ics_attachments(booking, language, now),
    )
    for member in provider_members_to_notify(provider_id=booking.provider_id):
        _notify_booking(
            event="booking_confirmed",
            booking=booking,
            user=member,
            template="booking_confirmed_provider",
            key=key,
            now=now,
        )


def notify_appointment_changed(*, booking: Booking, now: dt.datetime) -> None:
    """An appointment moved: the patient and the provider hear of the new time."""
    after_commit(_appointment_changed, booking_id=booking.pk, now=now)


def _appointment_changed(*, booking_id: int, now: dt.datetime) -> None:
    booking = _booking(booking_id)
    # One message per new time: moving it again is news again.
    starts = "-".join(f"{a.start:%Y%m%dT%H%M}" for a in sorted(booking.appointments.all(), key=lambda a: a.start))
    key = f"appointment_changed:{booking.pk}:{starts}"
    recipients = [(booking.patient, "appointment_changed")] + [
        (m, "appointment_changed_provider") for m in provider_members_to_notify(provider_id=booking.provider_id)
    ]
    for user, template in recipients:
        _notify_booking(event="appointment_changed", booking=booking, user=user, template=template, key=key, now=now)


def notify_booking_cancelled(*, booking: Booking, now: dt.datetime) -> None:
    """The booking is cancelled: the patient hears of the fee and the refund, the provider of the cancellation."""
    after_commit(_booking_cancelled, booking_id=booking.pk, now=now)


def _booking_cancelled(*, booking_id: int, now: dt.datetime) -> None:
    booking = _booking(booking_id)
    key = f"booking_cancelled:{booking.pk}"

    def amounts(language: str) -> dict[str, Any]:
        return {
            "paid": booking.paid_at is not None,
            "fee": money_text(amount=booking.cancellation_fee or 0, currency=booking.currency, language=language),
            "refund": money_text(amount=booking.cancellation_refund or 0, currency=booking.currency, language=language),
            "final": booking.cancellation_final,
            "evidence_due_at": booking.evidence_due_at,
        }

    recipients = [(booking.patient, "booking_cancelled")] + [
        (m, "booking_cancelled_provider") for m in provider_members_to_notify(provider_id=booking.provider_id)
    ]
    for user, template in recipients:
        _notify_booking(
            event="booking_cancelled",
            booking=booking,
            user=user,
            template=template,
            key=key,
            now=now,
            context_for=amounts,
        )


def booking_remind(*, booking: Booking, event: str, key: str, now: dt.datetime) -> None:
    """A reminder (reminder_7d, reminder_24h) to the patient; the caller decided it is due."""
    _notify_booking(event=event, booking=booking, user=booking.patient, template="reminder", key=key, now=now)


def booking_evidence_remind(*, booking: Booking, key: str, now: dt.datetime) -> None:
    """The patient's evidence of a legitimate reason is due soon."""
    _notify_booking(
        event="evidence_deadline",
        booking=booking,
        user=booking.patient,
        template="evidence_deadline",
        key=key,
        now=now,
        context={"evidence_due_at": booking.evidence_due_at},
    )


# --- aftercare (bookings.services.aftercare) -----------------------------------------------------------


def notify_discharge_pack_complete(*, booking: Booking, now: dt.datetime) -> None:
    """Every item of the discharge pack is there: the patient hears (no item is named)."""
    after_commit(_discharge_pack_complete, booking_id=booking.pk, now=now)


def _discharge_pack_complete(*, booking_id: int, now: dt.datetime) -> None:
    booking = _booking(booking_id)
    _notify_booking(
        event="discharge_pack_complete",
        booking=booking,
        user=booking.patient,
        template="discharge_pack_complete",
        key=f"discharge_pack_complete:{booking.pk}",
        now=now,
    )


def notify_pack_link_created(*, link: PackShareLink, token: str, now: dt.datetime) -> None:
    """The patient gave an e-mail address with a link to their pack: the link goes to that address
    (the only time the token is sent anywhere), in the patient's language. Nothing is sent without
    an address."""
    after_commit(_pack_link_created, link_id=link.pk, token=token, now=now)


def _pack_link_created(*, link_id: int, token: str, now: dt.datetime) -> None:
    link = PackShareLink.objects.select_related("booking__patient", "booking__provider").get(pk=link_id)
    if not link.email or link.revoked_at is not None:
        return
    language = language_of(link.booking.patient)
    # The link's label is the patient's own words ("Dr Dupont, my GP"): never the greeting.
    context = {
        "provider_name": link.booking.provider.name,
        "expires_at": link.expires_at,
        "link_url": site_url(reverse("bookings:pack_shared", args=[token])),
    }
    template = "pack_link_created"

    def part(name: str) -> str:
        return render_part(template=template, language=language, part=name, context=context)

    email = EmailMultiAlternatives(
        subject=one_line(part("subject.txt"), SUBJECT_MAX),
        body=part("body.txt").strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[link.email],
        headers={"X-MediBroker-Message": f"{template}:{link.pk}"},
    )
    email.attach_alternative(part("body.html"), "text/html")
    email.send()
