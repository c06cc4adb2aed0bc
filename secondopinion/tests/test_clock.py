"""The working-hours clock as a table (docs/decisions.md "Second opinion"): pure functions, no database.

Each row names the rule it shows. Times are written in the calendar's own timezone, as a patient
or a specialist there reads them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from secondopinion.clock import WorkingCalendar, due_at, is_working_day, share_elapsed, worked

PARIS = WorkingCalendar(timezone="Europe/Paris", country="FR")
ISTANBUL = WorkingCalendar(timezone="Europe/Istanbul", country="TR")
NEW_YORK = WorkingCalendar(timezone="America/New_York", country="US")
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def at(calendar: WorkingCalendar, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A wall-clock time in the calendar's timezone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(calendar.timezone))


def paris(*args: int) -> dt.datetime:
    return at(PARIS, *args)


DUE_CASES = [
    # (start, hours, calendar, pauses, expected due)
    pytest.param(
        paris(2026, 12, 4, 16), 96, PARIS, (), paris(2026, 12, 10, 16), id="friday-16h-in-paris-is-due-thursday-16h"
    ),
    pytest.param(paris(2026, 12, 7, 9), 96, PARIS, (), paris(2026, 12, 11, 9), id="monday-9h-is-due-friday-9h"),
    pytest.param(
        paris(2026, 12, 9, 10), 96, PARIS, (), paris(2026, 12, 15, 10), id="a-weekend-in-between-adds-two-days"
    ),
    pytest.param(
        paris(2027, 3, 26, 16), 96, PARIS, (), paris(2027, 4, 2, 16), id="easter-monday-2027-03-29-adds-a-day"
    ),
    pytest.param(
        paris(2026, 4, 30, 10), 96, PARIS, (), paris(2026, 5, 7, 10), id="first-of-may-on-a-friday-adds-a-day"
    ),
    pytest.param(
        at(ISTANBUL, 2027, 3, 5, 10),
        96,
        ISTANBUL,
        (),
        at(ISTANBUL, 2027, 3, 16, 10),
        id="ramadan-bayram-2027-03-09-to-11-in-turkiye-adds-three-days",
    ),
    pytest.param(
        paris(2026, 3, 27, 16), 96, PARIS, (), paris(2026, 4, 2, 16), id="dst-weekend-same-local-time-on-thursday"
    ),
    pytest.param(
        paris(2026, 12, 5, 11), 96, PARIS, (), paris(2026, 12, 11, 0), id="a-saturday-start-counts-from-monday"
    ),
    pytest.param(
        paris(2026, 12, 25, 10), 96, PARIS, (), paris(2027, 1, 1, 0), id="a-start-on-christmas-counts-from-monday"
    ),
    pytest.param(paris(2026, 12, 24, 10), 96, PARIS, (), paris(2026, 12, 31, 10), id="christmas-day-inside-adds-a-day"),
    pytest.param(
        at(NEW_YORK, 2026, 11, 25, 10),
        96,
        NEW_YORK,
        (),
        at(NEW_YORK, 2026, 12, 2, 10),
        id="thanksgiving-in-new-york-adds-a-day",
    ),
    pytest.param(
        paris(2026, 11, 25, 10),
        96,
        PARIS,
        (),
        paris(2026, 12, 1, 10),
        id="thanksgiving-is-no-holiday-in-paris",
    ),
    pytest.param(
        paris(2026, 12, 7, 9),
        96,
        PARIS,
        ((paris(2026, 12, 8, 9), paris(2026, 12, 9, 9)),),
        paris(2026, 12, 14, 9),
        id="a-day-paused-adds-a-day",
    ),
    pytest.param(
        paris(2026, 12, 7, 9),
        96,
        PARIS,
        ((paris(2026, 12, 8, 9), paris(2026, 12, 8, 21)), (paris(2026, 12, 8, 15), paris(2026, 12, 9, 9))),
        paris(2026, 12, 14, 9),
        id="overlapping-pauses-count-once",
    ),
    pytest.param(
        paris(2026, 12, 4, 16),
        96,
        PARIS,
        ((paris(2026, 12, 5, 10), paris(2026, 12, 6, 20)),),
        paris(2026, 12, 10, 16),
        id="a-pause-over-the-weekend-changes-nothing",
    ),
    pytest.param(
        paris(2026, 12, 7, 10), 24, PARIS, (), paris(2026, 12, 8, 10), id="accept-window-24h-monday-to-tuesday"
    ),
    pytest.param(
        paris(2026, 12, 4, 16), 24, PARIS, (), paris(2026, 12, 7, 16), id="accept-window-24h-friday-to-monday"
    ),
    pytest.param(
        paris(2026, 12, 24, 16), 24, PARIS, (), paris(2026, 12, 28, 16), id="accept-window-24h-over-christmas"
    ),
]


@pytest.mark.parametrize(("start", "hours", "calendar", "pauses", "expected"), DUE_CASES)
def test_the_opinion_is_due_after_the_working_hours(start, hours, calendar, pauses, expected):
    due = due_at(start=start, hours=hours, calendar=calendar, pauses=pauses)

    assert due == expected
    assert due.astimezone(ZoneInfo(calendar.timezone)).timetuple()[:5] == expected.timetuple()[:5]


def test_across_the_spring_dst_change_the_deadline_is_one_hour_earlier_in_utc_than_naive_addition():
    start = paris(2026, 3, 27, 16)  # the Friday before the last Sunday of March 2026 (29th)
    naive = start.astimezone(dt.UTC) + 6 * DAY  # Friday 15:00 UTC + six calendar days

    due = due_at(start=start, hours=96, calendar=PARIS)

    assert due.astimezone(dt.UTC) == naive - HOUR
    assert due.astimezone(ZoneInfo("Europe/Paris")).hour == 16


def test_an_open_pause_stops_the_clock_so_there_is_no_deadline():
    start = paris(2026, 12, 7, 9)

    assert due_at(start=start, hours=96, calendar=PARIS, pauses=((paris(2026, 12, 8, 9), None),)) is None


def test_a_pause_opened_before_the_start_and_still_open_stops_the_clock_too():
    assert (
        due_at(start=paris(2026, 12, 7, 9), hours=96, calendar=PARIS, pauses=((paris(2026, 12, 6, 9), None),)) is None
    )


HOLIDAY_CASES = [
    pytest.param(dt.date(2027, 3, 29), PARIS, False, id="easter-monday-2027-fr"),
    pytest.param(dt.date(2026, 5, 1), PARIS, False, id="first-of-may-2026-fr"),
    pytest.param(dt.date(2027, 3, 10), ISTANBUL, False, id="ramadan-bayram-2027-tr"),
    pytest.param(dt.date(2026, 11, 26), NEW_YORK, False, id="thanksgiving-2026-us"),
    pytest.param(dt.date(2026, 11, 26), PARIS, True, id="thanksgiving-is-a-working-day-in-fr"),
    pytest.param(dt.date(2026, 12, 5), PARIS, False, id="a-saturday"),
    pytest.param(dt.date(2026, 12, 7), PARIS, True, id="a-monday"),
]


@pytest.mark.parametrize(("day", "calendar", "working"), HOLIDAY_CASES)
def test_working_days_are_weekdays_without_the_country_s_public_holidays(day, calendar, working):
    assert is_working_day(day, calendar) is working


WORKED_CASES = [
    # (start, now, calendar, pauses, expected worked)
    pytest.param(paris(2026, 12, 4, 16), paris(2026, 12, 4, 20), PARIS, (), 4 * HOUR, id="four-hours-on-the-friday"),
    pytest.param(paris(2026, 12, 4, 16), paris(2026, 12, 6, 20), PARIS, (), 8 * HOUR, id="the-weekend-does-not-count"),
    pytest.param(
        paris(2026, 12, 4, 16), paris(2026, 12, 7, 10), PARIS, (), 18 * HOUR, id="friday-evening-and-monday-morning"
    ),
    pytest.param(
        paris(2026, 12, 7, 9),
        paris(2026, 12, 8, 9),
        PARIS,
        ((paris(2026, 12, 7, 12), None),),
        3 * HOUR,
        id="an-open-pause-counts-nothing-from-its-start",
    ),
    pytest.param(
        paris(2026, 12, 7, 9),
        paris(2026, 12, 8, 9),
        PARIS,
        ((paris(2026, 12, 7, 12), paris(2026, 12, 7, 18)),),
        18 * HOUR,
        id="a-closed-pause-counts-nothing-inside-it",
    ),
    pytest.param(
        paris(2026, 3, 27, 0), paris(2026, 3, 31, 0), PARIS, (), 48 * HOUR, id="the-dst-weekend-counts-nothing"
    ),
    pytest.param(
        paris(2026, 12, 7, 9), paris(2026, 12, 7, 8), PARIS, (), dt.timedelta(), id="before-the-start-nothing"
    ),
]


@pytest.mark.parametrize(("start", "now", "calendar", "pauses", "expected"), WORKED_CASES)
def test_worked_counts_the_working_time_up_to_now(start, now, calendar, pauses, expected):
    assert worked(start=start, now=now, calendar=calendar, pauses=pauses) == expected


SHARE_CASES = [
    pytest.param(paris(2026, 12, 9, 16), 0.75, id="three-quarters-on-wednesday-16h"),
    pytest.param(paris(2026, 12, 9, 15, 59), 0.75 - 1 / (96 * 60), id="one-minute-before-three-quarters"),
    pytest.param(paris(2026, 12, 10, 16), 1.0, id="all-of-it-at-the-deadline"),
    pytest.param(paris(2026, 12, 4, 16), 0.0, id="none-at-the-start"),
]


@pytest.mark.parametrize(("now", "expected"), SHARE_CASES)
def test_the_share_used_reaches_three_quarters_a_working_day_before_the_deadline(now, expected):
    share = share_elapsed(start=paris(2026, 12, 4, 16), now=now, hours=96, calendar=PARIS)

    assert share == pytest.approx(expected)
