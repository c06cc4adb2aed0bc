"""{% load reviews %}: stars as people read them and as screen readers say them."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def stars(value: int | float | Decimal | None) -> SafeString | str:
    """`★★★★☆` for 4 (rounded to the nearest whole star), read out as "4 out of 5"."""
    if value is None:
        return ""
    whole = max(0, min(5, round(float(value))))
    shown = f"{Decimal(str(value)).normalize():f}" if not isinstance(value, int) else str(value)
    return format_html(
        '<span class="stars" role="img" aria-label="{}">{}{}</span>',
        _("%(stars)s out of 5") % {"stars": shown},
        "★" * whole,
        "☆" * (5 - whole),
    )
