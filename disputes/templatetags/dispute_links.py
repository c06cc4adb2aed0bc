"""{% dispute_open_booking booking as dispute_open %} and {% dispute_open_order order as dispute_open %}:
whether the person viewing the page may open a dispute on it now (the service's own check), so the
booking's and the order's pages offer the link only then; `dispute_open.reason` says why not."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.checks import Check
from disputes.services import dispute_open_booking_check, dispute_open_order_check

register = template.Library()


def _actor(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user") or AnonymousUser()


@register.simple_tag(takes_context=True)
def dispute_open_booking(context, booking) -> Check:
    return dispute_open_booking_check(booking=booking, actor=_actor(context), now=timezone.now())


@register.simple_tag(takes_context=True)
def dispute_open_order(context, order) -> Check:
    return dispute_open_order_check(order=order, actor=_actor(context), now=timezone.now())
