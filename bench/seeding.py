"""Seeding the search benchmark's marketplace with set-based SQL (PostgreSQL only).

`seed()` writes the same deterministic marketplace as the row-by-row seeding it replaces (one
random generator, drawn in the same order, so a given --providers gives the same providers,
offerings, prices and hours), but each table is written once, with one COPY:

1. The catalogue is read, the exchange rates are written (the ORM: 540 rows). The copied tables'
   secondary indexes and foreign keys are dropped, to be built once after the load
   (`drop_indexes`, `restore_indexes`, as pg_restore does).
2. Providers, locations, weekly hours and closed days are generated as plain tuples and copied;
   the ids are given here (after the table's current largest), and the sequences moved past them.
   A provider has no members, so what it speaks in all (`spoken_languages`) is its own languages.
3. Each offering's derived columns are computed before it is written, from what the seed knows:
   - its next free slot (`first_free_slot`, memoised by timezone, hours, slot length, notice and
     closed days, which most offerings share with many others);
   - its price in nano-euros (`core.rates.RateTable.in_nano_euros` at today's rates);
   - its search text and vector: the four parts `storefront.search._weighted_parts` makes (each
     distinct word folded once), and the vector `_write_vectors` would store, in PostgreSQL's
     text form (`search_vector`).
   No row is written twice.
4. Every distinct word of the texts is checked to be one lexeme of `to_tsvector('simple', …)`,
   itself (what `search_vector` relies on); those of 3 to 80 characters are the search
   vocabulary (`SearchTerm`), as `search_reindex` adds them.
5. The checks, which fail the seeding loudly (`SeedCheckFailed`): on 200 sampled offerings
   (half of them bookable at a location with closed days), the real next-slot code
   (`providers.availability.offering_first_free_slot`, as `offerings_refresh_next_slot` calls
   it), the real index parts and `spoken_languages_refresh` give the stored values;
   `offerings_refresh_prices` over every offering finds nothing to change.
6. `manage.py listing_rebuild` (the search listing table).

tests/test_bench_seeding.py seeds a small marketplace and runs that code over every offering.
Each step's wall time is returned, for the benchmark to print.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

SEED = 20260101
OFFERINGS_PER_PROVIDER = 4
HORIZON_DAYS = 84  # 12 weeks of availability
SAMPLE_CHECKED = 200  # offerings whose derived values are checked against the real code

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
CONSULTATION_LABELS = ["consultation", "follow-up consultation", "second opinion", "teleconsultation"]

UTC = dt.UTC


class SeedCheckFailed(RuntimeError):
    """A value computed in bulk differs from what the application's own code computes."""


# --- small helpers ------------------------------------------------------------------------------------------


def _nice(amount: float, step: int) -> int:
    return max(step, round(amount / step) * step)


def price_minor(eur: float, currency: str) -> int:
    """A price given in euros, in minor units of `currency`, rounded as people price things."""
    from core.money import exponent

    rate = float(RATES.get(currency) or UNRATED.get(currency) or 1)
    major = eur * rate
    step = 10 ** max(0, int(math.log10(major)) - 1) if major >= 100 else 1
    return _nice(major, step) * 10 ** exponent(currency)


class Steps:
    """Wall time of each named step."""

    def __init__(self) -> None:
        self.done: list[tuple[str, float]] = []
        self._start = time.perf_counter()

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.done.append((name, now - self._start))
        self._start = now


def _columns_of(
    model, given: Sequence[str], now: dt.datetime, skip: Sequence[str] = ()
) -> tuple[list[str], tuple[Any, ...]]:
    """The table's columns: `given` first, then every other concrete column but `skip`, with the
    value the ORM would write for an unset field (its default, `now` for auto_now(_add), JSON as text)."""
    from django.db import models

    columns, tail = list(given), []
    for field in model._meta.concrete_fields:
        if field.attname in given or field.column in skip:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = now
        elif field.null and not field.has_default():
            value = None
        else:
            value = field.get_default()
        if isinstance(field, models.JSONField):
            value = json.dumps(value)
        columns.append(field.column)
        tail.append(value)
    return columns, tuple(tail)


def _copy(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY the rows into `table`; returns how many."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    count = 0
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _first_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 -- our own table names
    return cursor.fetchone()[0]


def _move_sequence(cursor, table: str) -> None:
    """Move the table's id sequence past the ids given here."""
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}",  # noqa: S608
        [table],
    )


