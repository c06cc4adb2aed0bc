from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """What patients browse: home, search, comparison, legal pages and providers' public pages."""

    name = "storefront"
    verbose_name = "Storefront"

    def ready(self) -> None:
        from core import hooks
        from storefront.listing import listing_stale
        from storefront.search import destinations_forget, search_reindex

        # Providers call it (from their refresh task, after the change committed) where the index
        # of the offerings they changed must be rebuilt.
        hooks.offerings_changed.register(search_reindex)
        # The destination list counts listed offerings: recount after a change.
        hooks.offerings_changed.register(destinations_forget)
        # Providers call it in the transaction of a change to what search lists (storefront.listing).
        hooks.listing_stale.register(listing_stale)
