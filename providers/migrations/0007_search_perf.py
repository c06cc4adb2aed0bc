"""PostgreSQL: indexes that let search count, filter and sort without reading whole offering rows.

An offering row is wide (its search text and vector take most of it), so counting or sorting the
matches by reading the table costs tens of milliseconds at 40,000 offerings (bench/search.py):

- `providers_offering_search_listing`: the published offerings in search's default order (next
  free slot, then id), carrying every column the filters and the price sort read. Counting and
  choosing a page's ids become index-only scans, and the default order is read off the index
  (ties on the next slot, frequent since slots start on the hour, need no sort).
- `providers_provider_verified`: the verified providers, so that the join that keeps them is
  index-only too.
- `providers_provider_languages`: the languages spoken, for the containment filter (`@>`).
- `providers_accreditation_body` and `providers_location_place`: the accrediting body and the city
  as the case-insensitive filters compare them (UPPER). Beyond the lookup, they give the planner
  statistics on those expressions: without them it guesses that a handful of providers hold a JCI
  accreditation (a thousand do) or practise in Istanbul (hundreds do), and picks nested loops that
  read every offering of each of them.
"""

from django.db import migrations

from core.migration_utils import vendor_sql


class Migration(migrations.Migration):
    dependencies = [("providers", "0006_search_pg")]

    operations = [
        vendor_sql(
            {
                "postgresql": [
                    "CREATE INDEX IF NOT EXISTS providers_offering_search_listing "
                    "ON providers_offering (next_slot_at, id) "
                    "INCLUDE (provider_id, location_id, specialty_id, procedure_id, currency, price_min) "
                    "WHERE is_active",
                    "CREATE INDEX IF NOT EXISTS providers_provider_verified "
                    "ON providers_provider (id) INCLUDE (kind) WHERE status = 'verified'",
                    "CREATE INDEX IF NOT EXISTS providers_provider_languages "
                    "ON providers_provider USING gin (languages jsonb_path_ops)",
                    "CREATE INDEX IF NOT EXISTS providers_accreditation_body "
                    "ON providers_accreditation (UPPER(body::text), valid_until) INCLUDE (provider_id)",
                    "CREATE INDEX IF NOT EXISTS providers_location_place "
                    "ON providers_location (country, UPPER(city::text))",
                ]
            },
            {
                "postgresql": [
                    "DROP INDEX IF EXISTS providers_offering_search_listing",
                    "DROP INDEX IF EXISTS providers_provider_verified",
                    "DROP INDEX IF EXISTS providers_provider_languages",
                    "DROP INDEX IF EXISTS providers_accreditation_body",
                    "DROP INDEX IF EXISTS providers_location_place",
                ]
            },
        )
    ]
