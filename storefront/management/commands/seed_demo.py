from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_people
from providers.demo import seed_providers
from quotes.demo import seed_quotes
from storefront.demo import seed_rates


class Command(BaseCommand):
    help = "Create a believable demo (staff, patients, providers; bookings as they arrive). Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        people = seed_people()
        providers = seed_providers()
        seed_rates()
        seed_quotes()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /accounts/login/ with:"))
        rows = [(p.email, p.role) for p in people]
        rows += [
            (email, f"admin of {provider.name}, {provider.get_status_display().lower()}")
            for provider, email in providers
        ]
        width = max(len(email) for email, _role in rows)
        for email, role in rows:
            self.stdout.write(f"  {email.ljust(width)}  {DEMO_PASSWORD}  ({role})")
