from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """What patients browse: home, search, comparison and legal pages."""

    name = "storefront"
    verbose_name = "Storefront"
