"""Careteam assistance (docs/decisions.md#add-ons): the patient lets the careteam manage their request.

`assistance_request` records the order (requested) and its mandate: what the careteam may do
(`MANDATE_SCOPES`), when it was given, until when (1 to 90 days). The careteam prices the fee from
the city's price list in force (`assistance_quote`: requested → quoted) or says no price applies
(`assistance_refuse`: cancelled, with the reason). The patient accepts and pays like a package
(`concierge.services.packages.order_quote_accept`, then the order's card page) and may revoke the
mandate at any time (`mandate_revoke`, audited). While the order is paid and the mandate valid
(`mandate_valid_check`) the careteam acts for the patient: quotes' tender (provider competition)
reads that check before anything is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from bookings.models import Booking
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus, CareMandate
from concierge.notifications import notify_quote_ready
from concierge.pricing import flat_price
from concierge.selectors import price_list_in_force
from concierge.services.orders import ADDON_ORDER, order_create, order_lines_write
from concierge.services.packages import careteam_check
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, NotFound, ValidationFailed
from core.money import CURRENCY_EXPONENTS
from core.state import transition

# What the careteam may do on the patient's behalf, as the patient ticks it.
MANDATE_SCOPES: tuple[tuple[str, object], ...] = (
    ("qualify", gettext_lazy("Qualify my need with me")),
    ("find_providers", gettext_lazy("Find matching providers")),
    ("request_quotes", gettext_lazy("Request quotes from providers on my behalf")),
    ("book", gettext_lazy("Book the appointments once I have chosen")),
)
MANDATE_MIN = dt.timedelta(days=1)
MANDATE_MAX = dt.timedelta(days=90)
_PAID = frozenset({AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS})


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


def mandate_scopes(mandate: CareMandate) -> list[str]:
    return [s for s in mandate.scope.split(",") if s]


def mandate_scope_labels(mandate: CareMandate) -> list[str]:
    labels = dict(MANDATE_SCOPES)
    return [str(labels.get(s, s)) for s in mandate_scopes(mandate)]


# --- checks -------------------------------------------------------------------------------------------


def _mandate(order: AddonOrder) -> CareMandate | None:
    return CareMandate.objects.filter(order=order).first()


def mandate_valid_check(*, order: AddonOrder, now: dt.datetime, scope: str = "") -> Check:
    """May the careteam act for the patient on `order` now: a paid careteam order whose mandate
    is neither revoked nor expired (and covers `scope`, when named)."""
    mandate = _mandate(order) if order.kind == AddonKind.CARETEAM else None
    refusal = Conflict(_("The patient's mandate is not valid (expired or revoked)."), code="mandate_not_valid")
    if mandate is None or mandate.revoked_at is not None or mandate.expires_at <= now:
        return refuse(refusal)
    if scope and scope not in mandate_scopes(mandate):
        return refuse(Conflict(_("The patient's mandate does not cover this."), code="mandate_not_valid"))
    if order.status not in _PAID:
        return refuse(Conflict(_("The careteam acts once the assistance is paid."), code="not_paid"))
    return ALLOWED


def mandate_revoke_check(*, order: AddonOrder, actor: User) -> Check:
    if not getattr(actor, "is_authenticated", False) or order.patient_id != actor.pk:
        return refuse(NotFound(_("You have no order with this id.")))
    mandate = _mandate(order)
    if mandate is None:
        return refuse(Conflict(_("This order has no mandate."), code="no_mandate"))
    if mandate.revoked_at is not None:
        return refuse(Conflict(_("You already revoked this mandate."), code="mandate_revoked"))
    return ALLOWED


def assistance_quote_check(*, order: AddonOrder, actor: User) -> Check:
    """May the careteam price (or refuse) this assistance request: it is still requested."""
    if order.kind != AddonKind.CARETEAM:
        return refuse(Conflict(_("This is not a careteam assistance request."), code="not_assistance"))
    return first_refusal(
        careteam_check(actor),
        ALLOWED
        if order.status == AddonOrderStatus.REQUESTED
        else refuse(Conflict(_("This request was already answered."), code="already_quoted")),
    )


# --- services -----------------------------------------------------------------------------------------


@transaction.atomic
def assistance_request(
    *,
    patient: User,
    scope: Sequence[str],
    expires_at: dt.datetime,
    note: str,
    city: str,
    now: dt.datetime,
    booking: Booking | None = None,
) -> AddonOrder:
    """A requested careteam-assistance order with the patient's mandate (validated first, one transaction)."""
    errors: dict[str, list[str]] = {}
    known = [key for key, _label in MANDATE_SCOPES]
    if not scope:
        errors["scope"] = [_("Tick at least one thing the careteam may do for you.")]
    elif any(s not in known for s in scope):
        errors["scope"] = [_("Choose among the tasks listed.")]
    if expires_at - now < MANDATE_MIN or expires_at - now > MANDATE_MAX + dt.timedelta(minutes=5):
        errors["expires_at"] = [_("A mandate lasts between 1 and 90 days.")]
    if not city.strip():
        errors["city"] = [_("Say in which city you plan your care.")]
    if len(note) > 4000:
        errors["note"] = [_("Please keep it under 4,000 characters.")]
    if booking is not None and booking.patient_id != patient.pk:
        raise NotFound(_("You have no booking with this id."))
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], code="invalid", details=errors)
    order = order_create(
        patient=patient,
        kind=AddonKind.CARETEAM,
        description=str(AddonKind.CARETEAM.label),
        price=None,
        now=now,
        booking=booking,
        city=city.strip()[:120],
        note=note,
    )
    ordered = [s for s in known if s in scope]
    mandate = CareMandate.objects.create(order=order, scope=",".join(ordered), granted_at=now, expires_at=expires_at)
    audit_record(
        actor=patient,
        action="concierge.mandate.granted",
        target=mandate,
        after={"scope": ordered, "expires_at": expires_at.isoformat()},
        now=now,
    )
    return order


