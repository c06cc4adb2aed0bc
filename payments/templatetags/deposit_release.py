"""{% deposit_release booking as release %}: whether a provider's member may ask for a booking's
deposit now, and the release already asked for. For the provider's calendar and booking page."""

from __future__ import annotations

from django import template
from django.utils import timezone

from payments.services.releases import ReleaseCheck, release_check

register = template.Library()


@register.simple_tag
def deposit_release(booking) -> ReleaseCheck:
    """`release_request`'s own check: the button shows only when the request would be accepted.
    The result has `can_ask`, `refusal` (why not) and `live` (the release already asked for)."""
    return release_check(booking=booking, now=timezone.now())
