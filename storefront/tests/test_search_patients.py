"""Search in patients' words: procedures' synonyms and lay terms in every language, a phrase before
its words taken apart, the destinations with listed offerings, the filters folded on a phone."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from core import hooks
from providers import services
from providers.models import Offering, Procedure, VerificationStatus, Weekday
from storefront.search import SearchParams, destinations, search_page, search_reindex
from storefront.tests.test_search import offer, provider_at

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 9, 8, 0, tzinfo=dt.UTC)


# --- the catalogue ---------------------------------------------------------------------------------


def test_every_procedure_of_the_catalogue_has_synonyms_in_every_language():
    procedures = list(Procedure.objects.all())
    assert len(procedures) >= 100  # the catalogue seeded by providers' migrations

    missing = [
        f"{procedure.code} ({code})"
        for procedure in procedures
        for code, _name in settings.LANGUAGES
        if not [s for s in procedure.synonyms(code) if isinstance(s, str) and s.strip()]
    ]

    assert missing == []


@pytest.mark.parametrize(
    ("code", "language", "synonym"),
    [
        ("hip-replacement", "en", "total hip arthroplasty"),
        ("hip-replacement", "fr", "prothèse de hanche"),
        ("hip-replacement", "es", "prótesis de cadera"),
        ("hip-replacement", "de", "Hüftprothese"),
        ("hip-replacement", "ru", "замена тазобедренного сустава"),
        ("hip-replacement", "ar", "استبدال الورك"),
        ("dental-implant", "en", "teeth implants"),
        ("rhinoplasty", "en", "nose job"),
        ("abdominoplasty", "en", "tummy tuck"),
        ("lasik", "en", "laser eye surgery"),
    ],
)
def test_the_catalogue_knows_what_patients_call_a_procedure(code, language, synonym):
    assert synonym in Procedure.objects.get(code=code).synonyms(language)


# --- matching and ranking --------------------------------------------------------------------------


HIP_TITLE = "Hip replacement package"
JOINT = "Joint surgery, all inclusive"  # a hip replacement by its procedure only
KNEE = "Knee replacement"
NOSE = "Nose reshaping"
IMPLANT = "Single implant with crown"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def offerings(now) -> dict[str, Offering]:
    istanbul, istanbul_site = provider_at(
        name="Bosphorus Hospital",
        country="TR",
        city="Istanbul",
        tz="Europe/Istanbul",
        currency="EUR",
        languages=["tr", "en"],
        opens_on=Weekday.THURSDAY,  # tomorrow, sooner than London's Monday
        biography="We operate on hips and knees: every replacement by a senior surgeon.",
        specialties=("orthopaedic-surgery",),
    )
    london, london_site = provider_at(
        name="Dr Ada Lovelace",
        country="GB",
        city="London",
        tz="Europe/London",
        currency="EUR",
        languages=["en"],
        opens_on=Weekday.MONDAY,
        specialties=("orthopaedic-surgery",),
    )
    found = {
        JOINT: offer(istanbul, istanbul_site, JOINT, "orthopaedic-surgery", "hip-replacement", "EUR", 900_000),
        KNEE: offer(istanbul, istanbul_site, KNEE, "orthopaedic-surgery", "knee-replacement", "EUR", 800_000),
        HIP_TITLE: offer(london, london_site, HIP_TITLE, "orthopaedic-surgery", "hip-replacement", "EUR", 1_000_000),
        NOSE: offer(london, london_site, NOSE, "plastic-surgery", "rhinoplasty", "EUR", 500_000),
        IMPLANT: offer(istanbul, istanbul_site, IMPLANT, "dentistry", "dental-implant", "EUR", 90_000),
    }
    search_reindex()
    services.offerings_refresh_next_slot(offering_ids=None, now=NOW)
    for offering in found.values():
        offering.refresh_from_db()
    return found


def found(q: str, **filters) -> list[str]:
    page = search_page(params=SearchParams(q=q, **filters), currency="EUR", now=NOW)
    return [result.offering.title for result in page.results]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("total hip arthroplasty", {JOINT, HIP_TITLE}, id="medical-synonym"),
        pytest.param("prothèse de hanche", {JOINT, HIP_TITLE}, id="french-synonym"),
        pytest.param("nose job", {NOSE}, id="lay-term"),
        pytest.param("refaire le nez", {NOSE}, id="french-lay-term"),
        pytest.param("teeth implants", {IMPLANT}, id="teeth-implants-are-dental-implants"),
    ],
)
def test_patients_words_find_the_procedure(offerings, q, expected):
    assert set(found(q)) == expected


def test_a_phrase_finds_what_it_names_and_not_an_offering_that_has_its_words_apart(offerings):
    # The knee replacement has both words: "replacement" in its title, "hips" in the biography.
    assert KNEE in found("replacement hips")

    titles = found("hip replacement")

    assert KNEE not in titles
    assert set(titles) == {JOINT, HIP_TITLE}


def test_a_phrase_in_the_title_ranks_above_the_same_phrase_in_the_procedure(offerings):
    # Without the phrase's rank the Istanbul offering would come first: its slot is sooner.
    assert offerings[JOINT].next_slot_at < offerings[HIP_TITLE].next_slot_at

    assert found("hip replacement") == [HIP_TITLE, JOINT]


def test_words_taken_apart_still_match_when_no_offering_has_the_phrase(offerings):
    # "knees" and "replacement" are in the Istanbul hospital's biography, so all its offerings match.
    assert set(found("replacement knee")) == {KNEE, JOINT, IMPLANT}


def test_hip_replacement_in_turkiye_finds_the_istanbul_hospital(offerings):
    assert found("hip replacement", country="TR") == [JOINT]


def test_the_demo_finds_the_istanbul_hospital_that_answered_amelias_hip_request():
    call_command("seed_demo", stdout=StringIO())
    search_reindex()

    now = dt.datetime.now(dt.UTC)

    in_turkiye = search_page(params=SearchParams(q="hip replacement", country="TR"), currency="GBP", now=now)
    everywhere = search_page(params=SearchParams(q="hip replacement"), currency="GBP", now=now)

    assert [r.offering.provider.slug for r in in_turkiye.results] == ["anadolu-health-hospital"]
    assert in_turkiye.results[0].offering.procedure.code == "hip-replacement"
    # Not Dr Dupont's knee replacement, although her biography mentions hip replacements.
    assert [r.offering.procedure.code for r in everywhere.results if r.offering.procedure] == ["hip-replacement"]
    assert len(everywhere.results) == 1


# --- destinations ----------------------------------------------------------------------------------


def test_the_destinations_are_the_countries_with_listed_offerings_and_their_counts(offerings):
    provider_at(  # verified, but nothing listed
        name="Empty Clinic", country="JP", city="Tokyo", tz="Asia/Tokyo", currency="JPY", languages=[], opens_on=None
    )
    hidden, site = provider_at(
        name="Unverified Clinic",
        country="TH",
        city="Bangkok",
        tz="Asia/Bangkok",
        currency="THB",
        languages=[],
        opens_on=None,
        status=VerificationStatus.PENDING,
    )
    offer(hidden, site, "Hidden", "dentistry", "dental-implant", "THB", 100)

    listed = [(d.code, d.name, d.offerings) for d in destinations()]

    assert listed == [("TR", "Türkiye", 3), ("GB", "United Kingdom", 2)]


def test_the_destinations_are_named_in_the_viewers_language(offerings):
    with translation.override("fr"):
        names = [d.name for d in destinations()]

    assert names == ["Royaume-Uni", "Turquie"]


def test_the_destinations_are_counted_once_then_recounted_when_offerings_change(offerings, django_assert_num_queries):
    destinations()
    Offering.objects.filter(title=NOSE).update(is_active=False)
    with django_assert_num_queries(0):
        assert {d.code: d.offerings for d in destinations()}["GB"] == 2  # cached

    hooks.offerings_changed.call(offering_ids=[offerings[NOSE].pk])

    assert {d.code: d.offerings for d in destinations()}["GB"] == 1


def test_the_search_page_lists_only_destinations_with_counts(client, offerings):
    html = client.get(reverse("search")).content.decode()

    select = html[html.index('name="country"') : html.index("</select>", html.index('name="country"'))]
    assert '<option value="TR">Türkiye (3)</option>' in select
    assert '<option value="GB">United Kingdom (2)</option>' in select
    assert select.count("<option") == 3  # and "Any destination"


def test_a_country_without_offerings_is_still_a_valid_search(client, offerings):
    response = client.get(reverse("search"), {"country": "JP"})

    assert response.status_code == 200
    assert response.context["page"].count == 0


# --- the filters on a phone ------------------------------------------------------------------------


def _fold(html: str) -> str:
    start = html.index('<details class="filters-fold"')
    return html[start : html.index("</details>", start)]


def test_the_filters_are_folded_with_how_many_are_active(client, offerings):
    query = {"q": "hip", "country": "TR", "kind": "facility", "sort": "price"}

    html = client.get(reverse("search"), query).content.decode()

    fold = _fold(html)
    assert fold.startswith('<details class="filters-fold" data-testid="filters-fold">')  # closed
    assert "Filters (2 active)" in fold
    assert 'name="country"' in fold
    assert 'name="q"' not in fold  # the query stays in view
    assert 'name="q"' in html


def test_a_filter_with_an_error_opens_the_fold(client, offerings):
    html = client.get(reverse("search"), {"price_min": "-5"}).content.decode()

    assert '<details class="filters-fold" data-testid="filters-fold" open>' in html
