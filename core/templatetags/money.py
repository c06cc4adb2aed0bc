"""{% money amount %} and {% price offering %}: amounts as people of the page's language write them.

On a right-to-left page (Arabic) an amount comes in `<bdi class="money">`: it keeps its own direction
inside the sentence around it ("US$ 1,234.50" stays whole in Arabic text). A left-to-right page writes
the amount in its own language and direction, so it needs no isolation. In a template rendered
without autoescaping (the text parts of an e-mail, an SMS) the words are plain text.
"""

from typing import Protocol

from django import template
from django.template import Context
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_bidi

from core.money import Money, format_money

register = template.Library()


class Priced(Protocol):
    """An offering, or a search result standing for one."""

    @property
    def price(self) -> Money: ...

    @property
    def price_upper(self) -> Money | None: ...


def money_text(value: Money | None) -> str:
    """The amount in the active language, as plain text."""
    return "" if value is None else format_money(value, get_language() or "en")


def _shown(context: Context, text: str) -> str:
    if not text or not context.autoescape or not get_language_bidi():
        return text
    return format_html('<bdi class="money">{}</bdi>', text)


@register.simple_tag(takes_context=True)
def money(context: Context, value: Money | None) -> str:
    return _shown(context, money_text(value))


@register.simple_tag(takes_context=True)
def price(context: Context, offering: Priced) -> str:
    """A fixed price, or "from X to Y" for a range (each amount isolated on its own)."""
    lower = money(context, offering.price)
    upper = offering.price_upper
    if upper is None or upper == offering.price:
        return lower
    if not context.autoescape or not get_language_bidi():
        return f"{lower} – {money(context, upper)}"
    return format_html("{} – {}", lower, money(context, upper))


@register.simple_tag(takes_context=True)
def money_of(context: Context, amount: int | None, currency: str) -> str:
    """{% money_of minor_units currency %}: for amounts stored as integer minor units beside a currency."""
    return "" if amount is None or not currency else money(context, Money(amount, currency))
