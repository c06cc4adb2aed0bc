from django.apps import AppConfig


class QuotesConfig(AppConfig):
    """Quote requests and quotes. The models' tables keep their `marketplace_` names."""

    name = "quotes"
    verbose_name = "Quotes"

    def ready(self) -> None:
        from core import hooks
        from quotes.cases import case_items
        from quotes.dashboard import dashboard_counts
        from quotes.selectors import booking_care
        from quotes.views import order_tenders_section

        hooks.case_items.register(case_items)
        hooks.booking_care.register(booking_care)
        hooks.provider_dashboard_counts.register(dashboard_counts)
        # A careteam assistance's order pages (concierge's) show its tenders through this.
        hooks.order_sections.register(order_tenders_section)
        from core.personal_data import declare
        from quotes.personal_data import DECLARATION

        # What quotes holds about a person: export, erasure and what must end first (privacy).
        declare(DECLARATION)
