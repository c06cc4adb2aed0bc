"""Holding slots: only offered slots, never twice (REL-1, REL-2), and holds that lapse free the time."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.tests.factories import PatientFactory
from bookings.models import Appointment, Booking, BookingStatus
from bookings.services import booking_expire_holds, booking_hold
from bookings.tasks import expire_held_bookings
from core.errors import Conflict, ValidationFailed
from core.models import AuditEvent
from providers.availability import offering_busy_intervals, offering_first_free_slot, offering_free_slots
from providers.models import BookingMode, VerificationStatus
from providers.services.derived import offerings_refresh_next_slot
from providers.tests.factories import OfferingFactory, open_weekdays

pytestmark = pytest.mark.django_db

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
MONDAY = dt.date(2030, 1, 7)
NOW = dt.datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris


def paris(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def bookable(**kwargs):
    """A verified provider's 30-minute consultation, open Monday to Friday 09:00–17:00 in Paris."""
    offering = OfferingFactory(**kwargs)
    open_weekdays(offering.location)
    return offering


def monday_starts(offering) -> list[dt.datetime]:
    return [s.start for s in offering_free_slots(offering=offering, first_day=MONDAY, last_day=MONDAY, now=NOW)]


def booking_events() -> int:
    return AuditEvent.objects.filter(action__startswith="bookings.").count()


# --- holding a slot -------------------------------------------------------------------------------


def test_holding_a_free_slot_creates_a_held_booking_and_appointment_and_takes_the_slot(patient, offering):
    assert paris(10) in monday_starts(offering)

    booking = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert booking.patient == patient
    assert booking.provider == offering.provider
    assert booking.hold_expires_at == NOW + dt.timedelta(minutes=15)
    assert booking.deposit.amount == 4500
    assert booking.deposit.currency == "EUR"
    assert (booking.cancellation_policy.code, booking.cancellation_policy.version) == ("platform_default", 1)
    [appointment] = booking.appointments.all()
    assert (appointment.start, appointment.end) == (paris(10), paris(10, 30))
    assert appointment.start.tzinfo is not None
    assert appointment.live
    assert appointment.provider == offering.provider
    assert paris(10) not in monday_starts(offering)
    assert paris(9, 30) in monday_starts(offering)
    assert paris(10, 30) in monday_starts(offering)
    event = AuditEvent.objects.get(action="bookings.booking.held")
    assert event.actor_id == patient.pk
    assert event.target_id == str(booking.pk)


def test_a_hold_takes_the_time_of_every_offering_of_the_provider(patient, offering):
    other = OfferingFactory(provider=offering.provider, location=offering.location, slot_minutes=60)

    booking_hold(patient=patient, offering=offering, start=paris(10, 30), now=NOW)

    starts = [s.start for s in offering_free_slots(offering=other, first_day=MONDAY, last_day=MONDAY, now=NOW)]
    assert paris(10) not in starts
    assert paris(11) in starts


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (paris(18), "after closing"),
        (paris(8, 30), "before opening"),
        (paris(10, 10), "not on the slot grid"),
        (paris(10, day=dt.date(2030, 1, 5)), "a Saturday"),
        (paris(10, day=dt.date(2030, 1, 4)), "in the past"),
    ],
)
def test_a_time_the_offering_does_not_offer_is_refused_and_nothing_is_written(patient, offering, start, reason):
    with pytest.raises(ValidationFailed) as error:
        booking_hold(patient=patient, offering=offering, start=start, now=NOW)

    assert error.value.code == "slot_not_offered"
    assert "Please pick one of the slots offered" in error.value.message
    assert (Booking.objects.count(), Appointment.objects.count(), booking_events()) == (0, 0, 0)


def test_a_slot_within_the_minimum_notice_is_refused(patient):
    offering = bookable(min_notice_hours=48)

    with pytest.raises(ValidationFailed) as error:
        booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)

    assert error.value.code == "slot_not_offered"
    assert booking_hold(patient=patient, offering=offering, start=paris(10, day=dt.date(2030, 1, 9)), now=NOW)


