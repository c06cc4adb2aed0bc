"""The demo catalogue: prices in force in the seven demo cities, approved with four eyes, and
suppliers whose costs are below the prices; running it twice adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from concierge.models import PriceList, PriceListStatus, Supplier
from concierge.selectors import catalogue, supplier_margin

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_priced_add_on_in_force_in_the_seven_cities_and_suppliers_below_the_prices():
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    before = (PriceList.objects.count(), Supplier.objects.count())
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115

    cities = catalogue()
    assert sorted(c.city for c in cities) == [
        "Bangkok", "Istanbul", "Kuwait City", "Lisbon", "Mumbai", "Paris", "Tokyo"
    ]  # fmt: skip
    for city in cities:
        assert sorted(p.kind for p in city.prices) == ["careteam", "interpreter", "transfer", "visa_letter"]
        (interpreter,) = [p for p in city.prices if p.kind == "interpreter"]
        (transfer,) = [p for p in city.prices if p.kind == "transfer"]
        assert 0 < interpreter.reduced_unit_amount < interpreter.unit_amount
        assert transfer.supplement_amount > 0
        assert all(p.proposed_by.email == "careteam@medibroker.test" for p in city.prices)
        assert all(p.decided_by.email == "finance@medibroker.test" for p in city.prices)
    assert (PriceList.objects.count(), Supplier.objects.count()) == before
    assert not PriceList.objects.exclude(status=PriceListStatus.ACTIVE).exists()
    for supplier in Supplier.objects.filter(kind__in=["interpreter", "driver"]):
        margin = supplier_margin(supplier=supplier)
        assert margin is not None, supplier.name
        assert margin.amount.amount > 0, supplier.name
    assert all(2 <= Supplier.objects.filter(city=c.city).count() <= 4 for c in cities)


def test_the_demo_has_amelias_vip_request_waiting_on_the_board_once():
    from django.utils import timezone

    from concierge.cases import case_items
    from concierge.models import AddonOrder

    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115

    order = AddonOrder.objects.get(kind="vip_concierge", patient__email="amelia.hughes@example.test")
    assert order.status == "requested"
    assert f"concierge.order:{order.pk}" in {item.key for item in case_items(now=timezone.now())}
