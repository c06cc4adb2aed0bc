"""The search benchmark's set-based seeding (bench/seeding.py) writes what the application's own
code computes: the next free slots, the prices in euros, the search texts, vectors and vocabulary.

bench/seeding.py computes them in bulk, apart from the code they mirror; these tests seed a small
marketplace, then run that code over every offering and compare, so that a change to the index,
the slots or the prices that the seeding does not follow fails here rather than skewing figures.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL

from bench import seeding
from providers.models import Offering, Provider
from providers.services import offerings_refresh_next_slot, offerings_refresh_prices, spoken_languages_refresh
from storefront.models import SearchTerm
from storefront.search import search_reindex

only_on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the seeding uses PostgreSQL's COPY")

NOW = dt.datetime(2026, 3, 27, 16, 45, tzinfo=dt.UTC)  # a Friday afternoon, before Europe's clocks change


def stored() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in Offering.objects.annotate(vector=RawSQL("search_vector::text", [])).values_list(
            "pk", "next_slot_at", "price_eur_nano", "search_text", "vector"
        )
    }


@pytest.fixture
def seeded():
    counts = seeding.seed(providers=40, now=NOW, rng=random.Random(seeding.SEED), steps=seeding.Steps())
    return counts


@only_on_postgresql
@pytest.mark.django_db
def test_the_seed_writes_what_the_application_computes(seeded):
    assert seeded["providers"] == 40
    assert seeded["offerings"] == 40 * seeding.OFFERINGS_PER_PROVIDER
    before = stored()
    terms = set(SearchTerm.objects.values_list("word", flat=True))
    assert any(slot for slot, *_rest in before.values()), "no offering has a free slot: nothing is compared"
    assert any(slot is None for slot, *_rest in before.values())

    speaks = dict(Provider.objects.values_list("pk", "spoken_languages"))
    assert any("de" in languages for languages in speaks.values())
    assert {pk: spoken_languages_refresh(provider_id=pk) for pk in speaks} == speaks
    assert search_reindex() == len(before)
    assert offerings_refresh_next_slot(offering_ids=None, now=NOW) == len(before)
    assert offerings_refresh_prices(offering_ids=None, now=NOW) == 0

    assert stored() == before
    assert set(SearchTerm.objects.values_list("word", flat=True)) == terms


@only_on_postgresql
@pytest.mark.django_db
def test_the_checks_find_a_value_the_application_would_not_store(seeded):
    ids = list(Offering.objects.order_by("pk").values_list("pk", flat=True))
    assert seeding.check_next_slots(ids, NOW) == len(ids)
    assert seeding.check_index(ids) == len(ids)
    assert seeding.check_spoken_languages(ids) == 40
    seeding.check_prices(NOW)

    online = Offering.objects.filter(next_slot_at__isnull=False).order_by("pk").first()
    Offering.objects.filter(pk=online.pk).update(next_slot_at=online.next_slot_at + dt.timedelta(minutes=30))
    with pytest.raises(seeding.SeedCheckFailed, match=f"offering {online.pk}"):
        seeding.check_next_slots(ids, NOW)

    Offering.objects.filter(pk=ids[0]).update(search_text="something else")
    with pytest.raises(seeding.SeedCheckFailed, match=f"offering {ids[0]}"):
        seeding.check_index(ids)

    Provider.objects.filter(pk=online.provider_id).update(spoken_languages=["zz"])
    with pytest.raises(seeding.SeedCheckFailed, match=f"provider {online.provider_id}"):
        seeding.check_spoken_languages(ids)

    Offering.objects.filter(pk=ids[1]).update(price_eur_nano=1)
    with pytest.raises(seeding.SeedCheckFailed, match="changed 1 offerings"):
        seeding.check_prices(NOW)


def test_the_bulk_next_slot_skips_closed_days_and_the_notice():
    friday = dt.datetime(2026, 3, 27, 16, 45, tzinfo=dt.UTC)  # 17:45 in Paris
    first = seeding.first_free_slot(friday, "Europe/Paris", dt.time(9), dt.time(18), 30, 48, 84, frozenset())
    # 48 hours on is Sunday: Monday 09:00 in Paris (after the clocks moved on Sunday: UTC+2).
    assert first == dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)
    closed = frozenset({dt.date(2026, 3, 30)})
    later = seeding.first_free_slot(friday, "Europe/Paris", dt.time(9), dt.time(18), 30, 48, 84, closed)
    assert later == dt.datetime(2026, 3, 31, 7, 0, tzinfo=dt.UTC)
    assert seeding.first_free_slot(friday, "Asia/Tokyo", dt.time(9), dt.time(17), 240, 720, 20, frozenset()) is None


@only_on_postgresql
@pytest.mark.django_db
def test_the_bulk_vector_numbers_positions_across_the_parts():
    vector = seeding.search_vector(("knee clinic", "orthopaedics knee", "", "a knee"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::tsvector = setweight(to_tsvector('simple', 'knee clinic'), 'A') "
            "|| setweight(to_tsvector('simple', 'orthopaedics knee'), 'B') "
            "|| setweight(to_tsvector('simple', ''), 'C') || setweight(to_tsvector('simple', 'a knee'), 'D')",
            [vector],
        )
        assert cursor.fetchone()[0] is True
    assert vector == "'knee':1A,4B,6 'clinic':2A 'orthopaedics':3B 'a':5"
