"""The second-opinion clock, as pure functions (docs/decisions.md "Second opinion").

"96 working hours" is read as 96 hours counted over the specialist's working days only: Monday to
Friday, minus the public holidays of the specialist's country (the `holidays` package), each day
from midnight to midnight in the specialist's timezone. That is four working days: a file
completed on Friday at 16:00 in Paris is due on Thursday at 16:00. Time is counted as it passes
(a working day on which the clocks change counts 23 or 25 hours); pauses (the coordinator waits
for documents, or for the patient's choice) do not count.

Nothing here reads the database or the time: the callers pass the start, the pauses and now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# A calendar with no working day at all would never end: stop looking after ten years.
_HORIZON_DAYS = 3660

Pause = tuple[dt.datetime, dt.datetime | None]


@dataclass(frozen=True)
class WorkingCalendar:
    """Whose working days count: an IANA timezone and an ISO 3166-1 country code."""

    timezone: str
    country: str


@lru_cache(maxsize=64)
def _public_holidays(country: str) -> holidays.HolidayBase | None:
    try:
        return holidays.country_holidays(country.upper())
    except NotImplementedError:
        return None  # a country the package does not know: weekends only


def is_working_day(day: dt.date, calendar: WorkingCalendar) -> bool:
    if day.weekday() >= 5:
        return False
    public = _public_holidays(calendar.country)
    return public is None or day not in public


def _working_segments(start: dt.datetime, calendar: WorkingCalendar) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The working days from `start`'s local day on, each as [local midnight, next local midnight) in UTC."""
    zone = ZoneInfo(calendar.timezone)
    day = start.astimezone(zone).date()
    for _ in range(_HORIZON_DAYS):
        if is_working_day(day, calendar):
            begin = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone).astimezone(dt.UTC)
            yield begin, end
        day += dt.timedelta(days=1)


def _merged(pauses: Sequence[Pause], until: dt.datetime | None) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """Pauses sorted and merged; an open pause (no end) runs to `until`, or for ever when None."""
    spans = sorted(((start, end if end is not None else until) for start, end in pauses), key=lambda span: span[0])
    merged: list[tuple[dt.datetime, dt.datetime | None]] = []
    for start, end in spans:
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or start <= last_end:
                merged[-1] = (last_start, None if end is None or last_end is None else max(last_end, end))
                continue
        merged.append((start, end))
    return merged


def _counted(
    start: dt.datetime, calendar: WorkingCalendar, pauses: Sequence[Pause], until: dt.datetime | None
) -> Iterator[tuple[dt.datetime, dt.datetime | None]]:
    """The stretches of time that count, in order, from `start`: working days minus pauses."""
    gaps = _merged(pauses, until)
    for begin, end in _working_segments(start, calendar):
        begin = max(begin, start)
        if begin >= end:
            continue
        cursor: dt.datetime = begin
        for gap_start, gap_end in gaps:
            if gap_end is not None and gap_end <= cursor:
                continue
            if gap_start >= end:
                break
            if gap_start > cursor:
                yield cursor, gap_start
            if gap_end is None:
                yield cursor if gap_start <= cursor else gap_start, None  # paused from here on
                return
            cursor = max(cursor, gap_end)
            if cursor >= end:
                break
        if cursor < end:
            yield cursor, end


def due_at(
    *, start: dt.datetime, hours: int, calendar: WorkingCalendar, pauses: Sequence[Pause] = ()
) -> dt.datetime | None:
    """When `hours` working hours from `start` end, or None while a pause is open (the clock is stopped)."""
    remaining = dt.timedelta(hours=hours)
    for begin, end in _counted(start, calendar, pauses, until=None):
        if end is None:
            return None
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    raise ValueError(f"no working day in {calendar} within {_HORIZON_DAYS} days")


def worked(
    *, start: dt.datetime, now: dt.datetime, calendar: WorkingCalendar, pauses: Sequence[Pause] = ()
) -> dt.timedelta:
    """How much working time has counted from `start` until `now` (an open pause ends at `now`)."""
    total = dt.timedelta()
    if now <= start:
        return total
    for begin, end in _counted(start, calendar, pauses, until=now):
        if begin >= now:
            break
        total += min(end if end is not None else now, now) - begin
    return total


def share_elapsed(
    *, start: dt.datetime, now: dt.datetime, hours: int, calendar: WorkingCalendar, pauses: Sequence[Pause] = ()
) -> float:
    """The share of the `hours` used at `now`: 0.75 is the coordinator's alert, 1.0 the deadline."""
    return worked(start=start, now=now, calendar=calendar, pauses=pauses) / dt.timedelta(hours=hours)
