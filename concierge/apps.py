from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConciergeConfig(AppConfig):
    name = "concierge"
    label = "concierge"
    verbose_name = _("Concierge")

    def ready(self) -> None:
        from concierge.cases import case_items as concierge_case_items
        from concierge.models import AddonKind
        from concierge.sections import booking_addons_section
        from concierge.services import orders, visa
        from concierge.services.ordering import booking_rescheduled
        from core.hooks import booking_changed, booking_sections, case_items, payment_succeeded

        # Payments' webhook records a card payment whose metadata names an add-on order through this.
        payment_succeeded.register("addon_order")(orders.order_record_paid)
        # A moved appointment re-times its transfer legs and the interpreter's days (inside bookings' transaction).
        booking_changed.register(booking_rescheduled)
        # The patient's booking page shows the add-ons ordered for it and what can still be ordered.
        booking_sections.register(booking_addons_section)
        # Visa letters: issued once paid, never refunded once issued, revoked with a cancelled booking.
        orders.AFTER_PAID[AddonKind.VISA_LETTER] = visa.visa_letters_issue
        orders.REFUND_RULES[AddonKind.VISA_LETTER] = visa.visa_letters_refund_check
        booking_changed.register(visa.visa_letters_booking_changed)
        # The careteam's board: orders to price, to arrange and under way.
        case_items.register(concierge_case_items)
        from concierge.personal_data import DECLARATION
        from core.personal_data import declare

        # What concierge holds about a person: export, erasure and what must end first (privacy).
        declare(DECLARATION)
