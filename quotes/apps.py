from django.apps import AppConfig


class QuotesConfig(AppConfig):
    """Quote requests and quotes. The models' tables keep their `marketplace_` names."""

    name = "quotes"
    verbose_name = "Quotes"