def drop_indexes(cursor, tables: Sequence[str]) -> list[str]:
    """Drop the tables' indexes and foreign keys that back no primary key or unique constraint;
    returns the statements that build them again (`restore_indexes`).

    As pg_restore does: building an index once from the loaded rows is faster than updating it at
    each row (a GIN index most of all), and adding a foreign key checks every row in one join
    instead of one lookup per row at commit.
    """
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
           WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
           )
           ORDER BY 1""",
        [list(tables)],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2""",
        [list(tables)],
    )
    keys = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    for table, name, _definition in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in keys
    ]


def restore_indexes(cursor, statements: Sequence[str]) -> None:
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in statements:
        cursor.execute(statement)


# --- next free slots, in bulk ------------------------------------------------------------------------------------


def _aware(day: dt.date, wall: dt.datetime, tz: ZoneInfo) -> dt.datetime | None:
    """The instant of a wall-clock time in `tz`, None when it does not exist (spring forward)."""
    aware = wall.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return aware


@cache
def first_free_slot(
    now: dt.datetime,
    timezone: str,
    opens: dt.time,
    closes: dt.time,
    slot_minutes: int,
    notice_hours: int,
    horizon_days: int,
    closed: frozenset[dt.date],
) -> dt.datetime | None:
    """The first slot (UTC) of an offering with no appointment, open `opens`–`closes` Monday to
    Friday in `timezone` except the `closed` days, that starts no earlier than the notice and no
    later than the horizon: what `providers.availability.offering_first_free_slot` finds for the
    seed's locations, computed once per distinct case."""
    tz = ZoneInfo(timezone)
    earliest = (now + dt.timedelta(hours=notice_hours)).astimezone(UTC)
    latest = (now + dt.timedelta(days=horizon_days)).astimezone(UTC)
    step = dt.timedelta(minutes=slot_minutes)
    day = max(now.astimezone(tz).date(), earliest.astimezone(tz).date() - dt.timedelta(days=1))
    last = latest.astimezone(tz).date()
    while day <= last:
        if day.weekday() < 5 and day not in closed:
            wall = dt.datetime.combine(day, opens)
            window_end = dt.datetime.combine(day, closes)
            closes_at = window_end.replace(tzinfo=tz).astimezone(UTC)
            previous_end = None
            while wall + step <= window_end:
                start = _aware(day, wall, tz)
                wall += step
                if start is None:
                    continue
                start_utc = start.astimezone(UTC)
                end = start_utc + step
                if end > closes_at or (previous_end is not None and start_utc < previous_end):
                    continue
                previous_end = end
                if start_utc > latest:
                    return None
                if start_utc >= earliest:
                    return start_utc
        day += dt.timedelta(days=1)
    return None


# --- the search index's parts, in bulk ------------------------------------------------------------------------


class IndexParts:
    """The four folded parts of an offering's search vector, as `storefront.search._weighted_parts`
    makes them, from the seed's plain values.

    `fold` works word by word (it lowers, drops accents and turns each run of other characters into
    one space, then strips), so a text's fold is its words' folds, the empty ones left out, joined
    by spaces: each distinct word is folded once.
    """

    def __init__(self, specialties: dict[int, Any], procedures: dict[int, Any]) -> None:
        from django.conf import settings
        from django_countries import countries

        from storefront.search import fold

        self._fold = cache(fold)
        self.countries = countries
        self.specialty_names = {pk: s.names() for pk, s in specialties.items()}
        self.specialty_order = {pk: (s.name_en, pk) for pk, s in specialties.items()}
        self.procedure_names = {
            pk: p.names() + [synonym for code, _name in settings.LANGUAGES for synonym in p.synonyms(code)]
            for pk, p in procedures.items()
        }
        self._subjects: dict[tuple[int, int | None, tuple[int, ...]], str] = {}
        self._places: dict[tuple[str, str], str] = {}

    def fold(self, text: str) -> str:
        """`storefront.search.fold(text)`, from the cached folds of its words."""
        return " ".join(filter(None, map(self._fold, text.split(" "))))

    def subjects(self, specialty: int, procedure: int | None, provider_specialties: Iterable[int]) -> str:
        ordered = tuple(sorted(provider_specialties, key=self.specialty_order.__getitem__))
        key = (specialty, procedure, ordered)
        found = self._subjects.get(key)
        if found is None:
            words = list(self.specialty_names[specialty])
            if procedure is not None:
                words += self.procedure_names[procedure]
            words += [name for pk in ordered for name in self.specialty_names[pk]]
            found = self._subjects[key] = " ".join(filter(None, map(self.fold, words)))
        return found

    def places(self, city: str, country: str) -> str:
        key = (city, country)
        found = self._places.get(key)
        if found is None:
            found = self._places[key] = self.fold(f"{city} {self.countries.name(country)}")
        return found


