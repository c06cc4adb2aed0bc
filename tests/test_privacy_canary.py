"""The erasure canary (issue 16, "Done when"): Zephyrine Quattlebaum (tests/privacy_scenario.py), with
a completed booking whose deposit was paid and released, visa letters, a quote request with two
documents, a delivered second opinion, messages and an export, is erased end to end; afterwards her
name, e-mail, phone, birth date, passport number and documents' contents are nowhere: not in a dump
of the database (`pg_dump` on PostgreSQL, `iterdump` on SQLite), not in Redis, not in the storage
(the local folder, or the S3-compatible bucket of the `s3_storage` fixture). The ledger is
untouched and sound, the money records stay (under a pseudonym), the audit trail only grows, and
she can no longer sign in.

The scenario itself is checked by tests/test_privacy_scenario.py.

Transactional (`pg_dump` reads committed rows only); `serialized_rollback` puts back the rows the
migrations wrote (groups, terms) for the tests that follow.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.tests.factories import PASSWORD
from bookings.models import Booking
from concierge.models import AddonOrder
from conftest import REQUIRE_SERVICES
from core.hooks import personal_data
from core.models import AuditEvent
from core.personal_data import declarations
from documents.models import MedicalDocument
from payments.ledger import ledger_check
from payments.models import Deposit, LedgerAccount, LedgerEntry, Release
from payments.tests.conftest import stripe_emulator, stripe_emulator_base  # noqa: F401 -- the local Stripe emulator
from privacy.models import DataRequest, RequestKind, RequestStatus
from tests.privacy_scenario import CANARY_EMAIL, build_scenario, canary_strings, media_settings

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- where the canaries are looked for ------------------------------------------------------------------


def _leaks(haystack: str, where: str) -> list[str]:
    """Each canary found in `haystack` (case-insensitive), said with where it was found."""
    lowered = haystack.lower()
    return [f"{name} ({value!r}) in {where}" for name, value in canary_strings().items() if value.lower() in lowered]


def dump_leaks(dump: str, source: str) -> list[str]:
    """The canaries in a database dump, each with the table it was found in (an INSERT of
    `iterdump`, a COPY block of `pg_dump`)."""
    found: list[str] = []
    table = "?"
    for line in dump.splitlines():
        if line.startswith("COPY "):
            table = line.split()[1]
        elif line.startswith("INSERT INTO "):
            table = line.split()[2]
        leaks = _leaks(line, f"{source}, table {table}")
        found += [leak for leak in leaks if leak not in found]
    return found


def database_dump() -> tuple[str, str]:
    """Every committed row of the test database as text, and what produced it.

    PostgreSQL: `pg_dump --data-only` of the test database with the test's connection settings.
    SQLite: the connection's `iterdump()`. Anything else: a failure (the suite runs on these two)."""
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump()), "the SQLite dump"
    if vendor != "postgresql":
        pytest.fail(f"the canary knows how to dump SQLite and PostgreSQL, not {vendor}")
    if shutil.which("pg_dump") is None:
        if REQUIRE_SERVICES:
            pytest.fail("MEDIBROKER_REQUIRE_SERVICES is set but pg_dump is not installed")
        pytest.skip("pg_dump is not installed: the PostgreSQL dump cannot be read")
    params = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(params.get("PASSWORD") or "")}
    command = ["pg_dump", "--data-only", "--no-owner", "--dbname", params["NAME"]]
    if params.get("HOST"):
        command += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        command += ["--port", str(params["PORT"])]
    if params.get("USER"):
        command += ["--username", str(params["USER"])]
    done = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)  # noqa: S603
    assert done.returncode == 0, f"pg_dump failed: {done.stderr.decode(errors='replace')}"
    return done.stdout.decode("utf-8", errors="replace"), f"pg_dump of {params['NAME']}"


def _redis_values(client, key: bytes) -> Iterator[bytes]:
    kind = client.type(key)
    if kind == b"string":
        yield client.get(key) or b""
    elif kind == b"hash":
        for field, value in client.hgetall(key).items():
            yield field
            yield value
    elif kind == b"list":
        yield from client.lrange(key, 0, -1)
    elif kind == b"set":
        yield from client.smembers(key)
    elif kind == b"zset":
        yield from client.zrange(key, 0, -1)
    elif kind == b"stream":
        for _id, fields in client.xrange(key):
            for field, value in fields.items():
                yield field
                yield value


