"""The pre-layout databases of tests/test_layout_migration.py: how they were built, and row counting.

The fixtures in tests/data/ are databases created and filled by the code as it was before the
layout of issue 11 (`marketplace/` split into config, core, storefront and quotes; add-on orders
moved to concierge). They are data: never rebuild them from a later commit, whose migrations would
already be in them. To rebuild them, check out the commit that added them (`git log --
tests/data/pre_layout_demo.sqlite3`; its application code is that of 962e407) and run, from the
repository root, with localstripe installed (it is a dependency) and, for PostgreSQL, a server
reachable with `psql` and `pg_dump`:

    python -m tests.layout_fixture sqlite
    python -m tests.layout_fixture postgres --server postgres://postgres@127.0.0.1:5432

Each run starts a private localstripe, creates an empty database (SQLite in a temporary folder, or
the PostgreSQL database `medibroker_pre_layout`, dropped first and afterwards), runs
`manage.py migrate --noinput` and `manage.py seed_demo`, then `add_demo_activity()` through
`manage.py shell` (bookings, deposits, refunds, releases, add-on orders… see below), and writes
the fixture and its row counts. Only the functions counting rows are used by the test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SQLITE_FIXTURE = DATA / "pre_layout_demo.sqlite3"
SQLITE_COUNTS = DATA / "pre_layout_row_counts.json"
PG_FIXTURE = DATA / "pre_layout_demo.pg.sql.gz"
PG_COUNTS = DATA / "pre_layout_row_counts_pg.json"
PG_SCRATCH = "medibroker_pre_layout"

# The models issue 11 moves to other apps (tables kept): their content types are noted in the counts file.
MOVING_MODELS = [
    ("marketplace", "quoterequest"),
    ("marketplace", "quoterecipient"),
    ("marketplace", "quote"),
    ("marketplace", "quoteline"),
    ("marketplace", "quoteslot"),
    ("payments", "addonorder"),
]

# MediBroker's own environment variables (marketplace.env.OUR_PREFIXES, repeated to stay importable
# without the project) and the settings module: removed from a child's environment, so that only
# what the caller passes reaches it and manage.py picks the settings itself.
OWN_PREFIXES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CELERY_", "API_", "OPERATOR_", "DOCUMENT_")
# Sign-in, MFA and sessions (docs/decisions.md "Sign-in and MFA", "Sessions").
OWN_PREFIXES += ("MFA_", "SESSION_", "PASSWORD_RESET_", "ACCOUNT_REAUTHENTICATION_")
OTHER_SETTINGS = ("STRIPE_", "TWILIO_", "SITE_URL", "PAYMENTS_")


def child_environment(**variables: str) -> dict[str, str]:
    """This process's environment without MediBroker's settings (and DJANGO_SETTINGS_MODULE), plus `variables`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES + OTHER_SETTINGS)}
    return {**clean, **variables}


def manage(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    """`python manage.py *args` from the repository root, in a fresh process with exactly `env`."""
    return subprocess.run(  # noqa: S603 -- our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- counting ------------------------------------------------------------------------------------


def sqlite_row_counts(path: Path) -> dict[str, int]:
    """{table: rows} of every table of the SQLite file (sqlite_master, without sqlite_* tables)."""
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                "ORDER BY name"
            )
        ]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608 -- names read from sqlite_master
    finally:
        connection.close()


def sqlite_applied_migrations(path: Path) -> set[tuple[str, str]]:
    connection = sqlite3.connect(path)
    try:
        return set(connection.execute("SELECT app, name FROM django_migrations"))
    finally:
        connection.close()