MAX_POSITION = 16383  # PostgreSQL's largest position in a tsvector (larger ones are clamped)
MAX_POSITIONS = 256  # PostgreSQL keeps at most this many positions of one lexeme


def search_vector(parts: tuple[str, str, str, str]) -> str:
    """The text form of what `storefront.search._write_vectors` stores for these parts:
    `setweight(to_tsvector('simple', a), 'A') || … || setweight(to_tsvector('simple', d), 'D')`.

    The parts are folded (`fold`): words of letters and digits between single spaces, each of
    which `to_tsvector('simple', …)` keeps as one lexeme, itself (`seed` checks every distinct word
    against PostgreSQL). A lexeme's positions count the words from 1; `||` numbers the right
    side's after the left side's last, so the positions run on across the four parts. Weight D is
    the default, written bare.
    """
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, part in zip(("A", "B", "C", ""), parts, strict=True):
        if not part:
            continue
        for word in part.split(" "):
            position += 1
            found = positions.get(word)
            if found is None:
                positions[word] = [f"{position}{weight}"]
            else:
                found.append(f"{position}{weight}")
    if position > MAX_POSITION or any(len(found) > MAX_POSITIONS for found in positions.values()):
        raise SeedCheckFailed(f"a search vector beyond PostgreSQL's limits: {parts!r}")
    return " ".join(f"'{word}':{','.join(found)}" for word, found in positions.items())


def search_text(parts: tuple[str, str, str, str]) -> str:
    """What `storefront.search.search_reindex` stores as `search_text` for these parts."""
    from storefront.search import TEXTS_MARK

    names, subjects, places, texts = parts
    head = " ".join(p for p in (names, subjects, places) if p)
    return f"{head}{TEXTS_MARK}{texts}" if texts else head


# --- the seed --------------------------------------------------------------------------------------------------


