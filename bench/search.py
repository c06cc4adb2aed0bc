"""Search benchmark on PostgreSQL: seed a large marketplace, then time the search API server-side.

    .venv/bin/python bench/search.py [--providers 10000] [--runs 50]
        [--database-url postgres://postgres@127.0.0.1:5432/medibroker_bench]
        [--random-page-cost 1.1] [--reuse] [--seed-only] [--explain]

1. Drops and recreates the bench database (its name must contain "bench"), migrates it, and
   seeds it deterministically (fixed random seed): verified providers (a mix of practitioners
   and facilities, languages and countries), one location each in one of 20 IANA timezones
   with Monday-Friday hours and a few closed days, 4 offerings per provider in 20 currencies
   (one of which has no exchange rate on purpose), JCI and national accreditations, and 30 days
   of exchange rates. bench/seeding.py writes each table once with COPY, each offering with its
   next free slot, price in euros and search index computed in bulk, builds the indexes after
   the load, checks the bulk values against the application's own code (next-slot and index
   code on a sample, the price refresh on every offering), runs `manage.py listing_rebuild`
   when the project has it, then VACUUM ANALYZE; it prints the time of each step and the
   database's size. 100,000 providers (400,000 offerings) take a few minutes.
   With --reuse, a database already seeded with --providers verified providers is kept
   (after a change to the search code or its indexes); with --seed-only, the run stops there
   (exit 0): bench/throughput.py seeds its database this way.
2. Times, in this process, 10 representative searches through GET /api/v1/search/ with Django's
   test client (the whole middleware stack, the URL resolver, DRF, serialisation), next to a bare
   JSON view that returns a constant through the same stack: the wall time around each request,
   median and p95 over --runs runs (after a warm-up, the queries taking turns), and the SQL
   queries per request.
3. Checks the targets: p95 under 50 ms for every search, and every search's median no more than
   5 times the bare view's median. Exits 1 when one is missed.

The bench database gets random_page_cost = 1.1 (--random-page-cost; 0 keeps the server's): the data
fits in memory, where PostgreSQL's default (4, for spinning disks) makes it scan the whole offering
table for a broad text query instead of using the full-text index, at twice the time.

The settings are read from the environment, so this sets DATABASE_URL before django.setup(); it
also sets DJANGO_DEBUG=false (no query log, as in production). The test client keeps the database
connection open between requests, as CONN_MAX_AGE does in production.

Without --database-url (or $BENCH_DATABASE_URL), the database is medibroker_bench on the local
server for the default 10,000 providers, and one per size otherwise (medibroker_bench_1k,
medibroker_bench_100k, …), so that sizes can be kept side by side and reused.
"""

# ruff: noqa: S311 -- random only makes up deterministic demo data

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import platform
import random
import statistics
import sys
import time
import types
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_DATABASE_URL = DEFAULT_SERVER_URL + "medibroker_bench"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}
P95_TARGET_MS = 50.0
BARE_RATIO_TARGET = 5.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000, help="verified providers to seed (default 10000)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each request (default 50, at least 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs of each request first (default 5)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="the bench database (default: $BENCH_DATABASE_URL, else medibroker_bench for 10,000 providers and "
        "medibroker_bench_<size> for another size, e.g. medibroker_bench_100k, on the local server)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an already seeded bench database of this size (migrate only); seed it when it is not",
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="seed (or, with --reuse, keep) the database, then exit"
    )
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of every search's SQL")
    parser.add_argument(
        "--random-page-cost",
        type=float,
        default=1.1,
        help="the bench database's random_page_cost (default 1.1, for data in memory or on SSD; 0 keeps the "
        "server's, 4 by default, which models spinning disks)",
    )
    args = parser.parse_args(argv)
    args.random_page_cost = args.random_page_cost or None
    if args.providers < 1:
        parser.error("--providers must be at least 1")
    args.database_url = args.database_url or default_database_url(args.providers)
    if args.runs < 50:
        parser.error("--runs must be at least 50 (the p95 needs them)")
    return args