def _unwrapped(value: bytes) -> Iterator[bytes]:
    """`value`, and a Celery message's body when it is one (kombu stores it base64-encoded)."""
    yield value
    try:
        message = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return
    if isinstance(message, dict) and isinstance(message.get("body"), str):
        try:
            yield base64.b64decode(message["body"], validate=True)
        except ValueError:
            yield message["body"].encode()


def redis_leaks() -> list[str]:
    """The canaries in every key and value of the Redis database the cache and the broker use."""
    if not settings.REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("MEDIBROKER_REQUIRE_SERVICES is set but REDIS_URL is not")
        return []  # no Redis: the cache is in the process, the broker in memory
    import redis

    urls = {settings.REDIS_URL, settings.CELERY_BROKER_URL, getattr(settings, "CELERY_RESULT_BACKEND", "")}
    found: list[str] = []
    for url in sorted(u for u in urls if u.startswith("redis")):
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(count=500):
            found += _leaks(key.decode("utf-8", errors="replace"), f"the Redis key {key!r}")
            for value in _redis_values(client, key):
                for text in _unwrapped(value):
                    found += _leaks(text.decode("utf-8", errors="replace"), f"the Redis value of {key!r}")
    return found


def _walk(storage, folder: str = "") -> Iterator[str]:
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in directories:
        yield from _walk(storage, f"{folder}/{name}" if folder else name)


def stored_blobs() -> dict[str, bytes]:
    """Every file of every configured storage but the static files' ("alias:name" → bytes); for an
    S3 storage, every object of its bucket (also outside the storage's own prefix)."""
    blobs: dict[str, bytes] = {}
    for alias in settings.STORAGES:
        if alias == "staticfiles":
            continue
        storage = storages[alias]
        bucket = getattr(storage, "bucket", None)
        if bucket is not None:
            for item in bucket.objects.all():
                blobs[f"{alias}:s3://{bucket.name}/{item.key}"] = item.get()["Body"].read()
            continue
        location = getattr(storage, "location", None)
        if location is not None and not Path(location).exists():
            continue
        for name in _walk(storage):
            with storage.open(name, "rb") as handle:
                blobs[f"{alias}:{name}"] = handle.read()
    return blobs


def storage_leaks(blobs: dict[str, bytes]) -> list[str]:
    """The canaries in each blob as stored, and in its plaintext when the documents' master keys
    open it as it is (a blob that only its own, destroyed, data key opens stays closed)."""
    keys = MultiFernet([Fernet(key) for key in settings.DOCUMENT_KEYS])
    found: list[str] = []
    for name, data in blobs.items():
        found += _leaks(data.decode("latin-1"), f"the stored file {name}")
        try:
            plain = keys.decrypt(data)
        except (InvalidToken, ValueError, TypeError):
            continue
        found += _leaks(plain.decode("latin-1"), f"the stored file {name}, decrypted with DOCUMENT_KEYS")
        found += _zip_leaks(plain, f"the stored file {name}, decrypted with DOCUMENT_KEYS")
    return found


def _zip_leaks(data: bytes, where: str) -> list[str]:
    """The canaries in each member of `data` when it is a ZIP (an export: its members are deflated)."""
    if not data.startswith(b"PK"):
        return []
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            found += _leaks(archive.read(member).decode("latin-1"), f"{where}, in {member}")
    return found


def ledger_snapshot() -> dict:
    """Each account's balance and the entries' count and sum per currency."""
    return {
        "balances": dict(LedgerAccount.objects.values_list("pk", "balance")),
        "entries": LedgerEntry.objects.count(),
        "sums": dict(
            LedgerEntry.objects.values("currency").annotate(total=Sum("amount")).values_list("currency", "total")
        ),
    }


def assert_nowhere(blob_paths: dict[str, str], *, export_path: str = "") -> None:
    """No canary in the database's dump, in Redis, or in the storage; the blobs at `blob_paths`
    (her documents') and the export's ZIP at `export_path` are gone."""
    dump, source = database_dump()
    leaks = dump_leaks(dump, source)
    assert not leaks, "\n".join(leaks)
    leaks = redis_leaks()
    assert not leaks, "\n".join(leaks)
    after = stored_blobs()
    for document_id, path in blob_paths.items():
        assert not any(name.endswith(path) for name in after), f"the blob of document {document_id} is still stored"
    if export_path:
        assert not any(name.endswith(export_path) for name in after), "the export's ZIP is still stored"
    leaks = storage_leaks(after)
    assert not leaks, "\n".join(leaks)


# --- the storage the scenario uses ------------------------------------------------------------------------


