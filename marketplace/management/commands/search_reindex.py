from django.core.management.base import BaseCommand
from django.utils import timezone

from marketplace.search import search_reindex
from providers.services import offerings_refresh_next_slot


class Command(BaseCommand):
    help = "Rebuild the search index and the next free slot of every offering."

    def handle(self, *args, **options):
        indexed = search_reindex()
        slots = offerings_refresh_next_slot(offering_ids=None, now=timezone.now())
        self.stdout.write(self.style.SUCCESS(f"Indexed {indexed} offerings; refreshed {slots} next free slots."))
