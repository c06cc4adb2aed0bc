"""What concierge shows on the patient's booking page, through `core.hooks.booking_sections`
(registered in `ConciergeConfig.ready()`): the add-ons ordered for the booking, with their status
and who was assigned, and what can still be ordered, or why not yet."""

from __future__ import annotations

from typing import Any

from bookings.models import Booking
from concierge import selectors
from concierge.models import AddonOrderStatus
from concierge.services.ordering import booking_addons_order_check

SECTION_TEMPLATE = "concierge/orders/_booking_section.html"


def booking_addons_section(*, booking_id: int, viewer_id: int) -> list[tuple[str, dict[str, Any]]]:
    booking = Booking.objects.filter(pk=booking_id, patient_id=viewer_id).first()
    if booking is None:  # only the booking's patient sees its add-ons
        return []
    orders = selectors.booking_orders(booking_id=booking.pk, patient_id=viewer_id)
    live = [o for o in orders if o.status not in (AddonOrderStatus.CANCELLED, AddonOrderStatus.REFUNDED)]
    context = {
        "booking": booking,
        "orders": orders,
        "order_check": booking_addons_order_check(booking=booking),
        "has_transfer": any(o.kind == "transfer" for o in live),
        "has_interpreter": any(o.kind == "interpreter" for o in live),
    }
    return [(SECTION_TEMPLATE, context)]
