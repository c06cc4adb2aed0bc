from django.core.management.base import BaseCommand
from django.utils import timezone

from storefront.services import provider_rankings_refresh


class Command(BaseCommand):
    help = "Score every verified provider for the published ranking (what search's default order reads)."

    def handle(self, *args, **options):
        scored = provider_rankings_refresh(now=timezone.now())
        self.stdout.write(self.style.SUCCESS(f"Scored {scored} providers."))
