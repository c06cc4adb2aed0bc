"""Every action a booking's pages and API offer, by name, with the check its service enforces.

`booking_actions` answers them all (or `only` some) for one person at one moment: the pages show
a button only when its check allows it, and the API lists them as `available_actions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from bookings.models import Booking
from bookings.services.aftercare import discharge_item_upload_check, pack_link_create_check
from bookings.services.appointments import booking_complete_check, booking_no_show_check, booking_reschedule_check
from bookings.services.cancellation import (
    booking_cancel_check,
    booking_evidence_review_check,
    booking_evidence_send_check,
)
from bookings.services.deposits import booking_pay_check
from core.checks import Check

BOOKING_ACTIONS: dict[str, Callable[..., Check]] = {
    "pay": booking_pay_check,
    "cancel": booking_cancel_check,
    "reschedule": booking_reschedule_check,
    "send_evidence": booking_evidence_send_check,
    "review_evidence": booking_evidence_review_check,
    "complete": booking_complete_check,
    "no_show": booking_no_show_check,
    "add_to_discharge_pack": discharge_item_upload_check,
    "share_discharge_pack": pack_link_create_check,
}


def booking_actions(
    *, booking: Booking, actor: Any, now: dt.datetime, only: Iterable[str] | None = None
) -> dict[str, Check]:
    """Action name → whether `actor` may do it to `booking` at `now`, and why not."""
    names = BOOKING_ACTIONS if only is None else only
    return {name: BOOKING_ACTIONS[name](booking=booking, actor=actor, now=now) for name in names}