def default_database_url(providers: int) -> str:
    """medibroker_bench for 10,000 providers (the size the figures are compared at), else one per size."""
    if providers == 10_000:
        return DEFAULT_DATABASE_URL
    size = f"{providers // 1000}k" if providers % 1000 == 0 else str(providers)
    return f"{DEFAULT_DATABASE_URL}_{size}"


# --- the database ------------------------------------------------------------------------------------


def postgres_or_exit(url: str) -> tuple[str, str]:
    """(the libpq URL of the maintenance database, the bench database's name); exits otherwise."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in POSTGRES_SCHEMES:
        sys.exit(
            f"bench/search.py measures PostgreSQL only, and {parts.scheme or 'this'}:// is not PostgreSQL.\n"
            f"Give --database-url postgres://USER@HOST:PORT/NAME (default {DEFAULT_DATABASE_URL})."
        )
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"The bench database is dropped and recreated: its name must contain 'bench' (got {name!r}).")
    maintenance = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    return maintenance, name


def prepare_database(maintenance_url: str, name: str, *, recreate: bool, random_page_cost: float | None) -> None:
    """Drop and create the bench database (when `recreate`, or when it does not exist), and set its
    random_page_cost."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if recreate or not exists:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if random_page_cost is None:
            conn.execute(sql.SQL("ALTER DATABASE {} RESET random_page_cost").format(sql.Identifier(name)))
        else:
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET random_page_cost = {}").format(
                    sql.Identifier(name), sql.Literal(random_page_cost)
                )
            )


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DEBUG"] = "false"  # no query log, as in production
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- measuring ---------------------------------------------------------------------------------------------


def bench_urlconf() -> str:
    """A URL configuration with the bare view beside the site's own URLs (same middleware)."""
    from django.http import JsonResponse
    from django.urls import path

    import config.urls

    def bare(request):
        return JsonResponse({"ok": True})

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *config.urls.urlpatterns]
    sys.modules[module.__name__] = module
    return module.__name__


def searches(today: dt.date) -> list[tuple[str, dict[str, str]]]:
    """The representative searches: (name, query parameters)."""
    return [
        ("no filter", {}),
        ("q=knee", {"q": "knee"}),
        ("q=ortopedic (misspelt)", {"q": "ortopedic"}),
        ("q=dental implant", {"q": "dental implant"}),
        ("specialty=cardiology", {"specialty": "cardiology"}),
        ("country=TR city=Istanbul", {"country": "TR", "city": "Istanbul"}),
        ("language=de kind=facility", {"language": "de", "kind": "facility"}),
        (
            "GBP 500-5000 sort=price",
            {"currency": "GBP", "price_min": "500", "price_max": "5000", "sort": "price"},
        ),
        (
            "available_before=+21d sort=soonest",
            {"available_before": (today + dt.timedelta(days=21)).isoformat(), "sort": "soonest"},
        ),
        ("accreditation=JCI q=hip", {"accreditation": "JCI", "q": "hip"}),
    ]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def measure(*, runs: int, warmup: int, explain: bool, today: dt.date) -> tuple[list[dict], dict]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = bench_urlconf()
    clear_url_caches()
    client = Client(HTTP_HOST="localhost")
    requests = [(name, "/api/v1/search/", params) for name, params in searches(today)]
    requests.append(("bare view", "/bench/bare/", {}))

    rows = {name: {"name": name, "times": [], "sql_times": []} for name, _path, _params in requests}
    for name, path, params in requests:
        for _ in range(warmup):
            client.get(path, params)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, params)
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code}: {response.content[:500]!r}")
        body = response.json()
        row = rows[name]
        row["queries"] = len(captured.captured_queries)
        row["sql"] = [q["sql"] for q in captured.captured_queries]
        if path != "/bench/bare/":
            row["count"] = body["count"]
            row["shown"] = len(body["results"])
            if not body["count"] or not body["results"]:  # a small seed may have none (German facilities at 1k)
                print(f"Note: {name} finds nothing in this database ({params}).")
            check_results(name, params, body)

    in_sql = [0.0]

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - start

    with connection.execute_wrapper(timed):
        for _ in range(runs):  # the requests take turns, so that drift hits them all alike
            for name, path, params in requests:
                in_sql[0] = 0.0
                start = time.perf_counter()
                response = client.get(path, params)
                elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")
                rows[name]["times"].append(elapsed * 1000)
                rows[name]["sql_times"].append(in_sql[0] * 1000)

    for row in rows.values():
        row["median"] = statistics.median(row["times"])
        row["p95"] = percentile(row["times"], 95)
        row["sql_median"] = statistics.median(row["sql_times"])
    if explain:
        print_explain(rows)
    bare = rows.pop("bare view")
    return list(rows.values()), bare


