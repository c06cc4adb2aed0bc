"""A database made before the new layout (issue 11) migrates to the current code with every row kept.

The fixtures in tests/data/ were created by the code before the layout change (commit 962e407,
`marketplace` still one app, add-on orders in `payments`) and hold the demo with activity in every
table (64 tables, none empty): quote requests, recipients, quotes, lines and slots, audit events,
exchange rates, search terms, idempotency records, bookings, appointments, deposits, ledger rows,
refunds, releases, add-on orders, Stripe events…

- `pre_layout_demo.sqlite3`, with its row counts per table in `pre_layout_row_counts.json`;
- `pre_layout_demo.pg.sql.gz` (`pg_dump --no-owner --no-privileges`, gzipped), with its counts in
  `pre_layout_row_counts_pg.json`. Recent pg_dump writes psql meta-commands (`\\restrict`), so the
  dump is loaded with `psql -v ON_ERROR_STOP=1 -f -`.

Both counts files also note the ids of the content types of the models that move
(`moving_models_content_type_ids`: marketplace.quoterequest, quoterecipient, quote, quoteline,
quoteslot and payments.addonorder).

How they were made (tests/layout_fixture.py has the details), at the commit that added them (whose
application code is that of 962e407), from the repository root, PostgreSQL at 127.0.0.1:5432 with
trust auth for `postgres`:

    python -m tests.layout_fixture sqlite
    python -m tests.layout_fixture postgres --server postgres://postgres@127.0.0.1:5432

Each command starts its own localstripe, creates an empty database (a temporary SQLite file, or
the PostgreSQL database `medibroker_pre_layout`, dropped afterwards) and runs, with only
`DATABASE_URL`, `STRIPE_API_BASE` and `DJANGO_MEDIA_ROOT` set:

    python manage.py migrate --noinput
    python manage.py seed_demo
    python manage.py shell --no-imports -c \\
        "from tests.layout_fixture import add_demo_activity; add_demo_activity()"

then writes the SQLite file with `VACUUM INTO` (or `pg_dump --no-owner --no-privileges | gzip`)
and counts the rows of every table (sqlite_master without sqlite_*, or pg_tables in `public`).
Never rebuild them from a later commit: they must stay databases of the old layout.

The test copies the fixture (or loads the dump into a fresh scratch database), runs
`manage.py migrate --noinput` in a child process whose environment has no DJANGO_SETTINGS_MODULE
(manage.py picks the settings module) and only DATABASE_URL among MediBroker's settings, checks
that `manage.py migrate --check` finds nothing left to apply, and compares the tables:

- every table of the fixture still exists, with exactly as many rows;
- a table created by a new migration is allowed only empty;
- django_migrations may gain rows (the new migrations), but keeps every one it had.

A model moved to another app must keep its content type row (renamed, not recreated next to a
stale one): django_content_type and auth_permission are compared strictly too, allowing only the
rows of the models created since, found by their new tables (a content type and their permissions each).

One exception, on purpose: `authtoken_token` (DESTROYED_TABLES) held rest_framework.authtoken's
API tokens in clear; accounts migration 0004 drops it so that those secrets leave the database
(API tokens are now accounts.ApiToken, digests only). The test checks that it is gone.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import REQUIRE_SERVICES
from tests.layout_fixture import (
    PG_COUNTS,
    PG_FIXTURE,
    SQLITE_COUNTS,
    SQLITE_FIXTURE,
    child_environment,
    manage,
    postgres_applied_migrations,
    postgres_row_counts,
    sqlite_applied_migrations,
    sqlite_row_counts,
    with_database,
)

MIGRATIONS_TABLE = "django_migrations"
CONTENT_TYPE_TABLES = {"django_content_type", "auth_permission"}
# Deliberately destroyed by a migration, and why. Nothing else may lose a row.
DESTROYED_TABLES = {
    # rest_framework.authtoken's tokens: secrets stored in clear, never expiring (accounts 0004).
    "authtoken_token",
}

# New tables that a data migration fills from rows the database already had (never from nothing).
FILLED_FROM_EXISTING_ROWS = {
    "accounts_consent": "accounts 0008: each account's consents, recorded from its terms acceptances",
    "storefront_listing": "storefront 0003: the search listing, filled by `migrate` from the listed offerings",
}


def _new_rows(new_tables: set[str]) -> dict[str, int]:
    """The content types and permissions that the models created after the fixture add: a model is
    new when its table is (many-to-many tables have neither)."""
    from django.apps import apps

    new_models = [
        model
        for model in apps.get_models()
        if model._meta.db_table in new_tables and not model._meta.auto_created and not model._meta.proxy
    ]
    permissions = sum(len(m._meta.default_permissions) + len(m._meta.permissions) for m in new_models)
    return {"django_content_type": len(new_models), "auth_permission": permissions}


def _expected_counts(path: Path) -> dict[str, int]:
    return json.loads(path.read_text(encoding="utf-8"))["tables"]


def _migrate(database_url: str) -> None:
    """`manage.py migrate --noinput`, then `migrate --check`, in child processes on `database_url`."""
    env = child_environment(DATABASE_URL=database_url)
    assert "DJANGO_SETTINGS_MODULE" not in env
    migrate = manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, f"manage.py migrate failed:\n{migrate.stdout}\n{migrate.stderr}"
    check = manage("migrate", "--check", env=env)
    assert check.returncode == 0, f"Migrations are left unapplied after migrate:\n{check.stdout}\n{check.stderr}"


def _problems(
    before: dict[str, int],
    after: dict[str, int],
    applied_before: set[tuple[str, str]],
    applied_after: set[tuple[str, str]],
) -> list[str]:
    """What differs between the tables before and after the migration, one line per table."""
    problems = [
        f"{table}: the table is gone (it had {before[table]} rows)"
        for table in sorted(before.keys() - after - DESTROYED_TABLES)
    ]
    problems += [f"{table}: the table should have been dropped" for table in sorted(DESTROYED_TABLES & after.keys())]
    problems += [
        f"{table}: a new table with {after[table]} rows (a new table must be empty)"
        for table in sorted(after.keys() - before)
        if after[table] and table not in FILLED_FROM_EXISTING_ROWS
    ]
    new_rows = _new_rows(after.keys() - before.keys())
    for table in sorted(before.keys() & after):
        if table == MIGRATIONS_TABLE:
            lost = sorted(applied_before - applied_after)
            if lost:
                problems.append(f"{table}: applied migrations no longer recorded: {lost}")
        elif before[table] + new_rows.get(table, 0) != after[table]:
            hint = (
                " (the content types of moved models must be renamed, not created again)"
                if table in CONTENT_TYPE_TABLES
                else ""
            )
            expected = before[table] + new_rows.get(table, 0)
            problems.append(f"{table}: {before[table]} rows before, {after[table]} after (expected {expected}){hint}")
    return problems


def _assert_every_row_kept(before, after, applied_before, applied_after, fixture: Path) -> None:
    problems = _problems(before, after, applied_before, applied_after)
    assert not problems, f"Migrating {fixture.name} changed {len(problems)} table(s):\n  " + "\n  ".join(problems)


def test_a_sqlite_database_of_the_old_layout_migrates_with_every_row_kept(tmp_path):
    database = tmp_path / "pre_layout.sqlite3"
    shutil.copyfile(SQLITE_FIXTURE, database)
    before = sqlite_row_counts(database)
    assert before == _expected_counts(SQLITE_COUNTS), f"{SQLITE_FIXTURE.name} and {SQLITE_COUNTS.name} disagree"
    applied_before = sqlite_applied_migrations(database)

    _migrate(f"sqlite:///{database}")

    _assert_every_row_kept(
        before, sqlite_row_counts(database), applied_before, sqlite_applied_migrations(database), SQLITE_FIXTURE
    )


def _postgres_server() -> str:
    """The suite's PostgreSQL server URL, or a skip (a failure when services are required)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        if REQUIRE_SERVICES:
            pytest.fail("MEDIBROKER_REQUIRE_SERVICES is set but DATABASE_URL is not a postgres:// URL")
        pytest.skip("The suite does not run on PostgreSQL (DATABASE_URL is not a postgres:// URL)")
    if shutil.which("psql") is None:
        if REQUIRE_SERVICES:
            pytest.fail("The PostgreSQL client psql is needed to load the pre-layout dump and was not found")
        pytest.skip("The PostgreSQL client psql is not installed: the pre-layout dump cannot be loaded")
    return url


@pytest.mark.services
def test_a_postgresql_database_of_the_old_layout_migrates_with_every_row_kept():
    import psycopg
    from psycopg import sql

    server = _postgres_server()
    name = f"medibroker_layout_{uuid.uuid4().hex[:12]}"
    maintenance, database = with_database(server, "postgres"), with_database(server, name)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        load = subprocess.run(  # noqa: S603 -- the PostgreSQL client with fixed arguments
            ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-X", "-o", os.devnull, "-f", "-", database],  # noqa: S607
            input=gzip.decompress(PG_FIXTURE.read_bytes()),
            capture_output=True,
            timeout=300,
            check=False,
        )
        assert load.returncode == 0, f"psql could not load {PG_FIXTURE.name}:\n{load.stderr.decode()}"
        before = postgres_row_counts(database)
        assert before == _expected_counts(PG_COUNTS), f"{PG_FIXTURE.name} and {PG_COUNTS.name} disagree"
        applied_before = postgres_applied_migrations(database)

        _migrate(database)

        _assert_every_row_kept(
            before, postgres_row_counts(database), applied_before, postgres_applied_migrations(database), PG_FIXTURE
        )
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
