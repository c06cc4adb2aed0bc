import contextlib
import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, enroll_demo_mfa, seed_people
from accounts.models import User
from concierge.demo import seed_concierge_catalogue, seed_concierge_orders, seed_vip_request
from disputes.demo import seed_disputes
from messaging.demo import seed_messaging
from payments.demo import seed_aftercare
from providers.demo import PROVIDERS, seed_providers
from quotes.demo import seed_quotes
from reviews.demo import seed_reviews
from secondopinion.demo import seed_second_opinions
from storefront.demo import seed_rates
from storefront.services import provider_rankings_refresh


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
        # The e-mails and SMS the seed sends (a console backend prints ~200 lines) go to a file, so
        # that the logins come last on the console; `make run` prints them again once the site answers.
        messages_path = settings.VAR_DIR / "demo-messages.log"
        with messages_path.open("w") as messages, contextlib.redirect_stdout(messages):
            table = self._seed()  # committed (and its on-commit messages sent) on return
        sent = _count_messages(messages_path.read_text())
        if sent:
            self.stdout.write(f"The seed's {sent} (printed by the console backends) are in {messages_path}.")
        self.stdout.write(self.style.SUCCESS(table[0]))
        for line in table[1:]:
            self.stdout.write(line)
        (settings.VAR_DIR / "demo-logins.txt").write_text("\n".join(table) + "\n")

    @transaction.atomic
    def _seed(self) -> list[str]:
        people = seed_people()
        providers = seed_providers()
        seed_concierge_catalogue()
        seed_rates()
        seed_quotes()
        seed_vip_request()
        concierge_orders = seed_concierge_orders()
        second_opinions = seed_second_opinions()
        # Issue 18: messaging, reviews (on past bookings booked, paid and completed), a dispute and a
        # discharge pack; before the ranking, which reads the published reviews.
        messaging = seed_messaging()
        reviews = seed_reviews()
        disputes = seed_disputes()
        aftercare = seed_aftercare()
        # Search's order reads the published ranking's table: score the demo's providers now rather
        # than at the next hourly run.
        provider_rankings_refresh(now=timezone.now())
        # Every demo account, also those of an earlier run (seed_providers returns only new providers).
        emails = [person.email for person in people] + [demo.admin_email for demo in PROVIDERS]
        with_mfa = {user.email for user in enroll_demo_mfa(list(User.objects.filter(email__in=emails)))}
        table = ["Demo data is ready. Sign in at /accounts/login/ with:"]
        rows = [(p.email, p.role) for p in people]
        rows += [
            (email, f"admin of {provider.name}, {provider.get_status_display().lower()}")
            for provider, email in providers
        ]
        width = max(len(email) for email, _role in rows)
        for email, role in rows:
            second = "  + code" if email in with_mfa else ""
            table.append(f"  {email.ljust(width)}  {DEMO_PASSWORD}{second.ljust(8)}  ({role})")
        table.append(
            f"Accounts marked '+ code' must give a second factor: add the secret {DEMO_TOTP_SECRET} to an "
            "authenticator app, or run `python manage.py demo_totp_code` for the current code."
        )
        table.append(f"Concierge: {concierge_orders}.")
        table.append(f"Second opinions: {second_opinions}.")
        table.append(f"Messaging: {messaging}.")
        table.append(f"Reviews: {reviews}.")
        table.append(f"Disputes: {disputes}.")
        table.append(f"Discharge pack: {aftercare}.")
        table.append("Test card: 4242 4242 4242 4242, any future date, any CVC.")
        return table


def _count_messages(printed: str) -> str:
    """ "N e-mails and M SMS" from what the console backends printed ("" when nothing was)."""
    emails = len(re.findall(r"^Subject: ", printed, flags=re.MULTILINE))
    sms = len(re.findall(r"^SMS to ", printed, flags=re.MULTILINE))
    parts = [f"{emails} e-mail{'s' if emails != 1 else ''}" if emails else "", f"{sms} SMS" if sms else ""]
    return " and ".join(part for part in parts if part)
