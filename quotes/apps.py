from django.apps import AppConfig


class QuotesConfig(AppConfig):
    """Quote requests and quotes. The models' tables keep their `marketplace_` names."""

    name = "quotes"
    verbose_name = "Quotes"

    def ready(self) -> None:
        from core import hooks
        from quotes.cases import case_items

        hooks.case_items.register(case_items)
