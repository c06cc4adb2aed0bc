"""A provider's public page, which the storefront serves: the verification badge, prices,
schema.org data, and nothing for providers that are not verified."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

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
