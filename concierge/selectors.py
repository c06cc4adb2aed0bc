"""Concierge's reads."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from concierge.models import AddonOrder, PackageItem, PriceList, PriceListStatus, Supplier
from core.errors import NotFound


def price_list_in_force(*, kind: str, city: str, currency: str) -> PriceList | None:
    """The price finance approved for `kind` in `city` and `currency`, if there is one."""
    return PriceList.objects.filter(kind=kind, city=city, currency=currency, status=PriceListStatus.ACTIVE).first()


def price_lists_in_force(*, city: str | None = None) -> list[PriceList]:
    """Every price in force, optionally in one city: the catalogue's figures."""
    rows = PriceList.objects.filter(status=PriceListStatus.ACTIVE)
    if city:
        rows = rows.filter(city=city)
    return list(rows.order_by("city", "kind", "currency"))


# --- VIP packages and careteam assistance ------------------------------------------------------------

_ASKED_KINDS = ("vip_concierge", "careteam")


def patient_package(*, patient: User, order_id: int) -> AddonOrder:
    """The patient's own VIP package or careteam-assistance order (anyone else's: not found)."""
    order = (
        AddonOrder.objects.filter(pk=order_id, patient_id=getattr(patient, "pk", None), kind__in=_ASKED_KINDS)
        .select_related("booking")
        .first()
    )
    if order is None:
        raise NotFound(_("You have no order with this id."))
    return order


def careteam_package(*, order_id: int) -> AddonOrder:
    """Any VIP package or careteam-assistance order, for the careteam (the caller checked the role)."""
    order = AddonOrder.objects.filter(pk=order_id, kind__in=_ASKED_KINDS).select_related("patient", "booking").first()
    if order is None:
        raise NotFound(_("There is no such order."))
    return order


def package_item(*, item_id: int) -> PackageItem:
    item = PackageItem.objects.filter(pk=item_id).select_related("order").first()
    if item is None:
        raise NotFound(_("There is no such item."))
    return item


def city_suppliers(*, city: str) -> list[Supplier]:
    return list(Supplier.objects.filter(city=city, active=True).order_by("kind", "name"))
