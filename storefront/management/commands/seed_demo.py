from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_people
from providers.demo import seed_providers
from quotes.demo import seed_quotes
from storefront.demo import seed_rates


class Command(BaseCommand):
    help = "Create a believable demo (staff, patients, providers; bookings as they arrive). Idempotent."

    def handle(self, *args, **options):
        # The demo's people, a superuser among them, share one password printed below and written in
        # the source: in production that would be an open door. Refused before touching the database.
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo is refused in production mode (DJANGO_PRODUCTION=true): it creates a superuser "
                "and other accounts with a public demo password."
            )
        self._seed()

    @transaction.atomic
    def _seed(self):
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
