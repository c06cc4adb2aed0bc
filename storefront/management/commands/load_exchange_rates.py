"""`manage.py load_exchange_rates [PATH]`: load reference exchange rates from a CSV file.

Without PATH it loads storefront/data/reference_rates.csv, demo reference data shipped with
the project: made-up but realistic euro rates for ten business days of November 2026, in the
European Central Bank's layout. It is not an ECB publication; load a real file in production.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from storefront.demo import REFERENCE_RATES_FILE
from storefront.services import RatesFileInvalid, exchange_rates_load, read_rates_csv


class Command(BaseCommand):
    help = (
        "Load exchange rates (units per 1 EUR) from a CSV file, all or nothing: either the ECB's layout "
        "(Date,USD,JPY,… then one row per day, N/A where absent) or date,currency,rate. Rates already "
        "stored for the same currency and day are replaced, edits made in the admin included. "
        "Without PATH, loads the shipped demo file, which holds made-up reference rates "
        "for 9–20 November 2026, not real ECB figures."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", type=Path, default=REFERENCE_RATES_FILE, help="CSV file (default: the demo file)"
        )

    def handle(self, *args, path: Path, **options):
        try:
            rows = read_rates_csv(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            result = exchange_rates_load(rows=rows, source=path.name, now=timezone.now())
        except RatesFileInvalid as exc:
            raise CommandError(f"{path}: {exc.message} Nothing was loaded.") from exc

        period = f" for {result.first_day} to {result.last_day}" if result.first_day else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Exchange rates from {path.name}{period}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
        if result.not_available:
            self.stdout.write(f"Values N/A or empty (no rate that day): {result.not_available}.")
        for currency, reason in result.skipped.items():
            self.stdout.write(self.style.WARNING(f"Skipped {currency}: {reason}"))