def postgres_row_counts(url: str) -> dict[str, int]:
    """{table: rows} of every table of the `public` schema of the database at `url`."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {
            name: connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()[0]
            for name in names
        }


def postgres_applied_migrations(url: str) -> set[tuple[str, str]]:
    import psycopg

    with psycopg.connect(url) as connection:
        return {tuple(row) for row in connection.execute("SELECT app, name FROM django_migrations").fetchall()}


def with_database(url: str, name: str) -> str:
    """`url` naming the database `name` instead (same server, user and options)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- building (only run to regenerate the fixtures, at the pre-layout commit) ---------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_localstripe(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    executable = shutil.which("localstripe", path=str(Path(sys.executable).parent))
    command = [executable] if executable else [sys.executable, "-m", "localstripe"]
    with (workdir / "localstripe.log").open("w") as log:
        process = subprocess.Popen(  # noqa: S603 -- a fixed command line of ours
            [*command, "--port", str(port), "--from-scratch"], cwd=workdir, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=1):  # noqa: S310 -- our emulator
                return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"localstripe did not start at {base}")


def _confirm_card(base: str, client_secret: str) -> str:
    """What Stripe.js does in the browser: confirm the SetupIntent with a test card; its PaymentMethod."""
    setup_intent = client_secret.split("_secret_")[0]
    data = urlencode(
        {
            "key": "pk_test_medibroker_local_emulator",
            "client_secret": client_secret,
            "use_stripe_sdk": "true",
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": "4242424242424242",
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "2034",
            "payment_method_data[card][cvc]": "123",
        }
    ).encode()
    request = urllib.request.Request(f"{base}/v1/setup_intents/{setup_intent}/confirm", data=data)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- our emulator
        return json.load(response)["payment_method"]


def _get(base: str, path: str) -> dict:
    request = urllib.request.Request(f"{base}{path}")  # noqa: S310
    request.add_header("Authorization", "Bearer sk_test_medibroker_local_emulator")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- our emulator
        return json.load(response)


