"""{% deposit_release booking as release %}: whether the signed-in member of a provider may ask for a
booking's deposit now, and the release already asked for. For the provider's calendar and booking page.
{% deposit_confirmation booking as confirmation %}: whether the payment confirmation can be downloaded."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.checks import Check
from payments.services.deposits import deposit_confirmation_check
from payments.services.releases import ReleaseRequestCheck, release_request_check

register = template.Library()


@register.simple_tag(takes_context=True)
def deposit_release(context, booking) -> ReleaseRequestCheck:
    """`release_request`'s own check (`release_request_check`) for the person viewing the page: the
    button shows only when the request would be accepted. The result has `allowed` (also `can_ask`),
    `reason` (why not) and `live` (the release already asked for)."""
    request = context.get("request")
    actor = getattr(request, "user", None) or context.get("user") or AnonymousUser()
    return release_request_check(booking=booking, actor=actor, now=timezone.now())


@register.simple_tag(takes_context=True)
def deposit_confirmation(context, booking) -> Check:
    """`confirmation`'s own check for the person viewing the page: the download link shows only
    when the payment confirmation would be served (their booking, its deposit held)."""
    request = context.get("request")
    actor = getattr(request, "user", None) or context.get("user") or AnonymousUser()
    return deposit_confirmation_check(booking=booking, actor=actor)