def check_results(name: str, params: dict[str, str], body: dict) -> None:
    """The results are what was asked for (a sanity check of the benchmark, not a test)."""

    def expect(condition: bool, what: str) -> None:
        if not condition:
            raise SystemExit(f"{name}: {what} ({params})")

    results = body["results"]
    if params.get("sort") == "price":
        prices = [Decimal(r["converted"]["amount"] if r["converted"] else r["price"]["amount"]) for r in results]
        expect(prices == sorted(prices), "the results are not sorted by price")
        low, high = Decimal(params["price_min"]), Decimal(params["price_max"])
        expect(all(low <= p <= high for p in prices), f"a price is outside {low}-{high}")
    if params.get("sort") == "soonest":
        slots = [r["offering"]["next_slot_at"] for r in results]
        expect(all(slots), "a result has no free slot")
        expect(slots == sorted(slots, key=dt.datetime.fromisoformat), "the results are not sorted by slot")
        before = dt.datetime.combine(dt.date.fromisoformat(params["available_before"]), dt.time.min, tzinfo=dt.UTC)
        expect(all(dt.datetime.fromisoformat(slot) < before for slot in slots), "a slot is after the date asked")
    if "country" in params:
        expect(all(r["offering"]["country"] == params["country"] for r in results), "a result is elsewhere")
    if "language" in params:
        expect(all(params["language"] in r["offering"]["provider"]["languages"] for r in results), "a language")
    if "kind" in params:
        expect(all(r["offering"]["provider"]["kind"] == params["kind"] for r in results), "a kind of provider")


def print_explain(rows: dict[str, dict]) -> None:
    from django.db import connection

    for row in rows.values():
        print(f"\n=== {row['name']}: {row['queries']} queries")
        with connection.cursor() as cursor:
            for sql in row["sql"]:
                print(f"\n{sql}")
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                print("\n".join("    " + line for (line,) in cursor.fetchall()))


# --- reporting ---------------------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    from django import VERSION as DJANGO_VERSION
    from django.db import connection

    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = next(
            int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
        )
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (pg_version,) = cursor.fetchone()
        cursor.execute(
            "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings "
            "WHERE name IN ('shared_buffers', 'work_mem', 'random_page_cost', 'effective_cache_size', "
            "'max_parallel_workers_per_gather')"
        )
        (pg_settings,) = cursor.fetchone()
    return [
        ("CPU", f"{os.cpu_count()} × {model}"),
        ("memory", memory),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("Django", ".".join(str(part) for part in DJANGO_VERSION[:3])),
        ("PostgreSQL", pg_version.split(" on ")[0]),
        ("settings", pg_settings),
    ]


