"""What reviews show on the patient's booking page (`core.hooks.booking_sections`) and on their
add-on order's page (`core.hooks.order_sections`): the review written, or the link to write one, or
why not (yet)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bookings.models import Booking, BookingStatus
from concierge.models import AddonOrder, AddonOrderStatus
from reviews.access import REVIEWED_SUPPLIER_KINDS
from reviews.models import Review, SupplierReview
from reviews.services import review_submit_check, review_window_ends, supplier_review_submit_check

BOOKING_TEMPLATE = "reviews/_booking_section.html"
ORDER_TEMPLATE = "reviews/_order_section.html"


def booking_review_section(*, booking_id: int, viewer_id: int) -> list[tuple[str, dict[str, Any]]]:
    booking = Booking.objects.filter(pk=booking_id, patient_id=viewer_id).select_related("patient").first()
    if booking is None or booking.status != BookingStatus.COMPLETED:
        return []  # only the patient of a completed booking is asked for a review
    review = Review.objects.filter(booking_id=booking.pk).first()
    check = review_submit_check(booking=booking, actor=booking.patient, now=timezone.now())
    return [
        (BOOKING_TEMPLATE, {"booking": booking, "review": review, "write": check, "ends": review_window_ends(booking)})
    ]


def order_review_section(*, order_id: int, viewer_id: int) -> list[tuple[str, dict[str, Any]]]:
    order = (
        AddonOrder.objects.filter(pk=order_id, patient_id=viewer_id, status=AddonOrderStatus.FULFILLED)
        .select_related("supplier", "patient")
        .first()
    )
    if order is None or order.supplier is None or order.supplier.kind not in REVIEWED_SUPPLIER_KINDS:
        return []
    review = SupplierReview.objects.filter(order_id=order.pk).first()
    check = supplier_review_submit_check(order=order, actor=order.patient, now=timezone.now())
    return [(ORDER_TEMPLATE, {"order": order, "review": review, "write": check})]
