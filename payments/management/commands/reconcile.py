import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from payments.services.reconciliation import reconcile_day


class Command(BaseCommand):
    help = (
        "Reconcile the ledger with Stripe for one UTC day (yesterday by default): balance "
        "transactions matched both ways, trust coverage per currency. Exits 1 when anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", type=dt.date.fromisoformat, help="YYYY-MM-DD (UTC); yesterday by default")

    def handle(self, *args, day=None, **options):
        now = timezone.now()
        day = day or (now.astimezone(dt.UTC).date() - dt.timedelta(days=1))
        run = reconcile_day(day=day, now=now)
        self.stdout.write(f"{day}: {run.matched} matched, {run.problems} problem(s), balance from {run.balance_source}")
        for item in run.report["items"]:
            self.stdout.write(
                f"{item['kind']}: {item['currency']} {item['stripe_id'] or '-'} {item['source_id'] or '-'} "
                f"ledger txn {item['ledger_transaction'] or '-'} {item['detail']} "
                f"(Stripe {item['stripe_amount']}, ledger {item['ledger_amount']})"
            )
        if run.problems:
            raise CommandError(f"{run.problems} difference(s) between the ledger and Stripe on {day}")
        self.stdout.write(self.style.SUCCESS("The ledger and Stripe agree."))