@transaction.atomic
def assistance_quote(*, order: AddonOrder, actor: User, currency: str, now: dt.datetime) -> AddonOrder:
    """The careteam prices the fee from the price list in force for the order's city and `currency`."""
    order = AddonOrder.objects.select_for_update().get(pk=order.pk)
    assistance_quote_check(order=order, actor=actor).enforce()
    currency = currency.upper()
    if currency not in CURRENCY_EXPONENTS:
        raise _invalid("currency", _("Unknown currency."))
    price_list = price_list_in_force(kind=AddonKind.CARETEAM, city=order.city, currency=currency)
    if price_list is None:
        raise Conflict(
            _("There is no careteam price in force for %(city)s in %(currency)s.")
            % {"city": order.city, "currency": currency},
            code="no_price_list",
        )
    price = flat_price(label_key=AddonKind.CARETEAM, amount=price_list.unit_amount, currency=currency)
    order_lines_write(order=order, price=price)
    quoted = transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.QUOTED,
        actor=actor,
        action="concierge.order.quoted",
        now=now,
        fields={"amount": price.total, "currency": currency, "price_list": price_list, "quoted_at": now},
        audit_after={"amount": [price.total, currency], "price_list": price_list.pk},
    ).instance
    notify_quote_ready(order=quoted, now=now)
    return quoted


@transaction.atomic
def assistance_refuse(*, order: AddonOrder, actor: User, reason: str, now: dt.datetime) -> AddonOrder:
    """No price applies (no price list for the city, a request the careteam cannot take): cancelled, with why."""
    order = AddonOrder.objects.select_for_update().get(pk=order.pk)
    assistance_quote_check(order=order, actor=actor).enforce()
    if not reason.strip():
        raise _invalid("reason", _("Tell the patient why."))
    return transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.CANCELLED,
        actor=actor,
        action="concierge.order.refused",
        now=now,
        reason=reason.strip()[:300],
        fields={"cancelled_at": now, "cancelled_by": actor, "refund_explanation": reason.strip()[:300]},
    ).instance


@transaction.atomic
def mandate_revoke(*, order: AddonOrder, actor: User, now: dt.datetime) -> CareMandate:
    """The patient takes the mandate back, at any time: the careteam no longer acts for them."""
    order = AddonOrder.objects.select_for_update().get(pk=order.pk)
    mandate_revoke_check(order=order, actor=actor).enforce()
    mandate = CareMandate.objects.select_for_update().get(order=order)
    mandate.revoked_at = now
    mandate.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="concierge.mandate.revoked", target=mandate, after={"revoked_at": now.isoformat()}, now=now
    )
    return mandate


@transaction.atomic
def assistance_start(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    """The careteam started working for the patient (a tender sent): a paid order is in progress."""
    order = AddonOrder.objects.select_for_update().get(pk=order.pk)
    first_refusal(careteam_check(actor), mandate_valid_check(order=order, now=now)).enforce()
    if order.status != AddonOrderStatus.CONFIRMED:
        return order
    return transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.IN_PROGRESS,
        actor=actor,
        action="concierge.order.in_progress",
        now=now,
    ).instance


def assistance_complete_check(*, order: AddonOrder, actor: User) -> Check:
    """May the careteam close a paid assistance as done (the patient chose and is booked, or the work ended)."""
    if order.kind != AddonKind.CARETEAM:
        return refuse(Conflict(_("This is not a careteam assistance request."), code="not_assistance"))
    if order.status not in _PAID:
        return first_refusal(
            careteam_check(actor),
            refuse(Conflict(_("Only assistance being provided can be closed."), code="not_in_progress")),
        )
    return careteam_check(actor)


@transaction.atomic
def assistance_complete(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    """The careteam's work for the patient is done: the order is fulfilled (the mandate stays on record)."""
    order = AddonOrder.objects.select_for_update().get(pk=order.pk)
    assistance_complete_check(order=order, actor=actor).enforce()
    return transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.FULFILLED,
        actor=actor,
        action="concierge.order.fulfilled",
        now=now,
        fields={"fulfilled_at": now},
    ).instance
