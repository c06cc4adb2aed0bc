"""Concierge's work for the careteam's case board (`core.hooks.case_items`).

- a VIP package or careteam assistance the patient asked for and nobody has priced yet (new, due
  two days after the request);
- a priced one waiting for the patient to accept and pay (waiting);
- a paid order with nobody assigned to do it (new): due 24 hours before the first leg's pickup or
  the interpreter's first day, or two days after payment for what has no date;
- an arranged order (scheduled) until it is marked done: due on its last leg or the interpreter's
  last day, so one left open after the service shows late;
- careteam assistance with a valid mandate (in progress): due when the mandate expires.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from concierge.models import AddonKind, AddonOrder, AddonOrderStatus
from core.cases import CaseItem, CaseLink, CaseQueue, CaseStage

PRICE_WITHIN = dt.timedelta(days=2)
ASSIGN_BEFORE = dt.timedelta(hours=24)
ASSIGN_AFTER_PAYMENT = dt.timedelta(days=2)
# Kinds a named person (driver, interpreter, package suppliers) carries out; a visa letter is issued
# by the platform and a second opinion has its own case, so neither waits for a supplier.
SUPPLIED_KINDS = (AddonKind.TRANSFER, AddonKind.INTERPRETER, AddonKind.VIP_CONCIERGE)
QUOTED_KINDS = (AddonKind.VIP_CONCIERGE, AddonKind.CARETEAM)


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    orders = (
        AddonOrder.objects.filter(
            Q(kind__in=QUOTED_KINDS, status__in=[AddonOrderStatus.REQUESTED, AddonOrderStatus.QUOTED])
            | Q(kind__in=SUPPLIED_KINDS, status__in=[AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS])
            | Q(
                kind=AddonKind.CARETEAM,
                status__in=[AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS],
                mandate__revoked_at__isnull=True,
                mandate__expires_at__gt=now,
            )
        )
        .select_related("booking", "interpreter", "mandate")
        .prefetch_related("legs", "package_items")
        .order_by("created_at", "pk")
    )
    items = []
    for order in orders:
        placed = _stage_and_due(order)
        if placed is None:
            continue
        stage, due_at, opened_at = placed
        items.append(
            CaseItem(
                key=f"concierge.order:{order.pk}",
                queue=_queue(order),
                title=_("%(kind)s, order #%(number)s") % {"kind": order.get_kind_display(), "number": order.pk},
                stage=stage,
                opened_at=opened_at,
                url=_work_url(order),
                due_at=due_at,
                city=order.city,
                timezone=order.booking.timezone if order.booking is not None else "",
                patient_id=order.patient_id,
                summary=_summary(order),
                audit_targets=_audit_targets(order),
                links=_links(order),
            )
        )
    return items


def _queue(order: AddonOrder) -> str:
    if order.kind == AddonKind.VIP_CONCIERGE:
        return CaseQueue.VIP_PACKAGE
    if order.kind == AddonKind.CARETEAM:
        return CaseQueue.ASSISTANCE
    return CaseQueue.ADDON_ORDER


def _stage_and_due(order: AddonOrder) -> tuple[str, dt.datetime | None, dt.datetime] | None:
    """The order's column, due date and since when it is open; None when the careteam has nothing to do."""
    if order.status == AddonOrderStatus.REQUESTED:
        return CaseStage.NEW, order.created_at + PRICE_WITHIN, order.created_at
    if order.status == AddonOrderStatus.QUOTED:
        return CaseStage.WAITING, None, order.quoted_at or order.created_at
    if order.kind == AddonKind.CARETEAM:
        mandate = order.mandate
        return CaseStage.IN_PROGRESS, mandate.expires_at, mandate.granted_at
    paid_at = order.paid_at or order.created_at
    first, last = _service_span(order)
    if not order.supplier_name and order.assigned_at is None:
        due = first - ASSIGN_BEFORE if first is not None else paid_at + ASSIGN_AFTER_PAYMENT
        return CaseStage.NEW, due, paid_at
    if order.status == AddonOrderStatus.IN_PROGRESS:
        return CaseStage.SCHEDULED, last, order.assigned_at or paid_at
    # Paid and assigned but not yet marked arranged: the careteam still has it in hand.
    return CaseStage.IN_PROGRESS, first, order.assigned_at or paid_at


def _service_span(order: AddonOrder) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the service starts and ends: the first and last pickups, or the interpreter's days (from
    the start of the first day to the end of the last, in the booking's timezone)."""
    if order.kind == AddonKind.TRANSFER:
        pickups = sorted(leg.pickup_at for leg in order.legs.all())
        return (pickups[0], pickups[-1]) if pickups else (None, None)
    if order.kind == AddonKind.INTERPRETER:
        interpreter = getattr(order, "interpreter", None)
        if interpreter is None:
            return None, None
        tz = order.booking.tz if order.booking is not None else ZoneInfo("UTC")
        start = dt.datetime.combine(interpreter.first_day, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(interpreter.last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end
    return None, None


def _work_url(order: AddonOrder) -> str:
    """A VIP package or an assistance case is built and run on its package page; any other order on the
    careteam's order page."""
    if order.kind in QUOTED_KINDS:
        return reverse("concierge:package_edit", args=[order.pk])
    return reverse("concierge:order_manage", args=[order.pk])


def _summary(order: AddonOrder) -> str:
    mandate = getattr(order, "mandate", None) if order.kind == AddonKind.CARETEAM else None
    if mandate is not None and mandate.revoked_at is not None:
        return _("The patient revoked the mandate.")
    if order.kind in QUOTED_KINDS:
        vip = order.kind == AddonKind.VIP_CONCIERGE
        if order.status == AddonOrderStatus.REQUESTED:
            return _("Build the package and send it.") if vip else _("Price the fee or say none applies.")
        if order.status == AddonOrderStatus.QUOTED:
            return _("Waiting for the patient to accept and pay.")
        return _("Track each item to the end.") if vip else _("Act for the patient under the mandate.")
    return str(order.get_status_display())


def _audit_targets(order: AddonOrder) -> tuple[tuple[str, str], ...]:
    """The order's own events, its mandate's and its package items'."""
    targets = [("concierge.addonorder", str(order.pk))]
    mandate = getattr(order, "mandate", None) if order.kind == AddonKind.CARETEAM else None
    if mandate is not None:
        targets.append(("concierge.caremandate", str(mandate.pk)))
    targets += [("concierge.packageitem", str(item.pk)) for item in order.package_items.all()]
    return tuple(targets)


def _links(order: AddonOrder) -> tuple[CaseLink, ...]:
    if order.booking_id is None:
        return ()
    return (
        CaseLink(
            _("Booking #%(number)s") % {"number": order.booking_id}, reverse("bookings:detail", args=[order.booking_id])
        ),
    )
