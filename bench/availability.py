"""Availability benchmark on PostgreSQL: free slots, a provider's diary and holding a slot.

    .venv/bin/python bench/availability.py [--runs 200] [--warmup 10]
        [--database-url postgres://postgres@127.0.0.1:5432/medibroker_bench_availability] [--reuse]

1. Drops and recreates the bench database (its name must contain "bench"), migrates it, and
   seeds it deterministically (fixed random seed) with bulk inserts: 50 verified providers with
   one location each (five European timezones, open Monday-Friday 09:00-17:00) and one
   30-minute online consultation each (48 hours' notice), 400 patients with profiles, and 40% of
   every offering's slots of the next 30 days booked (confirmed, one appointment each), plus a
   cancelled booking on 5% of the free slots (an appointment that no longer holds its time).
   Then VACUUM ANALYZE.
2. Times, in this process, eight operations over --runs runs each (after a warm-up, the
   operations taking turns, each run on another provider):
   - the free slots of one offering for one day (`offering_free_slots`);
   - the same for 30 days;
   - a provider's appointments of the next 30 days (`provider_appointments`), reading each one's
     booking status, patient name and offering title;
   - its baseline: the same rows read the plain way (one `select_related` query of the booking,
     offering, patient and profile, a model instance per table per row), the same values read;
   - holding one free slot (`booking_hold`: provider lock, slot and conflict checks, inserts,
     audit, commit), each run on a different free slot. Its after-commit refresh of the next free
     slot goes to the Celery broker (in-memory here) and is not run in this process;
   - its baseline, what a simple booking app does (the peer's check + create): in a transaction,
     ask whether a live appointment overlaps, insert the booking and its appointment, commit;
   - the same with a lock on the provider's row first, and the same with a savepoint around the
     inserts: what each of the two costs.
   The offering (with its location, as the slots API loads it) or the provider is read before the
   timed call, afresh for each run. SQL queries are counted with CaptureQueriesContext on one
   untimed run of each operation, and on every timed run with a counting execute wrapper.
3. Removes the bookings it held (so that --reuse starts from the same state), checks the
   targets and exits 1 when one is missed: the 30-day free slots in at most 3 queries with a
   median under 10 ms, the appointments in at most 3 queries, the hold's median under 15 ms;
   the appointments at least as fast as their baseline and the hold at least as fast as the
   peer's (ratios of medians measured in the same run).

The database URL may also come from BENCH_AVAILABILITY_DATABASE_URL (not BENCH_DATABASE_URL: that
is the search benchmark's database, which this must not drop). The settings are read from the
environment, so this sets DATABASE_URL before django.setup(); it also sets DJANGO_DEBUG=false (no
query log, as in production) and leaves REDIS_URL unset.
--reuse skips the seeding when the bench database is already seeded; the 30 days are then counted
from the seeding day, so reuse it the same day or two.
"""

# ruff: noqa: S311 -- random only makes up deterministic demo data

from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import math
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/medibroker_bench_availability"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}
SEED = 20260105
PROVIDERS = 50
PATIENTS = 400
DAYS = 30
BOOKED = 0.40
CANCELLED = 0.05  # of the free slots: a cancelled booking's appointment, no longer live
SLOT_MINUTES = 30
NOTICE_HOURS = 48
OPENS, CLOSES = dt.time(9), dt.time(17)
TIMEZONES = ["Europe/Paris", "Europe/London", "Europe/Istanbul", "Europe/Warsaw", "Europe/Lisbon"]
MIN_RUNS = 200

FREE_SLOTS_QUERIES_TARGET = 3
FREE_SLOTS_MEDIAN_TARGET_MS = 10.0
APPOINTMENTS_QUERIES_TARGET = 3
HOLD_MEDIAN_TARGET_MS = 15.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"timed runs of each operation (default {MIN_RUNS})")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs of each operation first (default 10)")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_AVAILABILITY_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded bench database (migrate only)")
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS} (the p95 needs them)")
    return args


# --- the database ------------------------------------------------------------------------------------


