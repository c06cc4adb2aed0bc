"""Concierge's reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from concierge.models import (
    AddonKind,
    AddonOrder,
    CostUnit,
    PackageItem,
    PriceList,
    PriceListStatus,
    Supplier,
    SupplierKind,
)
from core.errors import Forbidden, NotFound
from core.money import Money


def price_list_in_force(*, kind: str, city: str, currency: str) -> PriceList | None:
    """The price finance approved for `kind` in `city` and `currency`, if there is one."""
    return PriceList.objects.filter(
        kind=kind, city__iexact=city, currency=currency, status=PriceListStatus.ACTIVE
    ).first()


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


# How long the careteam has to quote a VIP package or price an assistance request on the board.


# --- the catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueCity:
    """One destination city's prices in force, per add-on kind and currency (`kind`, then `currency`)."""

    city: str
    country: str
    prices: list[PriceList]


def catalogue(*, city: str | None = None) -> list[CatalogueCity]:
    """The prices in force, per city (alphabetical): what the public Services page and API show.
    `city` (any case) narrows it to one city; an unknown city gives an empty list. A second
    opinion's prices (per specialty, no city) are the second-opinion pages'."""
    rows = PriceList.objects.filter(status=PriceListStatus.ACTIVE, specialty__isnull=True)
    if city:
        rows = rows.filter(city__iexact=city.strip())
    cities: dict[str, CatalogueCity] = {}
    for price in rows.order_by("city", "kind", "currency"):
        entry = cities.setdefault(price.city, CatalogueCity(price.city, str(price.country), []))
        entry.prices.append(price)
    return list(cities.values())


def cities_with_prices() -> list[str]:
    """The destination cities where at least one add-on has a price in force."""
    return list(
        PriceList.objects.filter(status=PriceListStatus.ACTIVE, specialty__isnull=True)
        .order_by("city")
        .values_list("city", flat=True)
        .distinct()
    )


def price_lists_for_staff(*, status: str | None = None) -> QuerySet[PriceList]:
    """Prices for the careteam's and finance's page: pending first, then in force (`status` narrows it)."""
    rows = PriceList.objects.select_related("proposed_by", "decided_by", "specialty")
    if status:
        return rows.filter(status=status).order_by("city", "kind", "currency", "-proposed_at")
    return rows.filter(status__in=[PriceListStatus.PENDING, PriceListStatus.ACTIVE]).order_by(
        "status", "city", "kind", "currency"
    )


