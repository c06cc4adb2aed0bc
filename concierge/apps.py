from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConciergeConfig(AppConfig):
    name = "concierge"
    label = "concierge"
    verbose_name = _("Concierge")

    def ready(self) -> None:
        from concierge.sections import booking_addons_section
        from concierge.services.ordering import booking_rescheduled
        from concierge.services.orders import order_record_paid
        from core.hooks import booking_changed, booking_sections, payment_succeeded

        # Payments' webhook records a card payment whose metadata names an add-on order through this.
        payment_succeeded.register("addon_order")(order_record_paid)
        # A moved appointment re-times its transfer legs and the interpreter's days (inside bookings' transaction).
        booking_changed.register(booking_rescheduled)
        # The patient's booking page shows the add-ons ordered for it and what can still be ordered.
        booking_sections.register(booking_addons_section)