def postgres_or_exit(url: str) -> tuple[str, str]:
    """(the libpq URL of the maintenance database, the bench database's name); exits otherwise."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in POSTGRES_SCHEMES:
        sys.exit(
            f"bench/availability.py measures PostgreSQL only, and {parts.scheme or 'this'}:// is not PostgreSQL.\n"
            f"Give --database-url postgres://USER@HOST:PORT/NAME (default {DEFAULT_DATABASE_URL})."
        )
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"The bench database is dropped and recreated: its name must contain 'bench' (got {name!r}).")
    maintenance = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    return maintenance, name


def recreate_database(maintenance_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DEBUG"] = "false"  # no query log, as in production
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- seeding ---------------------------------------------------------------------------------------------


def day_slots(day: dt.date, tz: ZoneInfo) -> list[tuple[dt.datetime, dt.datetime]]:
    """The 30-minute slots of a weekday, 09:00-17:00 local (no DST change falls within opening hours)."""
    step = dt.timedelta(minutes=SLOT_MINUTES)
    start = dt.datetime.combine(day, OPENS, tzinfo=tz)
    closes = dt.datetime.combine(day, CLOSES, tzinfo=tz)
    slots = []
    while start + step <= closes:
        slots.append((start, start + step))
        start += step
    return slots


def seed(*, now: dt.datetime, rng: random.Random) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from accounts.models import Gender, PatientProfile
    from bookings.models import Appointment, Booking, BookingStatus, CancellationPolicy
    from providers.models import (
        BookingMode,
        Location,
        Offering,
        OfferingKind,
        Provider,
        ProviderKind,
        Register,
        Specialty,
        VerificationStatus,
        WeeklyRule,
    )

    user_model = get_user_model()
    specialty = Specialty.objects.order_by("code").first()
    policy = CancellationPolicy.objects.filter(code="platform_default").order_by("-version").first()
    if specialty is None or policy is None:
        raise SystemExit("The migrations did not create the specialty catalogue or the platform policies.")

    with transaction.atomic():
        careteam = user_model.objects.create_user(email="bench-careteam@medibroker.local", password=None)
        users = user_model.objects.bulk_create(
            # "!" is Django's unusable password: these patients never sign in.
            user_model(email=f"patient{i}@bench.medibroker.local", password="!")  # noqa: S106
            for i in range(PATIENTS)
        )
        PatientProfile.objects.bulk_create(
            PatientProfile(
                user=user,
                first_name=f"Patient{i}",
                last_name=rng.choice(["Martin", "Kaya", "Nowak", "Silva", "Smith", "Dubois", "Yılmaz"]),
                phone="+33612345678",
                date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20_000)),
                gender=rng.choice([Gender.FEMALE, Gender.MALE]),
                nationality="GB",
                preferred_language="en",
                preferred_currency="EUR",
            )
            for i, user in enumerate(users)
        )

        providers = Provider.objects.bulk_create(
            Provider(
                kind=ProviderKind.PRACTITIONER,
                name=f"Dr Bench {i}",
                slug=f"dr-bench-{i}",
                languages=["en"],
                default_currency="EUR",
                status=VerificationStatus.VERIFIED,
                register=Register.NATIONAL,
                register_country="FR",
                registration_number=f"FR-{i:07d}",
                verified_at=now - dt.timedelta(days=30),
                verified_by=careteam,
            )
            for i in range(PROVIDERS)
        )
        locations = Location.objects.bulk_create(
            Location(
                provider=provider,
                name="Practice",
                country="FR",
                city="Paris",
                address=f"{i + 1} Main Street",
                timezone=TIMEZONES[i % len(TIMEZONES)],
            )
            for i, provider in enumerate(providers)
        )
        WeeklyRule.objects.bulk_create(
            WeeklyRule(location=location, weekday=weekday, start=OPENS, end=CLOSES)
            for location in locations
            for weekday in range(5)
        )
        offerings = Offering.objects.bulk_create(
            Offering(
                provider=provider,
                location=location,
                kind=OfferingKind.CONSULTATION,
                title=f"Consultation with Dr Bench {i}",
                specialty=specialty,
                currency="EUR",
                price_min=15000,
                duration_minutes=SLOT_MINUTES,
                slot_minutes=SLOT_MINUTES,
                deposit_bps=3000,
                booking_mode=BookingMode.ONLINE,
                min_notice_hours=NOTICE_HOURS,
                horizon_days=90,
            )
            for i, (provider, location) in enumerate(zip(providers, locations, strict=True))
        )

        # (offering, start, end, status, live) for the booked 40% and the cancelled 5% of the rest.
        planned = []
        for offering, location in zip(offerings, locations, strict=True):
            tz = ZoneInfo(location.timezone)
            today = now.astimezone(tz).date()
            slots = [
                slot
                for n in range(DAYS)
                if (today + dt.timedelta(days=n)).weekday() < 5
                for slot in day_slots(today + dt.timedelta(days=n), tz)
                if slot[0] >= now
            ]
            rng.shuffle(slots)
            booked = round(len(slots) * BOOKED)
            for start, end in slots[:booked]:
                planned.append((offering, start, end, BookingStatus.CONFIRMED, True))
            rest = slots[booked:]
            for start, end in rest[: round(len(rest) * CANCELLED)]:
                planned.append((offering, start, end, BookingStatus.CANCELLED, False))

        bookings = Booking.objects.bulk_create(
            (
                Booking(
                    patient=rng.choice(users),
                    offering=offering,
                    provider_id=offering.provider_id,
                    status=status,
                    deposit_amount=4500,
                    currency="EUR",
                    cancellation_policy=policy,
                    created_at=now - dt.timedelta(days=rng.randint(1, 60)),
                    updated_at=now,
                )
                for offering, _start, _end, status, _live in planned
            ),
            batch_size=2000,
        )
        Appointment.objects.bulk_create(
            (
                Appointment(booking=booking, provider_id=offering.provider_id, start=start, end=end, live=live)
                for booking, (offering, start, end, _status, live) in zip(bookings, planned, strict=True)
            ),
            batch_size=2000,
        )

    live = sum(1 for *_rest, live in planned if live)
    return {
        "providers": len(providers),
        "offerings": len(offerings),
        "patients": len(users),
        "live appointments": live,
        "cancelled appointments": len(planned) - live,
    }


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- measuring ---------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Operations:
    """The four operations, each a function of the run number that prepares its (untimed) input and
    returns the timed call; `check` is a sanity check of the benchmark on one result, not a test."""

    def __init__(self, *, now: dt.datetime, runs: int, rng: random.Random) -> None:
        from accounts.models import User
        from bookings.models import CancellationPolicy
        from providers.availability import offering_free_slots
        from providers.models import Offering

        self.now = now
        self._free_slots = offering_free_slots
        self.offering_ids = list(Offering.objects.order_by("pk").values_list("pk", flat=True))
        self.provider_ids = list(Offering.objects.order_by("pk").values_list("provider_id", flat=True))
        self.patients = list(User.objects.filter(email__startswith="patient").order_by("pk"))
        self.policy = CancellationPolicy.objects.filter(code="platform_default").order_by("-version").first()
        if len(self.offering_ids) < PROVIDERS:
            raise SystemExit(f"The bench database has {len(self.offering_ids)} offerings: seed it again.")
        # Each hold takes a different free slot: enough of each offering's, in a random order.
        self.free: dict[int, list] = {}
        for offering in Offering.objects.select_related("location").order_by("pk"):
            slots = self._month(offering)
            rng.shuffle(slots)
            self.free[offering.pk] = slots
        need = math.ceil(runs * len(HOLDS) / len(self.offering_ids)) + 1
        if min(len(slots) for slots in self.free.values()) < need:
            raise SystemExit("Too few free slots left for the holds: seed the bench database again.")
        self.held: list[int] = []

    def _offering(self, run: int):
        from providers.models import Offering

        offering = Offering.objects.select_related("location").get(pk=self.offering_ids[run % len(self.offering_ids)])
        self.last_provider_id = offering.provider_id
        return offering

    def _today(self, offering) -> dt.date:
        return self.now.astimezone(ZoneInfo(offering.location.timezone)).date()

    def _month(self, offering) -> list:
        today = self._today(offering)
        return self._free_slots(
            offering=offering, first_day=today, last_day=today + dt.timedelta(days=DAYS - 1), now=self.now
        )

    def free_slots_day(self, run: int):
        offering = self._offering(run)
        # A weekday past the notice, a different one each run.
        day = self._today(offering) + dt.timedelta(days=3 + run % (DAYS - 3))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return lambda: self._free_slots(offering=offering, first_day=day, last_day=day, now=self.now)

    def free_slots_month(self, run: int):
        offering = self._offering(run)
        return lambda: self._month(offering)

    def appointments(self, run: int):
        from bookings.selectors import provider_appointments
        from providers.models import Provider

        provider = Provider.objects.get(pk=self.provider_ids[run % len(self.provider_ids)])
        end = self.now + dt.timedelta(days=DAYS)

        def call():
            rows = provider_appointments(provider=provider, start=self.now, end=end)
            # What a diary page shows of each.
            return [(a.start, a.status, a.patient_name, a.offering_title) for a in rows]

        return call

    def appointments_baseline(self, run: int):
        """The same rows read the plain way: one select_related query, a model instance per table
        per row (the profile's phone number parsed on load), the same four values read from them."""
        from bookings.models import Appointment

        provider_id = self.provider_ids[run % len(self.provider_ids)]
        end = self.now + dt.timedelta(days=DAYS)

        def call():
            rows = list(
                Appointment.objects.select_related("booking__offering", "booking__patient__patient_profile")
                .filter(provider_id=provider_id, live=True, start__gte=self.now, start__lt=end)
                .order_by("start", "id")
            )
            return [
                (a.start, a.booking.status, a.booking.patient.get_full_name(), a.booking.offering.title) for a in rows
            ]

        return call

    def hold(self, run: int):
        from bookings.services import booking_hold

        offering = self._offering(run)
        slot = self.free[offering.pk].pop()
        patient = self.patients[run % len(self.patients)]

        def call():
            booking = booking_hold(patient=patient, offering=offering, start=slot.start, now=self.now)
            self.held.append(booking.pk)
            return booking

        return call

    def _peer_hold(self, run: int, *, provider_lock: bool, savepoint: bool):
        """What a simple booking app does to hold a slot, the minimum: in a transaction, ask whether
        a live appointment overlaps, then insert the booking and its appointment. `provider_lock`
        adds a lock on the provider's row first, `savepoint` a savepoint around the inserts: their
        cost is the difference with the plain variant."""
        from django.db import transaction

        from bookings.models import Appointment, Booking, BookingStatus
        from providers.models import Provider

        offering = self._offering(run)
        slot = self.free[offering.pk].pop()
        patient = self.patients[run % len(self.patients)]
        policy, timezone = self.policy, offering.location.timezone

        def inserts():
            booking = Booking.objects.create(
                patient=patient,
                offering=offering,
                provider_id=offering.provider_id,
                status=BookingStatus.HELD,
                deposit_amount=4500,
                currency="EUR",
                cancellation_policy=policy,
                hold_expires_at=self.now + dt.timedelta(minutes=15),
                timezone=timezone,
                created_at=self.now,
                updated_at=self.now,
            )
            Appointment.objects.create(
                booking=booking, provider_id=offering.provider_id, start=slot.start, end=slot.end, live=True
            )
            return booking

        def call():
            with transaction.atomic():
                if provider_lock:
                    Provider.objects.select_for_update().filter(pk=offering.provider_id).values_list("pk").first()
                taken = Appointment.objects.filter(
                    provider_id=offering.provider_id, live=True, start__lt=slot.end, end__gt=slot.start
                ).exists()
                if taken:
                    raise SystemExit("the peer's hold: a free slot is taken")
                if savepoint:
                    with transaction.atomic():
                        booking = inserts()
                else:
                    booking = inserts()
            self.held.append(booking.pk)
            return booking

        return call

    def peer_hold(self, run: int):
        return self._peer_hold(run, provider_lock=False, savepoint=False)

    def peer_hold_locked(self, run: int):
        return self._peer_hold(run, provider_lock=True, savepoint=False)

    def peer_hold_savepoint(self, run: int):
        return self._peer_hold(run, provider_lock=False, savepoint=True)

    def check(self, name: str, result) -> None:
        from bookings.models import Appointment, BookingStatus

        if name.startswith("free slots"):
            if not result:
                raise SystemExit(f"{name}: no free slot, but 60% of the slots should be free")
            if name.endswith("30 days") and len(result) < 100:
                raise SystemExit(f"{name}: only {len(result)} free slots in 30 days")
            taken = Appointment.objects.filter(
                provider_id=self.last_provider_id, live=True, start__in=[slot.start for slot in result]
            )
            if taken.exists():
                raise SystemExit(f"{name}: a slot offered as free is taken by a live appointment")
        elif name in (APPOINTMENTS, APPOINTMENTS_BASELINE):
            if len(result) < 100:
                raise SystemExit(f"{name}: only {len(result)} appointments, but 40% of 30 days are booked")
            if not all(patient and title for _start, _status, patient, title in result):
                raise SystemExit(f"{name}: an appointment without its patient or offering")
        elif result.status != BookingStatus.HELD:
            raise SystemExit(f"{name}: the booking is {result.status}, not held")

    def cleanup(self) -> int:
        """Remove the bookings held by the benchmark (their audit events stay: the trail is append-only)."""
        from bookings.models import Booking

        deleted = Booking.objects.filter(pk__in=self.held).delete()[1].get("bookings.Booking", 0)
        self.held.clear()
        return deleted


APPOINTMENTS = "appointments, 30 days"
APPOINTMENTS_BASELINE = "plain select_related read (baseline)"
HOLD = "hold one free slot"
PEER_HOLD = "peer's check + create (baseline)"
PEER_HOLD_LOCKED = "  + provider lock"
PEER_HOLD_SAVEPOINT = "  + savepoint"
OPERATIONS = [
    ("free slots, 1 day", "free_slots_day"),
    ("free slots, 30 days", "free_slots_month"),
    (APPOINTMENTS, "appointments"),
    (APPOINTMENTS_BASELINE, "appointments_baseline"),
    (HOLD, "hold"),
    (PEER_HOLD, "peer_hold"),
    (PEER_HOLD_LOCKED, "peer_hold_locked"),
    (PEER_HOLD_SAVEPOINT, "peer_hold_savepoint"),
]
HOLDS = [HOLD, PEER_HOLD, PEER_HOLD_LOCKED, PEER_HOLD_SAVEPOINT]  # each run takes a free slot
# (operation, its baseline): the ratio is the baseline's median over the operation's (> 1: faster).
RATIOS = {
    APPOINTMENTS: APPOINTMENTS_BASELINE,
    HOLD: PEER_HOLD,
    PEER_HOLD_LOCKED: PEER_HOLD,
    PEER_HOLD_SAVEPOINT: PEER_HOLD,
}
APPOINTMENTS_RATIO_TARGET = 1.0
HOLD_RATIO_TARGET = 1.0


def measure(*, runs: int, warmup: int, now: dt.datetime) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.celery import app

    # The after-commit refresh goes to the broker, as in production, instead of running here.
    app.conf.task_always_eager = False
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)  # the in-memory broker has no host

    counter = {"n": 0, "seconds": 0.0}

    def counted(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            counter["n"] += 1
            counter["seconds"] += time.perf_counter() - start

    ops = Operations(now=now, runs=runs + warmup + 1, rng=random.Random(SEED + 1))
    rows = {name: {"name": name, "times": [], "sql_times": [], "counts": [], "sizes": []} for name, _m in OPERATIONS}
    try:
        run = 0
        for name, method in OPERATIONS:
            prepare = getattr(ops, method)
            for _ in range(warmup):
                prepare(run)()
                run += 1
            call = prepare(run)
            run += 1
            counter["n"] = 0
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(counted):
                result = call()
            ops.check(name, result)
            rows[name]["queries"] = len(captured.captured_queries)
            rows[name]["sql"] = [q["sql"] for q in captured.captured_queries]
            # Django logs BEGIN and COMMIT, which do not go through the execute wrapper.
            rows[name]["transaction_statements"] = len(captured.captured_queries) - counter["n"]

        gc.collect()
        with connection.execute_wrapper(counted):
            for i in range(runs):  # the operations take turns, so that drift hits them all alike
                for name, method in OPERATIONS:
                    call = getattr(ops, method)(run + i)
                    counter["n"], counter["seconds"] = 0, 0.0
                    start = time.perf_counter()
                    result = call()
                    elapsed = time.perf_counter() - start
                    row = rows[name]
                    row["times"].append(elapsed * 1000)
                    row["sql_times"].append(counter["seconds"] * 1000)
                    row["counts"].append(counter["n"] + row["transaction_statements"])
                    row["sizes"].append(len(result) if isinstance(result, list) else 1)
    finally:
        removed = ops.cleanup()
    print(f"\n(Removed the {removed} bookings held by the benchmark.)")

    for row in rows.values():
        row["median"] = statistics.median(row["times"])
        row["p95"] = percentile(row["times"], 95)
        row["sql_median"] = statistics.median(row["sql_times"])
        row["most_queries"] = max(row["counts"] + [row["queries"]])
    return list(rows.values())


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
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (pg_version,) = cursor.fetchone()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        ("CPU", f"{os.cpu_count()} × {model}"),
        ("load", f"{load} (1, 5, 15 min, at the start of the measurements)"),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("Django", ".".join(str(part) for part in DJANGO_VERSION[:3])),
        ("PostgreSQL", pg_version.split(" on ")[0]),
    ]


