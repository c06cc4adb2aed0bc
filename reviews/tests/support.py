"""Shared helpers for reviews' tests: a completed booking, a fulfilled order with a driver, a review
submitted, the stars and words of a fair review."""

from __future__ import annotations

import datetime as dt

from bookings.models import Booking
from bookings.services.appointments import booking_complete
from bookings.tests.support import awaiting, confirm
from concierge.models import AddonOrder, AddonOrderStatus, Supplier
from reviews.models import Review, SupplierReview
from reviews.services import review_submit, supplier_review_submit

UTC = dt.UTC
# The booking's appointment is on Monday 4 February 2030 at 09:00 in Paris; it is completed at noon.
COMPLETED_AT = dt.datetime(2030, 2, 4, 12, 0, tzinfo=UTC)
WRITTEN_AT = dt.datetime(2030, 2, 6, 9, 0, tzinfo=UTC)  # a Wednesday
STARS = {"care": 5, "communication": 4, "value": 4, "cleanliness": 5}
SUPPLIER_STARS = {"service": 5, "communication": 4, "punctuality": 3}
TEXT = "The team explained every step and the follow-up was careful. I would go back."


def completed(patient, provider, member, *, at: dt.datetime = COMPLETED_AT) -> Booking:
    """The patient's confirmed booking with `provider`, marked completed by `member` at `at`."""
    booking = confirm(awaiting(patient, provider))
    return booking_complete(booking=booking, actor=member, now=at)


def submitted(booking: Booking, *, at: dt.datetime = WRITTEN_AT, text: str = TEXT) -> Review:
    return review_submit(booking=booking, actor=booking.patient, stars=STARS, text=text, now=at)


def driver(*, name: str = "Paris Cars", kind: str = "driver") -> Supplier:
    return Supplier.objects.create(kind=kind, name=name, city="Paris", country="FR", created_at=COMPLETED_AT)


def fulfilled_order(patient, supplier: Supplier | None, *, at: dt.datetime = COMPLETED_AT, **changes) -> AddonOrder:
    """A paid transfer for `patient`, done at `at` by `supplier`."""
    fields = {
        "patient": patient,
        "kind": "transfer",
        "description": "Airport transfer",
        "amount": 9_000,
        "currency": "EUR",
        "status": AddonOrderStatus.FULFILLED,
        "paid_at": at - dt.timedelta(days=5),
        "supplier": supplier,
        "supplier_name": supplier.name if supplier else "",
        "assigned_at": at - dt.timedelta(days=2),
        "fulfilled_at": at,
        "created_at": at - dt.timedelta(days=6),
    }
    fields.update(changes)
    return AddonOrder.objects.create(**fields)


def supplier_submitted(order: AddonOrder, *, at: dt.datetime = WRITTEN_AT) -> SupplierReview:
    return supplier_review_submit(order=order, actor=order.patient, stars=SUPPLIER_STARS, text=TEXT, now=at)