def add_demo_activity() -> None:
    """After `seed_demo`: what the demo's people do next, through the services (run in `manage.py shell`).

    Amelia accepts her hip quote, pays the deposit, has her surgery and the hospital is paid by wire;
    Karim sends a request with a document to two providers and declines the quote he gets; Sofia
    holds a slot through the API (Idempotency-Key), pays, cancels as unfit to travel, sends evidence
    that the careteam accepts, and is refunded; add-on orders (one paid, one pending); a Stripe event,
    a reconciliation run, notification preferences, a delivery report, an API token, a session, an
    MFA authenticator, an admin log entry, an availability exception, an affiliation, a photo.
    """
    import datetime as dt
    import io

    from allauth.account.models import EmailAddress, EmailConfirmation
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from django.conf import settings
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.utils import timezone
    from marketplace.models import Quote
    from marketplace.money import Money
    from marketplace.quotes.services import LineInput, SlotInput, quote_accept, quote_decline, quote_request_submit
    from marketplace.quotes.services import quote_submit as submit_quote
    from PIL import Image
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from accounts.models import User
    from bookings.models import Booking
    from bookings.services import booking_cancel, booking_complete, booking_review_evidence, booking_submit_evidence
    from documents.services import document_upload
    from documents.tests.samples import pdf
    from notifications.services import delivery_report_record, preference_update
    from payments.models import Deposit, PayoutAccount
    from payments.services.deposits import deposit_pay, deposit_start
    from payments.services.orders import order_create, order_pay, order_start
    from payments.services.reconciliation import reconcile_day
    from payments.services.refunds import refund_settle
    from payments.services.releases import release_approve, release_record_wire, release_request
    from payments.webhooks import stripe_event_process, stripe_event_store
    from providers.availability import offering_free_slots
    from providers.models import Affiliation, ExceptionKind, Offering, Procedure, Provider
    from providers.services.availability import exception_add
    from providers.services.members import photo_add

    base = settings.STRIPE_API_BASE
    now = timezone.now().replace(microsecond=0)
    person = {email: User.objects.get(email=email) for email in User.objects.values_list("email", flat=True)}
    amelia, karim, sofia = (
        person["amelia.hughes@example.test"],
        person["karim.benali@example.test"],
        person["sofia.lindqvist@example.test"],
    )
    careteam, finance, admin = (
        person["careteam@medibroker.test"],
        person["finance@medibroker.test"],
        person["admin@medibroker.test"],
    )
    anadolu = Provider.objects.get(slug="anadolu-health-hospital")
    bangkok = Provider.objects.get(slug="bangkok-smile-dental-clinic")
    gulf = Provider.objects.get(slug="gulf-fertility-centre")
    mehta = Provider.objects.get(slug="dr-rahul-mehta")
    surgeon = person["international@anadolu.test"]

    def pay(booking: Booking, actor: User, at: dt.datetime) -> None:
        checkout = deposit_start(booking=booking, actor=actor, now=at)
        deposit_pay(
            booking=booking, actor=actor, payment_method=_confirm_card(base, checkout.setup_client_secret), now=at
        )

    # Amelia: the hip quote accepted, paid, carried out, released to the hospital by wire.
    PayoutAccount.objects.get_or_create(provider=anadolu, defaults={"country": "TR", "commission_bps": 800})
    quote = Quote.objects.get(request__patient=amelia)
    quote = quote_accept(quote=quote, actor=amelia, patient_currency="GBP", now=now)
    hip = Booking.objects.get(pk=quote.booking_id)
    pay(hip, amelia, now)
    after_surgery = hip.appointments.order_by("-end").first().end + dt.timedelta(hours=2)
    booking_complete(booking=hip, actor=surgeon, now=after_surgery)
    release = release_request(booking=hip, actor=surgeon, now=after_surgery)
    release = release_approve(release=release, actor=finance, now=after_surgery + dt.timedelta(days=1))
    release_record_wire(
        release=release, actor=finance, reference="DEMO-WIRE-0001", now=after_surgery + dt.timedelta(days=2)
    )

    # Karim: a request with a document to two providers; one answers, he declines it.
    scan = document_upload(owner=karim, upload=io.BytesIO(pdf("Semen analysis")), title="Lab results", now=now)
    ivf = Procedure.objects.filter(code__icontains="ivf").first() or Procedure.objects.first()
    request = quote_request_submit(
        patient=karim,
        providers=[gulf, anadolu],
        documents=[scan],
        subject="IVF cycle",
        description="Second cycle of IVF; first one in Lyon in 2025.",
        desired_from=(now + dt.timedelta(days=30)).date(),
        desired_to=(now + dt.timedelta(days=120)).date(),
        specialty=ivf.specialty,
        procedure=ivf,
        travel_constraints="",
        now=now,
    )
    start = dt.datetime.combine((now + dt.timedelta(days=40)).date(), dt.time(6), tzinfo=dt.UTC)
    answer = submit_quote(
        request=request,
        provider=gulf,
        actor=person["coordinator@gulffertility.test"],
        currency="KWD",
        lines=[
            LineInput("procedure", "IVF cycle with ICSI", 1, 1_200_000),
            LineInput("consultation", "First consultation", 1, 50_000),
        ],
        deposit_amount=300_000,
        valid_until=(now + dt.timedelta(days=14)).date(),
        slots=[SlotInput(start=start, end=start + dt.timedelta(hours=2))],
        payment_days=5,
        max_variation_bps=500,
        timezone="Asia/Kuwait",
        excluded="Medication",
        message="We can start your cycle on this date.",
        now=now + dt.timedelta(hours=3),
    )
    quote_decline(quote=answer, actor=karim, now=now + dt.timedelta(hours=5))

    # Sofia: a slot held through the API with an Idempotency-Key (sent twice: replayed), paid,
    # cancelled as unfit to travel, evidence accepted, the deposit refunded to her card.
    offering = Offering.objects.filter(provider=mehta, booking_mode="online", is_active=True).order_by("pk").first()
    slots = offering_free_slots(
        offering=offering,
        first_day=(now + dt.timedelta(days=20)).date(),
        last_day=(now + dt.timedelta(days=40)).date(),
        now=now,
    )
    api = APIClient()
    api.force_authenticate(sofia)
    body = {"offering": offering.pk, "start": slots[0].start.isoformat()}
    first = api.post("/api/v1/bookings/hold/", body, format="json", HTTP_IDEMPOTENCY_KEY="demo-hold-sofia-1")
    again = api.post("/api/v1/bookings/hold/", body, format="json", HTTP_IDEMPOTENCY_KEY="demo-hold-sofia-1")
    assert first.status_code == 201, first.content
    assert again.headers.get("Idempotent-Replayed") == "true"
    held = Booking.objects.get(pk=first.json()["id"])
    pay(held, sofia, timezone.now())
    later = timezone.now() + dt.timedelta(days=1)
    booking_cancel(booking=held, actor=sofia, reason="unfit_to_travel", now=later)
    note = document_upload(owner=sofia, upload=io.BytesIO(pdf("Unfit to travel")), title="Doctor's note", now=later)
    booking_submit_evidence(booking=held, actor=sofia, document=note, now=later)
    booking_review_evidence(booking=held, actor=careteam, accepted=True, now=later + dt.timedelta(hours=4))
    refund_settle(booking=Booking.objects.get(pk=held.pk), now=later + dt.timedelta(hours=5))

    # Karim also holds a slot at the dental clinic, left unpaid (another idempotency record).
    dental = Offering.objects.filter(provider=bangkok, booking_mode="online", is_active=True).order_by("pk").first()
    free = offering_free_slots(
        offering=dental,
        first_day=(now + dt.timedelta(days=10)).date(),
        last_day=(now + dt.timedelta(days=30)).date(),
        now=timezone.now(),
    )
    api.force_authenticate(karim)
    hold = api.post(
        "/api/v1/bookings/hold/",
        {"offering": dental.pk, "start": free[0].start.isoformat()},
        format="json",
        HTTP_IDEMPOTENCY_KEY="demo-hold-karim-1",
    )
    assert hold.status_code == 201, hold.content

    # Add-on orders: Amelia's interpreter paid by card, Karim's visa letter still pending.
    order = order_create(
        patient=amelia,
        kind="interpreter",
        description="Turkish–English interpreter, 2 days",
        price=Money(24_000, "EUR"),
        now=now,
    )
    checkout = order_start(order=order, actor=amelia, now=now)
    order_pay(order=order, actor=amelia, payment_method=_confirm_card(base, checkout.setup_client_secret), now=now)
    order_create(patient=karim, kind="visa_letter", description="", price=Money(4_500, "EUR"), now=now)

    # The webhook's record of Amelia's deposit payment (already recorded: processing changes nothing).
    payment_intent = _get(base, f"/v1/payment_intents/{Deposit.objects.get(booking=hip).payment_intent_id}")
    event = {
        "id": "evt_demo_pre_layout_0001",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(now.timestamp()),
        "livemode": False,
        "api_version": "2026-10-28.endive",
        "data": {"object": payment_intent},
    }
    stored, _new = stripe_event_store(event=event, connect=False, now=now)
    stripe_event_process(event_id=stored.pk, now=now)
    reconcile_day(day=now.date(), now=now, actor=finance)

    # Notifications, accounts, admin, providers.
    preference_update(user=karim, email=True, sms=False, now=now)
    delivery_report_record(
        provider_message_id="SMdemo0000000000000000000000000001", status="delivered", error_code="", now=now
    )
    Token.objects.get_or_create(user=sofia)
    Client().force_login(amelia)
    RecoveryCodes.activate(finance)
    careteam.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    address = EmailAddress.objects.create(user=sofia, email="sofia.l@example.test", primary=False, verified=False)
    EmailConfirmation.create(address)
    LogEntry.objects.log_actions(
        user_id=admin.pk,
        queryset=Provider.objects.filter(pk=bangkok.pk),
        action_flag=CHANGE,
        change_message="Demo edit",
    )
    exception_add(
        location=anadolu.locations.first(),
        actor=surgeon,
        date=(now + dt.timedelta(days=100)).date(),
        kind=ExceptionKind.CLOSED,
        note="Bayram",
        now=now,
    )
    facility = Provider.objects.filter(kind="facility", status="verified").exclude(pk=mehta.pk).order_by("pk").first()
    Affiliation.objects.get_or_create(practitioner=mehta, facility=facility)
    mehta.procedures.add(*Procedure.objects.order_by("pk")[:2])
    image = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(image, format="JPEG")
    photo_add(
        provider=anadolu,
        actor=surgeon,
        upload=SimpleUploadedFile("front.jpg", image.getvalue(), content_type="image/jpeg"),
        caption="Main entrance",
        now=now,
    )


