from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConciergeConfig(AppConfig):
    name = "concierge"
    label = "concierge"
    verbose_name = _("Concierge")

    def ready(self) -> None:
        from concierge.selectors import package_case_items
        from concierge.services.orders import order_record_paid
        from core.hooks import case_items, payment_succeeded

        # Payments' webhook records a card payment whose metadata names an add-on order through this.
        payment_succeeded.register("addon_order")(order_record_paid)
        # The careteam's board shows VIP packages and assistance cases through this.
        case_items.register(package_case_items)
