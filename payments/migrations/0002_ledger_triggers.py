"""The database enforces the ledger's invariants (docs/decisions.md#ledger) on PostgreSQL:

1. every transaction balances per currency: a constraint trigger deferred to COMMIT sums the
   entries of each transaction touched;
2. an entry's currency is its account's;
3. entries and transactions are never updated or deleted (TRUNCATE stays possible for the
   table's owner: test teardown; the application's role should not own the tables);
4. a trust account never goes below zero: a CHECK on the cached balance (migration 0001), which
   the posting service keeps under the account row's lock.

SQLite, the embedded default, gets the posting service's own checks only; the PostgreSQL suite
proves these triggers.
"""

from django.db import migrations

# Statements run with parameters, so a literal % (RAISE's placeholder) is written %%.

from core.migration_utils import vendor_sql

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION payments_check_balanced() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (
           SELECT 1 FROM payments_ledgerentry WHERE transaction_id = NEW.transaction_id
           GROUP BY currency HAVING SUM(amount) <> 0
         ) THEN
           RAISE EXCEPTION 'ledger transaction %% does not balance in every currency', NEW.transaction_id
             USING ERRCODE = 'check_violation';
         END IF;
         IF (SELECT COUNT(*) FROM payments_ledgerentry WHERE transaction_id = NEW.transaction_id) < 2 THEN
           RAISE EXCEPTION 'ledger transaction %% has fewer than two entries', NEW.transaction_id
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NULL;
       END $$ LANGUAGE plpgsql""",
    """CREATE CONSTRAINT TRIGGER payments_ledgerentry_balanced AFTER INSERT ON payments_ledgerentry
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_check_balanced()""",
    """CREATE OR REPLACE FUNCTION payments_check_entry_currency() RETURNS trigger AS $$
       BEGIN
         IF NEW.currency <> (SELECT currency FROM payments_ledgeraccount WHERE id = NEW.account_id) THEN
           RAISE EXCEPTION 'ledger entry currency %% is not its account''s', NEW.currency
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER payments_ledgerentry_currency BEFORE INSERT ON payments_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION payments_check_entry_currency()""",
    """CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the ledger is append-only' USING ERRCODE = 'restrict_violation'; END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER payments_ledgerentry_append_only BEFORE UPDATE OR DELETE ON payments_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only()""",
    """CREATE TRIGGER payments_ledgertransaction_append_only BEFORE UPDATE OR DELETE ON payments_ledgertransaction
       FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS payments_ledgertransaction_append_only ON payments_ledgertransaction",
    "DROP TRIGGER IF EXISTS payments_ledgerentry_append_only ON payments_ledgerentry",
    "DROP FUNCTION IF EXISTS payments_ledger_append_only()",
    "DROP TRIGGER IF EXISTS payments_ledgerentry_currency ON payments_ledgerentry",
    "DROP FUNCTION IF EXISTS payments_check_entry_currency()",
    "DROP TRIGGER IF EXISTS payments_ledgerentry_balanced ON payments_ledgerentry",
    "DROP FUNCTION IF EXISTS payments_check_balanced()",
]
# SQLite refuses UPDATE only: Django empties tables between transactional tests with DELETE.
SQLITE = [
    """CREATE TRIGGER payments_ledgerentry_no_update BEFORE UPDATE ON payments_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END""",
    """CREATE TRIGGER payments_ledgertransaction_no_update BEFORE UPDATE ON payments_ledgertransaction
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS payments_ledgerentry_no_update",
    "DROP TRIGGER IF EXISTS payments_ledgertransaction_no_update",
]


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_ledger")]

    operations = [
        vendor_sql(
            {"postgresql": POSTGRESQL, "sqlite": SQLITE},
            {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE},
        )
    ]
