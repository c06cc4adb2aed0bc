"""Money as integer minor units plus an ISO 4217 currency.

Rules (docs/decisions.md#money):
- an amount is an `int` of the currency's minor unit, never a float;
- the exponent comes from our own table, which follows Stripe's (not CLDR's) decimals: Stripe
  is where the money moves, and CLDR disagrees for ISK among others;
- a fee in basis points rounds half up, then to the currency's charge step (10 for three-decimal
  currencies, 100 for ISK), and never exceeds the amount; the remainder is found by subtraction,
  so fee + remainder is always the whole;
- splitting uses largest remainders, so the parts always sum to the whole.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    NumberPattern,
    get_currency_name,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.locales import babel_locale

# Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal). UGX is on
# the list although some libraries forget it.
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
# Stripe's three-decimal currencies; amounts sent to Stripe must end in 0.
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# Two-decimal currencies we accept: those of the destinations and patients we serve.
TWO_DECIMAL = frozenset(
    {
        "AED", "ARS", "AUD", "BRL", "CAD", "CHF", "CNY", "COP", "CZK", "DKK", "DZD", "EGP", "EUR",
        "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "KZT", "LBP", "MAD", "MXN", "MYR", "NGN",
        "NOK", "NZD", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "SAR", "SEK", "SGD", "THB", "TRY",
        "TWD", "UAH", "USD", "ZAR",
    }
)  # fmt: skip

CURRENCY_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(ZERO_DECIMAL, 0),
    **dict.fromkeys(TWO_DECIMAL, 2),
    **dict.fromkeys(THREE_DECIMAL, 3),
}

# Stripe's special cases: a charge must be a multiple of this many minor units.
_CHARGE_STEP_OVERRIDES = {"ISK": 100}
# Payouts (and so releases to providers) in these currencies must be whole units.
PAYOUT_STEP: dict[str, int] = {"HUF": 100, "TWD": 100}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
# Direction marks babel puts around numbers and symbols in right-to-left locales (ar, fa, he).
_BIDI_MARKS = re.compile(r"[\u200e\u200f\u061c]")
# Digits as Arabic (٠–٩) and Persian/Urdu (۰–۹) keyboards type them, read as 0–9.
_NATIVE_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


class MoneyError(ValidationFailed):
    code = "invalid_amount"


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(
            _("%(currency)s is not a currency we accept.") % {"currency": currency},
            code="unknown_currency",
        ) from None


def charge_step(currency: str) -> int:
    """Smallest multiple (in minor units) Stripe accepts for a charge in this currency."""
    if currency in THREE_DECIMAL:
        return 10
    return _CHARGE_STEP_OVERRIDES.get(currency, 1)


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(CURRENCY_EXPONENTS)]


def named_currency_choices() -> list[tuple[str, str]]:
    """Every accepted currency, by code, named in the active language ("JPY — Japanese yen",
    "JPY — yen japonais"): for the selects where a person picks one. Pass the function itself as a
    form field's `choices`, so the names follow the language of each request."""
    loc = babel_locale(get_language() or "en")
    return [(code, f"{code} — {get_currency_name(code, locale=loc)}") for code in sorted(CURRENCY_EXPONENTS)]


