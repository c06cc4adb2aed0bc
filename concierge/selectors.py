"""Concierge's reads."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from concierge.models import AddonOrder, PackageItem, PriceList, PriceListStatus, Supplier
from core.cases import CaseItem, CaseQueue, CaseStage
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
