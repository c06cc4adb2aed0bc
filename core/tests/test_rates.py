"""Prices in the patient's currency: converting through the euro, price limits, rates on a day.

Loading and editing rates (the storefront's services, command and admin) are tested in
storefront/tests/test_rates.py."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.models import ExchangeRate
from core.money import CURRENCY_EXPONENTS, Money
from core.rates import NANO_EURO_CAP, Converted, RateTable, rates_on

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)
EARLIER = dt.date(2026, 11, 19)
TABLE = RateTable(
    {
        "GBP": (Decimal("0.85"), DAY),
        "JPY": (Decimal("160"), EARLIER),
        "THB": (Decimal("38"), DAY),
        "KWD": (Decimal("0.33"), DAY),
    }
)
FOREIGN = sorted(set(CURRENCY_EXPONENTS) - {"EUR"})
untimed = settings(deadline=None)


# --- converting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "to", "expected", "rate_date"),
    [
        # 12.34 × 0.85 = 10.489
        (Money(1234, "EUR"), "GBP", Money(1049, "GBP"), DAY),
        # 10.00 / 0.85 × 160 = 1 882.35…
        (Money(1000, "GBP"), "JPY", Money(1882, "JPY"), EARLIER),
        # 1 000.00 / 38 × 0.33 = 8.68421…, to three decimals
        (Money(100000, "THB"), "KWD", Money(8684, "KWD"), DAY),
        # 1 000 / 160 = 6.25
        (Money(1000, "JPY"), "EUR", Money(625, "EUR"), EARLIER),
        # 4 / 160 = 0.025: half up, not half even
        (Money(4, "JPY"), "EUR", Money(3, "EUR"), EARLIER),
    ],
    ids=["eur-gbp", "gbp-jpy-through-eur", "thb-kwd-three-decimals", "jpy-eur", "jpy-eur-half-up"],
)
def test_a_price_converts_through_the_euro_rounded_half_up_to_the_target_decimals(price, to, expected, rate_date):
    assert TABLE.convert(price, to) == Converted(expected, rate_date)


def test_an_exact_half_between_two_foreign_currencies_rounds_up():
    table = RateTable({"USD": (Decimal("1.16"), DAY), "JPY": (Decimal("178.64"), DAY)})

    # 101.25 × 178.64 / 1.16 = 15 592.5 exactly; dividing first gave 15 592.4999… and 15 592
    assert table.convert(Money(10125, "USD"), "JPY").money == Money(15593, "JPY")


def test_converting_between_two_foreign_currencies_gives_the_date_of_the_older_rate():
    assert TABLE.convert(Money(1000, "GBP"), "JPY").rate_date == EARLIER
    assert TABLE.convert(Money(1000, "JPY"), "GBP").rate_date == EARLIER
    assert TABLE.convert(Money(1000, "GBP"), "THB").rate_date == DAY


def test_a_price_in_the_patients_own_currency_is_unchanged_and_needs_no_rate():
    price = Money(2_500_000, "VND")

    assert RateTable({}).convert(price, "VND") == Converted(price, None)
    assert TABLE.convert(Money(1000, "GBP"), "GBP") == Converted(Money(1000, "GBP"), None)


def test_a_currency_without_a_rate_converts_to_nothing_either_way():
    assert TABLE.convert(Money(2_500_000, "VND"), "EUR") is None
    assert TABLE.convert(Money(1000, "EUR"), "VND") is None
    assert TABLE.convert(Money(1000, "GBP"), "UGX") is None


# --- the rates of a day ---------------------------------------------------------------------


def test_rates_on_a_day_are_the_latest_published_on_or_before_it_in_two_queries(django_assert_max_num_queries):
    ExchangeRate.objects.create(currency="USD", rate=Decimal("1.15"), date=dt.date(2026, 11, 18))
    ExchangeRate.objects.create(currency="USD", rate=Decimal("1.16"), date=EARLIER)
    ExchangeRate.objects.create(currency="USD", rate=Decimal("1.30"), date=dt.date(2026, 11, 21))
    ExchangeRate.objects.create(currency="GBP", rate=Decimal("0.88"), date=dt.date(2026, 11, 13))
    ExchangeRate.objects.create(currency="CHF", rate=Decimal("0.93"), date=dt.date(2026, 11, 23))

    with django_assert_max_num_queries(2):
        table = rates_on(day=DAY)

    assert table.rates == {"USD": (Decimal("1.16"), EARLIER), "GBP": (Decimal("0.88"), dt.date(2026, 11, 13))}
    assert table.currencies == {"EUR", "USD", "GBP"}


def test_before_any_rate_was_published_only_the_euro_is_known():
    ExchangeRate.objects.create(currency="USD", rate=Decimal("1.16"), date=DAY)

    assert rates_on(day=EARLIER).currencies == {"EUR"}


# --- prices and limits in nano-euros (what search compares) ---------------------------------

THAI = RateTable({"THB": (Decimal("37.89"), DAY)})


@pytest.mark.parametrize(
    ("amount", "currency", "nano"),
    [
        (1234, "EUR", 12_340_000_000),  # 12.34 EUR: exact
        (1000, "GBP", 11_764_705_882),  # 10.00 / 0.85 = 11.764 705 882 35… EUR
        (4, "JPY", 25_000_000),  # 4 / 160 = 0.025 EUR
        (1, "KWD", 3_030_303),  # 0.001 / 0.33 = 0.003 030 303 03… EUR
    ],
)
def test_a_price_in_nano_euros_is_its_value_in_euros_to_the_billionth(amount, currency, nano):
    assert TABLE.in_nano_euros(amount, currency) == nano


def test_half_a_nano_euro_rounds_up_and_a_currency_without_a_rate_has_no_price_in_euros():
    table = RateTable({"IDR": (Decimal("20000000"), DAY)})  # one hundredth of a rupiah: half a nano-euro

    assert table.in_nano_euros(1, "IDR") == 1
    assert table.in_nano_euros(3, "IDR") == 2
    assert TABLE.in_nano_euros(1000, "VND") is None
    assert TABLE.nano_euro_factor("EUR") == 10**7


def test_a_price_of_a_billion_euros_or_more_compares_as_a_billion_and_passes_a_higher_limit():
    capped = TABLE.in_nano_euros(10**15, "GBP")  # ten trillion pounds

    assert capped == NANO_EURO_CAP
    assert TABLE.limit_in_nano_euros(Money(10**15, "EUR"), upper=True) == NANO_EURO_CAP


def test_a_price_shown_equal_to_the_upper_limit_passes_where_converting_the_limit_and_rounding_would_exclude_it():
    limit = Money(100000, "EUR")  # at most 1 000.00 EUR
    price = Money(3789018, "THB")  # 37 890.18 THB = 1 000.00475… EUR, shown as 1 000.00 EUR
    highest = THAI.limit_in_nano_euros(limit, upper=True)

    assert THAI.convert(price, "EUR").money == limit
    assert THAI.in_nano_euros(price.amount, "THB") <= highest
    assert THAI.convert(Money(price.amount + 1, "THB"), "EUR").money == Money(100001, "EUR")
    assert THAI.in_nano_euros(price.amount + 1, "THB") > highest


def test_a_price_shown_equal_to_the_lower_limit_passes_and_one_shown_below_it_does_not():
    limit = Money(100000, "EUR")  # at least 1 000.00 EUR
    lowest = THAI.limit_in_nano_euros(limit, upper=False)

    # 37 889.82 THB = 999.99525… EUR, shown as 1 000.00 EUR
    assert THAI.convert(Money(3788982, "THB"), "EUR").money == limit
    assert THAI.in_nano_euros(3788982, "THB") >= lowest
    assert THAI.convert(Money(3788981, "THB"), "EUR").money == Money(99999, "EUR")
    assert THAI.in_nano_euros(3788981, "THB") < lowest


def test_a_price_in_a_coarser_currency_shown_above_the_upper_limit_does_not_pass():
    limit = TABLE.limit_in_nano_euros(Money(10000, "KWD"), upper=True)  # at most 10.000 KWD

    assert TABLE.convert(Money(4848, "JPY"), "KWD").money == Money(9999, "KWD")
    assert TABLE.in_nano_euros(4848, "JPY") <= limit
    assert TABLE.convert(Money(4849, "JPY"), "KWD").money == Money(10001, "KWD")  # a yen is about 2 fils
    assert TABLE.in_nano_euros(4849, "JPY") > limit


def test_a_limit_compares_prices_in_its_own_currency_exactly_and_one_without_a_rate_is_none():
    highest = TABLE.limit_in_nano_euros(Money(5000, "GBP"), upper=True)
    lowest = TABLE.limit_in_nano_euros(Money(5000, "GBP"), upper=False)

    assert TABLE.in_nano_euros(5000, "GBP") <= highest < TABLE.in_nano_euros(5001, "GBP")
    assert TABLE.in_nano_euros(4999, "GBP") < lowest <= TABLE.in_nano_euros(5000, "GBP")
    assert TABLE.limit_in_nano_euros(Money(5000, "VND"), upper=True) is None


rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=4)


def _exact_nano_euros(table: RateTable, amount: Fraction, currency: str) -> Fraction:
    rate = table.per_euro(currency)[0]
    return amount * 10 ** (9 - CURRENCY_EXPONENTS[currency]) / Fraction(rate)


@untimed
@given(
    currency=st.sampled_from(FOREIGN),
    patient_currency=st.sampled_from(FOREIGN),
    rate=rates,
    patient_rate=rates,
    limit=st.integers(min_value=1, max_value=10**6),
    upper=st.booleans(),
    step=st.integers(min_value=-2, max_value=2),
)
def test_a_price_passes_a_limit_exactly_when_its_converted_amount_does_unless_within_a_nano_euro_of_the_edge(
    currency, patient_currency, rate, patient_rate, limit, upper, step
):
    """The prices tried are those around the edge, where rounding could go wrong."""
    table = RateTable({currency: (rate, DAY), patient_currency: (patient_rate, DAY)})
    edge = _exact_nano_euros(table, limit + (Fraction(1, 2) if upper else -Fraction(1, 2)), patient_currency)
    amount = max(0, math.floor(edge / _exact_nano_euros(table, Fraction(1), currency)) + step)
    assume(abs(_exact_nano_euros(table, Fraction(amount), currency) - edge) >= 1)

    shown = table.convert(Money(amount, currency), patient_currency).money.amount
    nano = table.in_nano_euros(amount, currency)
    bound = table.limit_in_nano_euros(Money(limit, patient_currency), upper=upper)

    if upper:
        assert (nano <= bound) == (shown <= limit)
    else:
        assert (nano >= bound) == (shown >= limit)


@untimed
@given(currency=st.sampled_from(FOREIGN), rate=rates, euro_cents=st.integers(min_value=0, max_value=10**11))
def test_converting_euros_to_another_currency_and_back_loses_at_most_the_two_roundings(currency, rate, euro_cents):
    """Going out rounds by up to half a minor unit of the other currency (worth 100 / (rate × 10^e)
    cents, which is more than a cent where that unit is worth more than a cent); coming back
    rounds by up to half a cent. The round trip stays within the sum of the two, no closer."""
    table = RateTable({currency: (rate, DAY)})
    out = table.convert(Money(euro_cents, "EUR"), currency).money
    back = table.convert(out, "EUR").money
    one_unit_in_cents = Decimal(100) / (rate * 10 ** CURRENCY_EXPONENTS[currency])

    assert abs(back.amount - euro_cents) <= Decimal("0.5") + one_unit_in_cents / 2
