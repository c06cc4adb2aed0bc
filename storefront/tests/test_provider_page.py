"""A provider's public page, which the storefront serves: the verification badge, prices,
schema.org data, and nothing for providers that are not verified."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PatientFactory
from bookings.services import booking_hold
from core.currency import CURRENCY_SESSION_KEY
from core.models import ExchangeRate
from providers.models import BookingMode, Provider, VerificationStatus
from providers.tests.factories import LocationFactory, OfferingFactory, ProviderFactory, open_weekdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    provider = ProviderFactory(name="Clinique du Parc", slug="clinique-du-parc")
    location = LocationFactory(provider=provider)
    open_weekdays(location)
    OfferingFactory(provider=provider, location=location, title="First consultation", price_min=12000)
    return provider


def test_the_public_page_shows_the_verification_badge_prices_and_schema_org(client, clinic):
    response = client.get(reverse("providers:public", kwargs={"slug": clinic.slug}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Verified on" in html
    assert "€120.00" in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Physician"
    assert data["name"] == "Clinique du Parc"
    assert data["address"][0]["addressLocality"] == "Paris"


def test_provider_text_cannot_break_out_of_the_json_ld_script(client, clinic):
    Provider.objects.filter(pk=clinic.pk).update(biography="</script><script>alert(1)</script>")

    html = client.get(reverse("providers:public", kwargs={"slug": clinic.slug})).content.decode()

    assert "<script>alert(1)" not in html


@pytest.mark.parametrize(
    "status", [VerificationStatus.PENDING, VerificationStatus.REJECTED, VerificationStatus.SUSPENDED]
)
def test_an_unverified_provider_has_no_public_page(client, clinic, status):
    Provider.objects.filter(pk=clinic.pk).update(status=status)

    response = client.get(reverse("providers:public", kwargs={"slug": clinic.slug}))

    assert response.status_code == 404


def test_free_slots_are_shown_for_offerings_booked_online_only(client, clinic):
    location = clinic.locations.get()
    OfferingFactory(provider=clinic, location=location, title="Knee surgery", booking_mode=BookingMode.QUOTE)

    html = client.get(reverse("providers:public", kwargs={"slug": clinic.slug})).content.decode()

    blocks = html.split('<div class="offering"')[1:]
    online = next(block for block in blocks if "First consultation" in block)
    on_quote = next(block for block in blocks if "Knee surgery" in block)
    assert 'data-testid="slots"' in online
    assert "Next free times:" in online
    assert 'data-testid="slots"' not in on_quote


# --- for a patient from abroad ---------------------------------------------------------------------


@pytest.fixture
def abroad(db):
    """A Turkish hospital priced in lira, with coordinates, speaking Turkish, English and Arabic."""
    provider = ProviderFactory(name="Bosphorus Hospital", slug="bosphorus-hospital", languages=["tr", "en", "ar"])
    location = LocationFactory(
        provider=provider,
        name="Bosphorus Hospital Şişli",
        country="TR",
        city="Istanbul",
        address="Cumhuriyet Cd. 12, Şişli",
        timezone="Europe/Istanbul",
        latitude=Decimal("41.060000"),
        longitude=Decimal("28.987000"),
    )
    OfferingFactory(
        provider=provider, location=location, title="Hip replacement", currency="TRY", price_min=10_000_000
    )  # TRY 100,000.00
    today = timezone.now().date()
    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(currency="TRY", rate=Decimal("50"), date=today - dt.timedelta(days=1)),
            ExchangeRate(currency="GBP", rate=Decimal("0.9"), date=today - dt.timedelta(days=1)),
        ]
    )
    return provider


def page(client, provider, **headers) -> str:
    response = client.get(reverse("providers:public", kwargs={"slug": provider.slug}), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_prices_are_also_shown_in_the_patients_currency_with_the_rates_date(client, abroad):
    session = client.session
    session[CURRENCY_SESSION_KEY] = "GBP"
    session.save()

    html = page(client, abroad)

    assert "100,000.00" in html  # the hospital's own price, in lira
    assert "≈ £1,800.00" in html  # 100,000 / 50 × 0.9
    yesterday = (timezone.now().date() - dt.timedelta(days=1)).isoformat()
    assert f'rate of <bdi><time datetime="{yesterday}">' in html


def test_a_patient_paying_in_the_providers_currency_sees_no_conversion(client, abroad):
    session = client.session
    session[CURRENCY_SESSION_KEY] = "TRY"
    session.save()

    assert 'data-testid="converted"' not in page(client, abroad)


def test_a_currency_without_a_rate_says_so(client, abroad):
    session = client.session
    session[CURRENCY_SESSION_KEY] = "USD"
    session.save()

    html = page(client, abroad)

    assert 'data-testid="converted"' not in html
    assert "No exchange rate to USD for this currency." in html


def test_the_address_and_a_map_link_replace_the_coordinates(client, abroad):
    html = page(client, abroad)
    shown = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)  # for search engines

    assert "41.060000, 28.987000" not in shown
    assert ">41.06" not in shown
    assert "Cumhuriyet Cd. 12, Şişli" in shown
    assert 'href="https://www.openstreetmap.org/?mlat=41.06000&amp;mlon=28.98700#map=17/41.06000/28.98700"' in shown
    # A link only: no remote script, frame or image.
    assert not re.search(r"<(script|iframe|img)[^>]+openstreetmap", shown)


def test_a_place_without_coordinates_links_to_a_map_search_of_its_address(client, abroad):
    abroad.locations.update(latitude=None, longitude=None)

    html = page(client, abroad)

    query = "Cumhuriyet+Cd.+12%2C+%C5%9Ei%C5%9Fli%2C+Istanbul%2C+T%C3%BCrkiye"
    assert f'href="https://www.openstreetmap.org/search?query={query}"' in html


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Speaks: Turkish, English, Arabic"), ("fr", "Turc, Anglais, Arabe")]
)
def test_languages_are_named_in_the_viewers_language(client, abroad, language, expected):
    html = page(client, abroad, HTTP_ACCEPT_LANGUAGE=language)

    assert expected in html
    assert "TR, EN, AR" not in html


def test_the_page_title_names_the_provider_then_the_site(client, abroad):
    assert "<title>Bosphorus Hospital · MediBroker</title>" in page(client, abroad)


@pytest.mark.parametrize(
    ("url", "title"),
    [("/", "Medical care abroad, booked with confidence · MediBroker"), ("/search/", "Find care · MediBroker")],
)
def test_every_title_separates_the_page_from_the_site(client, db, url, title):
    assert f"<title>{title}</title>" in client.get(url).content.decode()


# --- how much the page costs -----------------------------------------------------------------------

# The provider with its catalogue, locations and their hours, offerings, photos, credentials,
# accreditations and affiliations (providers.selectors.provider_public_get), the times taken (once
# for all offerings), the rates, the response time and the reviews section (rating, dimensions,
# latest): a fixed number whatever the offerings. The page reads outside a transaction, so the
# request has no savepoint around it.
PROVIDER_PAGE_QUERIES = 17


def test_the_page_takes_as_many_queries_for_six_offerings_as_for_one(client, clinic, django_assert_max_num_queries):
    url = reverse("providers:public", kwargs={"slug": clinic.slug})
    cache.clear()
    with django_assert_max_num_queries(PROVIDER_PAGE_QUERIES) as one:
        assert client.get(url).status_code == 200
    second = LocationFactory(provider=clinic, city="Lyon", timezone="Europe/Paris")
    open_weekdays(second)
    for n in range(4):
        OfferingFactory(provider=clinic, location=second, title=f"Online {n}")
    OfferingFactory(provider=clinic, location=second, title="On quote", booking_mode=BookingMode.QUOTE)
    cache.clear()  # both requests read the rates from the database, not one from the cache

    with django_assert_max_num_queries(PROVIDER_PAGE_QUERIES) as six:
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="slots"') == 5  # the on-quote offering shows none
    assert len(six.captured_queries) == len(one.captured_queries)
    busy = [q["sql"] for q in six.captured_queries if "bookings_appointment" in q["sql"]]
    assert len(busy) == 1


def test_the_next_free_times_leave_out_a_held_slot(client, clinic):
    """The times taken, read once for the page, still remove a slot from every offering."""
    url = reverse("providers:public", kwargs={"slug": clinic.slug})
    html = client.get(url).content.decode()
    first = html.split('data-start="')[1].split('"')[0]

    booking_hold(
        patient=PatientFactory(),
        offering=clinic.offerings.get(),
        start=dt.datetime.fromisoformat(first),
        now=timezone.now(),
    )

    after = client.get(url).content.decode()
    assert f'data-start="{first}"' not in after
    assert after.count("data-start=") == html.count("data-start=")  # the next free time takes its place
