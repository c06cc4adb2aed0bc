"""A provider's diary and a patient's bookings: scoped to their owner, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.models import NameOrder, PatientProfile, User
from accounts.tests.factories import PatientFactory
from bookings.models import Appointment, Booking, BookingStatus, CancellationPolicy
from bookings.selectors import (
    DiaryAppointment,
    bookings_by_id,
    busy_intervals,
    live_appointments_overlapping,
    patient_bookings,
    provider_appointments,
)
from core import hooks
from providers.models import Offering
from providers.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY = dt.date(2030, 1, 7)
NOW = dt.datetime(2030, 1, 7, 6, 0, tzinfo=dt.UTC)
WEEK_START = dt.datetime.combine(MONDAY, dt.time.min, tzinfo=PARIS)
WEEK_END = WEEK_START + dt.timedelta(days=7)


def paris(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def book(*, offering, patient, start: dt.datetime, status: str = BookingStatus.CONFIRMED, live: bool = True):
    """A booking of one 30-minute appointment, written directly (the services are tested elsewhere)."""
    booking = Booking.objects.create(
        patient=patient,
        offering=offering,
        provider=offering.provider,
        status=status,
        deposit_amount=4500,
        currency="EUR",
        cancellation_policy=CancellationPolicy.objects.get(code="platform_default", version=1),
        hold_expires_at=NOW + dt.timedelta(minutes=15) if status == BookingStatus.HELD else None,
        created_at=NOW,
        updated_at=NOW,
    )
    Appointment.objects.create(
        booking=booking, provider=offering.provider, start=start, end=start + dt.timedelta(minutes=30), live=live
    )
    return booking


@pytest.fixture
def knee_consultation(db):
    # Not the booking tests' `offering` (bookings/tests/conftest.py): these write bookings directly,
    # with no opening hours, and check the offering's title.
    return OfferingFactory(title="Knee consultation")


# --- provider_appointments -------------------------------------------------------------------------


def test_a_providers_appointments_come_in_start_order_with_booking_patient_name_and_offering(
    patient, other_patient, knee_consultation, django_assert_num_queries
):
    later = book(offering=knee_consultation, patient=other_patient, start=paris(11))
    first = book(offering=knee_consultation, patient=patient, start=paris(9, 30), status=BookingStatus.HELD)

    with django_assert_num_queries(1):
        appointments = provider_appointments(provider=knee_consultation.provider, start=WEEK_START, end=WEEK_END)
        rows = [(a.booking_id, a.patient_name, a.offering_title) for a in appointments]

    assert [a.start for a in appointments] == [paris(9, 30), paris(11)]
    assert rows == [
        (first.pk, patient.patient_profile.full_name, "Knee consultation"),
        (later.pk, other_patient.patient_profile.full_name, "Knee consultation"),
    ]


def test_a_diary_line_holds_what_the_booking_models_say(patient, knee_consultation):
    """The values read are the ones the models give: the same name as `get_full_name()` (name order
    included), the same status and its label, the booking's timezone, the appointment's times."""
    profile = patient.patient_profile
    profile.first_name, profile.last_name, profile.name_order = " Mei ", "Wang", NameOrder.FAMILY_FIRST
    profile.save()
    booking = book(offering=knee_consultation, patient=patient, start=paris(10), status=BookingStatus.HELD)
    Booking.objects.filter(pk=booking.pk).update(timezone="Europe/Paris")
    appointment = booking.appointments.get()

    [line] = provider_appointments(provider=knee_consultation.provider, start=WEEK_START, end=WEEK_END)

    booking = Booking.objects.select_related("patient__patient_profile", "offering").get(pk=booking.pk)
    assert isinstance(line, DiaryAppointment)
    assert line.patient_name == booking.patient.get_full_name() == "Wang Mei"
    assert (line.id, line.start, line.end) == (appointment.pk, appointment.start, appointment.end)
    assert (line.booking_id, line.status) == (booking.pk, booking.status)
    assert line.status_label == booking.get_status_display()
    assert (line.timezone, line.tz) == (booking.timezone, booking.tz)
    assert line.offering_title == booking.offering.title


def test_a_diary_line_is_built_without_any_model_instance(patient, knee_consultation, monkeypatch):
    """No booking, patient, profile (whose phone number would be parsed) or offering is built."""
    book(offering=knee_consultation, patient=patient, start=paris(10))
    built = []
    for model in (Appointment, Booking, PatientProfile, User, Offering):
        original = model.from_db.__func__

        def counting(cls, db, field_names, values, original=original):
            built.append(cls.__name__)
            return original(cls, db, field_names, values)

        monkeypatch.setattr(model, "from_db", classmethod(counting))

    lines = provider_appointments(provider=knee_consultation.provider, start=WEEK_START, end=WEEK_END)

    assert len(lines) == 1
    assert built == []


def test_a_booking_from_a_quote_has_no_offering_title(patient, knee_consultation):
    booking = book(offering=knee_consultation, patient=patient, start=paris(10))
    Booking.objects.filter(pk=booking.pk).update(offering=None)

    [line] = provider_appointments(provider=knee_consultation.provider, start=WEEK_START, end=WEEK_END)

    assert line.booking_id == booking.pk
    assert line.offering_title is None


@pytest.mark.parametrize("count", [1, 40])
def test_a_providers_appointments_are_read_in_one_query_whatever_their_number(
    count, knee_consultation, django_assert_num_queries
):
    days = [MONDAY + dt.timedelta(days=n) for n in range(5)]
    for n in range(count):
        book(offering=knee_consultation, patient=PatientFactory(), start=paris(9 + n // 5, day=days[n % 5]))

    with django_assert_num_queries(1):
        appointments = provider_appointments(
            provider=knee_consultation.provider, start=WEEK_START, end=WEEK_START + dt.timedelta(days=30)
        )
        names = [(a.patient_name, a.offering_title, a.status) for a in appointments]

    assert len(names) == count


def test_another_providers_appointments_are_not_listed(patient, knee_consultation):
    other = OfferingFactory()
    book(offering=other, patient=patient, start=paris(10))
    mine = book(offering=knee_consultation, patient=patient, start=paris(10))

    appointments = provider_appointments(provider=knee_consultation.provider, start=WEEK_START, end=WEEK_END)

    assert [a.booking_id for a in appointments] == [mine.pk]


def test_appointments_that_no_longer_hold_their_time_are_not_listed(patient, knee_consultation):
    book(offering=knee_consultation, patient=patient, start=paris(9), status=BookingStatus.CANCELLED, live=False)
    book(offering=knee_consultation, patient=patient, start=paris(10), status=BookingStatus.EXPIRED, live=False)
    kept = book(offering=knee_consultation, patient=patient, start=paris(11))

    appointments = provider_appointments(provider=knee_consultation.provider, start=WEEK_START, end=WEEK_END)

    assert [a.booking_id for a in appointments] == [kept.pk]


def test_only_appointments_starting_within_the_range_are_listed(patient, knee_consultation):
    book(offering=knee_consultation, patient=patient, start=WEEK_START - dt.timedelta(minutes=30))
    at_start = book(offering=knee_consultation, patient=patient, start=WEEK_START)
    book(offering=knee_consultation, patient=patient, start=WEEK_END)

    appointments = provider_appointments(provider=knee_consultation.provider, start=WEEK_START, end=WEEK_END)

    assert [a.booking_id for a in appointments] == [at_start.pk]


def test_a_patient_without_a_profile_is_listed_under_their_email(knee_consultation):
    patient = PatientFactory(profile=None)
    book(offering=knee_consultation, patient=patient, start=paris(10))

    [appointment] = provider_appointments(provider=knee_consultation.provider, start=WEEK_START, end=WEEK_END)

    assert appointment.patient_name == patient.get_full_name() == patient.email


def test_a_bookings_models_are_read_by_id_with_what_their_checks_read(
    patient, knee_consultation, django_assert_num_queries
):
    first = book(offering=knee_consultation, patient=patient, start=paris(10))
    second = book(offering=knee_consultation, patient=patient, start=paris(11))

    with django_assert_num_queries(2):
        found = bookings_by_id(booking_ids=[first.pk, second.pk])
        read = {pk: (b.provider.name, [a.start for a in b.appointments.all()]) for pk, b in found.items()}

    assert read == {
        first.pk: (knee_consultation.provider.name, [paris(10)]),
        second.pk: (knee_consultation.provider.name, [paris(11)]),
    }


# --- the times taken: live_appointments_overlapping and the busy_intervals hook ------------------------


def test_the_services_count_every_live_appointment_that_overlaps(patient, knee_consultation):
    provider_ids = [knee_consultation.provider_id]
    book(offering=knee_consultation, patient=patient, start=paris(9), status=BookingStatus.CANCELLED, live=False)
    kept = book(offering=knee_consultation, patient=patient, start=paris(10), status=BookingStatus.COMPLETED)
    book(offering=OfferingFactory(), patient=patient, start=paris(10))  # another provider's

    def overlapping(start, end):
        return [a.booking for a in live_appointments_overlapping(provider_ids=provider_ids, start=start, end=end)]

    assert overlapping(paris(9), paris(9, 30)) == []
    assert overlapping(paris(10, 29), paris(11)) == [kept]
    assert overlapping(paris(10, 30), paris(11)) == []  # [start, end): touching is not overlapping
    assert overlapping(paris(9, 30), paris(10)) == []


def test_bookings_answer_the_busy_intervals_hook_with_the_times_still_taken(patient, knee_consultation):
    provider = knee_consultation.provider
    book(offering=knee_consultation, patient=patient, start=paris(9), status=BookingStatus.HELD)
    unpaid = book(offering=knee_consultation, patient=patient, start=paris(10))
    Booking.objects.filter(pk=unpaid.pk).update(
        status=BookingStatus.AWAITING_DEPOSIT, deposit_due_at=NOW + dt.timedelta(days=2)
    )
    book(offering=knee_consultation, patient=patient, start=paris(11))
    book(offering=knee_consultation, patient=patient, start=paris(12), status=BookingStatus.COMPLETED)
    book(offering=knee_consultation, patient=patient, start=paris(13), status=BookingStatus.CANCELLED, live=False)

    assert busy_intervals in list(hooks.busy_intervals)
    [while_held] = hooks.busy_intervals.call(provider_ids=[provider.pk], start=WEEK_START, end=WEEK_END, now=NOW)
    [after_the_hold] = hooks.busy_intervals.call(
        provider_ids=[provider.pk], start=WEEK_START, end=WEEK_END, now=NOW + dt.timedelta(minutes=15)
    )

    half_hour = dt.timedelta(minutes=30)
    assert while_held == [(provider.pk, paris(hour), paris(hour) + half_hour) for hour in (9, 10, 11)]
    assert after_the_hold == [(provider.pk, paris(hour), paris(hour) + half_hour) for hour in (10, 11)]


# --- patient_bookings ------------------------------------------------------------------------------


def test_a_patients_bookings_come_with_their_appointments_in_two_queries(
    patient, knee_consultation, django_assert_max_num_queries
):
    for hour in range(9, 17):
        book(offering=knee_consultation, patient=patient, start=paris(hour))

    with django_assert_max_num_queries(2):
        rows = [
            (b.offering.title, b.provider.name, [a.start for a in b.appointments.all()])
            for b in patient_bookings(patient=patient)
        ]

    assert len(rows) == 8
    assert all(title == "Knee consultation" and len(starts) == 1 for title, _name, starts in rows)


def test_another_patients_bookings_are_not_listed(patient, other_patient, knee_consultation):
    mine = book(offering=knee_consultation, patient=patient, start=paris(10))
    book(offering=knee_consultation, patient=other_patient, start=paris(11))

    assert list(patient_bookings(patient=patient)) == [mine]


def test_a_patients_bookings_are_listed_newest_first_whatever_their_status(patient, knee_consultation):
    older = book(
        offering=knee_consultation, patient=patient, start=paris(10), status=BookingStatus.CANCELLED, live=False
    )
    newer = book(offering=knee_consultation, patient=patient, start=paris(11))
    Booking.objects.filter(pk=older.pk).update(created_at=NOW - dt.timedelta(days=1))

    assert list(patient_bookings(patient=patient)) == [newer, older]
