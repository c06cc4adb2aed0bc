from django.core.management.base import BaseCommand, CommandError

from payments.ledger import ledger_check


class Command(BaseCommand):
    help = (
        "Recompute every ledger balance from its entries and check every transaction balances per "
        "currency; exits 1 and lists the differences when there are any."
    )

    def handle(self, *args, **options):
        problems = ledger_check()
        for problem in problems:
            self.stdout.write(f"{problem.what}: {problem.detail}")
        if problems:
            raise CommandError(f"{len(problems)} difference(s) in the ledger")
        self.stdout.write(self.style.SUCCESS("The ledger is sound: every balance matches its entries."))
