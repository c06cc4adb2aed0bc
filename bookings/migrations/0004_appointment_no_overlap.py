"""No double booking, enforced by PostgreSQL: two live appointments of one provider never overlap.

Ranges are half-open [start, end), so back-to-back appointments are allowed. btree_gist lets the
GiST index compare provider_id with `=`. SQLite has no exclusion constraints; there the locking in
`bookings.services.booking_hold` is the only guard.
"""

from django.db import migrations

from core.migration_utils import vendor_sql


class Migration(migrations.Migration):
    dependencies = [("bookings", "0003_booking_appointment")]

    operations = [
        vendor_sql(
            {
                "postgresql": [
                    "CREATE EXTENSION IF NOT EXISTS btree_gist",
                    "ALTER TABLE bookings_appointment ADD CONSTRAINT bookings_appointment_no_overlap "
                    'EXCLUDE USING gist (provider_id WITH =, tstzrange("start", "end", \'[)\') WITH &&) '
                    "WHERE (live)",
                ]
            },
            {"postgresql": ["ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS bookings_appointment_no_overlap"]},
        )
    ]
