"""Concierge's reads."""

from __future__ import annotations

from concierge.models import PriceList, PriceListStatus


def price_list_in_force(*, kind: str, city: str, currency: str) -> PriceList | None:
    """The price finance approved for `kind` in `city` and `currency`, if there is one."""
    return PriceList.objects.filter(kind=kind, city=city, currency=currency, status=PriceListStatus.ACTIVE).first()


def price_lists_in_force(*, city: str | None = None) -> list[PriceList]:
    """Every price in force, optionally in one city: the catalogue's figures."""
    rows = PriceList.objects.filter(status=PriceListStatus.ACTIVE)
    if city:
        rows = rows.filter(city=city)
    return list(rows.order_by("city", "kind", "currency"))
