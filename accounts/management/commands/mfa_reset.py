from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from accounts.services import mfa_reset
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Remove every second factor of one account (a lost device) and revoke its API tokens; the person "
        "sets up a new one at their next sign-in. Audited with the reason: check who asks first."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--reason", required=True, help="How the person's identity was checked.")

    def handle(self, *args, email: str, reason: str, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email!r}.")
        try:
            removed = mfa_reset(user=user, actor=None, reason=reason, now=timezone.now())
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{user.email}: {removed} authenticator(s) removed, API tokens revoked.")
