from django.core.management.base import BaseCommand
from django.utils import timezone

from providers.services import offerings_refresh_next_slot, offerings_refresh_prices
from storefront.search import search_reindex


class Command(BaseCommand):
    help = "Rebuild the search index, the next free slot and the price in euros of every offering."

    def handle(self, *args, **options):
        now = timezone.now()
        indexed = search_reindex()
        slots = offerings_refresh_next_slot(offering_ids=None, now=now)
        prices = offerings_refresh_prices(offering_ids=None, now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {indexed} offerings; refreshed {slots} next free slots; {prices} prices in euros changed."
            )
        )
