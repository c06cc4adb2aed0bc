from django.apps import AppConfig


class QuotesConfig(AppConfig):
    """Quote requests and quotes. The models' tables keep their `marketplace_` names."""

    name = "quotes"
    verbose_name = "Quotes"

    def ready(self) -> None:
        from core.hooks import order_sections
        from quotes.views import order_tenders_section

        # A careteam assistance's order pages (concierge's) show its tenders through this.
        order_sections.register(order_tenders_section)