@pytest.fixture(params=["local", "s3"])
def storage_kind(request, settings, tmp_path):
    """The local folder (MEDIA_ROOT in a temporary folder), or the S3-compatible bucket (skipped, or
    failed with MEDIBROKER_REQUIRE_S3=1, when the test server cannot start: tests/s3.py)."""
    media_settings(settings, tmp_path)
    if request.param == "s3":
        request.getfixturevalue("s3_storage")
    return request.param


@pytest.fixture
def local_media(settings, tmp_path):
    """The local folder only (MEDIA_ROOT in a temporary folder)."""
    media_settings(settings, tmp_path)
    return tmp_path


# --- the tests -----------------------------------------------------------------------------------------


@TRANSACTIONAL
def test_the_canary_sees_her_before_any_erasure(stripe_emulator, twilio, settings, tmp_path):  # noqa: F811
    """The looking-glass works: before anything is erased, the dump shows each stored canary and the
    storage holds her documents' blobs (encrypted: no canary as stored). Needs no privacy service."""
    media_settings(settings, tmp_path)
    scenario = build_scenario(emulator=stripe_emulator)

    dump, source = database_dump()
    found = " ".join(_leaks(dump, source))
    for name in ["first name", "last name", "e-mail", "phone (E.164)", "birth date (ISO)", "passport number"]:
        assert f"{name} (" in found, f"{name} is not in {source}: the canary would prove nothing"
    blobs = stored_blobs()
    for document in MedicalDocument.objects.filter(owner=scenario.patient):
        assert any(name.endswith(document.storage_path) for name in blobs), f"no blob for document {document.pk}"
    assert not [leak for leak in storage_leaks(blobs) if "decrypted" not in leak], "a document is stored in clear"
    assert ledger_check() == []
    assert all(total == 0 for total in ledger_snapshot()["sums"].values())
    # The Redis scan finds a canary where one is (a value the cache pickled), and none otherwise.
    assert redis_leaks() == []
    if settings.REDIS_URL:
        cache.set("privacy-canary-probe", {"who": CANARY_EMAIL}, timeout=60)
        try:
            assert any("e-mail (" in leak for leak in redis_leaks()), "the Redis scan misses a cached value"
        finally:
            cache.delete("privacy-canary-probe")


@TRANSACTIONAL
def test_an_erased_patient_is_nowhere_but_her_money_records_stay(storage_kind, stripe_emulator, twilio):  # noqa: F811
    from privacy.services.erasure import erasure_confirm, erasure_preview, erasure_run
    from privacy.services.export import export_build
    from privacy.services.requests import request_open

    scenario = build_scenario(emulator=stripe_emulator)
    patient, now = scenario.patient, scenario.erase_at
    her_documents = list(MedicalDocument.objects.filter(owner=patient))
    assert len(her_documents) >= 3  # the two sent with the quote request, the signed opinion
    blob_paths = {str(d.pk): d.storage_path for d in her_documents}
    titles = {str(d.pk): d.title for d in her_documents}

    # She exported her data first: the ZIP (with her decrypted documents) is in the storage now...
    export = request_open(user=patient, kind=RequestKind.EXPORT, now=now)
    export_build(request_id=export.pk, now=now)
    export.refresh_from_db()
    assert export.status == RequestStatus.DONE, "the export was not built"
    assert export.export_path
    before = stored_blobs()
    assert storage_leaks(before), (
        "the export's ZIP should hold her documents in clear before the erasure: the canary checks nothing"
    )

    # ...and her data was in the database: the dump sees the canaries (so the dump works).
    dump, source = database_dump()
    assert _leaks(dump, source), f"{source} shows no canary before the erasure: it cannot prove anything after"

    ledger_before = ledger_snapshot()
    audit_before = set(AuditEvent.objects.values_list("pk", flat=True))
    money_rows = {
        "booking": Booking.objects.filter(pk=scenario.booking.pk),
        "deposit": Deposit.objects.filter(booking=scenario.booking),
        "release": Release.objects.filter(pk=scenario.release.pk),
        "visa order": AddonOrder.objects.filter(pk=scenario.visa_order.pk),
        "second-opinion order": AddonOrder.objects.filter(
            pk__in=list(
                AddonOrder.objects.filter(patient=patient)
                .exclude(pk=scenario.visa_order.pk)
                .values_list("pk", flat=True)
            )
        ),
    }
    money_counts = {name: rows.count() for name, rows in money_rows.items()}
    assert all(money_counts.values()), money_counts

    # Nothing blocks: the booking is completed and its deposit left trust.
    preview = erasure_preview(user=patient, now=now)
    blockers = preview["blockers"] if isinstance(preview, dict) else preview.blockers
    assert not blockers, blockers

    # Erase, end to end: the task runs (eagerly) once the confirmation commits, at the scenario's time.
    with time_machine.travel(now, tick=False):
        request = erasure_confirm(user=patient, now=now)
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE, request.steps_done
    assert request.kind == RequestKind.ERASURE
    assert request.completed_at is not None

    # Nowhere in the database, nor in Redis, nor in the storage.
    assert_nowhere(blob_paths, export_path=export.export_path)
    # The rows of her documents stay, shredded: the title replaced (a title may name a diagnosis).
    for document in MedicalDocument.objects.filter(pk__in=[d.pk for d in her_documents]):
        assert document.title != titles[str(document.pk)], f"document {document.pk} keeps its title"

    # The money is untouched: the same balances and entries, and the ledger sound.
    assert ledger_snapshot() == ledger_before
    assert ledger_check() == []
    call_command("check_ledger")
    assert all(sum_ == 0 for sum_ in ledger_before["sums"].values()), "every currency's entries sum to zero"
    # The money records stay (under a pseudonym).
    assert {name: rows.count() for name, rows in money_rows.items()} == money_counts

    # The audit trail only grows (nothing deleted), and the erasure is in it.
    audit_after = set(AuditEvent.objects.values_list("pk", flat=True))
    assert audit_before <= audit_after
    assert len(audit_after) > len(audit_before)

    # She can no longer sign in, with her e-mail or the account's new one, nor use her API token.
    account = User.objects.get(pk=patient.pk)
    assert account.email != CANARY_EMAIL
    assert not account.is_active or not account.has_usable_password()
    for email in {CANARY_EMAIL, account.email}:
        assert authenticate(None, email=email, password=PASSWORD) is None
        assert authenticate(None, username=email, password=PASSWORD) is None
    assert not ApiToken.objects.filter(user=account).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {scenario.token_key}")
    assert client.get("/api/v1/me").status_code == 403  # refused (403: session authentication comes first)

    # Asked again, the erasure is the same request, finished: nothing runs twice.
    again = erasure_run(request_id=request.pk, now=now)
    assert again.pk == request.pk
    assert again.status == RequestStatus.DONE
    assert ledger_snapshot() == ledger_before


