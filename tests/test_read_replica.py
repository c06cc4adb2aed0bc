"""Read replicas (core/db.py): the search, the public pages and the finance reports read from the
`replica` alias; writes, reads inside a write's transaction, and the accounts tables stay on the
primary.

Every test run has the alias, as a test mirror of the primary (conftest.py): a second connection to
the same test database, so what the primary committed is read through it, as from a replica that
keeps up. Django's test mirrors only see committed rows, so these tests commit
(`transaction=True`) and turn `REPLICA_READS` on; the rest of the suite runs with it off. Which
connection ran each statement is read from each connection's own query log."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.db import REPLICA, ReplicaRouter, read_alias, reads_from_replica, replica_view
from providers.models import Offering, Provider
from providers.tests.factories import LocationFactory, OfferingFactory, ProviderFactory, open_weekdays

ROOT = Path(__file__).resolve().parent.parent

replica_db = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture
def replica_reads(settings):
    settings.REPLICA_READS = True
    yield
    connections[REPLICA].close()  # before the test's tables are emptied on the primary


@pytest.fixture
def listed(replica_reads):
    """One verified provider with a published, searchable offering, committed."""
    from django.core.management import call_command

    provider = ProviderFactory(name="Clinique du Parc", slug="clinique-du-parc")
    location = LocationFactory(provider=provider)
    open_weekdays(location)
    offering = OfferingFactory(provider=provider, location=location, title="Hip replacement", price_min=12000)
    call_command("search_reindex", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return offering


class Statements:
    """The SQL each alias ran inside the block."""

    def __init__(self) -> None:
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])
        self.replica = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self) -> Statements:
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _reads(context: CaptureQueriesContext, table: str) -> list[str]:
        # A read is a SELECT, or on PostgreSQL the DECLARE of a server-side cursor (`.iterator()`).
        return [
            q["sql"]
            for q in context.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "DECLARE")) and table in q["sql"]
        ]

    def primary_reads(self, table: str) -> list[str]:
        return self._reads(self.primary, table)

    def replica_reads(self, table: str) -> list[str]:
        return self._reads(self.replica, table)


@replica_db
def test_the_search_and_the_public_pages_read_from_the_replica(client, listed):
    today = timezone.localdate()
    pages = {
        "search API": reverse("api_search") + "?q=hip",
        "search page": reverse("search") + "?q=hip",
        "provider page": reverse("providers:public", kwargs={"slug": "clinique-du-parc"}),
        "free slots": reverse("api_offering_slots", kwargs={"offering_id": listed.pk})
        + f"?from={today}&to={today + dt.timedelta(days=7)}",
        "provider API": reverse("api_provider", kwargs={"slug": "clinique-du-parc"}),
    }
    for page, url in pages.items():
        with Statements() as statements:
            response = client.get(url)

        assert response.status_code == 200, page
        assert statements.replica_reads('"providers_'), page
        assert not statements.primary_reads('"providers_'), page
        if page in {"search API", "search page", "provider page"}:
            assert "Hip replacement" in response.content.decode(), page


@replica_db
def test_a_finance_report_reads_the_ledger_from_the_replica_and_the_person_from_the_primary(client, replica_reads):
    from django.contrib.auth.models import Group

    from accounts.models import StaffGroup
    from accounts.tests.factories import UserFactory

    Group.objects.get_or_create(name=StaffGroup.FINANCE)  # a transactional test starts with empty tables
    finance = UserFactory(email="fiona@example.test", is_staff=True, groups=[StaffGroup.FINANCE])
    client.force_login(finance)

    with Statements() as statements:
        response = client.get(reverse("finance:entries_csv"), {"start": "2030-01-01", "end": "2030-01-31"})

    assert response.status_code == 200
    assert statements.replica_reads('"payments_')
    assert not statements.primary_reads('"payments_')
    # The person and their session are read on the primary only.
    assert not statements.replica_reads('"accounts_user"')
    assert not statements.replica_reads('"django_session"')
    assert statements.primary_reads('"django_session"')


@replica_db
def test_a_read_inside_a_transaction_on_the_primary_stays_there(listed):
    with Statements() as statements, reads_from_replica():
        outside = Offering.objects.filter(pk=listed.pk).count()
        with transaction.atomic():
            inside = Offering.objects.filter(pk=listed.pk).count()

    assert outside == inside == 1
    assert len(statements.replica_reads('"providers_offering"')) == 1
    assert len(statements.primary_reads('"providers_offering"')) == 1


@replica_db
def test_writes_and_the_accounts_tables_never_go_to_the_replica(listed):
    with Statements() as statements, reads_from_replica():
        created = ProviderFactory(name="Second clinic", slug="second-clinic")
        User.objects.count()

    assert created._state.db == DEFAULT_DB_ALIAS
    assert not [
        q
        for q in statements.replica.captured_queries
        if not q["sql"].lstrip().upper().startswith(("SELECT", "DECLARE"))
    ]
    assert not statements.replica_reads('"accounts_user"')
    assert statements.primary_reads('"accounts_user"')


@replica_db
def test_a_marked_views_post_runs_in_one_transaction_on_the_primary(replica_reads, listed):
    seen: dict[str, object] = {}

    def view(request):
        seen["atomic"] = connections[DEFAULT_DB_ALIAS].in_atomic_block
        seen["read_on"] = Offering.objects.filter(pk=listed.pk).db
        slug = f"written-{request.GET.get('n', '1')}"
        ProviderFactory(name=slug, slug=slug)
        if request.GET.get("fail"):
            raise RuntimeError("half-way")
        return HttpResponse("ok")

    marked = replica_view(view)
    factory = RequestFactory()

    assert marked(factory.post("/")).status_code == 200
    assert seen == {"atomic": True, "read_on": DEFAULT_DB_ALIAS}
    with pytest.raises(RuntimeError):
        marked(factory.post("/?fail=1&n=2"))
    written = set(Provider.objects.filter(slug__startswith="written-").values_list("slug", flat=True))
    assert written == {"written-1"}  # the failed POST wrote nothing

    seen.clear()
    marked(factory.get("/?n=3"))
    assert seen["atomic"] is False
    assert seen["read_on"] == REPLICA


def test_a_marked_view_keeps_the_marks_django_and_drf_read():
    from rest_framework.views import APIView

    class Ping(APIView):
        def get(self, request):
            return HttpResponse("pong")

    plain = Ping.as_view()
    marked = replica_view(plain)

    assert marked.cls is Ping
    assert marked.csrf_exempt is True
    assert marked._non_atomic_requests == {DEFAULT_DB_ALIAS}


def test_without_the_switch_or_outside_a_marked_view_every_read_goes_to_the_primary(settings):
    router = ReplicaRouter()
    settings.REPLICA_READS = True
    assert router.db_for_read(Offering) is None  # not inside a marked view
    with reads_from_replica():
        assert read_alias("providers") == REPLICA
        assert read_alias("sessions") is None
        settings.REPLICA_READS = False
        assert read_alias("providers") is None
    assert router.db_for_write(Offering) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "providers") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "providers") is True


def _settings_in_a_fresh_process(env: dict[str, str]) -> str:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "r = settings.DATABASES.get('replica'); "
        "print(json.dumps(None if r is None else {k: r[k] for k in ('NAME', 'HOST', 'CONN_MAX_AGE', 'TEST')}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URL", "DATABASE_URL"}}
    result = subprocess.run(  # noqa: S603 -- this interpreter, a fixed script
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_database_replica_url_adds_the_replica_alias_mirroring_the_primary_in_tests():
    import json

    configured = json.loads(
        _settings_in_a_fresh_process(
            {
                "DATABASE_URL": "postgres://app@primary.internal:5432/medibroker",
                "DATABASE_REPLICA_URL": "postgres://app@replica.internal:5432/medibroker",
            }
        )
    )
    assert configured["HOST"] == "replica.internal"
    assert configured["NAME"] == "medibroker"
    assert configured["TEST"]["MIRROR"] == "default"
    assert json.loads(_settings_in_a_fresh_process({})) is None


@replica_db
def test_the_health_check_asks_the_replica_when_reads_go_there(client, replica_reads, monkeypatch):
    from core import health

    assert client.get(reverse("healthz")).status_code == 200

    def down() -> str:
        raise ConnectionError("replica unreachable")

    monkeypatch.setattr(health, "check_replica", down)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
