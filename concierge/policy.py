"""What cancelling an add-on order gives back, and why: pure, like bookings' policy engine.

Rules per kind (docs/decisions.md#add-ons, from the operator's terms and common practice):
- transfer: each leg by its pickup time: 48 hours or more before, its full price; 24 to 48 hours,
  half; less than 24 hours, nothing. The refund is the sum over the legs;
- interpreter: 24 hours or more before the first interpreted hour, everything; later, the hours
  are billed in full;
- visa invitation letter: everything until the letter is issued, nothing after;
- VIP package: item by item, by its refund rule: a refundable item in full until it is booked,
  nothing after (and nothing for an item sold as not refundable);
- careteam assistance (and any other kind): everything until the careteam starts the work.

Hours are elapsed time, not wall-clock time: "48 hours before a pickup" is 48 real hours, so a
daylight-saving change in the place's timezone moves the wall-clock moment of the tier, not its
length (the driver's clock is the one that matters). Half of an amount is rounded half up to the
currency's charge step (`core.money.bps_share`), so a refund in KWD ends in 0 and Stripe accepts it.

No database, no clock: callers pass the facts (`OrderFacts`) and the moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.money import Money, allocate, bps_share, charge_step, format_money
from core.when import when_text

FULL_BEFORE_TRANSFER = dt.timedelta(hours=48)
HALF_BEFORE_TRANSFER = dt.timedelta(hours=24)
FULL_BEFORE_INTERPRETER = dt.timedelta(hours=24)
HALF_BPS = 5_000
_INSTANT = dt.timedelta(microseconds=1)


class Rule(StrEnum):
    NOT_PAID = "not_paid"
    TRANSFER_TIERS = "transfer_tiers"
    INTERPRETER_NOTICE = "interpreter_notice"
    INTERPRETER_LATE = "interpreter_late"
    LETTER_NOT_ISSUED = "letter_not_issued"
    LETTER_ISSUED = "letter_issued"
    PACKAGE_ITEMS = "package_items"
    WORK_NOT_STARTED = "work_not_started"
    WORK_STARTED = "work_started"


@dataclass(frozen=True)
class LegFacts:
    pickup_at: dt.datetime
    amount: int  # this leg's share of the order's price, minor units


@dataclass(frozen=True)
class ItemFacts:
    amount: int
    refundable: bool  # sold as refundable and not booked yet


@dataclass(frozen=True)
class OrderFacts:
    """What the policy reads of an order. `paid` is what the patient paid (zero: nothing to refund)."""

    kind: str
    paid: Money
    tz: ZoneInfo
    legs: tuple[LegFacts, ...] = ()
    interpreting_starts_at: dt.datetime | None = None  # None: the hours were already worked
    letter_issued: bool = False
    items: tuple[ItemFacts, ...] = ()
    work_started: bool = False


@dataclass(frozen=True)
class Refund:
    amount: Money
    rule: Rule
    explanation: str


@dataclass(frozen=True)
class Period:
    """A cancellation before `until` (None: at any later time, or after `event`) gives `refund`."""

    until: dt.datetime | None
    refund: Money
    label: str  # "until Mon, 3 March 2031, 10:15 (Istanbul time)", "until the letter is issued"


def _half(amount: int, currency: str) -> int:
    return bps_share(amount, HALF_BPS, step=charge_step(currency))


def _leg_refund(leg: LegFacts, at: dt.datetime, currency: str) -> int:
    before = _utc(leg.pickup_at) - _utc(at)
    if before >= FULL_BEFORE_TRANSFER:
        return leg.amount
    if before >= HALF_BEFORE_TRANSFER:
        return _half(leg.amount, currency)
    return 0


def _utc(moment: dt.datetime) -> dt.datetime:
    """In UTC: Python subtracts two datetimes of the same zone as wall-clock times, and adds hours
    to one the same way; in UTC both are elapsed time, whatever the place's clocks did."""
    return moment.astimezone(dt.UTC)


def _money(amount: int, currency: str) -> str:
    return format_money(Money(amount, currency), get_language() or "en")


def refund_at(facts: OrderFacts, at: dt.datetime) -> Refund:
    """What cancelling at `at` gives back, with the rule applied and a sentence explaining it."""
    currency = facts.paid.currency
    paid = facts.paid.amount
    if paid == 0:
        return Refund(Money.zero(currency), Rule.NOT_PAID, _("Nothing was paid, so nothing is refunded."))
    if facts.kind == "transfer":
        amount = min(paid, sum(_leg_refund(leg, at, currency) for leg in facts.legs))
        return Refund(
            Money(amount, currency),
            Rule.TRANSFER_TIERS,
            _(
                "%(refund)s of %(paid)s refunded: each leg is refunded in full 48 hours or more before its "
                "pickup, half between 24 and 48 hours before, and not at all later."
            )
            % {"refund": _money(amount, currency), "paid": _money(paid, currency)},
        )
    if facts.kind == "interpreter":
        starts = facts.interpreting_starts_at
        if starts is not None and _utc(starts) - _utc(at) >= FULL_BEFORE_INTERPRETER:
            return Refund(
                facts.paid,
                Rule.INTERPRETER_NOTICE,
                _("%(paid)s refunded in full: cancelled 24 hours or more before the first interpreted hour.")
                % {"paid": _money(paid, currency)},
            )
        return Refund(
            Money.zero(currency),
            Rule.INTERPRETER_LATE,
            _("Nothing refunded: an interpreter cancelled less than 24 hours before the first hour is billed in full."),
        )
    if facts.kind == "visa_letter":
        if facts.letter_issued:
            return Refund(Money.zero(currency), Rule.LETTER_ISSUED, _("Nothing refunded: the letter has been issued."))
        return Refund(
            facts.paid,
            Rule.LETTER_NOT_ISSUED,
            _("%(paid)s refunded in full: the letter has not been issued yet.") % {"paid": _money(paid, currency)},
        )
    if facts.kind == "vip_concierge":
        amount = min(paid, sum(item.amount for item in facts.items if item.refundable))
        return Refund(
            Money(amount, currency),
            Rule.PACKAGE_ITEMS,
            _(
                "%(refund)s of %(paid)s refunded: the items not booked yet are refunded in full; the items "
                "already booked, and those sold as not refundable, are not."
            )
            % {"refund": _money(amount, currency), "paid": _money(paid, currency)},
        )
    if facts.work_started:
        return Refund(
            Money.zero(currency), Rule.WORK_STARTED, _("Nothing refunded: the careteam has started the work.")
        )
    return Refund(
        facts.paid,
        Rule.WORK_NOT_STARTED,
        _("%(paid)s refunded in full: the careteam has not started the work yet.") % {"paid": _money(paid, currency)},
    )


