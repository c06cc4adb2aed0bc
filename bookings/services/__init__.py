"""Booking services, by subdomain; import them from here (`from bookings.services import booking_hold`)."""

from bookings.services.appointments import booking_complete, booking_mark_no_show, booking_reschedule
from bookings.services.cancellation import (
    EVIDENCE_WINDOW,
    booking_apply_evidence_deadlines,
    booking_cancel,
    booking_review_evidence,
    booking_submit_evidence,
)
from bookings.services.deposits import (
    booking_confirm_deposit,
    booking_create_awaiting_deposit,
    booking_expire_unpaid,
)
from bookings.services.holds import HOLD_DURATION, booking_expire_holds, booking_hold

__all__ = [
    "EVIDENCE_WINDOW",
    "HOLD_DURATION",
    "booking_apply_evidence_deadlines",
    "booking_cancel",
    "booking_complete",
    "booking_confirm_deposit",
    "booking_create_awaiting_deposit",
    "booking_expire_holds",
    "booking_expire_unpaid",
    "booking_hold",
    "booking_mark_no_show",
    "booking_reschedule",
    "booking_review_evidence",
    "booking_submit_evidence",
]