def test_a_slot_that_only_another_providers_offering_has_is_refused(patient, offering):
    evening = OfferingFactory()
    open_weekdays(evening.location, start=dt.time(18), end=dt.time(20))
    assert paris(18) in monday_starts(evening)

    with pytest.raises(ValidationFailed) as error:
        booking_hold(patient=patient, offering=offering, start=paris(18), now=NOW)

    assert error.value.code == "slot_not_offered"
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "error_class", "code", "words"),
    [
        ({"provider__status": VerificationStatus.PENDING}, Conflict, "provider_unverified", "is not verified"),
        ({"provider__status": VerificationStatus.SUSPENDED}, Conflict, "provider_unverified", "is not verified"),
        ({"booking_mode": BookingMode.QUOTE}, ValidationFailed, "quote_only", "send a quote request"),
        ({"is_active": False}, Conflict, "offering_unpublished", "no longer published"),
    ],
)
def test_an_offering_that_cannot_be_booked_online_is_refused(patient, change, error_class, code, words):
    offering = bookable(**change)

    with pytest.raises(error_class) as error:
        booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)

    assert error.value.code == code
    assert words in error.value.message
    assert (Booking.objects.count(), Appointment.objects.count(), booking_events()) == (0, 0, 0)


def test_a_start_without_timezone_is_refused(patient, offering):
    with pytest.raises(ValidationFailed):
        booking_hold(patient=patient, offering=offering, start=dt.datetime(2030, 1, 7, 10), now=NOW)  # noqa: DTZ001


# --- no double booking (REL-2) --------------------------------------------------------------------


def test_the_same_slot_cannot_be_held_twice(patient, other_patient, offering):
    booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)

    with pytest.raises(Conflict) as error:
        booking_hold(patient=other_patient, offering=offering, start=paris(10), now=NOW)

    assert error.value.code == "slot_taken"
    assert "has just been taken" in error.value.message
    assert Appointment.objects.filter(live=True).count() == 1
    assert booking_events() == 1


def test_an_overlapping_range_of_the_same_provider_is_refused(patient, other_patient, offering):
    hour_long = OfferingFactory(provider=offering.provider, location=offering.location, slot_minutes=60)
    booking_hold(patient=patient, offering=offering, start=paris(10, 30), now=NOW)  # [10:30, 11:00)

    with pytest.raises(Conflict) as error:
        booking_hold(patient=other_patient, offering=hour_long, start=paris(10), now=NOW)  # [10:00, 11:00)

    assert error.value.code == "slot_taken"
    assert Booking.objects.count() == 1


def test_adjacent_ranges_of_the_same_provider_both_succeed(patient, other_patient, offering):
    hour_long = OfferingFactory(provider=offering.provider, location=offering.location, slot_minutes=60)

    booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)  # [10:00, 10:30)
    booking_hold(patient=other_patient, offering=offering, start=paris(10, 30), now=NOW)  # [10:30, 11:00)
    booking_hold(patient=other_patient, offering=hour_long, start=paris(11), now=NOW)  # [11:00, 12:00)

    assert Appointment.objects.filter(live=True).count() == 3


def test_different_providers_can_be_held_at_the_same_time(patient, other_patient, offering):
    elsewhere = bookable()

    booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)
    booking_hold(patient=other_patient, offering=elsewhere, start=paris(10), now=NOW)

    assert Appointment.objects.filter(live=True).count() == 2


# --- holds that lapse -----------------------------------------------------------------------------