def ratio(by_name: dict[str, dict], name: str) -> float:
    """The baseline's median over the operation's: how many times faster than its baseline."""
    return by_name[RATIOS[name]]["median"] / by_name[name]["median"]


def report(rows: list[dict], runs: int) -> bool:
    print(f"\nTime per call, {runs} runs each, in this process:\n")
    header = ["operation", "median ms", "p95 ms", "SQL ms", "queries", "rows", "ratio"]
    widths = [36, 9, 7, 6, 7, 9, 5]
    by_name = {row["name"]: row for row in rows}

    def line(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    print(line(header))
    print("| " + " | ".join("-" * w if i == 0 else "-" * (w - 1) + ":" for i, w in enumerate(widths)) + " |")
    for row in rows:
        low, high = min(row["sizes"]), max(row["sizes"])
        queries = {row["queries"], *row["counts"]}
        print(
            line(
                [
                    row["name"],
                    f"{row['median']:.2f}",
                    f"{row['p95']:.2f}",
                    f"{row['sql_median']:.2f}",
                    str(row["queries"]) if len(queries) == 1 else f"{min(queries)}-{max(queries)}",
                    str(low) if low == high else f"{low}-{high}",
                    f"{ratio(by_name, row['name']):.2f}" if row["name"] in RATIOS else "",
                ]
            )
        )
    print(
        "\n(SQL ms: the median time in the database driver per call, round trips included, COMMIT not. queries: "
        "the statements Django logs (CaptureQueriesContext), BEGIN, savepoints and COMMIT included; a range when "
        "they varied between runs. rows: slots or appointments returned. ratio: the baseline's median over this "
        "operation's, in this run (above 1: faster than the baseline); the appointments against the plain "
        "select_related read, the hold and the two variants against the peer's check + create.)"
    )
    month, diary, hold = by_name["free slots, 30 days"], by_name[APPOINTMENTS], by_name[HOLD]
    checks = [
        (
            f"30-day free slots in at most {FREE_SLOTS_QUERIES_TARGET} queries",
            month["most_queries"] <= FREE_SLOTS_QUERIES_TARGET,
            f"{month['most_queries']} queries",
        ),
        (
            f"30-day free slots median under {FREE_SLOTS_MEDIAN_TARGET_MS:.0f} ms",
            month["median"] < FREE_SLOTS_MEDIAN_TARGET_MS,
            f"{month['median']:.2f} ms",
        ),
        (
            f"appointments in at most {APPOINTMENTS_QUERIES_TARGET} queries whatever their number",
            diary["most_queries"] <= APPOINTMENTS_QUERIES_TARGET,
            f"{diary['most_queries']} queries for {min(diary['sizes'])}-{max(diary['sizes'])} appointments",
        ),
        (
            f"hold median under {HOLD_MEDIAN_TARGET_MS:.0f} ms",
            hold["median"] < HOLD_MEDIAN_TARGET_MS,
            f"{hold['median']:.2f} ms",
        ),
        (
            f"appointments at least {APPOINTMENTS_RATIO_TARGET:g}× the plain select_related read",
            ratio(by_name, APPOINTMENTS) >= APPOINTMENTS_RATIO_TARGET,
            f"{ratio(by_name, APPOINTMENTS):.2f}×",
        ),
        (
            f"hold at least {HOLD_RATIO_TARGET:g}× the peer's check + create",
            ratio(by_name, HOLD) >= HOLD_RATIO_TARGET,
            f"{ratio(by_name, HOLD):.2f}×",
        ),
    ]
    lock = by_name[PEER_HOLD_LOCKED]["median"] - by_name[PEER_HOLD]["median"]
    savepoint = by_name[PEER_HOLD_SAVEPOINT]["median"] - by_name[PEER_HOLD]["median"]
    print(
        f"\nWhat the provider lock adds to the peer's hold: {lock:+.2f} ms (median); a savepoint around the "
        f"inserts: {savepoint:+.2f} ms."
    )
    print()
    for label, passed, figure in checks:
        print(f"{label}: {'PASS' if passed else 'FAIL'} ({figure})")
    return all(passed for _label, passed, _figure in checks)


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    maintenance_url, name = postgres_or_exit(args.database_url)
    if not args.reuse:
        recreate_database(maintenance_url, name)
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
        counts = seed(now=now, rng=random.Random(SEED))
        vacuum_analyze()
        print(f"Seeded {name} in {time.perf_counter() - t0:.1f} s: " + ", ".join(f"{v} {k}" for k, v in counts.items()))

    gc.collect()  # the seeding's garbage, not the measurements'
    print("\nMachine:")
    for label, value in machine():
        print(f"  {label:<11} {value}")
    rows = measure(runs=args.runs, warmup=args.warmup, now=now)
    passed = report(rows, args.runs)
    print(f"\nThe whole run took {time.perf_counter() - started:.0f} s.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