def bps_share(amount: int, bps: int, *, step: int = 1) -> int:
    """`bps` basis points of a non-negative `amount`, half up, then to the nearest `step`.

    The result is clamped to [0, amount] so that `amount - share` is never negative.
    """
    if amount < 0:
        raise ValueError("a share is taken of a non-negative amount")
    if not 0 <= bps <= 10_000:
        raise ValueError("basis points run from 0 to 10000")
    raw = (amount * bps + 5_000) // 10_000
    stepped = (raw + step // 2) // step * step
    return min(stepped, amount)


def allocate(amount: int, weights: Sequence[int], *, step: int = 1) -> list[int]:
    """Split `amount` in proportion to `weights` so that the parts sum to `amount` exactly.

    1. Work in units of `step` (what is below one step goes to the first part with a weight).
    2. Give each part the floor of its exact share.
    3. Hand the units left over, one each, to the parts with the largest remainders
       (earlier parts first on ties).
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative with a positive sum")
    sign = -1 if amount < 0 else 1
    units, below_step = divmod(abs(amount), step)
    total = sum(weights)
    floors = [units * w // total for w in weights]
    remainders = [units * w % total for w in weights]
    left = units - sum(floors)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[index] += 1
    parts = [f * step for f in floors]
    parts[next(i for i, w in enumerate(weights) if w > 0)] += below_step
    return [sign * p for p in parts]


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount) is not int:  # bool and float are refused on purpose
            raise TypeError(f"Money.amount must be an int of minor units, not {type(self.amount).__name__}")
        exponent(self.currency)

    # --- construction and conversion -------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str) -> Money:
        """Exact conversion of a major-unit amount; more decimals than the currency has is an error."""
        exp = exponent(currency)
        if isinstance(value, bool | float):
            raise TypeError("amounts come as Decimal, str or int, never float or bool")
        try:
            decimal = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            raise MoneyError(_("“%(value)s” is not an amount.") % {"value": value}) from None
        if not decimal.is_finite():
            raise MoneyError(_("“%(value)s” is not an amount.") % {"value": value})
        minor = decimal.scaleb(exp)
        if minor != minor.to_integral_value():
            raise MoneyError(too_many_decimals_message(currency))
        return cls(int(minor), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-exponent(self.currency))

    # --- arithmetic --------------------------------------------------------------------------
    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money only combines with Money")
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def fee(self, bps: int) -> Money:
        """`bps` basis points of this amount, half up, to the currency's charge step."""
        return Money(bps_share(self.amount, bps, step=charge_step(self.currency)), self.currency)

    def split(self, weights: Sequence[int]) -> list[Money]:
        """Parts in proportion to `weights`, each a valid charge amount where the whole is."""
        step = charge_step(self.currency) if self.amount % charge_step(self.currency) == 0 else 1
        return [Money(part, self.currency) for part in allocate(self.amount, weights, step=step)]

    # --- display -------------------------------------------------------------------------------
    def format(self, locale: str) -> str:
        return format_money(self, locale)

    def __str__(self) -> str:
        return f"{self.to_decimal()} {self.currency}"


def too_many_decimals_message(currency: str) -> str:
    exp = exponent(currency)
    if exp == 0:
        return _("%(currency)s amounts have no decimal places.") % {"currency": currency}
    return _("%(currency)s amounts have at most %(places)d decimal places.") % {
        "currency": currency,
        "places": exp,
    }


def _with_decimals(pattern: NumberPattern, exp: int) -> NumberPattern:
    pattern = copy.copy(pattern)
    pattern.frac_prec = (exp, exp)
    return pattern


def _format_number(value: Decimal, loc: Locale, exp: int) -> str:
    text: str = _with_decimals(loc.decimal_formats[None], exp).apply(value, loc)  # babel leaves apply() unannotated
    return text


def format_money(money: Money, locale: str) -> str:
    """The amount as people of `locale` write it, with exactly the currency's decimals."""
    loc = babel_locale(locale)
    pattern = _with_decimals(loc.currency_formats["standard"], exponent(money.currency))
    text: str = pattern.apply(money.to_decimal(), loc, currency=money.currency, currency_digits=False)
    return text


def format_amount(money: Money, locale: str) -> str:
    """The number alone, as people of `locale` type it (for form fields); parse_money reads it back."""
    return _format_number(money.to_decimal(), babel_locale(locale), exponent(money.currency))


def parse_money(text: str, currency: str, locale: str) -> Money:
    """Read an amount typed by a person ("1 234,50" in French, "1,234.50" in English, "١٬٢٣٤٫٥٠"
    with Arabic digits and separators).

    Spaces of any kind are accepted as thousands separators; the currency's code or symbol may
    surround the number. A negative amount, or more decimals than the currency has, is refused
    with a message that shows how to write it.
    """
    loc = babel_locale(locale)
    cleaned = _BIDI_MARKS.sub("", text or "").translate(_NATIVE_DIGITS).strip()
    # The Arabic decimal and thousands separators (٫ ٬) stand for the locale's own.
    cleaned = cleaned.replace("\u066b", get_decimal_symbol(loc)).replace("\u066c", get_group_symbol(loc))
    symbol = _BIDI_MARKS.sub("", get_currency_symbol(currency, locale=loc))
    for marker in sorted({currency, symbol}, key=len, reverse=True):  # "AUD$" goes before "AUD"
        cleaned = cleaned.replace(marker, "")
    group = get_group_symbol(loc)
    cleaned = _SPACES.sub(group if _SPACES.fullmatch(group) else "", cleaned.strip())
    example = _format_number(Decimal("1234.5"), loc, exponent(currency))
    if not cleaned:
        raise MoneyError(_("Enter an amount, for example %(example)s.") % {"example": example}, code="required")
    try:
        value = parse_decimal(cleaned, locale=loc, strict=True)
    except NumberFormatError:
        raise MoneyError(
            _("“%(text)s” is not an amount. Write it like %(example)s.") % {"text": text, "example": example}
        ) from None
    if value < 0:
        raise MoneyError(_("The amount cannot be negative."), code="negative_amount")
    return Money.from_decimal(value, currency)
