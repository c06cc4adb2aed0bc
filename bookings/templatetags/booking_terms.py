"""{% evidence_days %}: the days a patient has to send the evidence of a legitimate reason, from
`bookings.policy.EVIDENCE_WINDOW`, so no template restates the number. For the booking page and
the payment page, which share the cancellation schedule."""

from __future__ import annotations

from django import template

from bookings.policy import EVIDENCE_WINDOW

register = template.Library()


@register.simple_tag
def evidence_days() -> int:
    return EVIDENCE_WINDOW.days