def _build(engine: str, server: str) -> None:
    with tempfile.TemporaryDirectory(prefix="pre-layout-") as work:
        workdir = Path(work)
        media = workdir / "media"
        media.mkdir()
        stripe, stripe_base = _start_localstripe(workdir)
        scratch = with_database(server, PG_SCRATCH)
        try:
            if engine == "sqlite":
                database_url = f"sqlite:///{workdir / 'db.sqlite3'}"
            else:
                _psql(server, f"DROP DATABASE IF EXISTS {PG_SCRATCH} WITH (FORCE)")
                _psql(server, f"CREATE DATABASE {PG_SCRATCH}")
                database_url = scratch
            env = child_environment(
                DATABASE_URL=database_url, STRIPE_API_BASE=stripe_base, DJANGO_MEDIA_ROOT=str(media)
            )
            for args in (
                ("migrate", "--noinput"),
                ("seed_demo",),
                (
                    "shell",
                    "--no-imports",
                    "-c",
                    "from tests.layout_fixture import add_demo_activity; add_demo_activity()",
                ),
            ):
                result = manage(*args, env=env)
                if result.returncode:
                    raise SystemExit(
                        f"manage.py {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
                    )
            if engine == "sqlite":
                source = workdir / "db.sqlite3"
                SQLITE_FIXTURE.unlink(missing_ok=True)
                connection = sqlite3.connect(source)
                connection.execute("VACUUM INTO ?", (str(SQLITE_FIXTURE),))
                connection.close()
                counts, content_types = sqlite_row_counts(SQLITE_FIXTURE), _content_types_sqlite(SQLITE_FIXTURE)
                _write_counts(SQLITE_COUNTS, "sqlite", counts, content_types)
            else:
                dump = subprocess.run(  # noqa: S603
                    ["pg_dump", "--no-owner", "--no-privileges", scratch],  # noqa: S607 -- the PostgreSQL client
                    capture_output=True,
                    check=True,
                ).stdout
                PG_FIXTURE.write_bytes(gzip.compress(dump, mtime=0))
                counts, content_types = postgres_row_counts(scratch), _content_types_postgres(scratch)
                _write_counts(PG_COUNTS, "postgresql", counts, content_types)
        finally:
            stripe.terminate()
            stripe.wait(timeout=10)
            if engine == "postgres":
                _psql(server, f"DROP DATABASE IF EXISTS {PG_SCRATCH} WITH (FORCE)")


def _psql(server: str, command: str) -> None:
    subprocess.run(  # noqa: S603
        ["psql", "-v", "ON_ERROR_STOP=1", "-qc", command, with_database(server, "postgres")],  # noqa: S607
        check=True,
    )


_CONTENT_TYPES_SQL = "SELECT id, app_label, model FROM django_content_type ORDER BY id"


def _moving(rows) -> dict[str, int]:
    return {f"{app}.{model}": pk for pk, app, model in rows if (app, model) in MOVING_MODELS}


def _content_types_sqlite(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return _moving(connection.execute(_CONTENT_TYPES_SQL).fetchall())
    finally:
        connection.close()


def _content_types_postgres(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        return _moving(connection.execute(_CONTENT_TYPES_SQL).fetchall())


def _write_counts(path: Path, engine: str, counts: dict[str, int], content_types: dict[str, int]) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    document = {
        "engine": engine,
        "built_at_commit": commit,
        "moving_models_content_type_ids": content_types,
        "tables": counts,
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=["sqlite", "postgres"])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    arguments = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    _build(arguments.engine, arguments.server)


if __name__ == "__main__":
    main()
