"""Throughput benchmark: the site under a real HTTP server and load, on PostgreSQL.

    .venv/bin/python bench/throughput.py [--providers 10000] [--duration 20] [--passes 4]
        [--connections 16] [--threads 2] [--workers 2] [--reseed]
        [--database-url postgres://postgres@127.0.0.1:5432/medibroker_bench_throughput]
        [--redis-url redis://127.0.0.1:6379/8] [--replica-url postgres://…]

1. The data set: bench/search.py seeds the bench database with --providers verified providers
   (4 offerings each), or keeps it when it already holds that many (--reseed seeds it again).
   Then this script adds what the hold needs: a pool of bench patients (verified e-mail, an API
   token each) and, for many providers, one online offering with two free slots a few days ahead.
2. The server, as production runs it: gunicorn with --workers sync workers, DEBUG off, a secret
   key and the allowed hosts from the environment, persistent database connections
   (DJANGO_CONN_MAX_AGE), Redis for the cache and as Celery's broker, and one Celery worker
   beside it (the hold and the release queue the refresh of the offerings' next free slot, as in
   production; the script waits for the queue to be empty before the next URL). The per-patient
   hold throttle (THROTTLE_HOLDS) is raised for the run: the pool of patients would otherwise
   hit it within the first second.
3. The load: wrk (--threads threads, --connections connections, --duration seconds per URL,
   after a short untimed warm-up of each URL) on /healthz (the floor: database, cache and broker
   checked, nothing else), three search API queries, a provider's public page, the search page,
   an offering's free slots for 30 days, and a hold + release cycle (a Lua script: a patient's
   token holds a free slot, then cancels the booking it got; each cycle is two requests). Each
   pass runs every URL once, in an order that rotates from pass to pass, so that a drift of the
   machine's load hits them all; the figures are the medians over --passes passes.
4. The table: requests per second, p50 and p99 latency, how many times the floor's requests per
   second this URL's are, and the answers that were not 2xx (for the hold: 409 conflicts apart
   from errors). The targets: each search API query at least 1/4 of the floor's requests per
   second, the search page and a provider's page at least 1/5, every search's p99 at most 4 times
   its p50, and no errors. Exit 0 when all are met, 1 when one is missed, 2 when the benchmark
   could not run (wrk missing, the server not starting, a URL not answering 200).

The server and its worker are stopped at the end, also on Ctrl-C or a failure.
"""

# ruff: noqa: S603, S607 -- fixed command lines of ours (bench/search.py, gunicorn, celery, wrk, git)

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/medibroker_bench_throughput"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
BENCH_EMAIL_DOMAIN = "bench.medibroker.local"  # bench/search.py's providers' e-mail domain
PATIENTS = 97  # a prime: patient and slot take turns without repeating a pair for a long time
SLOT_DAYS_AHEAD = (3, 12)  # the hold's slots: this many days ahead, past any minimum notice
HOLD_OFFERINGS = 1500
FLOOR = "healthz"
API_SEARCHES = ("search API q=hip", "search API GBP 500-5000 sort=price", "search API q=ortopedic")
SEARCH_PAGE = "search page q=hip"
PROVIDER_PAGE = "provider page"
HOLD_CYCLE = "hold + release"
API_RATIO_TARGET = 4.0  # floor ÷ search API at most this
PAGE_RATIO_TARGET = 5.0  # floor ÷ search page, floor ÷ provider page at most this
TAIL_TARGET = 4.0  # p99 ÷ p50 of every search at most this


