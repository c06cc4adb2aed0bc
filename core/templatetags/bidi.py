"""Bidirectional text: a value that reads left to right whatever the page's direction.

An e-mail address or a phone number inside Arabic text would otherwise be reordered by the
Unicode bidi algorithm ("+33 1 23" shown as "23 1 +33"). `{{ value|ltr }}` wraps it in
`<bdi dir="ltr">`, which isolates it from the text around it; it works inside
`{% blocktranslate with email=user.email|ltr %}` too, so the message id stays the same. Dates,
times and money are isolated by the tags that render them (core/templatetags/when.py, money.py).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def ltr(value: object) -> str:
    """`value` escaped and isolated left to right; nothing for an empty value."""
    if value is None or value == "":
        return ""
    return format_html('<bdi dir="ltr">{}</bdi>', value)
