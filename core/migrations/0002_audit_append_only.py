"""The database itself refuses to change an audit event.

PostgreSQL (production) refuses UPDATE and DELETE. TRUNCATE stays possible for the table's
owner: test teardown and an operator's deliberate purge use it, and the application's own
database role should not own the table in production. SQLite, the embedded default, refuses
UPDATE only, because Django empties tables between transactional tests with DELETE.
"""

from django.db import migrations

from core.migration_utils import vendor_sql

TABLE = "marketplace_auditevent"

SQLITE = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update"]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION medibroker_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation'; END;
       $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION medibroker_append_only()""",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS medibroker_append_only()",
]


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [
        vendor_sql(
            {"sqlite": SQLITE, "postgresql": POSTGRESQL},
            {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE},
        )
    ]