# --- wrk's output ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class WrkResult:
    """One wrk run: requests per second, latency percentiles (ms), requests, and what went wrong."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int = 0  # wrk's "Non-2xx or 3xx responses"
    socket_errors: int = 0  # connect, read, write errors and timeouts
    statuses: dict[str, int] = dataclasses.field(default_factory=dict)  # from the hold script: status → count
    codes: dict[str, int] = dataclasses.field(default_factory=dict)  # from the hold script: error code → count


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_duration_ms(text: str) -> float:
    """A wrk duration ("812.00us", "12.31ms", "1.02s", "1.50m") in milliseconds."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(us|ms|s|m|h)\s*", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read `wrk --latency` output (and the lines the hold script's done() prints)."""
    rate = re.search(r"^Requests/sec:\s*([0-9.]+)", output, re.MULTILINE)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    if not (rate and p50 and p99 and total):
        raise ValueError("wrk's output has no requests/sec or latency distribution (was --latency given?):\n" + output)
    non_2xx = re.search(r"^\s*Non-2xx or 3xx responses:\s*(\d+)", output, re.MULTILINE)
    sockets = re.search(
        r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output, re.MULTILINE
    )
    result = WrkResult(
        requests_per_s=float(rate.group(1)),
        p50_ms=parse_duration_ms(p50.group(1)),
        p99_ms=parse_duration_ms(p99.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )
    for kind, target in (("status", result.statuses), ("code", result.codes)):
        for key, count in re.findall(rf"^bench-{kind} (\S+) (\d+)$", output, re.MULTILINE):
            target[key] = target.get(key, 0) + int(count)
    return result


# --- the figures and the targets -------------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    """One URL over all passes: medians of the passes, and sums of what went wrong."""

    name: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    conflicts: int  # 409 answers (the hold: someone else holds the slot)
    errors: int  # any other answer that is not 2xx, and socket errors
    ratio: float = math.nan  # floor's requests per second ÷ this URL's


def summarise(name: str, runs: list[WrkResult]) -> Row:
    """The medians of the passes of one URL, and what went wrong in all of them."""
    conflicts = sum(r.statuses.get("409", 0) for r in runs)
    if any(r.statuses for r in runs):  # the hold script counted every answer itself
        errors = sum(n for r in runs for status, n in r.statuses.items() if not status.startswith("2")) - conflicts
    else:
        errors = sum(r.non_2xx for r in runs)
    errors += sum(r.socket_errors for r in runs)
    return Row(
        name=name,
        requests_per_s=statistics.median(r.requests_per_s for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        conflicts=conflicts,
        errors=errors,
    )


def with_ratios(rows: list[Row], floor: str = FLOOR) -> list[Row]:
    """Each row with its ratio: the floor's requests per second ÷ its own."""
    base = next(r for r in rows if r.name == floor).requests_per_s
    return [
        dataclasses.replace(row, ratio=base / row.requests_per_s if row.requests_per_s else math.inf) for row in rows
    ]


def check_targets(rows: list[Row]) -> list[str]:
    """What misses a target (empty when all are met), on rows with their ratios."""
    by_name = {row.name: row for row in rows}
    missed = []
    for name in API_SEARCHES:
        if name in by_name and by_name[name].ratio > API_RATIO_TARGET:
            missed.append(
                f"{name}: {by_name[name].ratio:.1f}× below the floor, the target is at most {API_RATIO_TARGET:.0f}×"
            )
    for name in (SEARCH_PAGE, PROVIDER_PAGE):
        if name in by_name and by_name[name].ratio > PAGE_RATIO_TARGET:
            missed.append(
                f"{name}: {by_name[name].ratio:.1f}× below the floor, the target is at most {PAGE_RATIO_TARGET:.0f}×"
            )
    for name in (*API_SEARCHES, SEARCH_PAGE):
        row = by_name.get(name)
        if row and row.p99_ms > TAIL_TARGET * row.p50_ms:
            missed.append(
                f"{name}: p99 {row.p99_ms:.0f} ms is {row.p99_ms / row.p50_ms:.1f}× its p50 {row.p50_ms:.0f} ms, "
                f"the target is at most {TAIL_TARGET:.0f}×"
            )
    for row in rows:
        if row.errors:
            missed.append(f"{row.name}: {row.errors} answers were errors (neither 2xx nor a 409 conflict)")
    return missed


def rotated(items: list, turn: int) -> list:
    """`items` starting at position `turn` (modulo its length): pass n starts n URLs further."""
    if not items:
        return []
    turn %= len(items)
    return items[turn:] + items[:turn]


def format_table(rows: list[Row], urls: dict[str, str]) -> str:
    header = ["URL", "req/s", "p50 / p99 ms", "floor ÷ this", "409", "errors"]
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        label = f"`{urls[row.name]}`" if row.name in urls else row.name
        if row.name == FLOOR:
            label += " (the floor)"
        elif row.name == HOLD_CYCLE:
            label = "hold + release (`POST /api/v1/bookings/hold/`, then `…/cancel/`)"
        lines.append(
            f"| {label} | {row.requests_per_s:.0f} | {row.p50_ms:.0f} / {row.p99_ms:.0f} | "
            f"{row.ratio:.1f}× | {row.conflicts} | {row.errors} |"
        )
    return "\n".join(lines)


# --- the hold + release script for wrk -----------------------------------------------------------------------

HOLD_LUA = r"""
-- A patient holds a free slot, then releases it (cancels the held booking); written by bench/throughput.py.
-- tokens: API tokens of the bench patients; slots: {offering id, start}, one offering per provider,
-- each offering's second slot far from its first in the list, so that an offering's holds in
-- flight in one thread never overlap and conflicts between threads are rare.
local tokens = %(tokens)s
local slots = %(slots)s

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- statuses and codes are globals: done() reads them from each thread with thread:get().
local n, offset, releases, owner
function init(args)
  n = 0
  offset = tonumber(args[1] or "0") + id * 7919
  releases = {}   -- bookings held and to be released: {id, token}
  owner = {}      -- offering id → the token that last asked to hold it (this thread)
  statuses = {}
  codes = {}
end

local function headers(token)
  return {
    ["Authorization"] = "Token " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%%d-%%d-%%d", offset, id, n),
  }
end

function request()
  n = n + 1
  local held = table.remove(releases, 1)
  if held then
    return wrk.format("POST", "/api/v1/bookings/" .. held[1] .. "/cancel/", headers(held[2]), '{"reason":"none"}')
  end
  local i = offset + n
  local token = tokens[(i %% #tokens) + 1]
  local slot = slots[(i %% #slots) + 1]
  owner[slot[1]] = token
  return wrk.format("POST", "/api/v1/bookings/hold/", headers(token),
    '{"offering":' .. slot[1] .. ',"start":"' .. slot[2] .. '"}')
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 201 then
    local booking = body:match('"id":(%%d+)')
    local offering = tonumber(body:match('"offering":(%%d+)'))
    if booking and offering and owner[offering] then
      table.insert(releases, {booking, owner[offering]})
    end
  elseif status >= 300 then
    local code = body:match('"code":"([%%w_]+)"') or ("http_" .. key)
    codes[code] = (codes[code] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_statuses, total_codes = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do total_statuses[k] = (total_statuses[k] or 0) + v end
    for k, v in pairs(thread:get("codes")) do total_codes[k] = (total_codes[k] or 0) + v end
  end
  for k, v in pairs(total_statuses) do io.write("bench-status " .. k .. " " .. v .. "\n") end
  for k, v in pairs(total_codes) do io.write("bench-code " .. k .. " " .. v .. "\n") end
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hold_script(tokens: list[str], slots: list[tuple[int, str]]) -> str:
    """The wrk Lua script of the hold + release cycle, with the patients' tokens and the slots in it."""
    return HOLD_LUA % {
        "tokens": "{" + ", ".join(lua_string(t) for t in tokens) + "}",
        "slots": "{" + ", ".join(f"{{{offering}, {lua_string(start)}}}" for offering, start in slots) + "}",
    }


def interleaved_slots(per_offering: list[list[str]], offering_ids: list[int], count: int) -> list[tuple[int, str]]:
    """Every offering's first slot, then every offering's second…; trimmed so that the number of slots
    shares no factor with the number of patients (each patient meets each slot rarely)."""
    slots = [
        (offering, starts[k])
        for k in range(max((len(s) for s in per_offering), default=0))
        for offering, starts in zip(offering_ids, per_offering, strict=True)
        if k < len(starts)
    ][:count]
    while slots and math.gcd(len(slots), PATIENTS) != 1:
        slots.pop()
    return slots


# --- the data set ---------------------------------------------------------------------------------------------


def fail(message: str) -> SystemExit:
    print(message, file=sys.stderr)
    return SystemExit(2)


def seeded_providers(database_url: str) -> int | None:
    """How many bench providers the database holds (None when it does not exist or has no tables)."""
    import psycopg

    url = urlsplit(database_url)._replace(scheme="postgresql").geturl()
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT count(*) FROM providers_provider WHERE email LIKE %s", [f"%@{BENCH_EMAIL_DOMAIN}"]
            ).fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return None


def ensure_seeded(args: argparse.Namespace) -> None:
    """Seed the bench database with bench/search.py, or keep it when it holds --providers providers."""
    search_py = [sys.executable, str(ROOT / "bench" / "search.py")]
    common = ["--providers", str(args.providers), "--database-url", args.database_url]
    usage = subprocess.run([*search_py, "--help"], capture_output=True, text=True, cwd=ROOT, check=False).stdout
    if "--seed-only" in usage:  # it keeps a database of the right size with --reuse, and seeds it otherwise
        print(f"The data set: bench/search.py --seed-only, {args.providers} providers (minutes when it seeds)…")
        command = [*search_py, "--seed-only", *common, *([] if args.reseed else ["--reuse"])]
        if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
            raise fail("bench/search.py could not seed the bench database (see its output above).")
        return
    # A bench/search.py without --seed-only seeds and then measures the search in-process.
    held = None if args.reseed else seeded_providers(args.database_url)
    if held == args.providers:
        print(f"Reusing the bench database: it holds {held} providers.")
        setup_django(args.database_url, args.redis_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        return
    print(f"Seeding the bench database with {args.providers} providers (bench/search.py; minutes)…")
    subprocess.run([*search_py, *common], cwd=ROOT, check=False)  # its verdict on the search is not ours
    if seeded_providers(args.database_url) != args.providers:
        raise fail("bench/search.py did not seed the bench database (see its output above).")


def default_database_url(providers: int) -> str:
    """medibroker_bench_throughput for 10,000 providers, one database per other size (…_100k)."""
    if providers == 10_000:
        return DEFAULT_DATABASE_URL
    size = f"{providers // 1000}k" if providers % 1000 == 0 else str(providers)
    return f"{DEFAULT_DATABASE_URL}_{size}"


def setup_django(database_url: str, redis_url: str) -> None:
    """Django in this process, on the bench database, for the fixtures (once)."""
    if "django.apps" in sys.modules:
        from django.apps import apps

        if apps.ready:
            return
    os.environ.update(server_environment(database_url, redis_url, secret_key="bench-setup-" + secrets.token_hex(8)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclasses.dataclass
class Fixtures:
    provider_slug: str
    slots_offering: int
    tokens: list[str]
    slots: list[tuple[int, str]]


def prepare_fixtures(args: argparse.Namespace) -> Fixtures:
    """Bench patients with a fresh API token each, a provider to show, and free slots to hold."""
    setup_django(args.database_url, args.redis_url)
    from allauth.account.models import EmailAddress
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import ApiToken, User
    from accounts.services import api_token_create
    from bookings.models import Booking, BookingStatus
    from providers.availability import offering_free_slots
    from providers.models import BookingMode, Offering, Provider, VerificationStatus

    now = timezone.now()
    release_leftover_holds()
    tokens = []
    with transaction.atomic():
        for i in range(PATIENTS):
            email = f"bench-patient-{i}@{BENCH_EMAIL_DOMAIN}"
            user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password=None)
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            ApiToken.objects.filter(user=user).delete()
            tokens.append(api_token_create(user=user, device="throughput bench", now=now)[1])

    verified = Provider.objects.filter(status=VerificationStatus.VERIFIED, email__endswith=f"@{BENCH_EMAIL_DOMAIN}")
    # The provider page: the first provider by id with four offerings, as every bench provider has.
    provider = verified.order_by("pk").first()
    if provider is None:
        raise fail("The bench database has no verified provider: run with --reseed.")
    online = (
        Offering.objects.filter(provider__in=verified, booking_mode=BookingMode.ONLINE, is_active=True)
        .select_related("location")
        .order_by("provider_id", "pk")
        .distinct("provider_id")
    )
    chosen = list(online[:HOLD_OFFERINGS])
    if not chosen:
        raise fail("The bench database has no offering bookable online: run with --reseed.")
    busy_ids = set(Booking.objects.filter(status=BookingStatus.HELD).values_list("offering_id", flat=True))
    offering_ids, per_offering = [], []
    first_day = timezone.localdate() + dt.timedelta(days=SLOT_DAYS_AHEAD[0])
    last_day = timezone.localdate() + dt.timedelta(days=SLOT_DAYS_AHEAD[1])
    for offering in chosen:
        if offering.pk in busy_ids:
            continue
        free = offering_free_slots(offering=offering, first_day=first_day, last_day=last_day, now=now)
        if len(free) >= 2:
            offering_ids.append(offering.pk)
            # Two slots far apart: the first free one, and one in the middle of the range.
            per_offering.append([free[0].start.isoformat(), free[len(free) // 2].start.isoformat()])
    slots = interleaved_slots(per_offering, offering_ids, count=2 * HOLD_OFFERINGS)
    if len(slots) < 100:
        raise fail(f"Only {len(slots)} free slots found to hold: run with --reseed.")
    return Fixtures(provider_slug=provider.slug, slots_offering=chosen[0].pk, tokens=tokens, slots=slots)


def release_leftover_holds() -> int:
    """Cancel the bench patients' bookings still held (a cycle cut short when wrk stopped)."""
    from django.utils import timezone

    from bookings.models import Booking, BookingStatus
    from bookings.services import booking_cancel
    from core.errors import Conflict

    now = timezone.now()
    held = Booking.objects.filter(
        status=BookingStatus.HELD, patient__email__endswith=f"@{BENCH_EMAIL_DOMAIN}"
    ).select_related("patient")
    count = 0
    for booking in held:
        try:
            booking_cancel(booking=booking, actor=booking.patient, reason="none", now=now)
        except Conflict:  # released meanwhile by a request wrk sent last
            continue
        count += 1
    return count


def close_django_connections() -> None:
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()


# --- the server ------------------------------------------------------------------------------------------------


def server_environment(database_url: str, redis_url: str, *, secret_key: str) -> dict[str, str]:
    """The settings' environment variables (config/settings.py) for the server, as production sets them."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "600",  # persistent connections, as in production
        "REDIS_URL": redis_url,
        # Far above what the pool of bench patients does in a run (20/hour by default).
        "THROTTLE_HOLDS": "1000000/hour",
        "EMAIL_URL": "dummymail://",  # the release's e-mails are not the benchmark's business
        "SITE_URL": "http://127.0.0.1",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn and a Celery worker, started in their own process groups and always stopped."""

    def __init__(self, args: argparse.Namespace, logs: Path):
        self.args = args
        self.logs = logs
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **{name: value for name, value in os.environ.items() if name != "DATABASE_REPLICA_URL"},
            **server_environment(args.database_url, args.redis_url, secret_key=secrets.token_urlsafe(50)),
        }
        if args.replica_url:  # search, public pages and reports read there (config/settings.py)
            self.env["DATABASE_REPLICA_URL"] = args.replica_url

    def _start(self, name: str, command: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("w")
        self.processes.append(
            subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )

    def start(self) -> None:
        bin_dir = Path(sys.executable).parent
        self._start(
            "gunicorn",
            [
                str(bin_dir / "gunicorn"),
                "config.wsgi:application",
                "--workers", str(self.args.workers),
                "--bind", f"127.0.0.1:{self.port}",
                "--backlog", "2048",
                "--timeout", "60",
                "--log-level", "warning",
            ],
        )  # fmt: skip
        if self.args.celery_worker:
            self._start(
                "celery",
                [
                    str(bin_dir / "celery"), "-A", "config", "worker", "--concurrency", "1", "--loglevel", "warning",
                    "--without-mingle", "--without-gossip", "--without-heartbeat",
                ],
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            with contextlib.suppress(OSError):
                status, _body = http_get(self.base + "/healthz")
                if status == 200:
                    return
            time.sleep(0.5)
        raise fail("The server did not answer /healthz within 60 s. Its log:\n" + self.log_tail())

    def drain(self, timeout: float = 120) -> None:
        """Wait until the server has answered every request wrk left behind: when wrk stops, what it
        had sent is still being served or waiting in the listen queue, and would slow the next URL
        down (or, for the hold, release a booking after the script looked for leftovers). On Linux,
        until no connection to the server's port is open or waiting to be closed by the server;
        elsewhere, until one /healthz per worker at once has been answered."""
        deadline = time.monotonic() + timeout
        count = open_connections(self.port)
        if count is None:
            with concurrent.futures.ThreadPoolExecutor(self.args.workers) as pool:
                list(pool.map(lambda _: http_get(self.base + "/healthz"), range(self.args.workers)))
            return
        while count and time.monotonic() < deadline:
            time.sleep(0.2)
            count = open_connections(self.port) or 0

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-30:])
            for path in sorted(self.logs.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


# /proc/net/tcp states: 01 established, 03 SYN received, 08 close-wait (the client has closed, the
# server has not answered yet). LISTEN and TIME_WAIT are not work in progress.
_BUSY_TCP_STATES = {"01", "03", "08"}


def open_connections(port: int) -> int | None:
    """Connections to local `port` the server has yet to finish (None where /proc/net/tcp is missing)."""
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        return None
    count = 0
    for table in tables:
        with contextlib.suppress(OSError):
            count += busy_connections(table.read_text(), port)
    return count


def busy_connections(table: str, port: int) -> int:
    """In a /proc/net/tcp table, the connections whose local port is `port` and which are not closed."""
    count = 0
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 3 and fields[1].rsplit(":", 1)[-1] == f"{port:04X}" and fields[3] in _BUSY_TCP_STATES:
            count += 1
    return count


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 -- our own local server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def queue_length(redis_url: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.llen("celery"))
    finally:
        client.close()


def wait_for_queue(redis_url: str, timeout: float = 120) -> None:
    """Wait until the Celery worker has taken every queued task (the hold's refreshes)."""
    deadline = time.monotonic() + timeout
    while queue_length(redis_url) and time.monotonic() < deadline:
        time.sleep(0.5)


# --- measuring ----------------------------------------------------------------------------------------------


def targets(fixtures: Fixtures, today: dt.date) -> dict[str, str]:
    """The URLs measured: name → path."""
    return {
        FLOOR: "/healthz",
        API_SEARCHES[0]: "/api/v1/search/?q=hip",
        API_SEARCHES[1]: "/api/v1/search/?currency=GBP&price_min=500&price_max=5000&sort=price",
        API_SEARCHES[2]: "/api/v1/search/?q=ortopedic",
        PROVIDER_PAGE: f"/providers/p/{fixtures.provider_slug}/",
        SEARCH_PAGE: "/search/?q=hip",
        "free slots, 30 days": (
            f"/api/v1/offerings/{fixtures.slots_offering}/slots/"
            f"?from={today + dt.timedelta(days=1)}&to={today + dt.timedelta(days=30)}"
        ),
        HOLD_CYCLE: "/api/v1/bookings/hold/",
    }


def check_answers(base: str, urls: dict[str, str]) -> None:
    """Every GET answers 200 (a redirect or an error would be measured as if it were the page), and
    the searches find something (an empty search table would be measured as a fast search)."""
    for name, path in urls.items():
        if name == HOLD_CYCLE:
            continue
        status, body = http_get(base + path)
        if status != 200:
            raise fail(f"{name}: {path} answered {status}, not 200:\n{body[:800].decode(errors='replace')}")
        if path.startswith("/api/v1/search/") and not json.loads(body).get("results"):
            raise fail(f"{name}: {path} found nothing; the bench database needs reseeding (--reseed).")


def run_wrk(
    args: argparse.Namespace, url: str, *, duration: float, script: Path | None, required: bool = True
) -> WrkResult:
    command = [
        "wrk", "--latency", "--threads", str(args.threads), "--connections", str(args.connections),
        "--duration", f"{duration:g}s", "--timeout", "30s",
    ]  # fmt: skip
    if script is not None:
        command += ["--script", str(script)]
    command.append(url)
    if script is not None:
        command += ["--", str(secrets.randbelow(1_000_000))]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise fail(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    result = parse_wrk(done.stdout)
    if required and not result.requests:
        raise fail(f"wrk had no answer from {url} in {duration:g} s:\n{done.stdout}\n{done.stderr}")
    return result


def measure(args: argparse.Namespace, server: Server, urls: dict[str, str], script: Path) -> list[Row]:
    names = list(urls)
    print(f"\nWarming up ({args.warmup:g} s per URL)…")
    for name in names:
        script_of = script if name == HOLD_CYCLE else None
        run_wrk(args, server.base + urls[name], duration=args.warmup, script=script_of, required=False)
        after_run(args, server, name)
    results: dict[str, list[WrkResult]] = {name: [] for name in names}
    for turn in range(args.passes):
        print(f"Pass {turn + 1} of {args.passes}:", flush=True)
        for name in rotated(names, turn):
            result = run_wrk(
                args, server.base + urls[name], duration=args.duration, script=script if name == HOLD_CYCLE else None
            )
            results[name].append(result)
            extra = ""
            if result.codes:
                extra = " (" + ", ".join(f"{code} {n}" for code, n in sorted(result.codes.items())) + ")"
            print(
                f"  {name:<36} {result.requests_per_s:8.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
                f"p99 {result.p99_ms:7.1f} ms{extra}",
                flush=True,
            )
            after_run(args, server, name)
    return with_ratios([summarise(name, results[name]) for name in names])


def after_run(args: argparse.Namespace, server: Server, name: str) -> None:
    """Between URLs: the server finishes the requests wrk left behind, the worker drains what the
    holds queued, the holds cut short are released."""
    server.drain()
    if args.celery_worker:
        wait_for_queue(args.redis_url)
    if name == HOLD_CYCLE:
        release_leftover_holds()
        close_django_connections()


# --- the machine -------------------------------------------------------------------------------------------------


def machine(database_url: str) -> list[tuple[str, str]]:
    import psycopg

    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    url = urlsplit(database_url)._replace(scheme="postgresql").geturl()
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version()").fetchone()
        pg_version = str(row[0]).split(" on ")[0] if row else "unknown"
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")
    return [
        ("CPU", f"{os.cpu_count()} × {model}"),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("PostgreSQL", pg_version),
        ("wrk", wrk_version[0].strip() if wrk_version else "unknown"),
        ("commit", commit or "unknown"),
    ]


def load_average() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


# --- main -------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000, help="providers in the data set (default 10000)")
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per URL and pass (default 20)")
    parser.add_argument("--passes", type=int, default=4, help="passes over the URLs; medians reported (default 4)")
    parser.add_argument("--warmup", type=float, default=3, help="untimed seconds of load per URL first (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's workers (default 2)")
    parser.add_argument(
        "--no-celery-worker",
        dest="celery_worker",
        action="store_false",
        help="do not start a Celery worker (the hold's queued refreshes then wait in Redis)",
    )
    parser.add_argument("--reseed", action="store_true", help="seed the bench database again even if it is seeded")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_THROUGHPUT_DATABASE_URL"),
        help="the bench database (default: $BENCH_THROUGHPUT_DATABASE_URL, else medibroker_bench_throughput for "
        "10,000 providers and medibroker_bench_throughput_<size> for another size, on the local server)",
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument(
        "--replica-url",
        default="",
        help="DATABASE_REPLICA_URL for the server (default: none, whatever the environment says)",
    )
    args = parser.parse_args(argv)
    args.database_url = args.database_url or default_database_url(args.providers)
    if args.passes < 1 or args.duration <= 0 or args.connections < args.threads or args.workers < 1:
        parser.error("--passes and --workers must be at least 1, --duration positive, --connections ≥ --threads")
    if urlsplit(args.database_url).scheme.lower() not in {"postgres", "postgresql", "pgsql", "psql"}:
        parser.error("--database-url must name a PostgreSQL database")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "bench/throughput.py drives the server with wrk, which is not installed.\n"
            "On Debian or Ubuntu: sudo apt-get install wrk (on macOS: brew install wrk).",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    load_before = load_average()
    ensure_seeded(args)
    fixtures = prepare_fixtures(args)
    close_django_connections()
    urls = targets(fixtures, today=dt.datetime.now(tz=dt.UTC).date())
    with tempfile.TemporaryDirectory(prefix="medibroker-throughput-") as tmp:
        script = Path(tmp) / "hold_release.lua"
        script.write_text(hold_script(fixtures.tokens, fixtures.slots))
        server = Server(args, Path(tmp))
        previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
        try:
            server.start()
            check_answers(server.base, urls)
            print(
                f"\nServer: gunicorn, {args.workers} workers, on {server.base}; load: wrk, {args.threads} threads × "
                f"{args.connections} connections, {args.duration:g} s per URL, {args.passes} passes; "
                f"{len(fixtures.tokens)} patients holding {len(fixtures.slots)} slots of "
                f"{len({o for o, _ in fixtures.slots})} offerings."
            )
            rows = measure(args, server, urls, script)
        except SystemExit as stop:
            if stop.code == 2 and server.processes:
                print(server.log_tail(), file=sys.stderr)
            raise
        finally:
            server.stop()
            signal.signal(signal.SIGTERM, previous)
    print("\nMachine:")
    for label, value in machine(args.database_url):
        print(f"  {label:<11} {value}")
    print(f"  {'load avg':<11} {load_before} before, {load_average()} after (1, 5, 15 minutes)")
    print(f"\nMedians of {args.passes} passes ({args.providers} providers):\n")
    print(format_table(rows, urls))
    print("\n(409: the hold found the slot taken, counted apart from errors; a cycle is two requests.)")
    missed = check_targets(rows)
    print(
        f"\nTargets: search API ≥ 1/{API_RATIO_TARGET:.0f} of the floor's req/s, search page and provider page "
        f"≥ 1/{PAGE_RATIO_TARGET:.0f}, every search's p99 ≤ {TAIL_TARGET:.0f}× its p50, no errors: "
        + ("PASS" if not missed else "FAIL")
    )
    for line in missed:
        print(f"  missed: {line}")
    print(f"\nThe whole run took {time.monotonic() - started:.0f} s.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
