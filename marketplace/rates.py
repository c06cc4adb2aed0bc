"""Converting prices into the patient's currency with the stored reference rates.

Rates are euro-based (1 EUR = rate × currency). A price converts through the euro and is
rounded half up to the target currency's decimals; the rate's date travels with the result so
that pages can say which day's rate they used. A currency with no rate converts to nothing,
and callers show the price unconverted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Max

from marketplace.models import ExchangeRate
from marketplace.money import Money, exponent

EURO = "EUR"


@dataclass(frozen=True)
class Converted:
    money: Money
    rate_date: dt.date | None  # None when no conversion was needed (same currency)


@dataclass(frozen=True)
class RateTable:
    """Units per euro and the day of each rate, by currency."""

    rates: dict[str, tuple[Decimal, dt.date]]

    def per_euro(self, currency: str) -> tuple[Decimal, dt.date | None] | None:
        if currency == EURO:
            return Decimal(1), None
        return self.rates.get(currency)

    def _major(self, amount: Decimal, source: str, target: str) -> tuple[Decimal, dt.date | None] | None:
        """`amount` (major units of `source`) in major units of `target`, unrounded."""
        a, b = self.per_euro(source), self.per_euro(target)
        if a is None or b is None:
            return None
        dates = [d for d in (a[1], b[1]) if d is not None]
        # Multiplying first keeps the only rounding in the division: an exact half stays a half.
        return amount * b[0] / a[0], min(dates) if dates else None

    def convert(self, money: Money, to: str) -> Converted | None:
        if money.currency == to:
            return Converted(money, None)
        result = self._major(money.to_decimal(), money.currency, to)
        if result is None:
            return None
        value, day = result
        quantum = Decimal(1).scaleb(-exponent(to))
        return Converted(Money.from_decimal(value.quantize(quantum, rounding=ROUND_HALF_UP), to), day)

    def bound_in(self, bound: Money, currency: str, *, upper: bool) -> int | None:
        """A price limit given in one currency, as minor units of `currency`.

        A price passes exactly when its amount as `convert` shows it passes, so a price equal to
        the limit once converted is never excluded by rounding. `convert` rounds half up, so a
        price shows as the limit while within half a minor unit of it: the limit is widened by
        that half unit, and the last price inside is taken.
        """
        if bound.currency == currency:
            return bound.amount
        half_unit = Decimal(1).scaleb(-exponent(bound.currency)) / 2
        edge = bound.to_decimal() + (half_unit if upper else -half_unit)
        result = self._major(edge, bound.currency, currency)
        if result is None:
            return None
        first_at_or_above = int(result[0].scaleb(exponent(currency)).to_integral_value(rounding=ROUND_CEILING))
        # A price exactly half a unit above the limit rounds up, out of it; half below rounds up, into it.
        return first_at_or_above - 1 if upper else first_at_or_above

    def factor_to(self, currency: str, target: str) -> Decimal | None:
        """Multiply minor units of `currency` by this to get minor units of `target` (for sorting)."""
        if currency == target:  # as `convert`: no rate needed, and exactly 1
            return Decimal(1)
        result = self._major(Decimal(1), currency, target)
        if result is None:
            return None
        return result[0].scaleb(exponent(target) - exponent(currency))

    @property
    def currencies(self) -> set[str]:
        return {EURO, *self.rates}


# The rate table of a day is cached (searches read it on every request). Writes through
# marketplace.services bump the version, so that every process sees new rates at once; a write
# made some other way shows within the timeout.
_VERSION_KEY = "rates:version"
_CACHE_SECONDS = 300


def rates_changed() -> None:
    """Call after any change to ExchangeRate rows (the services do)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(_VERSION_KEY, 2, timeout=None)


def rates_on(*, day: dt.date) -> RateTable:
    """The latest rate of each currency published on or before `day` (cached; two queries if not)."""
    version = cache.get_or_set(_VERSION_KEY, 1, timeout=None)
    key = f"rates:{version}:{day.isoformat()}"
    table = cache.get(key)
    if table is None:
        table = _rates_on(day)
        cache.set(key, table, timeout=_CACHE_SECONDS)
    return table


def _rates_on(day: dt.date) -> RateTable:
    latest = ExchangeRate.objects.filter(date__lte=day).values("currency").annotate(latest=Max("date")).order_by()
    pairs = {(row["currency"], row["latest"]) for row in latest}
    if not pairs:
        return RateTable({})
    rows = ExchangeRate.objects.filter(date__in={d for _c, d in pairs}, currency__in={c for c, _d in pairs})
    return RateTable({r.currency: (r.rate, r.date) for r in rows if (r.currency, r.date) in pairs})