def report(rows: list[dict], bare: dict, runs: int) -> bool:
    limit = BARE_RATIO_TARGET * bare["median"]
    print(f"\nServer-side time per request, {runs} runs each (Django test client, full middleware stack):\n")
    header = ["request", "median ms", "p95 ms", "× bare", "SQL ms", "queries", "results"]
    widths = [36, 9, 7, 6, 6, 7, 7]
    print(
        "| "
        + " | ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
        + " |"
    )
    print("| " + " | ".join("-" * w if i == 0 else "-" * (w - 1) + ":" for i, w in enumerate(widths)) + " |")
    for row in [*rows, bare]:
        cells = [
            row["name"] if row is not bare else "bare JSON view (same middleware)",
            f"{row['median']:.2f}",
            f"{row['p95']:.2f}",
            f"{row['median'] / bare['median']:.1f}",
            f"{row['sql_median']:.2f}",
            str(row["queries"]),
            str(row.get("count", "–")),
        ]
        print(
            "| "
            + " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )
    print("\n(SQL ms: the median time spent in the database driver per request, round trips included.)")
    slow = [r["name"] for r in rows if r["p95"] >= P95_TARGET_MS]
    heavy = [r["name"] for r in rows if r["median"] > limit]
    print()
    print(
        f"p95 under {P95_TARGET_MS:.0f} ms for every search: "
        + ("PASS" if not slow else "FAIL (" + ", ".join(slow) + ")")
        + f" (worst {max(r['p95'] for r in rows):.2f} ms)"
    )
    print(
        f"every search's median at most {BARE_RATIO_TARGET:.0f}× the bare view's median "
        f"({bare['median']:.2f} ms → {limit:.2f} ms): "
        + ("PASS" if not heavy else "FAIL (" + ", ".join(heavy) + ")")
        + f" (worst {max(r['median'] for r in rows) / bare['median']:.1f}×)"
    )
    return not slow and not heavy


def seeded_providers() -> int:
    """Verified providers in the bench database (0 when it is empty)."""
    from providers.models import Provider, VerificationStatus

    return Provider.objects.filter(status=VerificationStatus.VERIFIED).count()


def seed_database(*, providers: int, now: dt.datetime, name: str) -> None:
    """Seed the empty bench database and print the time of each step (bench/seeding.py)."""
    from bench import seeding

    started = time.perf_counter()
    steps = seeding.Steps()
    counts = seeding.seed(providers=providers, now=now, rng=random.Random(seeding.SEED), steps=steps)
    print(f"Seeded {name}: " + ", ".join(f"{v} {k}" for k, v in counts.items()), flush=True)
    seeding.derive_and_check(now=now, steps=steps, rng=random.Random(seeding.SEED + 1), on_step=lambda _s: None)
    seeding.vacuum_analyze()
    steps.mark("VACUUM ANALYZE")
    total = time.perf_counter() - started
    print(f"Seeding took {total:.1f} s:")
    for step, seconds in steps.done:
        print(f"  {seconds:7.1f} s  {step}")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"Database size: {cursor.fetchone()[0]}", flush=True)


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    maintenance_url, name = postgres_or_exit(args.database_url)
    prepare_database(maintenance_url, name, recreate=not args.reuse, random_page_cost=args.random_page_cost)
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    seeded = seeded_providers()
    if args.reuse and seeded == args.providers:
        print(f"Reusing the seeded database {name} ({seeded} providers).", flush=True)
        # A migration may have written rows (the search listing is filled by `migrate` when it is
        # empty): the planner's statistics and the visibility map must follow.
        from bench import seeding

        seeding.vacuum_analyze()
    else:
        if seeded:
            print(f"{name} holds {seeded} providers, not {args.providers}: seeding it again.", flush=True)
            prepare_database(maintenance_url, name, recreate=True, random_page_cost=args.random_page_cost)
            from django.db import connection

            connection.close()
            call_command("migrate", verbosity=0, interactive=False)
        seed_database(providers=args.providers, now=timezone.now(), name=name)
    if args.seed_only:
        return 0

    gc.collect()  # the seeding's garbage, not the searches'
    print("\nMachine:")
    for label, value in machine():
        print(f"  {label:<11} {value}")
    rows, bare = measure(runs=args.runs, warmup=args.warmup, explain=args.explain, today=timezone.localdate())
    passed = report(rows, bare, args.runs)
    print(f"\nThe whole run took {time.perf_counter() - started:.0f} s.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
