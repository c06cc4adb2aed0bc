"""Free slots of an offering, from its location's weekly rules and exceptions.

Rules are wall-clock times in the location's timezone, so "Monday 09:00" stays 09:00 local across
a daylight-saving change while its UTC instant moves. Slots come out as aware datetimes in that
timezone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core import hooks
from providers.models import ExceptionKind, Offering

UTC = dt.UTC


@dataclass(frozen=True, order=True)
class Slot:
    start: dt.datetime
    end: dt.datetime


def offering_busy_intervals(
    *, offering: Offering, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> list[Slot]:
    """Times already taken for this offering's provider between `start` and `end`, by start.

    Which times are taken is the bookings' rule (live appointments of bookings awaiting their
    deposit or confirmed, or held with a hold not expired at `now`, default the current time):
    asked through `core.hooks.busy_intervals`, which bookings answers in one query.
    """
    answers = hooks.busy_intervals.call(provider_ids=[offering.provider_id], start=start, end=end, now=now)
    return sorted(
        Slot(busy_start, busy_end)
        for intervals in answers
        for provider_id, busy_start, busy_end in intervals
        if provider_id == offering.provider_id
    )


def _wall_to_aware(day: dt.date, wall: dt.time | dt.datetime, tz: ZoneInfo) -> dt.datetime | None:
    """The instant of a wall-clock time, or None when that time does not exist (spring forward)."""
    naive = wall if isinstance(wall, dt.datetime) else dt.datetime.combine(day, wall)
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return aware


class _BusyIndex:
    """Busy intervals, asked whether a slot overlaps one of them in O(log n) rather than O(n).

    A 30-day range of a busy provider has hundreds of slots and hundreds of busy intervals; a scan
    of every interval for every slot cost most of the computation. The intervals are sorted by
    start, next to the latest end among each prefix: a slot [s, e) overlaps one iff, among those
    starting before e, the latest end is after s (intervals may overlap each other).
    """

    def __init__(self, busy: Iterable[Slot]) -> None:
        # All in UTC: comparing datetimes of one tzinfo skips a utcoffset() call per comparison.
        ordered = sorted((b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in busy)
        self.starts = [start for start, _end in ordered]
        self.latest_ends = list(itertools.accumulate((end for _start, end in ordered), max))

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether [start, end), given in UTC, overlaps a busy interval."""
        before_end = bisect.bisect_left(self.starts, end)
        return before_end > 0 and self.latest_ends[before_end - 1] > start


def offering_free_slots(
    *,
    offering: Offering,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
    busy: Iterable[Slot] | None = None,
) -> list[Slot]:
    """Free slots of `offering` on the location's calendar days `first_day`..`last_day`.

    1. Open windows per day: the weekly rules of that weekday, unless the day is closed by an
       exception, plus any extra openings of that day.
    2. Cut each window into slots of `slot_minutes`, stepping in wall-clock time; a slot must
       end by the window's end, and one whose start does not exist (DST gap) is skipped.
    3. Keep slots starting no earlier than now + minimum notice and no later than now + horizon.
    4. Drop slots that overlap a busy interval (appointments and holds: `offering_busy_intervals`).

    Uses three queries (rules, exceptions, busy intervals) whatever the range; one when rules and
    exceptions are prefetched, none when `busy` is given too.
    """
    location = offering.location
    tz = ZoneInfo(location.timezone)
    earliest = (now + dt.timedelta(hours=offering.min_notice_hours)).astimezone(UTC)
    latest = (now + dt.timedelta(days=offering.horizon_days)).astimezone(UTC)
    step = dt.timedelta(minutes=offering.slot_minutes)

    rules_by_weekday = defaultdict(list)
    for rule in location.weekly_rules.all():
        rules_by_weekday[rule.weekday].append((rule.start, rule.end))
    closed_days = set()
    extra_by_day = defaultdict(list)
    for exception in location.exceptions.all():
        if not first_day <= exception.date <= last_day:
            continue
        if exception.kind == ExceptionKind.CLOSED:
            closed_days.add(exception.date)
        elif exception.start is not None and exception.end is not None:  # extra hours have both (a check)
            extra_by_day[exception.date].append((exception.start, exception.end))

    if busy is None:
        busy = offering_busy_intervals(
            offering=offering,
            start=dt.datetime.combine(first_day, dt.time.min, tzinfo=tz),
            end=dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
    taken = _BusyIndex(busy)

    slots: list[Slot] = []
    day = first_day
    while day <= last_day:
        windows = [] if day in closed_days else list(rules_by_weekday[day.weekday()])
        windows += extra_by_day[day]
        for opens, closes in sorted(windows):
            wall = dt.datetime.combine(day, opens)
            window_end = dt.datetime.combine(day, closes)
            # Across a spring-forward gap a wall-clock step is an hour shorter in real time: a slot
            # could start before the previous one ends, or end after closing. Check in UTC.
            closes_at = window_end.replace(tzinfo=tz).astimezone(UTC)
            previous_end = None
            while wall + step <= window_end:
                start = _wall_to_aware(day, wall, tz)
                wall += step
                if start is None:
                    continue
                start_utc = start.astimezone(UTC)
                end = start_utc + step
                if end > closes_at or (previous_end is not None and start_utc < previous_end):
                    continue
                previous_end = end
                if earliest <= start_utc <= latest and not taken.overlaps(start_utc, end):
                    slots.append(Slot(start, end.astimezone(tz)))
        day += dt.timedelta(days=1)
    return sorted(set(slots))


def offering_first_free_slot(*, offering: Offering, now: dt.datetime, chunk_days: int = 14) -> Slot | None:
    """The first free slot within the offering's horizon, looking two weeks at a time."""
    tz = ZoneInfo(offering.location.timezone)
    day = now.astimezone(tz).date()
    last = (now + dt.timedelta(days=offering.horizon_days)).astimezone(tz).date()
    while day <= last:
        end = min(day + dt.timedelta(days=chunk_days - 1), last)
        slots = offering_free_slots(offering=offering, first_day=day, last_day=end, now=now)
        if slots:
            return slots[0]
        day = end + dt.timedelta(days=1)
    return None
