"""Concierge's reads."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from concierge.models import AddonOrder, PriceList, PriceListStatus, Supplier
from core.errors import Forbidden, NotFound


def price_list_in_force(*, kind: str, city: str, currency: str) -> PriceList | None:
    """The price finance approved for `kind` in `city` and `currency`, if there is one."""
    return PriceList.objects.filter(kind=kind, city=city, currency=currency, status=PriceListStatus.ACTIVE).first()


def price_lists_in_force(*, city: str | None = None) -> list[PriceList]:
    """Every price in force, optionally in one city: the catalogue's figures."""
    rows = PriceList.objects.filter(status=PriceListStatus.ACTIVE)
    if city:
        rows = rows.filter(city=city)
    return list(rows.order_by("city", "kind", "currency"))


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
