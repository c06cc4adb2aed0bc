"""The search listing (storefront.listing): its rows follow the changes search must see, the
rebuild writes what incremental maintenance writes, counts stop at a cap, and relevance orders a
bounded set of candidates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from core.models import ExchangeRate
from providers import services
from providers.models import Accreditation, Offering, Specialty, VerificationStatus, WeeklyRule
from providers.services.derived import offerings_changed
from providers.tests.factories import LocationFactory, OfferingFactory, ProviderFactory
from storefront import search as search_module
from storefront.listing import listing_rebuild, listing_refresh
from storefront.models import Listing, ProviderRanking
from storefront.ranking import UNSCORED
from storefront.search import SearchParams, search_page, search_reindex
from storefront.services import exchange_rate_save, provider_rankings_refresh

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 9, 8, 0, tzinfo=dt.UTC)
SEARCH_API = "/api/v1/search/"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def clinic(name: str, *, offerings: int = 1, currency: str = "EUR", title: str = "Knee consultation"):
    provider = ProviderFactory(
        name=name, status=VerificationStatus.VERIFIED, languages=["en"], default_currency=currency
    )
    provider.specialties.set([Specialty.objects.get(code="cardiology")])
    location = LocationFactory(provider=provider, country="FR", city="Lyon", timezone="Europe/Paris")
    WeeklyRule.objects.create(location=location, weekday=3, start=dt.time(9), end=dt.time(12))
    made = [
        OfferingFactory(
            provider=provider,
            location=location,
            title=f"{title} {i}",
            specialty=Specialty.objects.get(code="orthopaedic-surgery"),
            procedure=None,
            currency=currency,
            price_min=100_000 * (i + 1),
        )
        for i in range(offerings)
    ]
    return provider, made


def build() -> None:
    """Factories bypass the services: build what they would have refreshed."""
    search_reindex()
    services.offerings_refresh_next_slot(offering_ids=None, now=NOW)
    services.offerings_refresh_prices(offering_ids=None, now=NOW)


def row(offering: Offering) -> Listing:
    return Listing.objects.get(offering=offering)


def careteam():
    return UserFactory(is_staff=True, groups=[StaffGroup.CARETEAM])


def test_a_listed_offering_has_one_row_with_what_search_reads(now):
    provider, (offering,) = clinic("Clinique du Parc")
    Accreditation.objects.create(provider=provider, body="JCI", valid_until=dt.date(2031, 1, 1))
    build()

    listed = row(offering)
    offering.refresh_from_db()
    assert listed.provider_id == provider.pk
    assert listed.title == offering.title
    assert listed.specialty_code == "orthopaedic-surgery"
    # The specialty filter matches the offering's specialty or one of its provider's.
    assert listed.specialty_codes == ["cardiology", "orthopaedic-surgery"]
    assert listed.next_slot_at == offering.next_slot_at is not None
    assert listed.price_eur_nano == offering.price_eur_nano is not None
    assert listed.search_text == offering.search_text != ""
    assert (listed.city, listed.country, listed.provider_slug) == ("Lyon", "FR", provider.slug)
    assert listed.score == UNSCORED.score


def test_unpublishing_and_publishing_again_removes_and_restores_the_row(now):
    _provider, (offering,) = clinic("Clinique du Parc")
    build()

    Offering.objects.filter(pk=offering.pk).update(is_active=False)
    offerings_changed(offering_ids=[offering.pk])  # what offering_save calls, in its transaction
    assert not Listing.objects.filter(offering=offering).exists()
    assert search_page(params=SearchParams(), currency="EUR", now=NOW).count == 0

    Offering.objects.filter(pk=offering.pk).update(is_active=True)
    offerings_changed(offering_ids=[offering.pk])
    assert Listing.objects.filter(offering=offering).exists()


def test_suspending_a_provider_unlists_its_offerings_at_once_and_reinstating_lists_them(now):
    provider, _offerings = clinic("Clinique du Parc", offerings=2)
    _other, (kept,) = clinic("Other clinic")
    build()

    services.provider_suspend(provider=provider, actor=careteam(), checked="register", note="expired", now=NOW)

    assert list(Listing.objects.values_list("offering_id", flat=True)) == [kept.pk]
    services.provider_verify(provider=provider, actor=careteam(), checked="register", now=NOW)
    assert Listing.objects.filter(provider=provider).count() == 2


def test_a_new_next_slot_is_copied_into_the_row(now):
    _provider, (offering,) = clinic("Clinique du Parc")
    build()
    before = row(offering).next_slot_at
    WeeklyRule.objects.filter(location=offering.location).delete()

    services.offerings_refresh_next_slot(offering_ids=[offering.pk], now=NOW)

    assert before is not None
    assert row(offering).next_slot_at is None


def test_a_rate_change_refreshes_the_rows_prices_in_euros(now):
    _provider, (offering,) = clinic("Clinique du Parc", currency="GBP")
    ExchangeRate.objects.create(currency="GBP", rate=Decimal("0.80"), date=dt.date(2030, 1, 8))
    build()
    assert row(offering).price_eur_nano == 1_250_000_000_000  # £1,000 at 0.80

    rate = ExchangeRate.objects.get(currency="GBP")
    rate.rate = Decimal("0.50")
    exchange_rate_save(rate=rate, actor=careteam(), now=NOW)

    assert row(offering).price_eur_nano == 2_000_000_000_000


def test_a_ranking_refresh_copies_the_score(now):
    provider, (offering,) = clinic("Clinique du Parc")
    build()
    assert row(offering).score == UNSCORED.score

    provider_rankings_refresh(now=NOW)

    assert row(offering).score == ProviderRanking.objects.get(provider=provider).score != UNSCORED.score


def test_languages_changed_on_the_provider_are_copied(now):
    provider, (offering,) = clinic("Clinique du Parc")
    build()
    provider.languages = ["en", "ar"]
    provider.save(update_fields=["languages"])

    services.spoken_languages_refresh(provider_id=provider.pk)

    assert row(offering).spoken_languages == ["ar", "en"]


def _rows() -> list[dict]:
    fields = [f.attname for f in Listing._meta.concrete_fields if f.name != "search_vector"]
    return list(Listing.objects.order_by("pk").values(*fields))


def _vectors() -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT offering_id, search_vector::text FROM storefront_listing ORDER BY offering_id")
        return list(cursor.fetchall())


def test_the_rebuild_writes_what_incremental_maintenance_wrote(now):
    clinic("Clinique du Parc", offerings=3)
    clinic("Hospital of Saint Luke", offerings=2, currency="GBP")
    suspended, _ = clinic("Suspended clinic")
    Provider = type(suspended)
    Provider.objects.filter(pk=suspended.pk).update(status=VerificationStatus.SUSPENDED)
    ExchangeRate.objects.create(currency="GBP", rate=Decimal("0.80"), date=dt.date(2030, 1, 8))
    build()
    provider_rankings_refresh(now=NOW)
    listing_refresh()
    incremental = _rows()
    vectors = _vectors() if connection.vendor == "postgresql" else []

    out = StringIO()
    call_command("listing_rebuild", stdout=out)

    assert len(incremental) == 5
    assert _rows() == incremental
    if connection.vendor == "postgresql":
        assert _vectors() == vectors
    assert "5 offerings listed" in out.getvalue()


def test_the_rebuild_is_the_same_function_on_every_database(now):
    clinic("Clinique du Parc", offerings=2)
    build()
    Listing.objects.all().delete()

    assert listing_rebuild() == 2
    assert Listing.objects.count() == 2


def test_the_count_stops_at_the_cap(now, monkeypatch, anonymous):
    clinic("Clinique du Parc", offerings=5)
    build()
    monkeypatch.setattr(search_module, "COUNT_CAP", 3)

    page = search_page(params=SearchParams(), currency="EUR", now=NOW, page_size=2)
    body = anonymous.get(SEARCH_API).json()

    assert (page.count, page.count_capped, page.num_pages) == (3, True, 2)
    assert (body["count"], body["count_capped"]) == (3, True)


def test_an_exact_count_under_the_cap_is_not_capped(now, anonymous):
    clinic("Clinique du Parc", offerings=5)
    build()

    body = anonymous.get(SEARCH_API).json()

    assert (body["count"], body["count_capped"]) == (5, False)


def test_the_page_says_there_are_more_than_the_cap(now, client, monkeypatch):
    clinic("Clinique du Parc", offerings=5)
    build()
    monkeypatch.setattr(search_module, "COUNT_CAP", 3)

    response = client.get("/search/", {"q": "knee"})

    assert "3+ offerings found" in response.content.decode()


def _knee_world_with_scores() -> None:
    """The best text match has the lowest score; three weaker matches have higher ones."""
    _provider, (best,) = clinic("Knee clinic", offerings=1, title="Knee knee knee consultation")
    _provider, others = clinic("Other clinic", offerings=3, title="Consultation about a knee")
    build()
    Listing.objects.filter(offering=best).update(score=0.1)
    for offering, score in zip(others, (0.9, 0.8, 0.7), strict=True):
        Listing.objects.filter(offering=offering).update(score=score)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the bounded ranking is PostgreSQL's text rank")
def test_relevance_orders_only_the_first_matches_by_score(now, monkeypatch):
    _knee_world_with_scores()
    monkeypatch.setattr(search_module, "RANK_CANDIDATES", 2)

    page = search_page(params=SearchParams(q="knee"), currency="EUR", now=NOW)

    assert page.count == 4  # the count is of every match
    # The candidates are the two best scores; the best text match, last by score, is not one.
    assert [r.offering.title for r in page.results] == ["Consultation about a knee 0", "Consultation about a knee 1"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the bounded ranking is PostgreSQL's text rank")
def test_among_the_candidates_relevance_comes_before_the_score(now, monkeypatch):
    _knee_world_with_scores()
    monkeypatch.setattr(search_module, "RANK_CANDIDATES", 4)

    page = search_page(params=SearchParams(q="knee"), currency="EUR", now=NOW)

    assert [r.offering.title for r in page.results][:2] == [
        "Knee knee knee consultation 0",
        "Consultation about a knee 0",
    ]


@pytest.mark.parametrize(
    ("params", "limit"),
    [
        (SearchParams(), 3),  # the rates, the capped count, the page with its rankings
        (SearchParams(sort="price", specialty="cardiology", language="en", city="lyon"), 3),
        (SearchParams(q="knee"), 4),  # and is "knee" the start of a known word?
    ],
)
def test_a_search_takes_a_fixed_number_of_queries(now, django_assert_max_num_queries, params, limit):
    clinic("Clinique du Parc", offerings=25)
    build()
    provider_rankings_refresh(now=NOW)
    from django.core.cache import cache

    cache.clear()

    with django_assert_max_num_queries(limit):
        page = search_page(params=params, currency="EUR", now=NOW)

    assert len(page.results) == 20
    assert page.results[0].ranking is not None
    assert page.results[0].ranking.refreshed_at == NOW


def test_results_are_plain_values_not_model_instances(now):
    clinic("Clinique du Parc", offerings=1)
    build()

    (result,) = search_page(params=SearchParams(), currency="EUR", now=NOW).results

    assert not isinstance(result.offering, Offering)
    assert result.offering.specialty.name == "Orthopaedic and trauma surgery"
    assert result.offering.location.country.name == "France"
    assert result.offering.get_booking_mode_display()


def test_migrate_fills_an_empty_listing_beside_listed_offerings(db):
    from django.apps import apps as django_apps
    from django.db.models.signals import post_migrate

    provider = ProviderFactory(name="Clinique du Parc", slug="clinique-du-parc-migrate")
    location = LocationFactory(provider=provider)
    OfferingFactory(provider=provider, location=location, title="Knee arthroscopy")
    listing_rebuild()
    listed = set(Listing.objects.values_list("offering_id", flat=True))
    assert listed
    Listing.objects.all().delete()  # as after upgrading to a release with the listing

    config = django_apps.get_app_config("storefront")
    post_migrate.send(
        sender=config, app_config=config, verbosity=0, interactive=False, using="default", plan=[], apps=django_apps
    )

    assert set(Listing.objects.values_list("offering_id", flat=True)) == listed
