"""PostgreSQL: trigram matching of misspelt words against the search vocabulary."""

from django.db import migrations

from core.migration_utils import vendor_sql


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0003_rates_and_search_terms")]

    operations = [
        vendor_sql(
            {
                "postgresql": [
                    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                    "CREATE INDEX IF NOT EXISTS marketplace_searchterm_word_trgm "
                    "ON marketplace_searchterm USING gin (word gin_trgm_ops)",
                ]
            },
            {"postgresql": ["DROP INDEX IF EXISTS marketplace_searchterm_word_trgm"]},
        )
    ]