def price_decisions_recent(*, limit: int = 20) -> list[PriceList]:
    """The last prices decided (approved or rejected), newest first, for the page's history."""
    return list(
        PriceList.objects.filter(decided_at__isnull=False)
        .select_related("proposed_by", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def suppliers_in(*, city: str, kind: str | None = None, include_inactive: bool = False) -> QuerySet[Supplier]:
    """The suppliers in `city` (any case), active ones only unless asked, optionally of one kind."""
    rows = Supplier.objects.filter(city__iexact=city.strip())
    if not include_inactive:
        rows = rows.filter(active=True)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("kind", "name")


def suppliers_all(*, city: str = "", include_inactive: bool = True) -> QuerySet[Supplier]:
    """Every supplier (the careteam's list), by city, optionally in one city."""
    rows = Supplier.objects.all()
    if city:
        rows = rows.filter(city__iexact=city.strip())
    if not include_inactive:
        rows = rows.filter(active=True)
    return rows.order_by("city", "-active", "kind", "name")


# Which add-on a supplier's cost compares with, and in which unit: an interpreter's hour against
# the interpreter's hourly price, a driver's leg against a transfer leg's price.
_MARGIN_AGAINST: dict[tuple[str, str], str] = {
    (SupplierKind.INTERPRETER, CostUnit.HOUR): AddonKind.INTERPRETER,
    (SupplierKind.DRIVER, CostUnit.LEG): AddonKind.TRANSFER,
}


@dataclass(frozen=True)
class Margin:
    price: Money
    cost: Money

    @property
    def amount(self) -> Money:
        return Money(self.price.amount - self.cost.amount, self.price.currency)

    @property
    def percent(self) -> int:
        """The margin as a whole percentage of the price (rounded half up)."""
        return (200 * (self.price.amount - self.cost.amount) + self.price.amount) // (2 * self.price.amount)


def supplier_margin(*, supplier: Supplier, prices: list[PriceList] | None = None) -> Margin | None:
    """What the platform keeps per unit from `supplier`'s work: the price in force for the add-on
    the supplier does, in its city and the cost's currency, less the cost. None when the supplier's
    work has no per-unit price to compare with (a hotel, a flat fee), no cost, or no price in force
    in that currency. `prices` (prices in force) saves a query per supplier on a list."""
    kind = _MARGIN_AGAINST.get((supplier.kind, supplier.cost_unit))
    if kind is None or supplier.cost_amount is None or not supplier.cost_currency:
        return None
    if prices is None:
        found = price_list_in_force(kind=kind, city=supplier.city, currency=supplier.cost_currency)
    else:
        found = next(
            (
                p
                for p in prices
                if p.kind == kind and p.city.lower() == supplier.city.lower() and p.currency == supplier.cost_currency
            ),
            None,
        )
    if found is None:
        return None
    return Margin(
        price=Money(found.unit_amount, found.currency), cost=Money(supplier.cost_amount, supplier.cost_currency)
    )


# --- orders ---------------------------------------------------------------------------------------


def _sees_every_order(user: Any) -> bool:
    """The careteam runs the orders and finance refunds them: both see every order."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.in_group(StaffGroup.CARETEAM) or user.in_group(StaffGroup.FINANCE))
    )


def orders_visible_to(
    *, user: Any, status: str = "", kind: str = "", booking_id: int | None = None, city: str = ""
) -> QuerySet[AddonOrder]:
    """The patient's own orders; every order for the careteam and finance; filtered, newest first."""
    if not getattr(user, "is_authenticated", False):
        return AddonOrder.objects.none()
    rows = AddonOrder.objects.select_related("booking", "price_list", "patient")
    if not _sees_every_order(user):
        rows = rows.filter(patient=user)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if booking_id is not None:
        rows = rows.filter(booking_id=booking_id)
    if city:
        rows = rows.filter(city__iexact=city)
    return rows.order_by("-created_at", "-id")


def order_visible_to(*, user: Any, order_id: int) -> AddonOrder:
    """One order the user may see, with its lines and legs; anyone else's is not found."""
    order = orders_visible_to(user=user).prefetch_related("lines", "legs").filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("You have no order with this id."))
    return order


# --- orders, as their patient or the careteam sees them (the order pages) --------------------------


def _order_details(rows: QuerySet[AddonOrder]) -> QuerySet[AddonOrder]:
    return rows.select_related("booking", "booking__provider", "supplier", "interpreter").prefetch_related(
        "lines", "legs"
    )


def orders_of_patient(*, user: User | AnonymousUser) -> list[AddonOrder]:
    """The patient's own add-on orders, newest first (none for anyone not signed in)."""
    if not user.is_authenticated:
        return []
    return list(_order_details(AddonOrder.objects.filter(patient_id=user.pk)))


def order_of_patient(*, user: User | AnonymousUser, order_id: int) -> AddonOrder:
    """The patient's own order; NotFound for anyone else's, whether or not it exists."""
    found = None
    if user.is_authenticated:
        found = _order_details(AddonOrder.objects.filter(patient_id=user.pk, pk=order_id)).first()
    if found is None:
        raise NotFound(_("You have no order with this id."))
    return found


def order_for_careteam(*, user: User | AnonymousUser, order_id: int) -> AddonOrder:
    """Any order, for the careteam and finance (who fulfil and refund them); Forbidden for anyone else."""
    if not user.is_authenticated or not (user.in_group(StaffGroup.CARETEAM) or user.in_group(StaffGroup.FINANCE)):
        raise Forbidden(_("Only the careteam manages add-on orders."))
    found = _order_details(AddonOrder.objects.filter(pk=order_id)).select_related("patient").first()
    if found is None:
        raise NotFound(_("There is no order with this id."))
    return found


def booking_orders(*, booking_id: int, patient_id: int) -> list[AddonOrder]:
    """The add-ons a patient ordered for one of their bookings (the booking page's section)."""
    return list(_order_details(AddonOrder.objects.filter(booking_id=booking_id, patient_id=patient_id)))


def suppliers_of_city(*, city: str, kind: str | None = None) -> list[Supplier]:
    """The active suppliers of `city` the careteam can assign (of `kind` when given)."""
    rows = Supplier.objects.filter(active=True, city__iexact=city)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("kind", "name"))
