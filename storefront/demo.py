"""Demo data of the storefront for `manage.py seed_demo`: the reference exchange rates."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from storefront.services import LoadResult, exchange_rates_load, read_rates_csv

# Made-up but realistic euro rates for 9–20 November 2026 in the ECB's CSV layout: demo data,
# not an ECB publication. It leaves out some accepted currencies (VND, UGX…) on purpose, so the
# demo also shows prices that cannot be converted.
REFERENCE_RATES_FILE = Path(__file__).resolve().parent / "data" / "reference_rates.csv"


def seed_rates() -> LoadResult:
    """Load the shipped reference rates; running it again changes nothing."""
    return exchange_rates_load(
        rows=read_rates_csv(REFERENCE_RATES_FILE), source=REFERENCE_RATES_FILE.name, now=timezone.now()
    )
