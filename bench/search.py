"""Search benchmark on PostgreSQL: seed a large marketplace, then time the search API server-side.

    .venv/bin/python bench/search.py [--providers 10000] [--runs 50]
        [--database-url postgres://postgres@127.0.0.1:5432/medibroker_bench]
        [--random-page-cost 1.1] [--reuse] [--explain]

1. Drops and recreates the bench database (its name must contain "bench"), migrates it, and
   seeds it deterministically (fixed random seed) with bulk inserts: verified providers (a mix
   of practitioners and facilities, languages and countries), one location each in one of 20
   IANA timezones with Monday-Friday hours and a few closed days, 4 offerings per provider in
   20 currencies (one of which has no exchange rate on purpose), JCI and national
   accreditations, and 30 days of exchange rates. The derived data is built by the real code
   (`search_reindex`, `offerings_refresh_next_slot`, `offerings_refresh_prices`), then the
   tables are compacted and analysed (VACUUM FULL, then VACUUM ANALYZE).
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
connection open between requests, as CONN_MAX_AGE does in production. --reuse skips the seeding
when the bench database is already seeded (after a change to the search code or its indexes).
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
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/medibroker_bench"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}
SEED = 20260101
OFFERINGS_PER_PROVIDER = 4
HORIZON_DAYS = 84  # 12 weeks of availability
P95_TARGET_MS = 50.0
BARE_RATIO_TARGET = 5.0

# (timezone, country, currency, cities, local language or None, weight)
ZONES = [
    ("Europe/Paris", "FR", "EUR", ["Paris", "Lyon", "Marseille", "Nice"], "fr", 10),
    ("Europe/London", "GB", "GBP", ["London", "Manchester", "Birmingham"], "en", 6),
    ("America/New_York", "US", "USD", ["New York", "Boston", "Miami"], "en", 6),
    ("Europe/Zurich", "CH", "CHF", ["Zurich", "Geneva", "Lausanne"], "de", 3),
    ("Europe/Istanbul", "TR", "TRY", ["Istanbul", "Antalya", "Izmir", "Ankara"], "tr", 10),
    ("Asia/Bangkok", "TH", "THB", ["Bangkok", "Phuket", "Chiang Mai"], "th", 8),
    ("Asia/Kolkata", "IN", "INR", ["Mumbai", "New Delhi", "Chennai", "Bangalore"], "hi", 8),
    ("Asia/Dubai", "AE", "AED", ["Dubai", "Abu Dhabi"], "ar", 5),
    ("Asia/Tokyo", "JP", "JPY", ["Tokyo", "Osaka", "Kyoto"], None, 4),
    ("Asia/Seoul", "KR", "KRW", ["Seoul", "Busan"], None, 4),
    ("America/Mexico_City", "MX", "MXN", ["Mexico City", "Tijuana", "Cancún", "Guadalajara"], "es", 5),
    ("America/Sao_Paulo", "BR", "BRL", ["São Paulo", "Rio de Janeiro"], "pt", 4),
    ("Europe/Warsaw", "PL", "PLN", ["Warsaw", "Kraków", "Wrocław"], "pl", 4),
    ("Europe/Prague", "CZ", "CZK", ["Prague", "Brno"], None, 3),
    ("Europe/Budapest", "HU", "HUF", ["Budapest", "Debrecen"], None, 4),
    ("Asia/Kuala_Lumpur", "MY", "MYR", ["Kuala Lumpur", "Penang"], "zh", 4),
    ("Asia/Singapore", "SG", "SGD", ["Singapore"], "zh", 3),
    ("Asia/Kuwait", "KW", "KWD", ["Kuwait City"], "ar", 2),
    ("Africa/Johannesburg", "ZA", "ZAR", ["Cape Town", "Johannesburg", "Durban"], "en", 3),
    ("Africa/Cairo", "EG", "EGP", ["Cairo", "Alexandria"], "ar", 3),
]
# Units per euro. EGP is priced with a notional rate but gets no stored rate: its offerings
# cannot be converted, and a price filter leaves them out.
RATES = {
    "GBP": "0.8450", "USD": "1.0850", "CHF": "0.9450", "TRY": "35.20", "THB": "38.90", "INR": "90.40",
    "AED": "3.985", "JPY": "162.30", "KRW": "1452.0", "MXN": "19.60", "BRL": "5.910", "PLN": "4.305",
    "CZK": "25.18", "HUF": "395.4", "MYR": "5.020", "SGD": "1.455", "KWD": "0.3330", "ZAR": "20.05",
}  # fmt: skip
UNRATED = {"EGP": "52.0"}
# What care costs there, relative to France.
COST_FACTOR = {
    "FR": 1.0, "GB": 1.5, "US": 2.4, "CH": 1.9, "TR": 0.45, "TH": 0.55, "IN": 0.3, "AE": 1.1, "JP": 1.2,
    "KR": 0.8, "MX": 0.5, "BR": 0.6, "PL": 0.55, "CZ": 0.6, "HU": 0.5, "MY": 0.5, "SG": 1.3, "KW": 1.0,
    "ZA": 0.6, "EG": 0.35,
}  # fmt: skip
LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "ar", "ru", "tr", "th", "zh", "hi", "pl", "nl"]
FIRST_NAMES = [
    "Amélie", "Ahmet", "Aiko", "Ana", "Arjun", "Carlos", "Chen", "Daniel", "Elif", "Emma", "Fatima", "Hans",
    "Hiroshi", "Ines", "Ivan", "Jakub", "Ji-woo", "João", "Kavya", "Laura", "Lucas", "Maria", "Mehmet", "Min-jun",
    "Nadia", "Olivier", "Omar", "Priya", "Rafael", "Sakura", "Sara", "Somchai", "Sophie", "Tomasz", "Wei", "Yusuf",
    "Zeynep", "Anong", "Eszter", "Pieter",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Yılmaz", "Kaya", "Demir", "Sharma", "Patel", "Iyer", "Tanaka", "Suzuki",
    "Kim", "Park", "Lee", "García", "Hernández", "López", "Silva", "Santos", "Kowalski", "Nowak", "Novák",
    "Horváth", "Nagy", "Tan", "Wong", "Lim", "Al-Sabah", "Haddad", "Mansour", "Müller", "Schneider", "Rossi",
    "Bianchi", "Smith", "Jones", "Brown", "Van Dijk", "Naidoo", "Ivanov", "Chaiyaporn", "Wongsakul", "Ferreira",
    "Moreau", "Laurent", "Fischer", "Novak", "Mendes", "Costa", "Ahmed",
]  # fmt: skip
FACILITY_WORDS = ["Memorial", "International", "Central", "Royal", "City", "Bay", "Saint Luke", "Green Valley",
                  "Horizon", "Pacific", "Riverside", "Golden", "Liberty", "Harmony", "Summit", "Lakeside"]  # fmt: skip
# Specialties that bring patients abroad, drawn more often than the rest of the catalogue.
POPULAR = {
    "orthopaedic-surgery": 10, "dentistry": 10, "plastic-surgery": 9, "ophthalmology": 6, "cardiology": 5,
    "cardiac-surgery": 4, "reproductive-medicine": 6, "oral-surgery": 4, "medical-oncology": 4, "urology": 3,
    "neurosurgery": 3, "general-surgery": 3, "digestive-surgery": 3, "obstetrics-gynaecology": 3,
}  # fmt: skip
NATIONAL_BODIES = {"FR": "HAS", "IN": "NABH", "TR": "TEMOS", "GB": "CQC", "US": "The Joint Commission"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000, help="verified providers to seed (default 10000)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each request (default 50, at least 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs of each request first (default 5)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded bench database (migrate only)")
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
    if args.runs < 50:
        parser.error("--runs must be at least 50 (the p95 needs them)")
    return args


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
    """Drop and create the bench database (when `recreate`), and set its random_page_cost."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        if recreate:
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


