from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_people


class Command(BaseCommand):
    help = "Create a believable demo (staff, patients; providers and bookings as they arrive). Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        people = seed_people()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /accounts/login/ with:"))
        width = max(len(p.email) for p in people)
        for person in people:
            self.stdout.write(f"  {person.email.ljust(width)}  {DEMO_PASSWORD}  ({person.role})")
