"""Converting prices into the patient's currency with the stored reference rates.

Rates are euro-based (1 EUR = rate × currency). A price converts through the euro and is
rounded half up to the target currency's decimals; the rate's date travels with the result so
that pages can say which day's rate they used. A currency with no rate converts to nothing,
and callers show the price unconverted.

Search compares prices across currencies in nano-euros (10^-9 EUR), stored on each offering
(`Offering.price_eur_nano`, refreshed by providers.services.offerings_refresh_prices):
1. A price is its minor units times its currency's factor (`nano_euro_factor`: 10^(9 − exponent)
   / units per euro, to 28 significant digits), rounded half up to a whole nano-euro, and capped
   at 10^18 (a billion euros). PostgreSQL computes the same product exactly (numeric); SQLite, the
   development default, in floating point, within a few nano-euros.
2. A patient's limit is converted the same way, from the edge where the price shown in the
   patient's currency (rounded half up, `convert`) stops passing: half a minor unit below the
   minimum, half a unit above the maximum (exclusive). A price passes exactly when its converted
   price as shown passes, except a price whose value falls within a nano-euro of that edge (it may
   land either side). Within one currency the comparison is exact: one minor unit of any currency
   we accept is worth at least 100 nano-euros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.core.cache import cache
from django.db.models import Max

from core.models import ExchangeRate
from core.money import Money, exponent

EURO = "EUR"
NANO_EURO_DIGITS = 9
NANO_EURO_CAP = 10**18  # a billion euros: larger prices compare as this, within a bigint


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

    def nano_euro_factor(self, currency: str) -> Decimal | None:
        """Nano-euros in one minor unit of `currency` (28 significant digits); None without a rate."""
        per_euro = self.per_euro(currency)
        if per_euro is None:
            return None
        return Decimal(10) ** (NANO_EURO_DIGITS - exponent(currency)) / per_euro[0]

    def in_nano_euros(self, amount: int, currency: str) -> int | None:
        """A price (minor units of `currency`) in nano-euros, as search stores it; None without a rate."""
        factor = self.nano_euro_factor(currency)
        return None if factor is None else nano_euros(amount, factor)

    def limit_in_nano_euros(self, limit: Money, *, upper: bool) -> int | None:
        """A price limit in nano-euros: a price passes when its nano-euros are >= this (a minimum)
        or <= this (a maximum). None when the limit's currency has no rate.

        The edge is where the price as `convert` shows it stops passing: `convert` rounds half
        up, so a price shows as the minimum from half a minor unit below it, and as the maximum
        until half a unit above it, that half excluded.
        """
        factor = self.nano_euro_factor(limit.currency)
        if factor is None:
            return None
        edge = nano_euros(Decimal(limit.amount) + (Decimal("0.5") if upper else Decimal("-0.5")), factor)
        if upper:  # the edge itself is out; past the cap, capped prices are in
            return edge - 1 if edge < NANO_EURO_CAP else NANO_EURO_CAP
        return edge

    @property
    def currencies(self) -> set[str]:
        return {EURO, *self.rates}


def nano_euros(amount: int | Decimal, factor: Decimal) -> int:
    """`amount` minor units times `factor`, exactly, rounded half up (as PostgreSQL's ROUND), capped."""
    with localcontext() as context:
        context.prec = 80  # enough for any bigint times a 28-digit factor: the product is exact
        value = (Decimal(amount) * factor).to_integral_value(rounding=ROUND_HALF_UP)
    return min(int(value), NANO_EURO_CAP)


# The rate table of a day is cached (searches read it on every request). Writes through
# storefront.services bump the version, so that every process sees new rates at once; a write
# made some other way shows within the timeout.
_VERSION_KEY = "rates:version"
_CACHE_SECONDS = 300


def rates_changed() -> None:
    """Call after any change to ExchangeRate rows (the services do)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(_VERSION_KEY, 2, timeout=None)


def rates_on(*, day: dt.date, cached: bool = True) -> RateTable:
    """The latest rate of each currency published on or before `day` (cached; two queries if not).

    `cached=False` reads the database, as a write must inside the transaction that changes rates.
    """
    if not cached:
        return _rates_on(day)
    version = cache.get_or_set(_VERSION_KEY, 1, timeout=None)
    key = f"rates:{version}:{day.isoformat()}"
    table: RateTable | None = cache.get(key)
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
