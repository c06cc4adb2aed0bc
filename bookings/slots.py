"""The slots a page offers as buttons: an offering's next free times, or those of the week a patient
picks with the "more dates" form. For the provider's public page (holding a slot) and the booking
page (moving an appointment); the rules of which times are free stay in providers.availability.

A date is input: a bad or past one is answered with a message beside the picker, never an error page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from bookings.selectors import busy_intervals
from providers.availability import Slot, offering_free_slots
from providers.models import Offering
from providers.selectors import offering_next_slots

# The next slots are looked for over this many days after today.
NEXT_DAYS = 14
# The "more dates" picker shows the week from the day asked, at most this many slots.
PICKED_DAYS = 7
PICKED_LIMIT = 40


@dataclass
class SlotChoice:
    """What the slot buttons of one offering show: `slots`, the day picked (None: the next ones),
    the picker's value and its error."""

    offering: Offering
    slots: list[Slot] = field(default_factory=list)
    day: dt.date | None = None
    value: str = ""
    error: str = ""
    place_tz: str = ""
    min_day: str = ""
    max_day: str = ""


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def offering_slot_choice(
    *, offering: Offering, params, now: dt.datetime, picked: bool = True, busy: list[Slot] | None = None
) -> SlotChoice:
    """The slots to offer for `offering`. `params` is the page's query (`date`, and `offering` when
    the page lists several): a valid day within the offering's horizon shows that week's slots;
    anything else shows the next free ones, with a message saying what was wrong. `busy`: the
    provider's times taken over the next slots' range (`provider_next_busy`), else read here."""
    tz = ZoneInfo(offering.location.timezone)
    today = now.astimezone(tz).date()
    last = (now + dt.timedelta(days=offering.horizon_days)).astimezone(tz).date()
    choice = SlotChoice(
        offering=offering, place_tz=offering.location.timezone, min_day=today.isoformat(), max_day=last.isoformat()
    )
    asked = params.get("date", "") if picked else ""
    target = params.get("offering")
    if asked and (target is None or target == str(offering.pk)):
        choice.value = asked[:32]
        day = _parse_day(asked)
        if day is None:
            choice.error = _("“%(value)s” is not a date: pick a day in the calendar (year-month-day).") % {
                "value": choice.value
            }
        elif day < today:
            choice.error = _("That day is past: pick today or a later day.")
        elif day > last:
            choice.error = _("%(offering)s can be booked up to %(date)s: pick an earlier day.") % {
                "offering": offering.title,
                "date": last.isoformat(),
            }
        else:
            choice.day = day
            end = min(day + dt.timedelta(days=PICKED_DAYS - 1), last)
            choice.slots = offering_free_slots(offering=offering, first_day=day, last_day=end, now=now)[:PICKED_LIMIT]
            return choice
    choice.slots = offering_next_slots(offering=offering, now=now, days=NEXT_DAYS, busy=busy)
    return choice


def provider_next_busy(*, provider_id: int, now: dt.datetime) -> list[Slot]:
    """The provider's times taken over the range of its offerings' next slots, in one query (a
    page listing several offerings reads them once, not once per offering). A day is added on each
    side: every offering's calendar days, in its location's timezone, fall inside."""
    start = now - dt.timedelta(days=1)
    end = now + dt.timedelta(days=NEXT_DAYS + 2)
    return [
        Slot(busy_start, busy_end)
        for _provider, busy_start, busy_end in busy_intervals(provider_ids=[provider_id], start=start, end=end, now=now)
    ]


def parse_start(value: str) -> dt.datetime | None:
    """The slot a button sends: an ISO 8601 instant with its offset; None for anything else."""
    try:
        start = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if start.tzinfo is None or start.utcoffset() is None:
        return None
    return start
