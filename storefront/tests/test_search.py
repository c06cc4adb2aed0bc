"""Search and comparison: filters, free text, prices in the patient's currency, sorting, pages,
bad input, a constant number of queries, and the next free slot kept fresh.

The world: five verified providers in five countries and currencies (EUR, GBP, THB, JPY and VND,
which has no exchange rate), plus a pending provider, a suspended one and a withdrawn offering
that match almost every filter and must never show. Rates are euro-based; with GBP at 0.85,
THB at 42.5 and JPY at 170, one pound is exactly 50 baht or 200 yen, so converted prices are
round numbers and limits can be tested at equality.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from accounts.tests.factories import PatientFactory, UserFactory
from core.models import ExchangeRate
from core.money import Money
from providers import services, tasks
from providers.models import (
    Accreditation,
    BookingMode,
    FacilityType,
    Offering,
    OfferingKind,
    Procedure,
    ProviderKind,
    Specialty,
    VerificationStatus,
    Weekday,
    WeeklyRule,
)
from providers.services.derived import offerings_refresh_next_slot
from providers.tests.factories import LocationFactory, MemberFactory, OfferingFactory, ProviderFactory, open_weekdays
from storefront.api import SearchPageSerializer, search_page_data
from storefront.compare import SESSION_KEY, compare_add_check
from storefront.search import SearchParams, search_page, search_reindex
from storefront.services import exchange_rate_delete, exchange_rate_save, exchange_rates_load

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2030, 1, 9, 8, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Paris, 15:00 in Bangkok
TODAY = NOW.date()

PARIS = "Total knee replacement"
LONDON = "Hip replacement"
BANGKOK = "Cataract surgery, one eye"
TOKYO = "Sports injury consultation"
HANOI = "Single dental implant"
VISIBLE = {PARIS, LONDON, BANGKOK, TOKYO, HANOI}

SEARCH_API = "/api/v1/search/"
COMPARE_API = "/api/v1/compare/"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def rates(now):
    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(currency="GBP", rate=Decimal("0.90"), date=dt.date(2030, 1, 2)),  # superseded
            ExchangeRate(currency="GBP", rate=Decimal("0.85"), date=dt.date(2030, 1, 8)),
            ExchangeRate(currency="GBP", rate=Decimal("0.50"), date=dt.date(2030, 1, 10)),  # not yet published
            ExchangeRate(currency="THB", rate=Decimal("42.5"), date=dt.date(2030, 1, 7)),
            ExchangeRate(currency="JPY", rate=Decimal("170"), date=dt.date(2030, 1, 8)),
        ]
    )


def catalogue(code: str) -> Specialty:
    return Specialty.objects.get(code=code)


def procedure(code: str) -> Procedure:
    return Procedure.objects.get(code=code)


def provider_at(
    *,
    name: str,
    country: str,
    city: str,
    tz: str,
    currency: str,
    languages: list[str],
    opens_on: int | None,
    kind: str = ProviderKind.FACILITY,
    biography: str = "",
    specialties: tuple[str, ...] = (),
    status: str = VerificationStatus.VERIFIED,
):
    """A provider with one location, open 09:00-12:00 local time on `opens_on` (never if None)."""
    provider = ProviderFactory(
        name=name,
        kind=kind,
        facility_type=FacilityType.HOSPITAL if kind == ProviderKind.FACILITY else "",
        default_currency=currency,
        languages=languages,
        biography=biography,
        status=status,
    )
    provider.specialties.set([catalogue(code) for code in specialties])
    location = LocationFactory(provider=provider, name=f"{name} main site", country=country, city=city, timezone=tz)
    if opens_on is not None:
        WeeklyRule.objects.create(location=location, weekday=opens_on, start=dt.time(9), end=dt.time(12))
    return provider, location


def offer(provider, location, title: str, specialty: str, proc: str | None, currency: str, price: int, **extra):
    return OfferingFactory(
        provider=provider,
        location=location,
        title=title,
        kind=OfferingKind.PROCEDURE if proc else OfferingKind.CONSULTATION,
        specialty=catalogue(specialty),
        procedure=procedure(proc) if proc else None,
        currency=currency,
        price_min=price,
        **extra,
    )


def build_index() -> None:
    """Factories bypass the services, so build what they would have refreshed after commit."""
    search_reindex()
    services.offerings_refresh_next_slot(offering_ids=None, now=NOW)
    services.offerings_refresh_prices(offering_ids=None, now=NOW)


@dataclass
class World:
    paris: Offering
    london: Offering
    bangkok: Offering
    tokyo: Offering
    hanoi: Offering
    hidden: list[Offering]


@pytest.fixture
def world(now, rates) -> World:
    paris_clinic, paris_site = provider_at(
        name="Clinique du Parc",
        country="FR",
        city="Paris",
        tz="Europe/Paris",
        currency="EUR",
        languages=["fr", "en"],
        opens_on=Weekday.FRIDAY,
        biography="Private hospital near the Parc Monceau.",
        specialties=("orthopaedic-surgery",),
    )
    Accreditation.objects.create(provider=paris_clinic, body="JCI", valid_until=TODAY)  # valid through today
    paris = offer(
        paris_clinic,
        paris_site,
        PARIS,
        "orthopaedic-surgery",
        "knee-replacement",
        "EUR",
        1_000_000,  # €10,000.00 = £8,500.00
        includes=["Surgery", "Three nights in hospital"],
        excludes=["Flights"],
    )
    withdrawn = offer(
        paris_clinic,
        paris_site,
        "Knee replacement, withdrawn",
        "orthopaedic-surgery",
        "knee-replacement",
        "EUR",
        900_000,
        is_active=False,
    )

    hart, london_rooms = provider_at(
        name="Dr Amelia Hart",
        kind=ProviderKind.PRACTITIONER,
        country="GB",
        city="London",
        tz="Europe/London",
        currency="GBP",
        languages=["en"],
        opens_on=Weekday.THURSDAY,
        biography="Former sports physician and keen marathon runner.",
        specialties=("orthopaedic-surgery",),
    )
    london = offer(
        hart, london_rooms, LONDON, "orthopaedic-surgery", "hip-replacement", "GBP", 800_000, price_max=950_000
    )

    riverside, bangkok_site = provider_at(
        name="Bangkok Riverside Hospital",
        country="TH",
        city="Bangkok",
        tz="Asia/Bangkok",
        currency="THB",
        languages=["th", "en"],
        opens_on=Weekday.WEDNESDAY,
        biography="On the Chao Phraya river.",
        specialties=("orthopaedic-surgery", "ophthalmology"),
    )
    Accreditation.objects.create(provider=riverside, body="JCI", valid_until=dt.date(2031, 12, 31))
    bangkok = offer(
        riverside,
        bangkok_site,
        BANGKOK,
        "ophthalmology",
        "cataract-surgery",
        "THB",
        35_000_000,  # ฿350,000.00 = £7,000.00
        price_max=40_000_000,  # ฿400,000.00 = £8,000.00
    )

    sato, tokyo_rooms = provider_at(
        name="Dr Kenji Sato",
        kind=ProviderKind.PRACTITIONER,
        country="JP",
        city="Tokyo",
        tz="Asia/Tokyo",
        currency="JPY",
        languages=["en"],
        opens_on=Weekday.MONDAY,
        biography="Trained at Keio University.",
    )
    Accreditation.objects.create(provider=sato, body="JCI", valid_until=TODAY - dt.timedelta(days=1))  # expired
    tokyo = offer(sato, tokyo_rooms, TOKYO, "orthopaedic-surgery", None, "JPY", 1_800_000)  # ¥1,800,000 = £9,000.00

    smile, hanoi_site = provider_at(
        name="Hanoi Smile Dental",
        country="VN",
        city="Hanoi",
        tz="Asia/Ho_Chi_Minh",
        currency="VND",
        languages=["en", "fr"],
        opens_on=None,  # no opening hours yet: no next slot
        biography="Modern dental clinic.",
    )
    hanoi = offer(smile, hanoi_site, HANOI, "dentistry", "dental-implant", "VND", 25_000_000)  # no VND rate

    hidden = [withdrawn]
    for status in (VerificationStatus.PENDING, VerificationStatus.SUSPENDED):
        other, site = provider_at(
            name=f"Clinique {status}",
            country="FR",
            city="Paris",
            tz="Europe/Paris",
            currency="EUR",
            languages=["fr", "en"],
            opens_on=Weekday.THURSDAY,
            specialties=("orthopaedic-surgery",),
            status=status,
        )
        Accreditation.objects.create(provider=other, body="JCI", valid_until=dt.date(2031, 1, 1))
        hidden.append(
            offer(other, site, f"Knee replacement, {status}", "orthopaedic-surgery", "knee-replacement", "EUR", 700_000)
        )

    build_index()
    world = World(paris, london, bangkok, tokyo, hanoi, hidden)
    for offering in [world.paris, world.london, world.bangkok, world.tokyo, world.hanoi, *world.hidden]:
        offering.refresh_from_db()
    return world


def search(client, **params):
    response = client.get(SEARCH_API, params)
    assert response.status_code == 200, response.json()
    return response.json()


def titles(body) -> list[str]:
    return [result["offering"]["title"] for result in body["results"]]


def by_title(body) -> dict:
    return {result["offering"]["title"]: result for result in body["results"]}


# --- what is listed -------------------------------------------------------------------------------


def test_the_next_free_slots_are_the_first_opening_of_each_location_after_now(world):
    assert world.london.next_slot_at == dt.datetime(2030, 1, 10, 9, 0, tzinfo=UTC)  # Thursday 09:00 GMT
    assert world.paris.next_slot_at == dt.datetime(2030, 1, 11, 8, 0, tzinfo=UTC)  # Friday 09:00 CET
    assert world.tokyo.next_slot_at == dt.datetime(2030, 1, 14, 0, 0, tzinfo=UTC)  # Monday 09:00 JST
    # Today's Bangkok hours (09:00-12:00, 02:00-05:00 UTC) are over: next Wednesday.
    assert world.bangkok.next_slot_at == dt.datetime(2030, 1, 16, 2, 0, tzinfo=UTC)
    assert world.hanoi.next_slot_at is None


def test_only_published_offerings_of_verified_providers_are_listed(anonymous, world):
    body = search(anonymous)

    assert set(titles(body)) == VISIBLE
    assert body["count"] == 5


def test_hidden_offerings_stay_hidden_even_when_they_match_every_filter(anonymous, world):
    body = search(
        anonymous,
        q="knee paris",
        specialty="orthopaedic-surgery",
        procedure="knee-replacement",
        country="FR",
        city="Paris",
        language="fr",
        kind="facility",
        accreditation="JCI",
        price_max="10000",
        available_before="2030-01-31",
    )

    assert titles(body) == [PARIS]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"specialty": "orthopaedic-surgery"}, {PARIS, LONDON, TOKYO, BANGKOK}, id="specialty"),
        pytest.param({"specialty": "ophthalmology"}, {BANGKOK}, id="specialty-of-the-offering"),
        pytest.param({"specialty": "dentistry"}, {HANOI}, id="specialty-dentistry"),
        pytest.param({"procedure": "knee-replacement"}, {PARIS}, id="procedure"),
        pytest.param({"procedure": "dental-implant"}, {HANOI}, id="procedure-implant"),
        pytest.param({"country": "TH"}, {BANGKOK}, id="country"),
        pytest.param({"city": "BANGKOK"}, {BANGKOK}, id="city-upper-case"),
        pytest.param({"city": " london "}, {LONDON}, id="city-lower-case-with-spaces"),
        pytest.param({"city": "Lyon"}, set(), id="city-nowhere"),
        pytest.param({"language": "th"}, {BANGKOK}, id="language-thai"),
        pytest.param({"language": "fr"}, {PARIS, HANOI}, id="language-french"),
        pytest.param({"kind": "practitioner"}, {LONDON, TOKYO}, id="kind-practitioner"),
        pytest.param({"kind": "facility"}, {PARIS, BANGKOK, HANOI}, id="kind-facility"),
        pytest.param({"accreditation": "jci"}, {PARIS, BANGKOK}, id="accreditation-valid-only"),
        pytest.param({"accreditation": "ISO 9001"}, set(), id="accreditation-nobody-has"),
        pytest.param({"available_before": "2030-01-11"}, {LONDON}, id="available-before-friday"),
        pytest.param({"available_before": "2030-01-12"}, {LONDON, PARIS}, id="available-before-saturday"),
        pytest.param({"available_before": "2030-01-15"}, {LONDON, PARIS, TOKYO}, id="available-before-tuesday"),
        pytest.param({"available_before": "2031-01-01"}, VISIBLE - {HANOI}, id="available-before-never-open"),
    ],
)
def test_each_filter_alone_selects_the_matching_offerings(anonymous, world, params, expected):
    assert set(titles(search(anonymous, **params))) == expected


def test_the_specialty_filter_also_finds_offerings_of_providers_who_practise_it(anonymous, world):
    """Bangkok sells cataract surgery (ophthalmology) but lists orthopaedics among its specialties."""
    assert world.bangkok.specialty.code == "ophthalmology"

    body = search(anonymous, specialty="orthopaedic-surgery")

    assert BANGKOK in titles(body)
    assert HANOI not in titles(body)


def test_filters_combine(anonymous, world):
    body = search(anonymous, specialty="orthopaedic-surgery", kind="practitioner", available_before="2030-01-12")

    assert titles(body) == [LONDON]


# --- free text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("chirurgie orthopedique", {PARIS, LONDON, TOKYO, BANGKOK}, id="accents-dropped-in-the-query"),
        pytest.param("CHIRURGIE ORTHOPÉDIQUE", {PARIS, LONDON, TOKYO, BANGKOK}, id="accents-and-case"),
        pytest.param("prothese genou", {PARIS}, id="french-procedure-name"),
        pytest.param("ortho", {PARIS, LONDON, TOKYO, BANGKOK}, id="prefix"),
        pytest.param("ortopedic", {PARIS, LONDON, TOKYO, BANGKOK}, id="misspelt-orthopaedic"),
        pytest.param("catarct", {BANGKOK}, id="misspelt-cataract"),
        pytest.param("chirurgie", VISIBLE, id="one-word-everywhere"),
        pytest.param("chirurgie dentaire", {HANOI}, id="all-words-must-match"),
        pytest.param("knee bangkok", set(), id="words-from-two-offerings-match-neither"),
        pytest.param("knee paris", {PARIS}, id="title-and-city"),
        pytest.param("marathon", {LONDON}, id="biography"),
        pytest.param("Hart", {LONDON}, id="provider-name"),
        pytest.param("zzzzqqqq", set(), id="nothing-close"),
    ],
)
def test_free_text_matches_names_specialties_procedures_places_and_biographies(anonymous, world, q, expected):
    assert set(titles(search(anonymous, q=q))) == expected


def test_the_withdrawn_and_unverified_offerings_are_not_found_by_text(anonymous, world):
    assert titles(search(anonymous, q="knee replacement")) == [PARIS]


def test_punctuation_alone_is_no_text_filter(anonymous, world):
    assert set(titles(search(anonymous, q="?!"))) == VISIBLE


def test_names_rank_above_biography_mentions(anonymous, world):
    if connection.vendor != "postgresql":
        pytest.skip("weighted ranking needs PostgreSQL full-text search; SQLite keeps the soonest first")
    # Without ranking London (a "sports physician" in her biography) would come first: her slot is sooner.
    assert world.london.next_slot_at < world.tokyo.next_slot_at

    body = search(anonymous, q="sports", sort="relevance")

    assert titles(body) == [TOKYO, LONDON]


def test_the_search_page_finds_a_misspelt_treatment(client, world):
    response = client.get(reverse("search"), {"q": "catarct"})

    assert response.status_code == 200
    assert [result.offering.title for result in response.context["page"].results] == [BANGKOK]
    assert f'data-offering="{world.bangkok.pk}"' in response.content.decode()


# --- prices in the patient's currency -------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"price_min": "7000", "price_max": "8500"}, {BANGKOK, LONDON, PARIS}, id="both-limits-equal"),
        pytest.param({"price_max": "8499.99"}, {BANGKOK, LONDON}, id="a-penny-below-paris"),
        pytest.param({"price_min": "7000.01"}, {LONDON, PARIS, TOKYO}, id="a-penny-above-bangkok"),
        pytest.param({"price_min": "9000"}, {TOKYO}, id="yen-at-the-limit"),
        pytest.param({"price_min": "9000.01"}, set(), id="yen-above"),
        pytest.param({"price_min": "0"}, VISIBLE - {HANOI}, id="any-price-leaves-out-no-rate"),
    ],
)
def test_a_price_filter_in_pounds_compares_euros_baht_and_yen_by_their_converted_price(
    anonymous, world, params, expected
):
    assert set(titles(search(anonymous, currency="GBP", **params))) == expected


def test_a_price_filter_in_euros_converts_the_other_way(anonymous, world):
    # £8,000 = €9,411.76, ฿350,000 = €8,235.29, ¥1,800,000 = €10,588.24
    body = search(anonymous, currency="EUR", price_max="10000")

    assert set(titles(body)) == {PARIS, LONDON, BANGKOK}


def test_a_price_that_shows_as_the_limit_once_rounded_passes_and_half_a_penny_more_does_not(anonymous, now, rates):
    provider, location = provider_at(
        name="Siam Clinic",
        country="TH",
        city="Bangkok",
        tz="Asia/Bangkok",
        currency="THB",
        languages=["en"],
        opens_on=None,
    )
    offer(provider, location, "Just inside", "dentistry", None, "THB", 42_500_024)  # ฿425,000.24 = £8,500.0048
    offer(provider, location, "Just outside", "dentistry", None, "THB", 42_500_025)  # ฿425,000.25 = £8,500.005
    build_index()

    shown = by_title(search(anonymous, currency="GBP"))
    at_most = search(anonymous, currency="GBP", price_max="8500")
    above = search(anonymous, currency="GBP", price_min="8500.01")

    assert shown["Just inside"]["converted"]["amount"] == "8500.00"
    assert shown["Just outside"]["converted"]["amount"] == "8500.01"
    assert titles(at_most) == ["Just inside"]
    assert titles(above) == ["Just outside"]


def test_without_a_price_filter_the_no_rate_offering_shows_unconverted(anonymous, world):
    hanoi = by_title(search(anonymous, currency="GBP"))[HANOI]

    assert hanoi["price"] == {"amount": "25000000", "currency": "VND", "minor": 25_000_000}
    assert hanoi["converted"] is None
    assert hanoi["rate_date"] is None


def test_a_result_carries_its_own_price_the_converted_price_and_the_day_of_the_rate(anonymous, world):
    results = by_title(search(anonymous, currency="GBP"))
    paris, bangkok, london, tokyo = results[PARIS], results[BANGKOK], results[LONDON], results[TOKYO]

    assert paris["price"] == {"amount": "10000.00", "currency": "EUR", "minor": 1_000_000}
    assert paris["converted"] == {"amount": "8500.00", "currency": "GBP", "minor": 850_000}
    assert paris["rate_date"] == "2030-01-08"  # not the superseded rate of the 2nd, nor tomorrow's
    assert paris["deposit"] == {"amount": "3000.00", "currency": "EUR", "minor": 300_000}
    assert paris["price_upper"] is None
    assert paris["converted_upper"] is None
    assert bangkok["converted"] == {"amount": "7000.00", "currency": "GBP", "minor": 700_000}
    assert bangkok["converted_upper"] == {"amount": "8000.00", "currency": "GBP", "minor": 800_000}
    assert bangkok["rate_date"] == "2030-01-07"  # the older of the baht and pound rates it went through
    assert tokyo["converted"] == {"amount": "9000.00", "currency": "GBP", "minor": 900_000}
    # Already in pounds: nothing to convert.
    assert london["price_upper"] == {"amount": "9500.00", "currency": "GBP", "minor": 950_000}
    assert london["converted"] is None
    assert london["rate_date"] is None


def test_the_api_result_describes_the_offering_and_its_provider(anonymous, world):
    body = search(anonymous, currency="GBP", procedure="knee-replacement")

    assert body["count"] == 1
    assert body["page"] == 1
    assert body["num_pages"] == 1
    assert body["currency"] == "GBP"
    offering = body["results"][0]["offering"]
    assert offering == {
        "id": world.paris.pk,
        "title": PARIS,
        "kind": "procedure",
        "booking_mode": "online",
        "specialty": "orthopaedic-surgery",
        "procedure": "knee-replacement",
        "city": "Paris",
        "country": "FR",
        "timezone": "Europe/Paris",
        "next_slot_at": "2030-01-11T08:00:00Z",
        "includes": ["Surgery", "Three nights in hospital"],
        "excludes": ["Flights"],
        "provider": {
            "slug": world.paris.provider.slug,
            "name": "Clinique du Parc",
            "kind": "facility",
            "languages": ["fr", "en"],
            "spoken_languages": ["en", "fr"],
            "interpreter_available": False,
            "verified_at": "2030-01-09T08:00:00Z",
        },
    }


@pytest.mark.parametrize("currency", ["GBP", "EUR", "VND"])
def test_the_api_builds_the_same_data_as_the_serializer_that_documents_it(world, currency):
    page = search_page(params=SearchParams(), currency=currency, now=NOW)

    assert json.dumps(search_page_data(page)) == json.dumps(SearchPageSerializer(page).data)


def test_prices_are_shown_in_the_patients_preferred_currency_by_default(api_as, anonymous, world):
    patient = PatientFactory(profile__preferred_currency="GBP")

    theirs = api_as(patient).get(SEARCH_API).json()
    anyones = search(anonymous)

    assert theirs["currency"] == "GBP"
    assert by_title(theirs)[PARIS]["converted"]["amount"] == "8500.00"
    assert anyones["currency"] == "EUR"
    assert by_title(anyones)[PARIS]["converted"] is None


def test_the_page_shows_the_converted_price_beside_the_price_with_the_rates_date(client, world):
    response = client.get(reverse("search"), {"currency": "GBP", "procedure": "knee-replacement"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "€10,000.00" in html
    assert "≈ £8,500.00" in html
    assert 'rate of <bdi><time datetime="2030-01-08">8 January 2030</time></bdi>' in html


def test_in_arabic_each_price_and_the_rate_s_date_keep_their_own_direction(client, world):
    """docs/decisions.md, "Formats per locale": amounts and dates isolated in <bdi> on a right-to-left page."""
    ExchangeRate.objects.create(currency="KWD", rate=Decimal("0.3305"), date=dt.date(2030, 1, 8))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    response = client.get(reverse("search"), {"currency": "KWD", "procedure": "knee-replacement"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar"' in html
    assert '<bdi class="money">\u200f10,000.00\u00a0€</bdi>' in html
    assert '≈ <bdi class="money">\u200f3,305.000\u00a0د.ك.\u200f</bdi>' in html  # three decimals
    assert '<bdi><time datetime="2030-01-08">8 يناير 2030</time></bdi>' in html


def test_the_page_shows_a_converted_price_range(client, world):
    html = client.get(reverse("search"), {"currency": "GBP", "country": "TH"}).content.decode()

    assert "≈ £7,000.00 – £8,000.00" in html
    assert 'rate of <bdi><time datetime="2030-01-07">7 January 2030</time></bdi>' in html


def test_the_page_says_when_there_is_no_rate_for_the_offerings_currency(client, world):
    html = client.get(reverse("search"), {"currency": "GBP", "specialty": "dentistry"}).content.decode()

    assert HANOI in html
    assert "No exchange rate to GBP for this currency." in html
    assert "≈" not in html


# --- sorting --------------------------------------------------------------------------------------


def test_sorting_by_price_compares_converted_prices_and_puts_the_no_rate_one_last(anonymous, world):
    # In minor units as stored the order would be London, Paris, Tokyo, Hanoi, Bangkok.
    body = search(anonymous, currency="GBP", sort="price")

    assert titles(body) == [BANGKOK, LONDON, PARIS, TOKYO, HANOI]


def test_sorting_by_price_in_yen_gives_the_same_order(anonymous, world):
    assert titles(search(anonymous, currency="JPY", sort="price")) == [BANGKOK, LONDON, PARIS, TOKYO, HANOI]


def test_sorting_by_soonest_availability_puts_offerings_without_a_slot_last(anonymous, world):
    body = search(anonymous, sort="soonest")

    assert titles(body) == [LONDON, PARIS, TOKYO, BANGKOK, HANOI]


def test_relevance_without_words_lists_the_soonest_first(anonymous, world):
    assert titles(search(anonymous, sort="relevance")) == [LONDON, PARIS, TOKYO, BANGKOK, HANOI]


def test_a_text_search_can_be_sorted_by_price(anonymous, world):
    body = search(anonymous, q="ortho", currency="GBP", sort="price")

    assert titles(body) == [BANGKOK, LONDON, PARIS, TOKYO]


# --- prices in euros, what price filters and the sort compare --------------------------------------


def test_each_offering_stores_its_lower_price_in_nano_euros_at_the_rates_in_force(world):
    assert world.paris.price_eur_nano == 10_000_000_000_000  # €10,000.00
    assert world.london.price_eur_nano == 9_411_764_705_882  # £8,000.00 at 0.85 (not the superseded 0.90)
    assert world.bangkok.price_eur_nano == 8_235_294_117_647  # ฿350,000.00 at 42.5
    assert world.tokyo.price_eur_nano == 10_588_235_294_118  # ¥1,800,000 at 170, rounded half up
    assert world.hanoi.price_eur_nano is None  # no VND rate


def test_refreshing_prices_again_writes_nothing(world):
    assert services.offerings_refresh_prices(offering_ids=None, now=NOW) == 0


def test_a_rate_finance_changes_refilters_and_resorts_the_results_in_the_same_transaction(
    anonymous, world, finance, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        exchange_rate_save(rate=ExchangeRate(currency="THB", rate=Decimal("30"), date=TODAY), actor=finance, now=NOW)
        world.bangkok.refresh_from_db()
        assert world.bangkok.price_eur_nano == 11_666_666_666_667  # ฿350,000.00 at 30, before the commit
    for callback in callbacks:
        callback()

    assert titles(search(anonymous, currency="GBP", sort="price")) == [LONDON, PARIS, TOKYO, BANGKOK, HANOI]
    assert set(titles(search(anonymous, currency="GBP", price_max="9000"))) == {LONDON, PARIS, TOKYO}
    assert by_title(search(anonymous, currency="GBP"))[BANGKOK]["converted"]["amount"] == "9916.67"


def test_loading_a_rates_file_refreshes_the_prices_in_euros(anonymous, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        exchange_rates_load(rows=[["date", "currency", "rate"], ["2030-01-09", "JPY", "100"]], source="test", now=NOW)

    world.tokyo.refresh_from_db()
    assert world.tokyo.price_eur_nano == 18_000_000_000_000  # ¥1,800,000 at 100
    assert titles(search(anonymous, currency="GBP", sort="price")) == [BANGKOK, LONDON, PARIS, TOKYO, HANOI]
    assert titles(search(anonymous, currency="GBP", price_min="15000")) == [TOKYO]  # £15,300.00


def test_without_its_rate_an_offering_leaves_price_filters_and_sorts_last_but_still_shows(
    anonymous, world, finance, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        exchange_rate_delete(rate=ExchangeRate.objects.get(currency="JPY"), actor=finance, now=NOW)

    assert set(titles(search(anonymous, currency="GBP", price_min="0"))) == {PARIS, LONDON, BANGKOK}
    assert titles(search(anonymous, currency="GBP", sort="price")) == [BANGKOK, LONDON, PARIS, TOKYO, HANOI]
    assert by_title(search(anonymous, currency="GBP"))[TOKYO]["converted"] is None


def test_a_rate_published_for_tomorrow_takes_over_when_the_daily_task_runs_tomorrow(anonymous, world):
    with time_machine.travel(dt.datetime(2030, 1, 10, 0, 1, tzinfo=UTC), tick=False):
        changed = tasks.refresh_offering_prices()
        in_euros = search(anonymous, currency="EUR", price_max="10000")

    world.london.refresh_from_db()
    assert changed == 1  # only the offering in pounds: £8,000.00 at 0.50 is €16,000.00
    assert world.london.price_eur_nano == 16_000_000_000_000
    assert set(titles(in_euros)) == {PARIS, BANGKOK}


def test_saving_an_offering_stores_its_new_price_in_euros_at_once(world, django_capture_on_commit_callbacks):
    staff = MemberFactory(provider=world.london.provider, user=UserFactory()).user
    details = services.OfferingDetails(
        location=world.london.location,
        kind=world.london.kind,
        title=LONDON,
        specialty=world.london.specialty,
        procedure=world.london.procedure,
        price=Money(425_000, "GBP"),
        duration_minutes=60,
        slot_minutes=60,
        booking_mode=world.london.booking_mode,
        deposit_bps=3000,
    )

    with django_capture_on_commit_callbacks(execute=False):
        services.offering_save(
            provider=world.london.provider, actor=staff, details=details, offering=world.london, now=NOW
        )
        world.london.refresh_from_db()

    assert world.london.price_eur_nano == 5_000_000_000_000  # £4,250.00 at 0.85


def test_the_reindex_command_also_rebuilds_the_prices_in_euros(world):
    Offering.objects.update(price_eur_nano=None)

    call_command("search_reindex", stdout=StringIO())

    world.london.refresh_from_db()
    assert world.london.price_eur_nano == 9_411_764_705_882


def test_in_a_currency_without_a_rate_only_prices_in_that_currency_are_filtered_and_sorted(anonymous, world):
    # As before prices were stored in euros: the others cannot be compared with dong.
    assert titles(search(anonymous, currency="VND", price_max="25000000")) == [HANOI]
    assert titles(search(anonymous, currency="VND", price_max="24999999")) == []
    assert titles(search(anonymous, currency="VND", sort="price")) == [HANOI, PARIS, LONDON, BANGKOK, TOKYO]


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def twenty_five(now):
    provider, location = provider_at(
        name="Big Clinic", country="FR", city="Lyon", tz="Europe/Paris", currency="EUR", languages=["fr"], opens_on=None
    )
    offerings = [
        offer(provider, location, f"Consultation {i:02}", "dentistry", None, "EUR", 10_000 + i) for i in range(25)
    ]
    build_index()
    return offerings


def test_results_come_twenty_to_a_page(anonymous, twenty_five):
    first = search(anonymous, sort="price")
    second = search(anonymous, sort="price", page="2")

    assert (first["count"], first["page"], first["num_pages"]) == (25, 1, 2)
    assert titles(first) == [f"Consultation {i:02}" for i in range(20)]
    assert (second["count"], second["page"], second["num_pages"]) == (25, 2, 2)
    assert titles(second) == [f"Consultation {i:02}" for i in range(20, 25)]


def test_a_page_beyond_the_last_is_refused_in_the_api(anonymous, twenty_five):
    response = anonymous.get(SEARCH_API, {"sort": "price", "page": "3"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_page"
    assert response.json()["message"] == "There is no page 3: the results have 2."


def test_no_result_is_one_empty_page(anonymous, twenty_five):
    assert search(anonymous, city="Nowhere")["results"] == []
    assert anonymous.get(SEARCH_API, {"city": "Nowhere", "page": "2"}).status_code == 400


def test_the_search_page_links_the_next_page_and_explains_a_page_beyond_the_last(client, twenty_five):
    first = client.get(reverse("search"), {"sort": "price"}).content.decode()
    beyond = client.get(reverse("search"), {"sort": "price", "page": "3"})

    assert "Page 1 of 2" in first
    assert 'href="?sort=price&page=2"' in first
    assert beyond.status_code == 200
    assert "There is no page 3: the results have 2." in beyond.content.decode()


# --- bad input ------------------------------------------------------------------------------------

BAD_INPUT = [
    pytest.param({"specialty": "astrology"}, "invalid", "specialty", "Select a valid choice", id="unknown-specialty"),
    pytest.param(
        {"procedure": "teleportation"}, "invalid", "procedure", "Select a valid choice", id="unknown-procedure"
    ),
    pytest.param({"country": "XX"}, "invalid", "country", "Select a valid choice", id="unknown-country"),
    pytest.param({"language": "tlh"}, "invalid", "language", "Select a valid choice", id="unknown-language"),
    pytest.param({"kind": "robot"}, "invalid", "kind", "Select a valid choice", id="unknown-kind"),
    pytest.param(
        {"price_min": "500", "price_max": "100"},
        "invalid",
        "price_max",
        "The maximum price must not be below the minimum price.",
        id="min-above-max",
    ),
    pytest.param({"price_min": "abc"}, "invalid", "price_min", "Enter a number.", id="price-not-a-number"),
    pytest.param({"price_min": "-5"}, "invalid", "price_min", "greater than or equal to 0", id="negative-price"),
    pytest.param(
        {"available_before": "2030-01-08"}, "invalid", "available_before", "Choose a date after today.", id="past"
    ),
    pytest.param(
        {"available_before": "2030-01-09"}, "invalid", "available_before", "Choose a date after today.", id="today"
    ),
    pytest.param({"available_before": "soon"}, "invalid", "available_before", "Enter a valid date.", id="not-a-date"),
    pytest.param({"q": "knee\x00"}, "invalid", "q", "Null characters are not allowed.", id="nul-byte"),
    pytest.param({"q": "k" * 10_000}, "invalid", "q", "at most 200 characters", id="ten-thousand-characters"),
    pytest.param({"currency": "XYZ"}, "invalid", "currency", "Select a valid choice", id="unknown-currency"),
    pytest.param({"sort": "cheapest"}, "invalid", "sort", "Select a valid choice", id="unknown-sort"),
    pytest.param(
        {"currency": "JPY", "price_max": "100.5"}, "invalid_amount", None, "JPY amounts have no decimal", id="yen-cents"
    ),
]
BAD_PAGES = [
    pytest.param({"page": "abc"}, id="page-abc"),
    pytest.param({"page": "0"}, id="page-zero"),
    pytest.param({"page": "-1"}, id="page-negative"),
    pytest.param({"page": "²"}, id="page-superscript-two"),
    pytest.param({"page": "99999999999999999999"}, id="page-huge"),
]


@pytest.mark.parametrize(("params", "code", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_by_the_api_with_a_code_and_a_clear_message(
    anonymous, world, params, code, field, message
):
    response = anonymous.get(SEARCH_API, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert message in body["message"]
    if field:
        assert message in body["details"][field][0]


@pytest.mark.parametrize("params", BAD_PAGES)
def test_a_bad_page_number_is_refused_by_the_api(anonymous, world, params):
    response = anonymous.get(SEARCH_API, params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_page"
    assert "page" in response.json()["details"]


@pytest.mark.parametrize(("params", "code", "field", "message"), BAD_INPUT)
def test_bad_input_on_the_search_page_shows_the_error_and_never_fails(client, world, params, code, field, message):
    response = client.get(reverse("search"), params)

    assert response.status_code == 200
    html = response.content.decode()
    assert escape(message) in html
    if field:
        assert field in response.context["form"].errors
    assert response.context["page"] is None


@pytest.mark.parametrize("params", BAD_PAGES)
def test_a_bad_page_number_on_the_search_page_says_so(client, world, params):
    response = client.get(reverse("search"), params)

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "page" in response.context["page_error"]


# --- comparison -----------------------------------------------------------------------------------


def choose(client, offering, **data):
    return client.post(reverse("compare_toggle", args=[offering.pk]), data, follow=True)


def test_a_patient_compares_four_offerings_side_by_side(client, world):
    for offering in (world.tokyo, world.paris, world.bangkok, world.london):
        assert "Added to the comparison." in choose(client, offering).content.decode()

    response = client.get(reverse("compare"), {"currency": "GBP"})

    html = response.content.decode()
    assert [row.offering.title for row in response.context["rows"]] == [TOKYO, PARIS, BANGKOK, LONDON]
    assert html.index(TOKYO) < html.index(PARIS) < html.index(BANGKOK) < html.index(LONDON)
    assert "≈ £8,500.00" in html  # Paris, converted
    assert "≈ £7,000.00 – £8,000.00" in html  # Bangkok's range
    assert "€3,000.00" in html  # Paris's deposit
    assert "Three nights in hospital" in html
    assert "Flights" in html
    assert "FR, EN" in html
    assert "TH, EN" in html
    assert "Friday, 11 January 2030, 09:00 (Paris time)</time>" in html  # Paris's next slot in Paris time
    assert "Verified on" in html
    accreditations = {row.offering.title: [a.body for a in row.accreditations] for row in response.context["rows"]}
    assert accreditations == {TOKYO: [], PARIS: ["JCI"], BANGKOK: ["JCI"], LONDON: []}  # Tokyo's has expired


def test_a_fifth_offering_is_refused_with_a_message(client, world):
    for offering in (world.tokyo, world.paris, world.bangkok, world.london):
        choose(client, offering)

    response = choose(client, world.hanoi)

    assert "You can compare up to 4 offerings: remove one first." in response.content.decode()
    assert client.session[SESSION_KEY] == [world.tokyo.pk, world.paris.pk, world.bangkok.pk, world.london.pk]


@pytest.mark.parametrize(("compared", "allowed"), [(0, True), (3, True), (4, False)])
def test_one_more_offering_fits_in_the_comparison_until_four_are_chosen(compared, allowed):
    check = compare_add_check(compared_ids=list(range(1, compared + 1)))

    assert check.allowed is allowed
    if not allowed:
        assert check.refusal.code == "compare_full"
        assert check.reason == "You can compare up to 4 offerings: remove one first."


def test_with_four_offerings_chosen_the_search_offers_no_compare_button_but_says_why(client, world):
    for offering in (world.tokyo, world.paris, world.bangkok, world.london):
        choose(client, offering)

    page = client.get(reverse("search")).content.decode()
    hanoi = page[page.index(f'data-offering="{world.hanoi.pk}"') :]
    hanoi = hanoi[: hanoi.index("</article>")]
    paris = page[page.index(f'data-offering="{world.paris.pk}"') :]
    paris = paris[: paris.index("</article>")]

    assert "You can compare up to 4 offerings: remove one first." in page
    assert ">Compare</button>" not in hanoi
    assert "Remove from comparison" in paris


def test_with_fewer_than_four_chosen_the_search_offers_the_compare_button(client, world):
    choose(client, world.paris)

    page = client.get(reverse("search")).content.decode()
    hanoi = page[page.index(f'data-offering="{world.hanoi.pk}"') :]

    assert ">Compare</button>" in hanoi[: hanoi.index("</article>")]
    assert "You can compare up to 4 offerings" not in page


def test_adding_the_same_offering_twice_keeps_it_once(client, world):
    choose(client, world.paris)
    choose(client, world.paris)

    assert client.session[SESSION_KEY] == [world.paris.pk]


def test_an_offering_is_removed_from_the_comparison(client, world):
    for offering in (world.tokyo, world.paris, world.bangkok, world.london):
        choose(client, offering)

    choose(client, world.paris, action="remove")
    response = choose(client, world.hanoi)

    assert client.session[SESSION_KEY] == [world.tokyo.pk, world.bangkok.pk, world.london.pk, world.hanoi.pk]
    assert [row.offering.title for row in client.get(reverse("compare")).context["rows"]] == [
        TOKYO,
        BANGKOK,
        LONDON,
        HANOI,
    ]
    assert "Added to the comparison." in response.content.decode()


def test_withdrawn_or_unverified_offerings_cannot_be_compared(client, world):
    for offering in world.hidden:
        response = choose(client, offering)
        assert "This offering is not published." in response.content.decode()

    assert client.session.get(SESSION_KEY, []) == []


def test_an_offering_that_does_not_exist_cannot_be_compared(client, world):
    response = client.post(reverse("compare_toggle", args=[99_999_999]), follow=True)

    assert "This offering is not published." in response.content.decode()


def test_an_offering_whose_provider_is_suspended_afterwards_leaves_the_comparison(client, world):
    choose(client, world.paris)
    choose(client, world.tokyo)
    world.tokyo.provider.status = VerificationStatus.SUSPENDED
    world.tokyo.provider.save()

    rows = client.get(reverse("compare")).context["rows"]

    assert [row.offering.title for row in rows] == [PARIS]


def test_choosing_returns_to_the_search_but_never_to_another_site(client, world):
    back = client.post(reverse("compare_toggle", args=[world.paris.pk]), {"next": "/search/?q=knee"})
    away = client.post(reverse("compare_toggle", args=[world.tokyo.pk]), {"next": "https://evil.example/"})

    assert back.status_code == 302
    assert back["Location"] == "/search/?q=knee"
    assert away["Location"] == reverse("compare")


def test_the_compare_page_with_nothing_chosen_says_how_to_choose(client, world):
    assert "choose up to four offerings" in client.get(reverse("compare")).content.decode()


def test_the_compare_api_returns_the_rows_in_the_order_asked(anonymous, world):
    ids = f"{world.tokyo.pk},{world.hidden[0].pk},{world.paris.pk}"

    response = anonymous.get(COMPARE_API, {"ids": ids, "currency": "GBP"})

    assert response.status_code == 200
    rows = response.json()
    assert [row["offering"]["title"] for row in rows] == [TOKYO, PARIS]
    tokyo, paris = rows
    assert tokyo["price"] == {"amount": "1800000", "currency": "JPY", "minor": 1_800_000}
    assert tokyo["converted"] == {"amount": "9000.00", "currency": "GBP", "minor": 900_000}
    assert tokyo["accreditations"] == []
    assert paris["accreditations"] == ["JCI"]
    assert paris["deposit"] == {"amount": "3000.00", "currency": "EUR", "minor": 300_000}
    assert paris["rate_date"] == "2030-01-08"
    assert paris["offering"]["includes"] == ["Surgery", "Three nights in hospital"]


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param("", id="none"),
        pytest.param("a,b", id="letters"),
        pytest.param("1;2", id="wrong-separator"),
        pytest.param("1,2,3,4,5", id="five"),
        pytest.param("-1", id="negative"),
        pytest.param("²", id="superscript-two"),
        pytest.param("99999999999999999999", id="beyond-any-id"),
    ],
)
def test_bad_ids_are_refused_by_the_compare_api(anonymous, world, ids):
    response = anonymous.get(COMPARE_API, {"ids": ids})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["message"] == "Give between 1 and 4 offering ids, separated by commas."


def test_an_id_that_no_offering_has_gives_no_row(anonymous, world):
    response = anonymous.get(COMPARE_API, {"ids": "999999999"})

    assert response.status_code == 200
    assert response.json() == []


def test_an_unknown_currency_is_refused_by_the_compare_api(anonymous, world):
    response = anonymous.get(COMPARE_API, {"ids": str(world.paris.pk), "currency": "XYZ"})

    assert response.status_code == 400
    assert "currency" in response.json()["details"]


# --- a constant number of queries -----------------------------------------------------------------


def listed(count: int, *, start: int = 0) -> None:
    """`count` offerings, each of its own provider with specialties, an accreditation and hours."""
    currencies = ["EUR", "GBP", "THB", "JPY", "VND"]
    for i in range(start, start + count):
        provider, location = provider_at(
            name=f"Clinic {i}",
            country="TH",
            city="Bangkok",
            tz="Asia/Bangkok",
            currency=currencies[i % 5],
            languages=["en"],
            opens_on=i % 5,
            specialties=("orthopaedic-surgery",),
        )
        Accreditation.objects.create(provider=provider, body="JCI", valid_until=dt.date(2031, 1, 1))
        currency = currencies[i % 5]
        offer(
            provider,
            location,
            f"Knee consultation {i}",
            "orthopaedic-surgery",
            "knee-replacement",
            currency,
            100_000 * (i + 1),
            price_max=200_000 * (i + 1),
        )
    build_index()


# The page reads more than the API: the specialty and procedure lists of the form, the destinations
# (one grouped query, cached: the test clears the cache), and the session
# (where ?currency= is remembered). A text query adds one query per word (is it the start of a known
# word?) and one per misspelt word (its closest known words).
@pytest.mark.parametrize(
    ("params", "limits"),
    [
        pytest.param({}, {"api": 6, "page": 9}, id="no-filter"),
        pytest.param(
            {"currency": "GBP", "sort": "price", "specialty": "orthopaedic-surgery", "accreditation": "JCI"},
            {"api": 7, "page": 14},
            id="filters-and-price-sort",
        ),
        pytest.param({"q": "knee consultaton", "currency": "GBP"}, {"api": 9, "page": 16}, id="text-misspelt"),
    ],
)
@pytest.mark.parametrize("where", ["api", "page"])
def test_a_page_of_twenty_results_takes_as_many_queries_as_a_page_of_five(
    client, anonymous, now, rates, django_assert_max_num_queries, params, limits, where
):
    url, caller = (SEARCH_API, anonymous) if where == "api" else (reverse("search"), client)
    limit = limits[where]
    listed(5)
    cache.clear()
    with django_assert_max_num_queries(limit) as five:
        response = caller.get(url, params)
    assert response.status_code == 200
    listed(15, start=5)
    cache.clear()  # both requests read the rates from the database, not one from the cache

    with django_assert_max_num_queries(limit) as twenty:
        response = caller.get(url, params)

    assert response.status_code == 200
    shown = response.json()["results"] if where == "api" else response.context["page"].results
    assert len(shown) == 20
    assert len(twenty.captured_queries) == len(five.captured_queries)


COMPARE_QUERIES = 10


def test_the_compare_page_takes_as_many_queries_for_four_offerings_as_for_one(
    client, now, rates, django_assert_max_num_queries
):
    listed(4)
    offerings = list(Offering.objects.order_by("pk"))
    choose(client, offerings[0])
    cache.clear()
    with django_assert_max_num_queries(COMPARE_QUERIES) as one:
        response = client.get(reverse("compare"), {"currency": "GBP"})
    assert len(response.context["rows"]) == 1
    for offering in offerings[1:]:
        choose(client, offering)
    cache.clear()  # both requests read the rates from the database, not one from the cache

    with django_assert_max_num_queries(COMPARE_QUERIES) as four:
        response = client.get(reverse("compare"), {"currency": "GBP"})

    assert len(response.context["rows"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


# --- the next free slot kept fresh ----------------------------------------------------------------


def test_adding_opening_hours_sets_the_next_slot_of_the_locations_offerings_after_commit(
    anonymous, world, django_capture_on_commit_callbacks
):
    staff = MemberFactory(provider=world.hanoi.provider, user=UserFactory()).user
    assert titles(search(anonymous, available_before="2030-01-11")) == [LONDON]

    with django_capture_on_commit_callbacks(execute=True):
        services.weekly_rule_add(
            location=world.hanoi.location,
            actor=staff,
            weekday=Weekday.THURSDAY,
            start=dt.time(10),
            end=dt.time(12),
            now=NOW,
        )

    world.hanoi.refresh_from_db()
    assert world.hanoi.next_slot_at == dt.datetime(2030, 1, 10, 3, 0, tzinfo=UTC)  # Thursday 10:00 in Hanoi
    assert titles(search(anonymous, available_before="2030-01-11")) == [HANOI, LONDON]


def test_an_offering_on_quote_only_has_no_next_slot_to_show(world):
    """Its patients ask for a quote: search must not promise them a time they cannot pick."""
    Offering.objects.filter(pk=world.london.pk).update(booking_mode=BookingMode.QUOTE)

    offerings_refresh_next_slot(offering_ids=[world.london.pk], now=NOW)

    world.london.refresh_from_db()
    assert world.london.next_slot_at is None
    assert world.london.location.weekly_rules.exists()  # open hours: a bookable offering would have one


def test_the_next_slot_is_unchanged_until_the_transaction_commits(world, django_capture_on_commit_callbacks):
    staff = MemberFactory(provider=world.hanoi.provider, user=UserFactory()).user

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.weekly_rule_add(
            location=world.hanoi.location,
            actor=staff,
            weekday=Weekday.THURSDAY,
            start=dt.time(10),
            end=dt.time(12),
            now=NOW,
        )

    world.hanoi.refresh_from_db()
    assert len(callbacks) == 1
    assert world.hanoi.next_slot_at is None


def test_the_periodic_task_moves_a_slot_that_has_passed(anonymous, world):
    with time_machine.travel(dt.datetime(2030, 1, 10, 10, 10, tzinfo=UTC), tick=False):
        tasks.refresh_stale_next_slots()

    world.london.refresh_from_db()
    world.paris.refresh_from_db()
    assert world.london.next_slot_at == dt.datetime(2030, 1, 10, 10, 30, tzinfo=UTC)  # the next half hour
    assert world.paris.next_slot_at == dt.datetime(2030, 1, 11, 8, 0, tzinfo=UTC)  # still ahead: unchanged


def test_the_periodic_task_moves_a_slot_that_is_now_within_the_minimum_notice(now):
    provider, location = provider_at(
        name="Clinique Notice",
        country="FR",
        city="Lyon",
        tz="Europe/Paris",
        currency="EUR",
        languages=["fr"],
        opens_on=None,
    )
    open_weekdays(location)
    offering = offer(provider, location, "Two days' notice", "dentistry", None, "EUR", 10_000, min_notice_hours=48)
    build_index()
    offering.refresh_from_db()
    assert offering.next_slot_at == dt.datetime(2030, 1, 11, 8, 0, tzinfo=UTC)  # Friday 09:00, exactly 48 hours on

    # A day later Friday 09:00 is only 24 hours away: too soon to book.
    with time_machine.travel(dt.datetime(2030, 1, 10, 8, 0, tzinfo=UTC), tick=False):
        tasks.refresh_stale_next_slots()

    offering.refresh_from_db()
    assert offering.next_slot_at == dt.datetime(2030, 1, 14, 8, 0, tzinfo=UTC)  # Monday 09:00
