"""PostgreSQL: a GIN index on the offerings' weighted full-text vector."""

from django.db import migrations

from core.migration_utils import vendor_sql


class Migration(migrations.Migration):
    dependencies = [("providers", "0005_search_index")]

    operations = [
        vendor_sql(
            {
                "postgresql": [
                    "CREATE INDEX IF NOT EXISTS providers_offering_search_vector "
                    "ON providers_offering USING gin (search_vector)",
                ]
            },
            {"postgresql": ["DROP INDEX IF EXISTS providers_offering_search_vector"]},
        )
    ]
