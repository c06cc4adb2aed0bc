"""How a second opinion's concierge orders behave on concierge's own pages.

- A paid second-opinion order (the request's price, or a dearer specialist's supplement) is neither
  cancelled nor refunded from concierge's order pages: the case's own services decide what its
  state refunds (a withdrawal before a specialist accepts, a file declared unsuitable, a breach).
- The order's page links back to the request it pays for (`core.hooks.order_sections`).
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from concierge.models import AddonOrder
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict
from secondopinion.models import OpinionCase


def _case_of(order: AddonOrder) -> OpinionCase | None:
    return OpinionCase.objects.filter(Q(order=order) | Q(supplement_order=order)).first()


def _handled_by_case(order: AddonOrder) -> Check:
    case = _case_of(order)
    if case is None or order.paid_at is None:
        return ALLOWED  # an unpaid order costs nothing to cancel; sending the request again makes a new one
    return refuse(
        Conflict(
            _("This payment belongs to your second-opinion request #%(number)s: withdraw the request from its page.")
            % {"number": case.pk},
            code="second_opinion_order",
        )
    )


def opinion_order_cancel_check(*, order: AddonOrder) -> Check:
    """`concierge.services.orders.CANCEL_RULES["second_opinion"]`."""
    return _handled_by_case(order)


def opinion_order_refund_check(*, order: AddonOrder) -> Check:
    """`concierge.services.orders.REFUND_RULES["second_opinion"]`: refunds go through the case."""
    return _handled_by_case(order)


def opinion_order_section(*, order_id: int, viewer_id: int) -> list[tuple[str, dict[str, object]]]:
    """`core.hooks.order_sections`: the link from a second-opinion order's page to its request (the patient's)."""
    case = OpinionCase.objects.filter(
        Q(order_id=order_id) | Q(supplement_order_id=order_id), patient_id=viewer_id
    ).first()
    if case is None:
        return []
    return [
        (
            "secondopinion/_order_section.html",
            {"number": case.pk, "url": reverse("secondopinion:patient_case", args=[case.pk])},
        )
    ]
