"""Booking services, by subdomain; import them from here (`from bookings.services import booking_hold`).

Each action a page offers has its `booking_<action>_check(*, booking, actor, now) -> Check`, which
the service enforces first; `booking_actions` gathers them for the pages and the API.
"""

from bookings.policy import EVIDENCE_WINDOW
from bookings.services.actions import BOOKING_ACTIONS, booking_actions
from bookings.services.aftercare import (
    PACK_LINK_LIFETIME,
    LinkGone,
    discharge_item_not_applicable,
    discharge_item_upload,
    discharge_item_upload_check,
    discharge_pack,
    discharge_pack_release_check,
    discharge_pack_required,
    pack_link_create,
    pack_link_create_check,
    pack_link_document,
    pack_link_of,
    pack_link_open,
    pack_link_revoke,
    pack_link_revoke_check,
    pack_links_of,
)
from bookings.services.appointments import (
    booking_complete,
    booking_complete_check,
    booking_mark_no_show,
    booking_no_show_check,
    booking_reschedule,
    booking_reschedule_check,
)
from bookings.services.cancellation import (
    CancelQuote,
    booking_apply_evidence_deadlines,
    booking_cancel,
    booking_cancel_check,
    booking_cancel_quote,
    booking_evidence_review_check,
    booking_evidence_send_check,
    booking_review_evidence,
    booking_submit_evidence,
)
from bookings.services.deposits import (
    booking_confirm_deposit,
    booking_create_awaiting_deposit,
    booking_expire_unpaid,
    booking_pay_check,
)
from bookings.services.holds import HOLD_DURATION, booking_expire_holds, booking_hold

__all__ = [
    "BOOKING_ACTIONS",
    "EVIDENCE_WINDOW",
    "HOLD_DURATION",
    "PACK_LINK_LIFETIME",
    "CancelQuote",
    "LinkGone",
    "booking_actions",
    "booking_apply_evidence_deadlines",
    "booking_cancel",
    "booking_cancel_check",
    "booking_cancel_quote",
    "booking_complete",
    "booking_complete_check",
    "booking_confirm_deposit",
    "booking_create_awaiting_deposit",
    "booking_evidence_review_check",
    "booking_evidence_send_check",
    "booking_expire_holds",
    "booking_expire_unpaid",
    "booking_hold",
    "booking_mark_no_show",
    "booking_no_show_check",
    "booking_pay_check",
    "booking_reschedule",
    "booking_reschedule_check",
    "booking_review_evidence",
    "booking_submit_evidence",
    "discharge_item_not_applicable",
    "discharge_item_upload",
    "discharge_item_upload_check",
    "discharge_pack",
    "discharge_pack_release_check",
    "discharge_pack_required",
    "pack_link_create",
    "pack_link_create_check",
    "pack_link_document",
    "pack_link_of",
    "pack_link_open",
    "pack_link_revoke",
    "pack_link_revoke_check",
    "pack_links_of",
]
