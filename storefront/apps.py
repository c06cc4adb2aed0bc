from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """What patients browse: home, search, comparison, legal pages and providers' public pages."""

    name = "storefront"
    verbose_name = "Storefront"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from core import hooks
        from core.personal_data import declare
        from providers.models import Procedure, Specialty
        from storefront.choices import catalogue_changed
        from storefront.listing import listing_fill_after_migrate, listing_stale
        from storefront.personal_data import DECLARATION
        from storefront.search import destinations_forget, search_reindex

        # Providers call it (from their refresh task, after the change committed) where the index
        # of the offerings they changed must be rebuilt.
        hooks.offerings_changed.register(search_reindex)
        # The destination list counts listed offerings: recount after a change.
        hooks.offerings_changed.register(destinations_forget)
        # The search form renders the catalogue's options once per language (storefront/choices.py):
        # render them again after a specialty or a procedure changed, or a migration ran.
        for model in (Specialty, Procedure):
            for event, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(
                    catalogue_changed, sender=model, dispatch_uid=f"storefront.choices.{model.__name__}.{event}"
                )
        post_migrate.connect(catalogue_changed, dispatch_uid="storefront.choices.post_migrate")

        # Providers call it in the transaction of a change to what search lists (storefront.listing).
        hooks.listing_stale.register(listing_stale)
        # A database that had offerings before the listing existed gets it filled by its migration.
        post_migrate.connect(listing_fill_after_migrate, sender=self, dispatch_uid="storefront.listing.post_migrate")
        declare(DECLARATION)
