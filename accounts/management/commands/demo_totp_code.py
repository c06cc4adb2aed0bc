from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_totp_code


class Command(BaseCommand):
    help = "Print the current code of the demo accounts' second factor (seed_demo). Refused in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_totp_code is refused in production mode: there are no demo accounts there.")
        self.stdout.write(demo_totp_code())