class WorkerKilled(Exception):
    """The worker running the erasure dies between two apps' erasures."""


@TRANSACTIONAL
def test_an_interrupted_erasure_resumes_to_the_end(local_media, stripe_emulator, twilio, monkeypatch):  # noqa: F811
    """Issue 16, bad input: the worker is killed in the middle (one app's erase raises once, after
    the apps before it have run); the account is not closed yet, and running the request again
    finishes it: afterwards she is nowhere, as in the canary above."""
    from privacy.services.erasure import erasure_confirm, erasure_run

    scenario = build_scenario(emulator=stripe_emulator)
    patient, now = scenario.patient, scenario.erase_at
    blob_paths = {str(d.pk): d.storage_path for d in MedicalDocument.objects.filter(owner=patient)}
    ledger_before = ledger_snapshot()

    ordered = [d for d in declarations() if d.app != "accounts"]
    assert len(ordered) >= 3, [d.app for d in ordered]
    victim = ordered[len(ordered) // 2]  # apps before it are erased, those after are not
    killed: list[str] = []

    def erase_then_die(subject, now):
        if not killed:
            killed.append(victim.app)
            raise WorkerKilled(f"killed while erasing {victim.app}")
        return victim.erase(subject, now)

    receivers = [dataclasses.replace(d, erase=erase_then_die) if d is victim else d for d in personal_data]
    monkeypatch.setattr(personal_data, "_receivers", receivers)

    with contextlib.suppress(WorkerKilled), time_machine.travel(now, tick=False):
        erasure_confirm(user=patient, now=now)
    assert killed == [victim.app], "the interruption did not happen: the test proves nothing"
    request = DataRequest.objects.get(user_id=patient.pk, kind=RequestKind.ERASURE)
    assert request.status != RequestStatus.DONE
    assert not any(victim.app in str(step) for step in request.steps_done), request.steps_done
    account = User.objects.get(pk=patient.pk)
    assert account.is_active, "the account was closed before every app was erased"

    with contextlib.suppress(WorkerKilled):
        erasure_run(request_id=request.pk, now=now)
    request.refresh_from_db()
    for declaration in declarations():  # each app's erase is recorded as done (steps name the app)
        assert any(declaration.app in str(step) for step in request.steps_done), (declaration.app, request.steps_done)
    assert_nowhere(blob_paths)
    assert ledger_snapshot() == ledger_before
    assert ledger_check() == []
