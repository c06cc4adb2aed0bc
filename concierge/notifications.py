"""The messages concierge sends the patient about an add-on order: confirmed (with its breakdown, as
the operator's terms promise), supplier assigned, re-timed after an appointment moved, cancelled
(with the refund), a quote ready to accept, and the reminder the day before a transfer's pickup.

Each `notify_*` function is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`). Message keys make each message go once:
a second call with nothing new records nothing; a new driver, new times or a new quote are news
and go again.

Health information never goes into a subject or an SMS: the templates
(`concierge/templates/notifications/<template>/<language>/`) say "your transfer", "your
interpreter", the order's number and times, never the procedure, the booking's offering or the
patient's own words. Times are shown in the destination's timezone, named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.urls import NoReverseMatch, reverse

from accounts.models import User
from concierge.labels import line_label, quantity_text
from concierge.models import AddonOrder
from notifications.messages import after_commit, money_text
from notifications.rendering import language_of
from notifications.services import notify, site_url
from providers.models import Location


def _order(order_id: int) -> AddonOrder:
    return (
        AddonOrder.objects.select_related("patient__patient_profile", "booking__provider", "interpreter")
        .prefetch_related("lines", "legs")
        .get(pk=order_id)
    )


def order_timezone(order: AddonOrder) -> str:
    """The destination's timezone: the booking's, else that of a clinic in the order's city."""
    if order.booking is not None:
        return order.booking.timezone
    found = Location.objects.filter(city__iexact=order.city).values_list("timezone", flat=True).first()
    return found or "UTC"


def _order_url(order: AddonOrder) -> str:
    try:
        return site_url(reverse("concierge:order_detail", args=[order.pk]))
    except NoReverseMatch:  # the order pages are not routed (yet): the booking, or the account
        if order.booking_id is not None:
            return site_url(reverse("bookings:detail", args=[order.booking_id]))
        return site_url(reverse("bookings:list"))


def order_context(order: AddonOrder, language: str) -> dict[str, Any]:
    """What the order templates show, amounts formatted for `language`."""
    interpreter = getattr(order, "interpreter", None)
    return {
        "order_number": order.pk,
        "kind": order.get_kind_display(),
        "kind_code": order.kind,
        "city": order.city,
        "timezone": order_timezone(order),
        "lines": [
            {
                "label": line_label(line.label_key, line.label),
                "quantity": quantity_text(line.unit, line.quantity_hundredths),
                "amount": money_text(amount=line.amount, currency=order.currency, language=language),
            }
            for line in order.lines.all()
        ],
        "total": money_text(amount=order.amount, currency=order.currency, language=language),
        "legs": [
            {
                "origin": leg.origin,
                "destination": leg.destination,
                "pickup_at": leg.pickup_at,
                "flight_number": leg.flight_number,
                "wheelchair": leg.wheelchair,
            }
            for leg in order.legs.all()
        ],
        "interpreter": (
            {
                "hours": quantity_text("hour", interpreter.booked_minutes * 100 // 60),
                "first_day": interpreter.first_day,
                "last_day": interpreter.last_day,
            }
            if interpreter is not None
            else None
        ),
        "supplier_name": order.supplier_name,
        "supplier_phone": order.supplier_phone,
        "supplier_detail": order.supplier_detail,
        "order_url": _order_url(order),
    }


def _notify_order(
    *, event: str, order: AddonOrder, key: str, now: dt.datetime, context: dict[str, Any] | None = None
) -> None:
    patient: User = order.patient
    language = language_of(patient)
    full = {**order_context(order, language), **(context or {})}
    notify(
        event=event,
        recipient=patient,
        context=full,
        key=key,
        template=event,
        tz=full["timezone"],
        booking_id=order.booking_id,
        now=now,
    )


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def notify_order_confirmed(*, order: AddonOrder, now: dt.datetime) -> None:
    """The order is paid: the patient gets the confirmation with its breakdown (e-mail)."""
    after_commit(_order_confirmed, order_id=order.pk, now=now)


def _order_confirmed(*, order_id: int, now: dt.datetime) -> None:
    order = _order(order_id)
    _notify_order(event="addon_order_confirmed", order=order, key=f"addon_order_confirmed:{order.pk}", now=now)


def notify_order_supplier_assigned(*, order: AddonOrder, now: dt.datetime) -> None:
    """The careteam assigned the driver or interpreter: the patient gets their name and phone (e-mail, SMS).
    Another driver later is news again."""
    after_commit(_supplier_assigned, order_id=order.pk, now=now)


def _supplier_assigned(*, order_id: int, now: dt.datetime) -> None:
    order = _order(order_id)
    who = _fingerprint(order.supplier_name, order.supplier_phone, order.supplier_detail)
    _notify_order(
        event="addon_supplier_assigned", order=order, key=f"addon_supplier_assigned:{order.pk}:{who}", now=now
    )


def notify_order_changed(*, order: AddonOrder, now: dt.datetime) -> None:
    """The legs or the interpreter's days were re-timed (an appointment moved): the patient hears the new
    times (e-mail, SMS). One message per new set of times."""
    after_commit(_order_changed, order_id=order.pk, now=now)


def _order_changed(*, order_id: int, now: dt.datetime) -> None:
    order = _order(order_id)
    interpreter = getattr(order, "interpreter", None)
    times = [f"{leg.pk}@{leg.pickup_at.astimezone(dt.UTC):%Y%m%dT%H%M}" for leg in order.legs.all()]
    if interpreter is not None:
        times.append(f"{interpreter.first_day}-{interpreter.last_day}-{interpreter.booked_minutes}")
    _notify_order(
        event="addon_order_changed",
        order=order,
        key=f"addon_order_changed:{order.pk}:{_fingerprint(*times)}",
        now=now,
        context={"first_pickup": min((leg.pickup_at for leg in order.legs.all()), default=None)},
    )


def notify_order_cancelled(*, order: AddonOrder, now: dt.datetime) -> None:
    """The order is cancelled: the patient hears what is refunded to their card (e-mail, SMS)."""
    after_commit(_order_cancelled, order_id=order.pk, now=now)


def _order_cancelled(*, order_id: int, now: dt.datetime) -> None:
    order = _order(order_id)
    language = language_of(order.patient)
    _notify_order(
        event="addon_order_cancelled",
        order=order,
        key=f"addon_order_cancelled:{order.pk}",
        now=now,
        context={
            "paid": order.paid_at is not None,
            "refund": money_text(amount=order.refund_amount or 0, currency=order.currency, language=language),
            "refund_explanation": order.refund_explanation,
        },
    )


def notify_quote_ready(*, order: AddonOrder, now: dt.datetime) -> None:
    """The careteam quoted a VIP package or careteam assistance: the patient is asked to review and
    accept it (e-mail). A new quote for the same order is news again."""
    after_commit(_quote_ready, order_id=order.pk, now=now)


def _quote_ready(*, order_id: int, now: dt.datetime) -> None:
    order = _order(order_id)
    when = order.quoted_at or now
    _notify_order(
        event="addon_quote_ready",
        order=order,
        key=f"addon_quote_ready:{order.pk}:{when.astimezone(dt.UTC):%Y%m%dT%H%M%S}",
        now=now,
    )


def transfer_remind(*, order: AddonOrder, pickup_at: dt.datetime, key: str, now: dt.datetime) -> None:
    """The reminder the day before a transfer leg's pickup; the caller decided it is due (`concierge.reminders`)."""
    _notify_order(event="addon_transfer_reminder", order=order, key=key, now=now, context={"pickup_at": pickup_at})
