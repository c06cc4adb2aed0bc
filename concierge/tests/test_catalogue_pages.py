"""The catalogue's staff pages: the careteam proposes a price typed as people write it, finance
approves or rejects it; the careteam records, edits and deactivates suppliers and sees the margin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import sign_in
from concierge.models import PriceList, PriceListStatus, Supplier
from concierge.services.catalogue import price_list_approve, price_list_propose, supplier_create

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
PROPOSAL = {
    "kind": "interpreter",
    "city": "Kuwait City",
    "country": "KW",
    "currency": "KWD",
    "unit_amount": "18.500",
    "reduced_unit_amount": "14.250",
    "supplement_amount": "",
    "note": "2030 rates",
}


def _client(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def test_the_careteam_proposes_a_price_typed_in_major_units_and_finance_approves_it(careteam, finance):
    proposed = _client(careteam).post(reverse("concierge:price_propose"), PROPOSAL, follow=True)

    assert "a finance member must approve it" in proposed.content.decode()
    price = PriceList.objects.get()
    assert (price.unit_amount, price.reduced_unit_amount, price.status) == (18_500, 14_250, PriceListStatus.PENDING)

    page = _client(finance).get(reverse("concierge:price_list")).content.decode()
    assert "KWD18.500" in page
    assert 'value="approve"' in page

    _client(finance).post(reverse("concierge:price_decide", args=[price.pk]), {"decision": "approve", "note": "OK"})
    price.refresh_from_db()
    assert (price.status, price.decision_note) == (PriceListStatus.ACTIVE, "OK")


def test_the_careteam_sees_no_approve_button_and_finance_no_proposal_form(careteam, finance):
    price_list_propose(
        actor=careteam, kind="transfer", city="Paris", country="FR", currency="EUR", unit_amount=8_000, now=NOW
    )

    careteam_page = _client(careteam).get(reverse("concierge:price_list")).content.decode()
    finance_page = _client(finance).get(reverse("concierge:price_list")).content.decode()

    assert 'value="approve"' not in careteam_page
    assert "Only finance can approve or reject a price." in careteam_page
    assert reverse("concierge:price_propose") in careteam_page
    assert reverse("concierge:price_propose") not in finance_page
    assert reverse("concierge:supplier_list") not in finance_page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit_amount": "18.505"}, "KWD amounts are charged in steps of 10 minor units."),
        ({"unit_amount": "abc"}, "is not an amount"),
        ({"unit_amount": "12.3456"}, "at most 3 decimal places"),
        ({"reduced_unit_amount": "19.000"}, "The reduced rate must be below the hourly rate."),
        ({"kind": "transfer"}, "Only an interpreter has a reduced hourly rate."),
        ({"country": ""}, "This field is required."),
    ],
)
def test_a_bad_proposal_shows_its_message_by_the_field_and_writes_nothing(careteam, changes, message):
    answer = _client(careteam).post(reverse("concierge:price_propose"), {**PROPOSAL, **changes})

    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not PriceList.objects.exists()


def test_rejecting_without_a_note_says_why_and_changes_nothing(careteam, finance):
    price = price_list_propose(
        actor=careteam, kind="transfer", city="Paris", country="FR", currency="EUR", unit_amount=8_000, now=NOW
    )

    answer = _client(finance).post(
        reverse("concierge:price_decide", args=[price.pk]), {"decision": "reject", "note": ""}, follow=True
    )

    assert "This field is required." in answer.content.decode()
    price.refresh_from_db()
    assert price.status == PriceListStatus.PENDING


def test_the_careteam_adds_a_supplier_and_sees_its_margin_by_city(careteam, finance):
    price = price_list_propose(
        actor=careteam, kind="transfer", city="Paris", country="FR", currency="EUR", unit_amount=8_000, now=NOW
    )
    price_list_approve(price_list=price, actor=finance, now=NOW)

    created = _client(careteam).post(
        reverse("concierge:supplier_create"),
        {
            "kind": "driver",
            "name": "Paris Prestige Cars",
            "city": "Paris",
            "country": "FR",
            "phone": "+33 6 12 34 56 78",
            "cost": "55.00",
            "cost_currency": "EUR",
            "cost_unit": "leg",
        },
        follow=True,
    )

    page = created.content.decode()
    assert "Paris Prestige Cars is recorded." in page
    assert "€25.00 (31 %)" in page
    assert Supplier.objects.get().cost_amount == 5_500


def test_a_bad_supplier_shows_its_message_and_writes_nothing(careteam):
    answer = _client(careteam).post(
        reverse("concierge:supplier_create"),
        {"kind": "driver", "name": "X", "city": "Paris", "country": "FR", "phone": "call me", "cost_unit": "leg"},
    )

    assert answer.status_code == 400
    assert "Enter the phone number with its country code" in answer.content.decode()
    assert not Supplier.objects.exists()


def test_the_careteam_edits_then_deactivates_a_supplier(careteam):
    supplier = supplier_create(
        actor=careteam, kind="hotel", name="Hôtel du Louvre", city="Paris", country="FR", now=NOW
    )
    url = reverse("concierge:supplier_edit", args=[supplier.pk])
    form = _client(careteam).get(url).content.decode()
    assert 'value="Hôtel du Louvre"' in form

    _client(careteam).post(
        url, {"kind": "hotel", "name": "Hôtel du Louvre Paris", "city": "Paris", "country": "FR", "cost_unit": "night"}
    )
    _client(careteam).post(url, {"deactivate": "1"})

    supplier.refresh_from_db()
    assert (supplier.name, supplier.active) == ("Hôtel du Louvre Paris", False)
    assert "Deactivate" not in _client(careteam).get(url).content.decode().split("</h1>")[1]
