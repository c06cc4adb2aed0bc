"""A second opinion's price is per specialty and currency: proposed by the careteam (page, API or
service), put in force by another finance member, as every add-on price."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from concierge.models import PriceList, PriceListStatus
from concierge.services.catalogue import price_list_approve, price_list_propose
from core.errors import Conflict, ValidationFailed
from secondopinion.services.requests import opinion_price_list

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def test_a_price_per_specialty_is_proposed_then_approved_by_finance(careteam, finance, cardiology):
    proposed = price_list_propose(
        actor=careteam,
        kind="second_opinion",
        city="",
        country="",
        currency="EUR",
        unit_amount=45_000,
        specialty=cardiology,
        now=NOW,
    )
    assert opinion_price_list(specialty=cardiology, currency="EUR") is None

    price_list_approve(price_list=proposed, actor=finance, now=NOW)

    price = opinion_price_list(specialty=cardiology, currency="EUR")
    assert price is not None
    assert (price.unit_amount, price.city, price.specialty) == (45_000, "", cardiology)


def test_a_new_price_retires_the_one_in_force_and_one_proposal_waits_at_a_time(careteam, finance, cardiology):
    first = price_list_propose(
        actor=careteam,
        kind="second_opinion",
        city="",
        country="",
        currency="EUR",
        unit_amount=45_000,
        specialty=cardiology,
        now=NOW,
    )
    price_list_approve(price_list=first, actor=finance, now=NOW)
    second = price_list_propose(
        actor=careteam,
        kind="second_opinion",
        city="",
        country="",
        currency="EUR",
        unit_amount=50_000,
        specialty=cardiology,
        now=NOW,
    )
    with pytest.raises(Conflict):
        price_list_propose(
            actor=careteam,
            kind="second_opinion",
            city="",
            country="",
            currency="EUR",
            unit_amount=55_000,
            specialty=cardiology,
            now=NOW,
        )
    other = UserFactory(email="fred@example.test", is_staff=True, groups=[StaffGroup.FINANCE])
    price_list_approve(price_list=second, actor=other, now=NOW)

    first.refresh_from_db()
    assert first.status == PriceListStatus.RETIRED
    assert opinion_price_list(specialty=cardiology, currency="EUR").unit_amount == 50_000


def test_a_second_opinion_needs_a_specialty_and_other_kinds_refuse_one(careteam, cardiology):
    with pytest.raises(ValidationFailed) as no_specialty:
        price_list_propose(
            actor=careteam, kind="second_opinion", city="", country="", currency="EUR", unit_amount=45_000, now=NOW
        )
    with pytest.raises(ValidationFailed) as transfer:
        price_list_propose(
            actor=careteam,
            kind="transfer",
            city="Paris",
            country="FR",
            currency="EUR",
            unit_amount=8_000,
            specialty=cardiology,
            now=NOW,
        )

    assert "specialty" in no_specialty.value.details
    assert "specialty" in transfer.value.details
    assert not PriceList.objects.exists()


def test_the_careteam_proposes_it_on_the_prices_page(client, careteam, cardiology):
    client.force_login(careteam)

    answer = client.post(
        reverse("concierge:price_propose"),
        {"kind": "second_opinion", "specialty": str(cardiology.pk), "currency": "EUR", "unit_amount": "450.00"},
    )

    assert answer.status_code == 302
    price = PriceList.objects.get()
    assert (price.specialty, price.unit_amount, price.status) == (cardiology, 45_000, PriceListStatus.PENDING)
    page = client.get(reverse("concierge:price_list")).content.decode()
    assert cardiology.name in page


def test_the_careteam_proposes_it_through_the_api(careteam, cardiology):
    api = APIClient()
    api.force_authenticate(careteam)

    answer = api.post(
        "/api/v1/concierge/prices/",
        {"kind": "second_opinion", "specialty": "cardiology", "currency": "EUR", "unit_amount": 45_000},
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["specialty"] == "cardiology"