def test_expiring_holds_frees_the_slot_once(patient, other_patient, offering):
    booking = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)

    assert booking_expire_holds(now=NOW + dt.timedelta(minutes=14)) == 0
    assert paris(10) not in monday_starts(offering)

    assert booking_expire_holds(now=NOW + dt.timedelta(minutes=15)) == 1
    assert booking_expire_holds(now=NOW + dt.timedelta(minutes=16)) == 0

    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert not booking.appointments.get().live
    assert paris(10) in monday_starts(offering)
    [event] = AuditEvent.objects.filter(action="bookings.booking.expired")
    assert (event.before, event.after) == ({"status": "held"}, {"status": "expired"})
    assert booking_hold(patient=other_patient, offering=offering, start=paris(10), now=NOW + dt.timedelta(minutes=20))


def test_a_lapsed_hold_no_longer_blocks_the_slot_even_before_the_expiry_job_runs(patient, other_patient, offering):
    first = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)
    later = NOW + dt.timedelta(minutes=16)

    assert offering_busy_intervals(offering=offering, start=paris(0), end=paris(23), now=later) == []
    second = booking_hold(patient=other_patient, offering=offering, start=paris(10), now=later)

    first.refresh_from_db()
    assert first.status == BookingStatus.EXPIRED
    assert second.status == BookingStatus.HELD
    assert Appointment.objects.filter(live=True).get().booking == second


def test_a_hold_releases_only_the_lapsed_holds_in_its_way_and_leaves_the_others_to_the_expiry_job(
    patient, other_patient, offering
):
    in_the_way = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)
    elsewhere = booking_hold(patient=patient, offering=offering, start=paris(14), now=NOW)
    later = NOW + dt.timedelta(minutes=16)

    booking_hold(patient=other_patient, offering=offering, start=paris(10), now=later)

    in_the_way.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (in_the_way.status, elsewhere.status) == (BookingStatus.EXPIRED, BookingStatus.HELD)
    assert booking_expire_holds(now=later) == 1
    elsewhere.refresh_from_db()
    assert elsewhere.status == BookingStatus.EXPIRED


def test_a_live_booking_in_the_way_is_refused_even_beside_a_lapsed_hold(patient, other_patient, offering):
    # Within 10:00-10:30: a hold that lapses (10:15-10:30) and a booking awaiting its deposit (10:00-10:15).
    lapsed = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)
    Appointment.objects.filter(booking=lapsed).update(start=paris(10, 15))
    taken = booking_hold(patient=patient, offering=offering, start=paris(9, 30), now=NOW)
    Booking.objects.filter(pk=taken.pk).update(
        status=BookingStatus.AWAITING_DEPOSIT, deposit_due_at=NOW + dt.timedelta(days=2)
    )
    Appointment.objects.filter(booking=taken).update(start=paris(10), end=paris(10, 15))
    later = NOW + dt.timedelta(minutes=16)

    with pytest.raises(Conflict) as refused:
        booking_hold(patient=other_patient, offering=offering, start=paris(10), now=later)

    assert refused.value.code == "slot_taken"
    lapsed.refresh_from_db()
    assert lapsed.status == BookingStatus.HELD  # nothing written: left to the expiry job


def test_bookings_awaiting_their_deposit_or_confirmed_keep_their_time_past_the_hold(patient, offering):
    for hour, status in [(10, BookingStatus.AWAITING_DEPOSIT), (11, BookingStatus.CONFIRMED)]:
        booking = booking_hold(patient=patient, offering=offering, start=paris(hour), now=NOW)
        Booking.objects.filter(pk=booking.pk).update(status=status, deposit_due_at=NOW + dt.timedelta(days=2))

    assert booking_expire_holds(now=NOW + dt.timedelta(hours=1)) == 0
    busy = offering_busy_intervals(offering=offering, start=paris(0), end=paris(23), now=NOW + dt.timedelta(hours=1))
    assert [b.start for b in busy] == [paris(10), paris(11)]


