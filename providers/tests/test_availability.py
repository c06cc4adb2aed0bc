"""Free slots from weekly rules and exceptions, across timezones and daylight-saving changes,
and the services that set those rules."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import Forbidden, ValidationFailed
from core.models import AuditEvent
from providers.availability import Slot, offering_free_slots
from providers.models import AvailabilityException, ExceptionKind, Offering, Weekday, WeeklyRule
from providers.services import exception_add, weekly_rule_add
from providers.tests.factories import LocationFactory, MemberFactory, OfferingFactory, open_weekdays

pytestmark = pytest.mark.django_db

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")

# Long before every day used below; the factory's offering has no notice and a 365-day horizon.
LONG_BEFORE = dt.datetime(2026, 9, 1, tzinfo=UTC)


def offering_in(tz: str, **kwargs) -> Offering:
    return OfferingFactory(location__timezone=tz, **kwargs)


def rule(offering: Offering, weekday: int, start: dt.time, end: dt.time) -> WeeklyRule:
    return WeeklyRule.objects.create(location=offering.location, weekday=weekday, start=start, end=end)


def extra_opening(offering: Offering, date: dt.date, start: dt.time, end: dt.time) -> AvailabilityException:
    return AvailabilityException.objects.create(
        location=offering.location, date=date, kind=ExceptionKind.EXTRA, start=start, end=end
    )


def closed_day(offering: Offering, date: dt.date) -> AvailabilityException:
    return AvailabilityException.objects.create(location=offering.location, date=date, kind=ExceptionKind.CLOSED)


def slots(offering: Offering, first_day: dt.date, last_day: dt.date | None = None, **kwargs) -> list[Slot]:
    kwargs.setdefault("now", LONG_BEFORE)
    return offering_free_slots(offering=offering, first_day=first_day, last_day=last_day or first_day, **kwargs)


def local_starts(found: list[Slot]) -> list[str]:
    """Start times as ISO strings: the wall-clock time and the UTC offset, both exact."""
    return [slot.start.isoformat() for slot in found]


def utc_starts(found: list[Slot]) -> list[dt.datetime]:
    return [slot.start.astimezone(UTC) for slot in found]


def assert_no_overlap_in_absolute_time(found: list[Slot]) -> None:
    instants = [(slot.start.astimezone(UTC), slot.end.astimezone(UTC)) for slot in found]
    for (_, earlier_end), (later_start, _) in itertools.pairwise(instants):
        assert earlier_end <= later_start


# --- timezones -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "expected_local", "expected_utc_hour", "expected_utc_minute"),
    [
        ("Europe/Paris", ["2027-01-11T09:00:00+01:00", "2027-01-11T09:30:00+01:00"], 8, 0),
        ("Asia/Bangkok", ["2027-01-11T09:00:00+07:00", "2027-01-11T09:30:00+07:00"], 2, 0),
        ("Asia/Kolkata", ["2027-01-11T09:00:00+05:30", "2027-01-11T09:30:00+05:30"], 3, 30),
        ("America/Sao_Paulo", ["2027-01-11T09:00:00-03:00", "2027-01-11T09:30:00-03:00"], 12, 0),
        ("America/New_York", ["2027-01-11T09:00:00-05:00", "2027-01-11T09:30:00-05:00"], 14, 0),
    ],
)
def test_a_monday_nine_oclock_rule_opens_at_nine_local_time_at_the_matching_utc_instant(
    tz, expected_local, expected_utc_hour, expected_utc_minute
):
    offering = offering_in(tz)
    rule(offering, Weekday.MONDAY, dt.time(9), dt.time(10))

    found = slots(offering, dt.date(2027, 1, 11))

    assert local_starts(found) == expected_local
    first_utc = dt.datetime(2027, 1, 11, expected_utc_hour, expected_utc_minute, tzinfo=UTC)
    assert utc_starts(found) == [first_utc, first_utc + dt.timedelta(minutes=30)]
    assert [slot.end.astimezone(UTC) for slot in found] == [
        first_utc + dt.timedelta(minutes=30),
        first_utc + dt.timedelta(minutes=60),
    ]
    assert all(slot.start.tzinfo == ZoneInfo(tz) for slot in found)


def test_bangkok_has_no_daylight_saving_so_nine_oclock_is_two_utc_in_winter_and_summer():
    offering = offering_in("Asia/Bangkok", slot_minutes=60)
    rule(offering, Weekday.MONDAY, dt.time(9), dt.time(10))

    january = slots(offering, dt.date(2027, 1, 11))
    july = slots(offering, dt.date(2027, 7, 12))

    assert utc_starts(january) == [dt.datetime(2027, 1, 11, 2, tzinfo=UTC)]
    assert utc_starts(july) == [dt.datetime(2027, 7, 12, 2, tzinfo=UTC)]


# --- daylight-saving changes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "monday_before", "monday_after", "expected_local", "expected_utc"),
    [
        pytest.param(
            "Europe/Paris",
            dt.date(2026, 10, 19),
            dt.date(2026, 10, 26),
            ["2026-10-19T09:00:00+02:00", "2026-10-26T09:00:00+01:00"],
            [dt.datetime(2026, 10, 19, 7, tzinfo=UTC), dt.datetime(2026, 10, 26, 8, tzinfo=UTC)],
            id="paris-autumn",
        ),
        pytest.param(
            "Europe/Paris",
            dt.date(2027, 3, 22),
            dt.date(2027, 3, 29),
            ["2027-03-22T09:00:00+01:00", "2027-03-29T09:00:00+02:00"],
            [dt.datetime(2027, 3, 22, 8, tzinfo=UTC), dt.datetime(2027, 3, 29, 7, tzinfo=UTC)],
            id="paris-spring",
        ),
        pytest.param(
            "America/New_York",
            dt.date(2026, 10, 26),
            dt.date(2026, 11, 2),
            ["2026-10-26T09:00:00-04:00", "2026-11-02T09:00:00-05:00"],
            [dt.datetime(2026, 10, 26, 13, tzinfo=UTC), dt.datetime(2026, 11, 2, 14, tzinfo=UTC)],
            id="new-york-autumn",
        ),
        pytest.param(
            "America/New_York",
            dt.date(2027, 3, 8),
            dt.date(2027, 3, 15),
            ["2027-03-08T09:00:00-05:00", "2027-03-15T09:00:00-04:00"],
            [dt.datetime(2027, 3, 8, 14, tzinfo=UTC), dt.datetime(2027, 3, 15, 13, tzinfo=UTC)],
            id="new-york-spring",
        ),
    ],
)
def test_monday_nine_oclock_stays_nine_local_across_a_clock_change_while_its_utc_instant_moves_an_hour(
    tz, monday_before, monday_after, expected_local, expected_utc
):
    offering = offering_in(tz, slot_minutes=30)
    rule(offering, Weekday.MONDAY, dt.time(9), dt.time(9, 30))

    found = slots(offering, monday_before, monday_after)

    assert local_starts(found) == expected_local
    assert utc_starts(found) == expected_utc
    assert abs((expected_utc[1] - expected_utc[0]) - dt.timedelta(days=7)) == dt.timedelta(hours=1)


def test_an_opening_across_the_spring_forward_gap_skips_the_start_times_that_do_not_exist():
    # On 28 March 2027 Paris clocks jump from 02:00 to 03:00: 02:00 and 02:30 never happen.
    offering = offering_in("Europe/Paris", slot_minutes=30)
    extra_opening(offering, dt.date(2027, 3, 28), dt.time(1), dt.time(4))

    found = slots(offering, dt.date(2027, 3, 28))

    assert local_starts(found) == [
        "2027-03-28T01:00:00+01:00",
        "2027-03-28T01:30:00+01:00",
        "2027-03-28T03:00:00+02:00",
        "2027-03-28T03:30:00+02:00",
    ]
    assert utc_starts(found) == [
        dt.datetime(2027, 3, 28, 0, 0, tzinfo=UTC),
        dt.datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
        dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    ]
    assert_no_overlap_in_absolute_time(found)


def test_slots_that_do_not_divide_the_hour_never_overlap_across_the_spring_forward_gap():
    # Stepping 45 minutes of wall-clock time from 01:45 lands on 02:30, which does not exist, then
    # on 03:15 CEST (01:15 UTC), while the 01:45 CET slot only ends at 01:30 UTC.
    offering = offering_in("Europe/Paris", slot_minutes=45)
    extra_opening(offering, dt.date(2027, 3, 28), dt.time(1), dt.time(4))

    found = slots(offering, dt.date(2027, 3, 28))

    assert_no_overlap_in_absolute_time(found)
    assert local_starts(found) == ["2027-03-28T01:00:00+01:00", "2027-03-28T01:45:00+01:00"]


def test_a_slot_that_straddles_the_spring_forward_gap_still_ends_by_closing_time():
    # 01:00 CET plus 90 minutes is 03:30 CEST: half an hour after the location closes at 03:00.
    offering = offering_in("Europe/Paris", slot_minutes=90)
    extra_opening(offering, dt.date(2027, 3, 28), dt.time(1), dt.time(3))

    assert slots(offering, dt.date(2027, 3, 28)) == []


def test_on_the_fall_back_day_slots_are_distinct_ordered_and_the_repeated_hour_is_offered_once():
    # On 25 October 2026 Paris clocks go back from 03:00 to 02:00: 02:00–03:00 happens twice.
    offering = offering_in("Europe/Paris", slot_minutes=30)
    extra_opening(offering, dt.date(2026, 10, 25), dt.time(1), dt.time(4))

    found = slots(offering, dt.date(2026, 10, 25))

    assert local_starts(found) == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T03:30:00+01:00",
    ]
    instants = utc_starts(found)
    assert instants == sorted(set(instants))
    assert len(instants) == 6
    assert_no_overlap_in_absolute_time(found)


# --- rules and exceptions ------------------------------------------------------------------------------


def test_a_closed_day_removes_that_days_weekly_slots_and_only_that_days():
    offering = offering_in("Europe/Paris", slot_minutes=60)
    open_weekdays(offering.location, dt.time(9), dt.time(10))
    closed_day(offering, dt.date(2027, 1, 13))

    found = slots(offering, dt.date(2027, 1, 11), dt.date(2027, 1, 15))

    assert local_starts(found) == [
        "2027-01-11T09:00:00+01:00",
        "2027-01-12T09:00:00+01:00",
        "2027-01-14T09:00:00+01:00",
        "2027-01-15T09:00:00+01:00",
    ]


def test_an_extra_opening_on_a_sunday_adds_slots_on_that_sunday_only():
    offering = offering_in("Europe/Paris", slot_minutes=30)
    open_weekdays(offering.location, dt.time(9), dt.time(10))
    extra_opening(offering, dt.date(2027, 1, 17), dt.time(10), dt.time(11))

    found = slots(offering, dt.date(2027, 1, 16), dt.date(2027, 1, 24))

    weekend = [slot for slot in found if slot.start.weekday() >= Weekday.SATURDAY]
    assert local_starts(weekend) == ["2027-01-17T10:00:00+01:00", "2027-01-17T10:30:00+01:00"]


def test_two_windows_on_one_day_leave_no_slots_over_lunch():
    offering = offering_in("Europe/Paris", slot_minutes=60)
    rule(offering, Weekday.MONDAY, dt.time(14), dt.time(17))
    rule(offering, Weekday.MONDAY, dt.time(9), dt.time(12))

    found = slots(offering, dt.date(2027, 1, 11))

    assert [slot.start.time() for slot in found] == [
        dt.time(9),
        dt.time(10),
        dt.time(11),
        dt.time(14),
        dt.time(15),
        dt.time(16),
    ]


def test_a_slot_must_end_by_the_windows_closing_time():
    offering = offering_in("Europe/Paris", slot_minutes=30)
    rule(offering, Weekday.MONDAY, dt.time(9), dt.time(10, 45))

    found = slots(offering, dt.date(2027, 1, 11))

    assert [slot.start.time() for slot in found] == [dt.time(9), dt.time(9, 30), dt.time(10)]
    assert found[-1].end == dt.datetime(2027, 1, 11, 10, 30, tzinfo=PARIS)


# --- minimum notice and horizon ------------------------------------------------------------------------


def test_slots_before_the_minimum_notice_and_after_the_horizon_are_not_offered():
    offering = offering_in("Europe/Paris", slot_minutes=60, min_notice_hours=48, horizon_days=7)
    for weekday in Weekday.values:
        rule(offering, weekday, dt.time(9), dt.time(10))
    monday_half_past_nine_in_paris = dt.datetime(2027, 1, 11, 8, 30, tzinfo=UTC)

    found = slots(offering, dt.date(2027, 1, 11), dt.date(2027, 1, 25), now=monday_half_past_nine_in_paris)

    # Notice ends Wednesday 13 at 09:30 (too late for its 09:00); the horizon ends Monday 18 at 09:30.
    assert [slot.start.date() for slot in found] == [dt.date(2027, 1, day) for day in (14, 15, 16, 17, 18)]


@pytest.mark.parametrize(
    ("now", "wednesday_offered"),
    [
        (dt.datetime(2027, 1, 11, 8, 0, tzinfo=UTC), True),
        (dt.datetime(2027, 1, 11, 8, 1, tzinfo=UTC), False),
    ],
)
def test_a_slot_starting_exactly_at_the_end_of_the_notice_is_offered_one_minute_less_is_not(now, wednesday_offered):
    offering = offering_in("Europe/Paris", slot_minutes=60, min_notice_hours=48)
    rule(offering, Weekday.WEDNESDAY, dt.time(9), dt.time(10))

    found = slots(offering, dt.date(2027, 1, 13), now=now)

    assert bool(found) is wednesday_offered


# --- busy intervals ------------------------------------------------------------------------------------


def test_a_busy_interval_removes_exactly_the_slots_it_overlaps():
    offering = offering_in("Europe/Paris", slot_minutes=30)
    rule(offering, Weekday.MONDAY, dt.time(9), dt.time(11))
    # 09:40–10:10 Paris, given in UTC as bookings come from the database.
    busy = [Slot(dt.datetime(2027, 1, 11, 8, 40, tzinfo=UTC), dt.datetime(2027, 1, 11, 9, 10, tzinfo=UTC))]

    found = slots(offering, dt.date(2027, 1, 11), busy=busy)

    assert [slot.start.time() for slot in found] == [dt.time(9), dt.time(10, 30)]


def test_a_busy_interval_leaves_the_adjacent_slots_free():
    offering = offering_in("Europe/Paris", slot_minutes=30)
    rule(offering, Weekday.MONDAY, dt.time(9), dt.time(11))
    busy = [Slot(dt.datetime(2027, 1, 11, 9, 30, tzinfo=PARIS), dt.datetime(2027, 1, 11, 10, tzinfo=PARIS))]

    found = slots(offering, dt.date(2027, 1, 11), busy=busy)

    assert [slot.start.time() for slot in found] == [dt.time(9), dt.time(10), dt.time(10, 30)]


def test_a_long_busy_interval_removes_the_slots_it_covers_past_a_shorter_one_starting_later():
    offering = offering_in("Europe/Paris", slot_minutes=30)
    rule(offering, Weekday.MONDAY, dt.time(9), dt.time(13))
    busy = [
        Slot(dt.datetime(2027, 1, 11, 9, tzinfo=PARIS), dt.datetime(2027, 1, 11, 12, tzinfo=PARIS)),
        Slot(dt.datetime(2027, 1, 11, 9, 30, tzinfo=PARIS), dt.datetime(2027, 1, 11, 10, tzinfo=PARIS)),
    ]

    found = slots(offering, dt.date(2027, 1, 11), busy=busy)

    assert [slot.start.time() for slot in found] == [dt.time(12), dt.time(12, 30)]


def test_a_month_of_scattered_bookings_leaves_exactly_the_slots_that_overlap_none():
    offering = offering_in("Europe/Paris", slot_minutes=30)
    open_weekdays(offering.location, dt.time(9), dt.time(17))
    all_slots = slots(offering, dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    rng = random.Random(7)
    # Busy intervals of odd lengths and offsets, some overlapping each other, given in UTC.
    busy = []
    for slot in rng.sample(all_slots, 120):
        start = slot.start.astimezone(UTC) + dt.timedelta(minutes=rng.choice([-20, -5, 0, 10]))
        busy.append(Slot(start, start + dt.timedelta(minutes=rng.choice([5, 30, 45, 90]))))

    found = slots(offering, dt.date(2027, 1, 1), dt.date(2027, 1, 31), busy=busy)

    expected = [s for s in all_slots if not any(s.start < b.end and b.start < s.end for b in busy)]
    assert found == expected
    assert 0 < len(found) < len(all_slots)


# --- queries -------------------------------------------------------------------------------------------


def _thirty_days_of(offering: Offering) -> list[Slot]:
    return slots(offering, dt.date(2027, 1, 1), dt.date(2027, 1, 30))


@pytest.fixture
def busy_location_offering() -> Offering:
    offering = offering_in("Europe/Paris", slot_minutes=30)
    open_weekdays(offering.location, dt.time(9), dt.time(17))
    closed_day(offering, dt.date(2027, 1, 6))
    extra_opening(offering, dt.date(2027, 1, 9), dt.time(9), dt.time(12))
    return offering


def test_thirty_days_of_slots_take_at_most_three_queries(busy_location_offering, django_assert_max_num_queries):
    offering = Offering.objects.select_related("location").get(pk=busy_location_offering.pk)

    with django_assert_max_num_queries(3):  # rules, exceptions, busy intervals (bookings)
        found = _thirty_days_of(offering)

    # 21 weekdays but one closed, 16 slots each, plus the Saturday morning's 6.
    assert len(found) == 20 * 16 + 6


def test_thirty_days_of_slots_take_one_query_when_rules_and_exceptions_are_prefetched(
    busy_location_offering, django_assert_num_queries
):
    offering = (
        Offering.objects.select_related("location")
        .prefetch_related("location__weekly_rules", "location__exceptions")
        .get(pk=busy_location_offering.pk)
    )

    with django_assert_num_queries(1):  # the busy intervals (bookings)
        found = _thirty_days_of(offering)

    assert len(found) == 20 * 16 + 6


# --- services: weekly rules and exceptions ---------------------------------------------------------------


def add_rule(location, actor, weekday, start, end):
    return weekly_rule_add(location=location, actor=actor, weekday=weekday, start=start, end=end, now=timezone.now())


@pytest.mark.parametrize("end", [dt.time(9), dt.time(8, 59)], ids=["equal", "before"])
def test_a_weekly_rule_must_close_after_it_opens(location, clinic_admin, end):
    with pytest.raises(ValidationFailed) as raised:
        add_rule(location, clinic_admin, Weekday.MONDAY, dt.time(9), end)

    assert raised.value.message == "The closing time must be after the opening time."
    assert raised.value.details == {"end": ["The closing time must be after the opening time."]}
    assert not WeeklyRule.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.time(11), dt.time(13)),
        (dt.time(8), dt.time(9, 30)),
        (dt.time(10), dt.time(11)),
        (dt.time(8), dt.time(18)),
        (dt.time(9), dt.time(12)),
    ],
    ids=["overlaps-the-end", "overlaps-the-start", "inside", "around", "same-hours"],
)
def test_a_weekly_rule_may_not_overlap_another_on_the_same_day(location, clinic_admin, start, end):
    add_rule(location, clinic_admin, Weekday.MONDAY, dt.time(9), dt.time(12))

    with pytest.raises(ValidationFailed) as raised:
        add_rule(location, clinic_admin, Weekday.MONDAY, start, end)

    assert raised.value.message == "These hours overlap the hours already set on Monday, 09:00–12:00."
    assert list(raised.value.details) == ["start"]
    assert [str(saved) for saved in WeeklyRule.objects.all()] == ["Monday 09:00-12:00"]


def test_adjacent_weekly_rules_are_both_kept(location, clinic_admin):
    add_rule(location, clinic_admin, Weekday.MONDAY, dt.time(9), dt.time(12))
    add_rule(location, clinic_admin, Weekday.MONDAY, dt.time(12), dt.time(17))
    add_rule(location, clinic_admin, Weekday.MONDAY, dt.time(8), dt.time(9))

    assert [str(saved) for saved in WeeklyRule.objects.all()] == [
        "Monday 08:00-09:00",
        "Monday 09:00-12:00",
        "Monday 12:00-17:00",
    ]
    assert AuditEvent.objects.filter(action="providers.availability.rule_added").count() == 3


def test_the_same_hours_on_another_weekday_or_at_another_location_do_not_overlap(location, clinic_admin):
    second_location = LocationFactory(provider=location.provider, name="Second practice")
    add_rule(location, clinic_admin, Weekday.MONDAY, dt.time(9), dt.time(12))

    add_rule(location, clinic_admin, Weekday.TUESDAY, dt.time(9), dt.time(12))
    add_rule(second_location, clinic_admin, Weekday.MONDAY, dt.time(9), dt.time(12))

    assert sorted((saved.location_id, saved.weekday) for saved in WeeklyRule.objects.all()) == sorted(
        [(location.pk, Weekday.MONDAY), (location.pk, Weekday.TUESDAY), (second_location.pk, Weekday.MONDAY)]
    )


def test_someone_who_does_not_work_for_the_provider_cannot_set_its_hours(location):
    member_elsewhere = MemberFactory().user

    with pytest.raises(Forbidden) as raised:
        add_rule(location, member_elsewhere, Weekday.MONDAY, dt.time(9), dt.time(12))

    assert raised.value.message == "You are not a member of this provider."
    assert not WeeklyRule.objects.exists()


def test_an_extra_opening_needs_both_times(location, clinic_admin):
    with pytest.raises(ValidationFailed) as raised:
        exception_add(
            location=location,
            actor=clinic_admin,
            date=dt.date(2027, 1, 17),
            kind=ExceptionKind.EXTRA,
            start=dt.time(10),
            now=timezone.now(),
        )

    assert raised.value.message == "Give the opening and closing times of the extra opening."
    assert not AvailabilityException.objects.exists()


def test_an_extra_opening_must_close_after_it_opens(location, clinic_admin):
    with pytest.raises(ValidationFailed) as raised:
        exception_add(
            location=location,
            actor=clinic_admin,
            date=dt.date(2027, 1, 17),
            kind=ExceptionKind.EXTRA,
            start=dt.time(11),
            end=dt.time(10),
            now=timezone.now(),
        )

    assert raised.value.message == "The closing time must be after the opening time."
    assert not AvailabilityException.objects.exists()


def test_a_closed_day_added_through_the_service_ignores_times_and_removes_the_days_slots(location, clinic_admin):
    offering = OfferingFactory(provider=location.provider, location=location, slot_minutes=60)
    add_rule(location, clinic_admin, Weekday.MONDAY, dt.time(9), dt.time(10))

    closed = exception_add(
        location=location,
        actor=clinic_admin,
        date=dt.date(2027, 1, 11),
        kind=ExceptionKind.CLOSED,
        start=dt.time(9),
        end=dt.time(10),
        now=timezone.now(),
    )

    assert (closed.start, closed.end) == (None, None)
    assert slots(offering, dt.date(2027, 1, 11)) == []
    assert len(slots(offering, dt.date(2027, 1, 18))) == 1


def test_someone_who_does_not_work_for_the_provider_cannot_close_a_day(location):
    with pytest.raises(Forbidden):
        exception_add(
            location=location,
            actor=MemberFactory().user,
            date=dt.date(2027, 1, 11),
            kind=ExceptionKind.CLOSED,
            now=timezone.now(),
        )

    assert not AvailabilityException.objects.exists()