# --- seeding ---------------------------------------------------------------------------------------------


def _nice(amount: float, step: int) -> int:
    return max(step, round(amount / step) * step)


def _price_minor(eur: float, currency: str) -> int:
    """A price given in euros, in minor units of `currency`, rounded as people price things."""
    from core.money import exponent

    rate = float(RATES.get(currency) or UNRATED.get(currency) or 1)
    major = eur * rate
    step = 10 ** max(0, int(math.log10(major)) - 1) if major >= 100 else 1
    return _nice(major, step) * 10 ** exponent(currency)


def seed(*, providers: int, now: dt.datetime, rng: random.Random) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils.text import slugify

    from core.models import ExchangeRate
    from providers.models import (
        Accreditation,
        AvailabilityException,
        BookingMode,
        ExceptionKind,
        FacilityType,
        Location,
        Offering,
        OfferingKind,
        Procedure,
        Provider,
        ProviderKind,
        Register,
        Specialty,
        VerificationStatus,
        WeeklyRule,
    )

    specialties = list(Specialty.objects.order_by("code"))
    procedures_of: dict[int, list[Procedure]] = {}
    for procedure in Procedure.objects.order_by("code"):
        procedures_of.setdefault(procedure.specialty_id, []).append(procedure)
    weights = [POPULAR.get(s.code, 1) for s in specialties]
    base_price = {p.pk: rng.uniform(900, 30_000) for ps in procedures_of.values() for p in ps}
    zone_weights = [z[5] for z in ZONES]
    today = now.date()
    careteam = get_user_model().objects.create_user(email="bench-careteam@medibroker.local", password=None)

    with transaction.atomic():
        # Exchange rates: 30 days of each rated currency, the latest today.
        ExchangeRate.objects.bulk_create(
            ExchangeRate(
                currency=code,
                rate=Decimal(rate) * (1 + Decimal(rng.uniform(-0.02, 0.02))).quantize(Decimal("0.0001")),
                date=today - dt.timedelta(days=back),
                source="bench",
            )
            for code, rate in RATES.items()
            for back in range(30)
        )

        provider_rows, zone_of = [], []
        for i in range(providers):
            zone = rng.choices(ZONES, zone_weights)[0]
            kind = ProviderKind.FACILITY if rng.random() < 0.35 else ProviderKind.PRACTITIONER
            if kind == ProviderKind.FACILITY:
                facility_type = rng.choice([FacilityType.HOSPITAL, FacilityType.CLINIC])
                label = (
                    "Hospital" if facility_type == FacilityType.HOSPITAL else rng.choice(["Clinic", "Medical Centre"])
                )
                name = f"{rng.choice(zone[3])} {rng.choice(FACILITY_WORDS)} {label}"
            else:
                facility_type = ""
                name = f"Dr {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            spoken = {"en"} if rng.random() < 0.75 else set()
            if zone[4]:
                spoken.add(zone[4])
            spoken.update(rng.sample(LANGUAGES, rng.choice([0, 0, 1, 1, 2])))
            provider_rows.append(
                Provider(
                    kind=kind,
                    facility_type=facility_type,
                    name=name,
                    slug=f"{slugify(name)}-{i}",
                    biography=f"{name} welcomes patients from abroad in {zone[3][0]}.",
                    languages=sorted(spoken or {"en"}),
                    default_currency=zone[2],
                    email=f"contact{i}@bench.medibroker.local",
                    status=VerificationStatus.VERIFIED,
                    register=Register.FACILITY_LICENCE if kind == ProviderKind.FACILITY else Register.NATIONAL,
                    register_country=zone[1],
                    registration_number=f"{zone[1]}-{i:07d}",
                    verified_at=now - dt.timedelta(days=rng.randint(1, 900)),
                    verified_by=careteam,
                )
            )
            zone_of.append(zone)
        Provider.objects.bulk_create(provider_rows, batch_size=2000)

        location_rows = []
        for provider, zone in zip(provider_rows, zone_of, strict=True):
            city = rng.choice(zone[3])
            location_rows.append(
                Location(
                    provider=provider,
                    name=provider.name if provider.kind == ProviderKind.FACILITY else f"{city} practice",
                    country=zone[1],
                    city=city,
                    address=f"{rng.randint(1, 250)} Main Street, {city}",
                    timezone=zone[0],
                )
            )
        Location.objects.bulk_create(location_rows, batch_size=2000)

        rules, exceptions = [], []
        for location in location_rows:
            if rng.random() < 0.03:  # quote only: no opening hours, so no next slot
                continue
            opens = dt.time(rng.choice([8, 9]))
            closes = dt.time(rng.choice([17, 18]))
            rules += [WeeklyRule(location=location, weekday=day, start=opens, end=closes) for day in range(5)]
            if rng.random() < 0.25:
                for offset in rng.sample(range(1, HORIZON_DAYS), rng.randint(1, 3)):
                    date = today + dt.timedelta(days=offset)
                    if date.weekday() < 5:
                        exceptions.append(
                            AvailabilityException(location=location, date=date, kind=ExceptionKind.CLOSED)
                        )
        WeeklyRule.objects.bulk_create(rules, batch_size=5000)
        AvailabilityException.objects.bulk_create(exceptions, batch_size=5000)

        offering_rows, provider_specialties, provider_procedures, accreditations = [], [], [], []
        for provider, location, zone in zip(provider_rows, location_rows, zone_of, strict=True):
            chosen: list[Specialty] = []
            while len(chosen) < rng.choice([1, 1, 2, 3]):
                specialty = rng.choices(specialties, weights)[0]
                if specialty not in chosen:
                    chosen.append(specialty)
            provider_specialties += [(provider.pk, s.pk) for s in chosen]
            candidates = [p for s in chosen for p in procedures_of.get(s.pk, [])]
            picked = rng.sample(candidates, min(len(candidates), OFFERINGS_PER_PROVIDER - 1))
            provider_procedures += [(provider.pk, p.pk) for p in picked]
            factor = COST_FACTOR[zone[1]]
            for n in range(OFFERINGS_PER_PROVIDER):
                currency = zone[2] if rng.random() < 0.85 else rng.choice(["EUR", "USD"])
                if n < len(picked):
                    procedure = picked[n]
                    specialty = next(s for s in chosen if s.pk == procedure.specialty_id)
                    eur = base_price[procedure.pk] * factor * rng.uniform(0.6, 1.6)
                    slot = rng.choice([60, 120, 240])
                    package = rng.random() < 0.2
                    offering = Offering(
                        kind=OfferingKind.PROCEDURE,
                        title=procedure.name_en + (" – all-inclusive package" if package else ""),
                        procedure=procedure,
                        description=(
                            f"{procedure.name_en} by {provider.name} in {location.city}: "
                            "pre-operative assessment, the operation and follow-up"
                            + (", hotel and transfers." if package else ".")
                        ),
                        booking_mode=BookingMode.QUOTE if rng.random() < 0.6 else BookingMode.ONLINE,
                        min_notice_hours=rng.choice([48, 72, 168, 336, 504, 720]),
                        includes=["Surgeon's fee", "Hospital stay"] + (["Hotel", "Transfers"] if package else []),
                        excludes=["Flights"],
                    )
                else:
                    specialty = chosen[n % len(chosen)] if n == len(picked) else rng.choice(chosen)
                    label = ["consultation", "follow-up consultation", "second opinion", "teleconsultation"][
                        n - len(picked)
                    ]
                    eur = rng.uniform(60, 350) * max(0.5, factor)
                    slot = 30
                    offering = Offering(
                        kind=OfferingKind.CONSULTATION,
                        title=f"{specialty.name_en} {label}",
                        procedure=None,
                        description=f"A {label} with {provider.name} in {location.city}.",
                        booking_mode=BookingMode.ONLINE,
                        min_notice_hours=48,
                        includes=["Consultation"],
                        excludes=[],
                    )
                price = _price_minor(eur, currency)
                offering.provider = provider
                offering.location = location
                offering.specialty = specialty
                offering.currency = currency
                offering.price_min = price
                offering.price_max = (
                    int(price * rng.uniform(1.1, 1.6))
                    if offering.kind == OfferingKind.PROCEDURE and rng.random() < 0.4
                    else None
                )
                if rng.random() < 0.1:
                    offering.deposit_fixed = price // 5
                else:
                    offering.deposit_bps = rng.choice([1000, 2000, 3000])
                offering.duration_minutes = slot
                offering.slot_minutes = slot
                offering.horizon_days = HORIZON_DAYS
                offering_rows.append(offering)
            if provider.kind == ProviderKind.FACILITY:
                roll = rng.random()
                if roll < 0.30:
                    until = today + dt.timedelta(days=rng.randint(30, 1100))
                    accreditations.append(Accreditation(provider=provider, body="JCI", valid_until=until))
                elif roll < 0.35:  # lapsed: no longer counts
                    until = today - dt.timedelta(days=rng.randint(1, 400))
                    accreditations.append(Accreditation(provider=provider, body="JCI", valid_until=until))
                if zone[1] in NATIONAL_BODIES and rng.random() < 0.5:
                    until = today + dt.timedelta(days=rng.randint(30, 1100))
                    accreditations.append(
                        Accreditation(provider=provider, body=NATIONAL_BODIES[zone[1]], valid_until=until)
                    )
        Offering.objects.bulk_create(offering_rows, batch_size=2000)
        Provider.specialties.through.objects.bulk_create(
            [Provider.specialties.through(provider_id=p, specialty_id=s) for p, s in provider_specialties],
            batch_size=5000,
        )
        Provider.procedures.through.objects.bulk_create(
            [Provider.procedures.through(provider_id=p, procedure_id=s) for p, s in provider_procedures],
            batch_size=5000,
        )
        Accreditation.objects.bulk_create(accreditations, batch_size=5000)

    return {
        "providers": len(provider_rows),
        "locations": len(location_rows),
        "weekly rules": len(rules),
        "closed days": len(exceptions),
        "offerings": len(offering_rows),
        "currencies": len({o.currency for o in offering_rows}),
        "accreditations": len(accreditations),
    }