def test_the_expiry_task_expires_lapsed_holds_and_runs_every_minute(patient, offering):
    real_now = timezone.now()
    slot = offering_first_free_slot(offering=offering, now=real_now)
    booking_hold(patient=patient, offering=offering, start=slot.start, now=real_now - dt.timedelta(minutes=20))

    assert expire_held_bookings.delay().get() == 1
    assert Booking.objects.get().status == BookingStatus.EXPIRED
    entry = settings.CELERY_BEAT_SCHEDULE["expire-held-bookings"]
    assert entry["task"] == "bookings.tasks.expire_held_bookings"
    assert entry["schedule"] == dt.timedelta(minutes=1)


# --- next free slot -------------------------------------------------------------------------------


def test_the_next_free_slot_moves_after_a_hold_commits(patient, offering, django_capture_on_commit_callbacks):
    now = timezone.now()
    offerings_refresh_next_slot(offering_ids=[offering.pk], now=now)
    offering.refresh_from_db()
    first = offering.next_slot_at
    assert first is not None

    with django_capture_on_commit_callbacks(execute=True):
        booking_hold(patient=patient, offering=offering, start=first, now=now)

    offering.refresh_from_db()
    assert offering.next_slot_at > first


def test_the_next_free_slot_comes_back_after_the_hold_expires(patient, offering, django_capture_on_commit_callbacks):
    now = timezone.now()
    first = offering_first_free_slot(offering=offering, now=now).start
    with django_capture_on_commit_callbacks(execute=True):
        booking_hold(patient=patient, offering=offering, start=first, now=now)
    offering.refresh_from_db()
    assert offering.next_slot_at > first

    with django_capture_on_commit_callbacks(execute=True):
        booking_expire_holds(now=now + dt.timedelta(minutes=15))

    offering.refresh_from_db()
    assert offering.next_slot_at == first


# --- PostgreSQL: the database guard and real concurrency (REL-1, REL-2) ---------------------------


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint and row locks are PostgreSQL's")


def test_the_database_refuses_an_overlapping_live_appointment_inserted_directly(patient, other_patient, offering):
    require_postgresql()
    held = booking_hold(patient=patient, offering=offering, start=paris(10), now=NOW)
    other = Booking.objects.create(
        patient=other_patient,
        offering=offering,
        provider=offering.provider,
        status=BookingStatus.CONFIRMED,
        deposit_amount=0,
        currency="EUR",
        cancellation_policy=held.cancellation_policy,
        created_at=NOW,
        updated_at=NOW,
    )

    with pytest.raises(IntegrityError, match="bookings_appointment_no_overlap"), transaction.atomic():
        Appointment.objects.create(booking=other, provider=offering.provider, start=paris(10, 15), end=paris(10, 45))

    # Adjacent [) ranges and appointments that no longer hold their time are allowed.
    Appointment.objects.create(booking=other, provider=offering.provider, start=paris(10, 30), end=paris(11))
    Appointment.objects.create(booking=other, provider=offering.provider, start=paris(10), end=paris(11), live=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_patients_holding_one_slot_at_once_get_one_success_and_nineteen_conflicts():
    require_postgresql()
    offering = bookable()

    for round_number in range(5):
        # New patients each round: a patient who won three rounds would be refused the fourth for
        # holding too many unpaid appointments (BOOKING_MAX_LIVE_HOLDS), not for the slot.
        patients = [PatientFactory() for _ in range(20)]
        start = paris(10) + dt.timedelta(minutes=30 * round_number)
        barrier = threading.Barrier(len(patients))
        results: list[str] = []

        def attempt(patient, start=start, barrier=barrier, results=results):
            try:
                barrier.wait(timeout=30)
                booking_hold(patient=patient, offering=offering, start=start, now=NOW)
                results.append("ok")
            except Conflict as error:
                results.append(f"conflict:{error.code}")
            except Exception as error:  # anything else is a failure the assertion shows
                results.append(f"error:{error!r}")
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(p,)) for p in patients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        assert sorted(results) == ["conflict:slot_taken"] * 19 + ["ok"], f"round {round_number}"
        assert Appointment.objects.filter(live=True, start=start).count() == 1
    assert Booking.objects.count() == 5
