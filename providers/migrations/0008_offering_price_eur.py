"""Each offering's lower price in nano-euros, so that search filters and sorts by price off an index.

The column is filled here at the rates in force today (UTC), as
`providers.services.offerings_refresh_prices` computes it (core.rates explains the
rounding); that refresh keeps it fresh afterwards. On PostgreSQL, search's covering index of
published offerings is rebuilt to carry the new column too, so that a price filter in the
default order stays an index-only scan.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations, models
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Cast, Least, Round

from core.migration_utils import vendor_sql
from core.money import CURRENCY_EXPONENTS

NANO_EURO_CAP = 10**18


def fill(apps, schema_editor):
    ExchangeRate = apps.get_model("marketplace", "ExchangeRate")
    Offering = apps.get_model("providers", "Offering")
    today = dt.datetime.now(tz=dt.UTC).date()
    latest = ExchangeRate.objects.filter(date__lte=today).values("currency").annotate(day=Max("date")).order_by()
    per_euro = {"EUR": Decimal(1)}
    for row in latest:
        if row["currency"] != "EUR":
            per_euro[row["currency"]] = ExchangeRate.objects.get(currency=row["currency"], date=row["day"]).rate
    whens = []
    for currency, rate in per_euro.items():
        if currency not in CURRENCY_EXPONENTS:
            continue
        factor = Decimal(10) ** (9 - CURRENCY_EXPONENTS[currency]) / rate
        product = models.ExpressionWrapper(F("price_min") * Value(factor), output_field=models.DecimalField())
        nano = Cast(Round(product), models.BigIntegerField())
        whens.append(When(currency=currency, then=Least(nano, Value(NANO_EURO_CAP))))
    Offering.objects.update(price_eur_nano=Case(*whens, default=None, output_field=models.BigIntegerField()))


LISTING_COLUMNS = "provider_id, location_id, specialty_id, procedure_id, currency, price_min"


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0007_search_perf"),
        ("marketplace", "0003_rates_and_search_terms"),
    ]

    operations = [
        migrations.AddField(
            model_name="offering",
            name="price_eur_nano",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="offering",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["price_eur_nano", "id"],
                include=("provider", "location", "specialty", "procedure", "next_slot_at"),
                name="providers_offering_price_eur",
            ),
        ),
        vendor_sql(
            {
                "postgresql": [
                    "DROP INDEX IF EXISTS providers_offering_search_listing",
                    "CREATE INDEX providers_offering_search_listing ON providers_offering (next_slot_at, id) "
                    f"INCLUDE ({LISTING_COLUMNS}, price_eur_nano) WHERE is_active",
                ]
            },
            {
                "postgresql": [
                    "DROP INDEX IF EXISTS providers_offering_search_listing",
                    "CREATE INDEX providers_offering_search_listing ON providers_offering (next_slot_at, id) "
                    f"INCLUDE ({LISTING_COLUMNS}) WHERE is_active",
                ]
            },
        ),
    ]
