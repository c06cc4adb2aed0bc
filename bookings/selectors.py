"""Reads for bookings: a provider's diary and a patient's bookings, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import User
from bookings.models import Appointment, Booking
from providers.models import Provider


def provider_appointments(*, provider: Provider, start: dt.datetime, end: dt.datetime) -> list[Appointment]:
    """The provider's live appointments starting in [start, end), by start time, in one query.

    Each comes with its booking, the booking's offering, patient and patient profile (for
    `booking.patient.get_full_name()`), so listing them costs no further query however many there are.
    An appointment is live while its booking holds the time; a lapsed hold stays live until
    `booking_expire_holds` runs.
    """
    return list(
        Appointment.objects.filter(provider_id=provider.pk, live=True, start__gte=start, start__lt=end)
        .select_related("booking__offering", "booking__patient__patient_profile")
        .order_by("start", "id")
    )


def patient_bookings(*, patient: User) -> QuerySet[Booking]:
    """The patient's bookings, newest first, with offering, provider and appointments: two queries."""
    return (
        Booking.objects.filter(patient_id=patient.pk)
        .select_related("offering", "provider")
        .prefetch_related("appointments")
        .order_by("-created_at", "-id")
    )