def seed(*, providers: int, now: dt.datetime, rng: random.Random, steps: Steps) -> dict[str, int]:
    """Write the marketplace (see the module's docstring); returns the row counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils.text import slugify

    from core.models import ExchangeRate
    from core.rates import rates_on
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
    from storefront.models import SearchTerm
    from storefront.search import TEXTS_MARK

    copied = [
        Provider, Location, WeeklyRule, AvailabilityException, Offering, Accreditation,
        Provider.specialties.through, Provider.procedures.through,
    ]  # fmt: skip
    specialties = list(Specialty.objects.order_by("code"))
    procedures_of: dict[int, list[Procedure]] = {}
    for procedure in Procedure.objects.order_by("code"):
        procedures_of.setdefault(procedure.specialty_id, []).append(procedure)
    weights = [POPULAR.get(s.code, 1) for s in specialties]
    base_price = {p.pk: rng.uniform(900, 30_000) for ps in procedures_of.values() for p in ps}
    zone_weights = [z[5] for z in ZONES]
    today = now.date()
    careteam = get_user_model().objects.create_user(email="bench-careteam@medibroker.local", password=None)
    index = IndexParts({s.pk: s for s in specialties}, {p.pk: p for ps in procedures_of.values() for p in ps})
    facility, practitioner = ProviderKind.FACILITY.value, ProviderKind.PRACTITIONER.value
    counts: dict[str, int] = {}

    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        rebuild = drop_indexes(cursor, [model._meta.db_table for model in copied])
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
        rates = rates_on(day=today, cached=False)
        steps.mark("catalogue and exchange rates")

        # Providers: (id, name, kind, zone) kept for the next tables.
        first = _first_id(cursor, "providers_provider")
        columns, tail = _columns_of(
            Provider,
            [
                "id", "kind", "facility_type", "name", "slug", "biography", "languages", "spoken_languages",
                "default_currency", "email", "status", "register", "register_country", "registration_number",
                "verified_at", "verified_by_id",
            ],
            now,
        )  # fmt: skip
        people: list[tuple[int, str, str, tuple]] = []
        rows = []
        for i in range(providers):
            zone = rng.choices(ZONES, zone_weights)[0]
            kind = facility if rng.random() < 0.35 else practitioner
            if kind == facility:
                facility_type = rng.choice([FacilityType.HOSPITAL, FacilityType.CLINIC]).value
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
            pk = first + i
            register = Register.FACILITY_LICENCE if kind == facility else Register.NATIONAL
            languages = json.dumps(sorted(spoken or {"en"}))  # no members: it speaks its own languages
            rows.append(
                (
                    pk, kind, facility_type, name, f"{slugify(name)}-{i}",
                    f"{name} welcomes patients from abroad in {zone[3][0]}.", languages, languages,
                    zone[2], f"contact{i}@bench.medibroker.local", VerificationStatus.VERIFIED.value,
                    register.value, zone[1], f"{zone[1]}-{i:07d}", now - dt.timedelta(days=rng.randint(1, 900)),
                    careteam.pk, *tail,
                )
            )  # fmt: skip
            people.append((pk, name, kind, zone))
        counts["providers"] = _copy(cursor, "providers_provider", columns, rows)
        biographies = [row[5] for row in rows]
        del rows

        # Locations: (id, city) of each provider's one location.
        first = _first_id(cursor, "providers_location")
        columns, tail = _columns_of(
            Location, ["id", "provider_id", "name", "country", "city", "address", "timezone"], now
        )
        places: list[tuple[int, str]] = []
        rows = []
        for n, (pk, name, kind, zone) in enumerate(people):
            city = rng.choice(zone[3])
            rows.append(
                (
                    first + n, pk, name if kind == facility else f"{city} practice", zone[1], city,
                    f"{rng.randint(1, 250)} Main Street, {city}", zone[0], *tail,
                )
            )  # fmt: skip
            places.append((first + n, city))
        counts["locations"] = _copy(cursor, "providers_location", columns, rows)
        del rows

        # Weekly hours (Monday to Friday) and closed days: each location's (opens, closes, closed days).
        hours: list[tuple[dt.time, dt.time, frozenset[dt.date]] | None] = []
        rules, exceptions = [], []
        for location_id, _city in places:
            if rng.random() < 0.03:  # quote only: no opening hours, so no next slot
                hours.append(None)
                continue
            opens = dt.time(rng.choice([8, 9]))
            closes = dt.time(rng.choice([17, 18]))
            rules += [(location_id, day, opens, closes) for day in range(5)]
            closed = []
            if rng.random() < 0.25:
                for offset in rng.sample(range(1, HORIZON_DAYS), rng.randint(1, 3)):
                    date = today + dt.timedelta(days=offset)
                    if date.weekday() < 5:
                        exceptions.append((location_id, date))
                        closed.append(date)
            hours.append((opens, closes, frozenset(closed)))
        first = _first_id(cursor, "providers_weeklyrule")
        columns, tail = _columns_of(WeeklyRule, ["id", "location_id", "weekday", "start", "end"], now)
        counts["weekly rules"] = _copy(
            cursor, "providers_weeklyrule", columns, ((first + n, *row, *tail) for n, row in enumerate(rules))
        )
        first = _first_id(cursor, "providers_availabilityexception")
        columns, tail = _columns_of(AvailabilityException, ["id", "location_id", "date", "kind"], now)
        closed_kind = ExceptionKind.CLOSED.value
        counts["closed days"] = _copy(
            cursor,
            "providers_availabilityexception",
            columns,
            ((first + n, *row, closed_kind, *tail) for n, row in enumerate(exceptions)),
        )
        del rules, exceptions
        steps.mark("providers, locations, hours (COPY)")

        # Offerings, with their next slot, price in euros and index parts, into a staging table.
        offering_columns, offering_tail = _columns_of(
            Offering,
            [
                "id", "provider_id", "location_id", "kind", "title", "specialty_id", "procedure_id", "description",
                "currency", "price_min", "price_max", "duration_minutes", "deposit_bps", "deposit_fixed",
                "booking_mode", "includes", "excludes", "slot_minutes", "min_notice_hours", "horizon_days",
                "next_slot_at", "search_text", "search_vector", "price_eur_nano",
            ],
            now,
        )  # fmt: skip
        quote, online = BookingMode.QUOTE.value, BookingMode.ONLINE.value
        procedure_kind, consultation_kind = OfferingKind.PROCEDURE.value, OfferingKind.CONSULTATION.value
        surgery, package_extras = json.dumps(["Surgeon's fee", "Hospital stay"]), ["Hotel", "Transfers"]
        surgery_package = json.dumps(["Surgeon's fee", "Hospital stay", *package_extras])
        consultation_includes, flights, nothing = json.dumps(["Consultation"]), json.dumps(["Flights"]), json.dumps([])
        nano_of: dict[tuple[int, str], int | None] = {}
        words: set[str] = set()
        first_offering = _first_id(cursor, "providers_offering")
        provider_specialties, provider_procedures, accreditations = [], [], []
        specialty_by_pk = {s.pk: s for s in specialties}

        def offerings() -> Iterable[tuple]:
            pk = first_offering
            for (provider_id, name, kind, zone), (location_id, city), opening, biography in zip(
                people, places, hours, biographies, strict=True
            ):
                chosen: list[Specialty] = []
                while len(chosen) < rng.choice([1, 1, 2, 3]):
                    specialty = rng.choices(specialties, weights)[0]
                    if specialty not in chosen:
                        chosen.append(specialty)
                chosen_ids = [s.pk for s in chosen]
                provider_specialties.extend((provider_id, s) for s in chosen_ids)
                candidates = [p for s in chosen for p in procedures_of.get(s.pk, [])]
                picked = rng.sample(candidates, min(len(candidates), OFFERINGS_PER_PROVIDER - 1))
                provider_procedures.extend((provider_id, p.pk) for p in picked)
                factor = COST_FACTOR[zone[1]]
                place = index.places(city, zone[1])
                for n in range(OFFERINGS_PER_PROVIDER):
                    currency = zone[2] if rng.random() < 0.85 else rng.choice(["EUR", "USD"])
                    if n < len(picked):
                        procedure = picked[n]
                        specialty = specialty_by_pk[procedure.specialty_id]
                        eur = base_price[procedure.pk] * factor * rng.uniform(0.6, 1.6)
                        slot = rng.choice([60, 120, 240])
                        package = rng.random() < 0.2
                        kind_of = procedure_kind
                        title = procedure.name_en + (" – all-inclusive package" if package else "")
                        procedure_id = procedure.pk
                        description = (
                            f"{procedure.name_en} by {name} in {city}: "
                            "pre-operative assessment, the operation and follow-up"
                            + (", hotel and transfers." if package else ".")
                        )
                        mode = quote if rng.random() < 0.6 else online
                        notice = rng.choice([48, 72, 168, 336, 504, 720])
                        includes, excludes = (surgery_package if package else surgery), flights
                    else:
                        specialty = chosen[n % len(chosen)] if n == len(picked) else rng.choice(chosen)
                        label = CONSULTATION_LABELS[n - len(picked)]
                        eur = rng.uniform(60, 350) * max(0.5, factor)
                        slot = 30
                        kind_of = consultation_kind
                        title = f"{specialty.name_en} {label}"
                        procedure_id = None
                        description = f"A {label} with {name} in {city}."
                        mode, notice, includes, excludes = online, 48, consultation_includes, nothing
                    price = price_minor(eur, currency)
                    price_max = (
                        int(price * rng.uniform(1.1, 1.6)) if kind_of == procedure_kind and rng.random() < 0.4 else None
                    )
                    if rng.random() < 0.1:
                        deposit_bps, deposit_fixed = None, price // 5
                    else:
                        deposit_bps, deposit_fixed = rng.choice([1000, 2000, 3000]), None
                    next_slot = None
                    if mode == online and opening is not None:
                        next_slot = first_free_slot(
                            now, zone[0], opening[0], opening[1], slot, notice, HORIZON_DAYS, opening[2]
                        )
                    nano_key = (price, currency)
                    if nano_key not in nano_of:
                        nano_of[nano_key] = rates.in_nano_euros(price, currency)
                    parts = (
                        index.fold(f"{title} {name}"),
                        index.subjects(specialty.pk, procedure_id, chosen_ids),
                        place,
                        index.fold(f"{description} {biography}"),
                    )
                    text = search_text(parts)
                    words.update(text.split())
                    yield (
                        pk, provider_id, location_id, kind_of, title, specialty.pk, procedure_id, description,
                        currency, price, price_max, slot, deposit_bps, deposit_fixed, mode, includes, excludes,
                        slot, notice, HORIZON_DAYS, next_slot, text, search_vector(parts), nano_of[nano_key],
                        *offering_tail,
                    )  # fmt: skip
                    pk += 1
                if kind == facility:
                    roll = rng.random()
                    if roll < 0.30:
                        accreditations.append((provider_id, "JCI", today + dt.timedelta(days=rng.randint(30, 1100))))
                    elif roll < 0.35:  # lapsed: no longer counts
                        accreditations.append((provider_id, "JCI", today - dt.timedelta(days=rng.randint(1, 400))))
                    if zone[1] in NATIONAL_BODIES and rng.random() < 0.5:
                        until = today + dt.timedelta(days=rng.randint(30, 1100))
                        accreditations.append((provider_id, NATIONAL_BODIES[zone[1]], until))

        counts["offerings"] = _copy(cursor, "providers_offering", offering_columns, offerings())
        steps.mark("offerings with next slots, prices in euros, search texts and vectors (COPY)")

        through = Provider.specialties.through
        first = _first_id(cursor, through._meta.db_table)
        counts["provider specialties"] = _copy(
            cursor,
            through._meta.db_table,
            ["id", "provider_id", "specialty_id"],
            ((first + n, *row) for n, row in enumerate(provider_specialties)),
        )
        through = Provider.procedures.through
        first = _first_id(cursor, through._meta.db_table)
        counts["provider procedures"] = _copy(
            cursor,
            through._meta.db_table,
            ["id", "provider_id", "procedure_id"],
            ((first + n, *row) for n, row in enumerate(provider_procedures)),
        )
        first = _first_id(cursor, "providers_accreditation")
        columns, tail = _columns_of(Accreditation, ["id", "provider_id", "body", "valid_until"], now)
        counts["accreditations"] = _copy(
            cursor,
            "providers_accreditation",
            columns,
            ((first + n, *row, *tail) for n, row in enumerate(accreditations)),
        )

        # Every word of the texts: each must be one lexeme of to_tsvector('simple', …), itself, as
        # `search_vector` takes it; those of 3 to 80 characters are the search vocabulary, the
        # words search_reindex adds.
        words.discard(TEXTS_MARK.strip())
        cursor.execute("CREATE TEMPORARY TABLE seed_word (word text) ON COMMIT DROP")
        _copy(cursor, "seed_word", ["word"], ((w,) for w in sorted(words)))
        cursor.execute(
            """SELECT word FROM seed_word WHERE tsvector_to_array(to_tsvector('simple', word)) <> ARRAY[word]
               ORDER BY word LIMIT 20"""
        )
        split = [word for (word,) in cursor.fetchall()]
        if split:
            raise SeedCheckFailed(f"to_tsvector('simple', …) does not keep these words as they are: {split}")
        table = SearchTerm._meta.db_table
        cursor.execute(
            f"""INSERT INTO {table} (word) SELECT word FROM seed_word
                WHERE length(word) BETWEEN 3 AND 80 ORDER BY word ON CONFLICT DO NOTHING"""  # noqa: S608
        )
        counts["search terms"] = cursor.rowcount
        cursor.execute("DROP TABLE seed_word")

        for model in copied:
            _move_sequence(cursor, model._meta.db_table)
        steps.mark("specialties, procedures, accreditations, search terms (COPY)")
        restore_indexes(cursor, rebuild)
        steps.mark(f"indexes and foreign keys built ({len(rebuild)})")

    counts["currencies"] = len({currency for _price, currency in nano_of})
    return counts


# --- the checks ------------------------------------------------------------------------------------------------


def sample_ids(count: int, rng: random.Random) -> list[int]:
    """`count` offering ids: half among all, half among the online ones at locations with closed days."""
    from providers.models import BookingMode, Offering

    every = list(Offering.objects.values_list("pk", flat=True).order_by("pk"))
    closed = list(
        Offering.objects.filter(booking_mode=BookingMode.ONLINE, location__exceptions__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    picked = set(rng.sample(every, min(len(every), count // 2)))
    for pool in (closed, every):
        rest = [pk for pk in pool if pk not in picked]
        picked.update(rng.sample(rest, min(len(rest), count - len(picked))))
    return sorted(picked)


def check_next_slots(ids: list[int], now: dt.datetime) -> int:
    """The stored next slot of each offering is what the application's code computes."""
    from providers.availability import offering_first_free_slot
    from providers.models import Offering

    wrong = []
    queryset = Offering.objects.filter(pk__in=ids).select_related("location")
    for offering in queryset.prefetch_related("location__weekly_rules", "location__exceptions"):
        bookable = offering.is_active and offering.books_online
        slot = offering_first_free_slot(offering=offering, now=now) if bookable else None
        expected = slot.start if slot else None
        if expected != offering.next_slot_at:
            wrong.append(f"offering {offering.pk}: stored {offering.next_slot_at}, computed {expected}")
    if wrong:
        raise SeedCheckFailed("next free slots differ from providers.availability:\n" + "\n".join(wrong[:20]))
    return len(ids)


