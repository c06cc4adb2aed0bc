from django.core.management.base import BaseCommand

from storefront.listing import listing_rebuild


class Command(BaseCommand):
    help = (
        "Empty the search listing and fill it again from every listed offering (set-based on PostgreSQL). "
        "Run it after search_reindex when the offerings' index, next free slots or prices were built in bulk."
    )

    def handle(self, *args, **options):
        listed = listing_rebuild()
        self.stdout.write(self.style.SUCCESS(f"{listed} offerings listed."))