def _moment(moment: dt.datetime, tz: ZoneInfo) -> str:
    return when_text(moment, tz)


def schedule(facts: OrderFacts, now: dt.datetime) -> list[Period]:
    """The refund a cancellation gives from `now` on, as moments and amounts, for the page shown
    before paying and the order's page.

    Time-based kinds (transfer, interpreter): the moments where a tier ends (each leg's pickup
    minus 48 and 24 hours; the first interpreted hour minus 24 hours) cut the time after `now` into
    periods; neighbours with the same refund merge. The other kinds depend on an event (the letter
    issued, an item booked, the work started): one period until it, one after.
    """
    if facts.kind in {"transfer", "interpreter"}:
        cuts: set[dt.datetime] = set()
        for leg in facts.legs:
            cuts |= {_utc(leg.pickup_at) - FULL_BEFORE_TRANSFER, _utc(leg.pickup_at) - HALF_BEFORE_TRANSFER}
        if facts.kind == "interpreter" and facts.interpreting_starts_at is not None:
            cuts.add(_utc(facts.interpreting_starts_at) - FULL_BEFORE_INTERPRETER)
        # A tier's bound is inclusive (exactly 48 hours before is still a full refund), so each
        # period runs up to and including its cut, and is read at that cut; the last one just after.
        ordered = sorted(cut for cut in cuts if cut > now)
        periods: list[Period] = []
        for cut in [*ordered, None]:
            read_at = cut if cut is not None else (ordered[-1] + _INSTANT if ordered else now)
            refund = refund_at(facts, read_at).amount
            if periods and periods[-1].refund == refund:
                periods.pop()  # same refund as the period before: it runs on to this cut
            periods.append(Period(cut, refund, ""))
        labelled = []
        for index, period in enumerate(periods):
            if period.until is not None:
                label = _("until %(moment)s") % {"moment": _moment(period.until, facts.tz)}
            elif index == 0:
                label = _("at any time")
            else:
                previous = periods[index - 1].until or now  # only the last period is open-ended
                label = _("after %(moment)s") % {"moment": _moment(previous, facts.tz)}
            labelled.append(Period(period.until, period.refund, label))
        return labelled
    before, after = _event_facts(facts)
    event = {
        "visa_letter": _("until the letter is issued"),
        "vip_concierge": _("until the items are booked"),
    }.get(facts.kind, _("until the careteam starts the work"))
    later = {
        "visa_letter": _("once the letter is issued"),
        "vip_concierge": _("once every refundable item is booked"),
    }.get(facts.kind, _("once the careteam has started"))
    first = refund_at(before, now).amount
    last = refund_at(after, now).amount
    if first == last:
        return [Period(None, first, _("at any time"))]
    return [Period(None, first, event), Period(None, last, later)]


def _event_facts(facts: OrderFacts) -> tuple[OrderFacts, OrderFacts]:
    """The same order before and after the event its refund depends on."""
    common: dict[str, object] = {"kind": facts.kind, "paid": facts.paid, "tz": facts.tz}
    if facts.kind == "visa_letter":
        return OrderFacts(**common, letter_issued=facts.letter_issued), OrderFacts(**common, letter_issued=True)  # type: ignore[arg-type]
    if facts.kind == "vip_concierge":
        booked = tuple(ItemFacts(item.amount, False) for item in facts.items)
        return OrderFacts(**common, items=facts.items), OrderFacts(**common, items=booked)  # type: ignore[arg-type]
    return OrderFacts(**common, work_started=facts.work_started), OrderFacts(**common, work_started=True)  # type: ignore[arg-type]


def describe(periods: Sequence[Period], *, language: str | None = None) -> str:
    """ "until Mon, 3 March 2031, 10:15 (Istanbul time): €90.00 refunded; …" for a line of text."""
    language = language or get_language() or "en"
    parts = []
    for period in periods:
        amount = (
            _("nothing refunded")
            if period.refund.amount == 0
            else _("%(amount)s refunded") % {"amount": format_money(period.refund, language)}
        )
        parts.append(f"{period.label}: {amount}")
    return "; ".join(parts)


def split_by_weights(total: int, weights: Sequence[int], currency: str) -> list[int]:
    """`total` shared in proportion to `weights` in whole charge steps, the parts adding up to it:
    a transfer's price per leg, so each leg's refund is a charge Stripe accepts."""
    return allocate(total, list(weights), step=charge_step(currency))
