"""Concierge's reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
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
from core.cases import CaseItem, CaseQueue, CaseStage
from core.errors import NotFound
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
ASKED_DUE_AFTER = dt.timedelta(hours=48)


def package_case_items(*, now: dt.datetime) -> list[CaseItem]:
    """`core.hooks.case_items`: the VIP packages and careteam-assistance cases still open (to quote,
    waiting on the patient, being arranged). Titles carry no health information."""
    open_statuses = ["requested", "quoted", "awaiting_payment", "confirmed", "in_progress"]
    orders = (
        AddonOrder.objects.filter(kind__in=_ASKED_KINDS, status__in=open_statuses)
        .select_related("mandate")
        .prefetch_related("package_items")
        .order_by("created_at", "pk")
    )
    items: list[CaseItem] = []
    for order in orders:
        vip = order.kind == "vip_concierge"
        mandate = getattr(order, "mandate", None) if not vip else None
        if order.status == "requested":
            stage, due = CaseStage.NEW, order.created_at + ASKED_DUE_AFTER
            summary = _("Build the package and send it.") if vip else _("Price the fee or say none applies.")
        elif order.status in ("quoted", "awaiting_payment"):
            stage, due = CaseStage.WAITING, None
            summary = _("Waiting for the patient to accept and pay.")
        else:
            stage = CaseStage.IN_PROGRESS
            due = mandate.expires_at if mandate is not None else None
            summary = _("Track each item to the end.") if vip else _("Act for the patient under the mandate.")
        if mandate is not None and mandate.revoked_at is not None:
            summary = _("The patient revoked the mandate.")
        targets: list[tuple[str, str]] = [("concierge.addonorder", str(order.pk))]
        if mandate is not None:
            targets.append(("concierge.caremandate", str(mandate.pk)))
        targets += [("concierge.packageitem", str(item.pk)) for item in order.package_items.all()]
        items.append(
            CaseItem(
                key=f"concierge.package:{order.pk}",
                queue=CaseQueue.VIP_PACKAGE if vip else CaseQueue.ASSISTANCE,
                title=(
                    _("VIP package, order no. %(number)s") if vip else _("Careteam assistance, order no. %(number)s")
                )
                % {"number": order.pk},
                stage=stage,
                opened_at=order.created_at,
                url=reverse("concierge:package_edit", args=[order.pk]),
                due_at=due,
                city=order.city,
                patient_id=order.patient_id,
                summary=str(summary),
                audit_targets=tuple(targets),
            )
        )
    return items


# --- the catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueCity:
    """One destination city's prices in force, per add-on kind and currency (`kind`, then `currency`)."""

    city: str
    country: str
    prices: list[PriceList]


def catalogue(*, city: str | None = None) -> list[CatalogueCity]:
    """The prices in force, per city (alphabetical): what the public Services page and API show.
    `city` (any case) narrows it to one city; an unknown city gives an empty list."""
    rows = PriceList.objects.filter(status=PriceListStatus.ACTIVE)
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
        PriceList.objects.filter(status=PriceListStatus.ACTIVE)
        .order_by("city")
        .values_list("city", flat=True)
        .distinct()
    )


def price_lists_for_staff(*, status: str | None = None) -> QuerySet[PriceList]:
    """Prices for the careteam's and finance's page: pending first, then in force (`status` narrows it)."""
    rows = PriceList.objects.select_related("proposed_by", "decided_by")
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
