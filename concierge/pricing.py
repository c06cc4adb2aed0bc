"""What an add-on costs: pure functions from a price list's figures to the exact lines and total the
patient sees before clicking "order" (docs/decisions.md#add-ons). No database, no clock.

Amounts are integer minor units of the price list's currency; a line whose exact value falls
between two minor units is rounded half up, then to the currency's charge step (`core.money`), so
JPY (0 decimals), EUR (2) and KWD (3) all come out as amounts Stripe accepts.

The kinds' rules, from the operator's terms and common practice:
- interpreter: at least 2 hours per stay, billed in 15-minute steps; the hours beyond 8 per stay
  at the reduced hourly rate (when the price list has one);
- transfer: a price per leg, plus the supplement for a wheelchair-accessible vehicle on a leg that
  needs one;
- visa invitation letter: a price per letter (the patient's, and one per companion);
- careteam assistance: one fee; a VIP package: the sum of the items the careteam quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.money import charge_step

INTERPRETER_MINIMUM_MINUTES = 120
INTERPRETER_STEP_MINUTES = 15
INTERPRETER_REDUCED_AFTER_MINUTES = 8 * 60
# Past this, an order is a typing mistake, not a stay (14 days of 12-hour days).
INTERPRETER_MAXIMUM_MINUTES = 14 * 12 * 60


@dataclass(frozen=True)
class Line:
    """One line of a breakdown: `quantity_hundredths` of `unit` at `unit_amount` each (225 hours =
    2 h 15). `label_key` names the kind of line; pages and PDFs word it in the reader's language."""

    label_key: str
    unit: str  # "hour", "leg", "letter", "item"
    quantity_hundredths: int
    unit_amount: int
    amount: int
    label: str = ""  # free text where the key is not enough: a package item's description


@dataclass(frozen=True)
class Price:
    currency: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def _rounded(numerator: int, denominator: int, currency: str) -> int:
    """numerator / denominator minor units, rounded half up to the currency's charge step in one
    go (rounding to the minor unit first, then to the step, would round 27774.9 fils up to 27780)."""
    step = charge_step(currency)
    return (2 * numerator + denominator * step) // (2 * denominator * step) * step


def interpreter_billed_minutes(requested_minutes: int) -> int:
    """The minutes billed for `requested_minutes` of interpreting in one stay: rounded up to the
    next 15-minute step, and never less than the 2-hour minimum (1 h 59 → 2 h, 8 h 01 → 8 h 15)."""
    if requested_minutes <= 0:
        raise ValueError("an interpreter is booked for a positive number of minutes")
    steps = -(-requested_minutes // INTERPRETER_STEP_MINUTES)
    return max(INTERPRETER_MINIMUM_MINUTES, steps * INTERPRETER_STEP_MINUTES)


def interpreter_price(*, minutes: int, hourly: int, reduced_hourly: int | None, currency: str) -> Price:
    """The price of `minutes` requested (billed as `interpreter_billed_minutes`): the first 8 hours
    at `hourly`, the rest at `reduced_hourly`; one line at `hourly` when the price list has no
    reduced rate (a "reduced" line at the full rate would only confuse the patient)."""
    billed = interpreter_billed_minutes(minutes)
    if minutes > INTERPRETER_MAXIMUM_MINUTES:
        raise ValueError("more interpreter minutes than a stay can hold")
    normal = billed if reduced_hourly is None else min(billed, INTERPRETER_REDUCED_AFTER_MINUTES)
    beyond = billed - normal
    lines = [Line("interpreter_hours", "hour", normal * 100 // 60, hourly, _rounded(hourly * normal, 60, currency))]
    if beyond and reduced_hourly is not None:
        rate = reduced_hourly
        lines.append(
            Line("interpreter_hours_reduced", "hour", beyond * 100 // 60, rate, _rounded(rate * beyond, 60, currency))
        )
    return Price(currency, tuple(lines))


def transfer_price(*, wheelchair_legs: Sequence[bool], per_leg: int, supplement: int | None, currency: str) -> Price:
    """The price of one transfer order: one line for its legs, one for the wheelchair supplements."""
    if not wheelchair_legs:
        raise ValueError("a transfer has at least one leg")
    legs = len(wheelchair_legs)
    lines = [Line("transfer_legs", "leg", legs * 100, per_leg, per_leg * legs)]
    accessible = sum(1 for needed in wheelchair_legs if needed)
    if accessible and supplement:
        lines.append(Line("transfer_wheelchair", "leg", accessible * 100, supplement, supplement * accessible))
    return Price(currency, tuple(lines))


def visa_letter_price(*, letters: int, per_letter: int, currency: str) -> Price:
    if not 1 <= letters <= 3:
        raise ValueError("a visa letter order has the patient's letter and up to two companions'")
    return Price(currency, (Line("visa_letters", "letter", letters * 100, per_letter, per_letter * letters),))


def flat_price(*, label_key: str, amount: int, currency: str) -> Price:
    """One line at one price: careteam assistance's fee."""
    return Price(currency, (Line(label_key, "item", 100, amount, amount),))


def package_price(*, items: Sequence[tuple[str, int]], currency: str) -> Price:
    """A VIP package: one line per item the careteam quoted, as (description, amount)."""
    return Price(
        currency, tuple(Line("package_item", "item", 100, amount, amount, label=text) for text, amount in items)
    )