def check_index(ids: list[int]) -> int:
    """The stored search text and vector of each offering are what storefront.search builds."""
    from django.db import connection

    from providers.models import Offering
    from storefront.search import _weighted_parts

    queryset = Offering.objects.filter(pk__in=ids).select_related("provider", "location", "specialty", "procedure")
    wrong = []
    with connection.cursor() as cursor:
        for offering in queryset.prefetch_related("provider__specialties"):
            parts = _weighted_parts(offering)
            if offering.search_text != search_text(parts):
                wrong.append(f"offering {offering.pk}: text {offering.search_text!r} != {search_text(parts)!r}")
                continue
            cursor.execute(
                """SELECT search_vector = setweight(to_tsvector('simple', %s), 'A')
                        || setweight(to_tsvector('simple', %s), 'B') || setweight(to_tsvector('simple', %s), 'C')
                        || setweight(to_tsvector('simple', %s), 'D')
                   FROM providers_offering WHERE id = %s""",
                [*parts, offering.pk],
            )
            if not cursor.fetchone()[0]:
                wrong.append(f"offering {offering.pk}: the stored vector differs")
    if wrong:
        raise SeedCheckFailed("the search index differs from storefront.search:\n" + "\n".join(wrong[:20]))
    return len(ids)


def check_spoken_languages(ids: list[int]) -> int:
    """What the offerings' providers speak in all (search's language filter reads it) is what
    `providers.services.spoken_languages_refresh` computes (and stores: the same value)."""
    from providers.models import Offering, Provider
    from providers.services import spoken_languages_refresh

    providers = sorted(set(Offering.objects.filter(pk__in=ids).values_list("provider_id", flat=True)))
    wrong = []
    for pk, spoken in Provider.objects.filter(pk__in=providers).values_list("pk", "spoken_languages"):
        expected = spoken_languages_refresh(provider_id=pk)
        if expected != spoken:
            wrong.append(f"provider {pk}: stored {spoken}, computed {expected}")
    if wrong:
        raise SeedCheckFailed("spoken languages differ from providers.services:\n" + "\n".join(wrong[:20]))
    return len(providers)


def check_prices(now: dt.datetime) -> None:
    """`offerings_refresh_prices` finds every offering's price in euros already right."""
    from providers.services import offerings_refresh_prices

    changed = offerings_refresh_prices(offering_ids=None, now=now)
    if changed:
        raise SeedCheckFailed(f"offerings_refresh_prices changed {changed} offerings' price in euros")


def derive_and_check(*, now: dt.datetime, steps: Steps, rng: random.Random, on_step: Callable[[str], None]) -> None:
    """Check the bulk values against the application's code, then build the search listing
    (`manage.py listing_rebuild`)."""
    from django.core.management import call_command

    ids = sample_ids(SAMPLE_CHECKED, rng)
    check_next_slots(ids, now)
    check_index(ids)
    check_spoken_languages(ids)
    check_prices(now)
    steps.mark(f"checks: next slots, index, languages of {len(ids)} offerings; every price")
    on_step(steps.done[-1][0])
    call_command("listing_rebuild")
    steps.mark("manage.py listing_rebuild")
    on_step(steps.done[-1][0])


def vacuum_analyze() -> None:
    """Gather the planner's statistics and set the visibility map (for index-only scans).

    Each row is written once, so there is no dead space for VACUUM FULL to reclaim.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
