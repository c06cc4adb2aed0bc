"""{% money amount %} and {% price offering %}: amounts as people of the page's language write them."""

from typing import Protocol

from django import template
from django.utils.translation import get_language

from core.money import Money, format_money

register = template.Library()


class Priced(Protocol):
    """An offering, or a search result standing for one."""

    @property
    def price(self) -> Money: ...

    @property
    def price_upper(self) -> Money | None: ...


@register.simple_tag
def money(value: Money | None) -> str:
    return "" if value is None else format_money(value, get_language() or "en")


@register.simple_tag
def price(offering: Priced) -> str:
    """A fixed price, or "from X to Y" for a range."""
    lower = money(offering.price)
    upper = offering.price_upper
    if upper is None or upper == offering.price:
        return lower
    return f"{lower} – {money(upper)}"


@register.simple_tag
def money_of(amount: int | None, currency: str) -> str:
    """{% money_of minor_units currency %}: for amounts stored as integer minor units beside a currency."""
    return "" if amount is None or not currency else money(Money(amount, currency))