def build_derived(now: dt.datetime) -> tuple[int, int]:
    from django.core.management import call_command

    from providers.services import offerings_refresh_next_slot, offerings_refresh_prices
    from storefront.search import search_reindex

    indexed = search_reindex()
    slots = offerings_refresh_next_slot(offering_ids=None, now=now)
    offerings_refresh_prices(offering_ids=None, now=now)
    call_command("listing_rebuild", verbosity=0)  # the search listing, set-based (storefront.listing)
    return indexed, slots


def vacuum_analyze() -> None:
    """Compact the tables and indexes, and gather the planner's statistics.

    The seeding rewrites every offering three times within a minute (inserted, indexed, given its
    next slot), which leaves the offering table three times its live size and search's covering
    index (keyed by the next slot) five times. A live database reuses the space autovacuum frees,
    as new versions come; VACUUM FULL measures the compact end of that range, where the as-seeded
    sizes would have every count read several times the pages of a database in service.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL")
        cursor.execute("VACUUM ANALYZE")  # VACUUM FULL leaves the visibility map empty: no index-only scans


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
            if not body["count"] or not body["results"]:
                raise SystemExit(f"{name}: no results, but this search should find some ({params})")
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


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    maintenance_url, name = postgres_or_exit(args.database_url)
    prepare_database(maintenance_url, name, recreate=not args.reuse, random_page_cost=args.random_page_cost)
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.utils import timezone

    from providers.models import Offering

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    if args.reuse and Offering.objects.exists():
        print(f"Reusing the seeded database {name} ({Offering.objects.count()} offerings).")
    else:
        t0 = time.perf_counter()
        counts = seed(providers=args.providers, now=now, rng=random.Random(SEED))
        t1 = time.perf_counter()
        indexed, slots = build_derived(now)
        t2 = time.perf_counter()
        vacuum_analyze()
        t3 = time.perf_counter()
        print(f"Seeded {name}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        print(
            f"Seeding took {t3 - t0:.1f} s: bulk inserts {t1 - t0:.1f} s, search index ({indexed}) and next "
            f"free slots ({slots}) {t2 - t1:.1f} s, VACUUM FULL, VACUUM ANALYZE {t3 - t2:.1f} s."
        )

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
