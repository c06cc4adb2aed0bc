"""The VIP concierge package (docs/decisions.md#add-ons): an all-inclusive package on request.

The patient asks (`vip_request`: what they want, as a checklist and free text); the careteam
builds the package item by item while the order is requested (`package_item_add` / `_update` /
`_remove`: category, description, supplier of the city, price to the patient, cost, refund rule)
and sends it as one quote (`package_quote_send`: the lines are the items, the amount their sum, in
one currency). The patient accepts (`order_quote_accept`, then pays on the order's card page) or
declines (`order_quote_decline`). Once paid each item is tracked to the end (`package_item_move`:
proposed → booked → done, or cancelled); the order is in progress from the first booked item and
fulfilled when every item is done or cancelled. A cancelled item whose rule is "full" and that was
not yet booked is refunded to the card at once (a partial refund of the order's payment).

Accepting and declining a quote are the same for careteam assistance (`concierge.services.assistance`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from bookings.models import Booking
from bookings.services.common import is_careteam as is_careteam  # the views and API ask it here too
from concierge.models import (
    PACKAGE_ITEM_TRANSITIONS,
    AddonKind,
    AddonOrder,
    AddonOrderStatus,
    PackageItem,
    PackageItemCategory,
    PackageItemRefund,
    PackageItemStatus,
    Supplier,
)
from concierge.notifications import notify_quote_ready
from concierge.pricing import package_price
from concierge.services.orders import ADDON_ORDER, order_create, order_lines_write
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.money import CURRENCY_EXPONENTS
from core.state import Machine, transition, transition_check
from payments.services.card_payments import addon_income_record_refunded, card_refund_create

# What a patient may tick when asking for a VIP package (the free text says the rest).
VIP_WISHES: tuple[tuple[str, Any], ...] = (
    ("travel", gettext_lazy("Travel arrangements")),
    ("accommodation", gettext_lazy("Accommodation and meals")),
    ("interpreter", gettext_lazy("Interpreter")),
    ("insurance", gettext_lazy("Post-operative insurance")),
    ("appointments", gettext_lazy("Appointments")),
)
MAX_ITEMS = 30
# A package item above this is a typing mistake (1,000,000.00 in a 2-decimal currency).
MAX_ITEM_AMOUNT = 100_000_000

PACKAGE_ITEM = Machine(model=PackageItem, table=PACKAGE_ITEM_TRANSITIONS, repeat_is_noop=False)
_OPEN_ITEM = frozenset({PackageItemStatus.PROPOSED, PackageItemStatus.BOOKED})
_PAID = frozenset({AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS})


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


def careteam_check(actor: User) -> Check:
    if is_careteam(actor):
        return ALLOWED
    return refuse(Forbidden(_("Only the careteam can do this."), code="careteam_only"))


def _own_order_check(order: AddonOrder, actor: User) -> Check:
    """Only the patient who ordered acts on it as a patient; anyone else is told it does not exist."""
    if not getattr(actor, "is_authenticated", False) or order.patient_id != actor.pk:
        return refuse(NotFound(_("You have no order with this id.")))
    return ALLOWED


# --- checks -------------------------------------------------------------------------------------------


def package_edit_check(*, order: AddonOrder, actor: User) -> Check:
    """May `actor` add, change or remove the items of `order`: the careteam, while it is requested."""
    if order.kind != AddonKind.VIP_CONCIERGE:
        return refuse(Conflict(_("Only a VIP package has items."), code="not_a_package"))
    if order.status != AddonOrderStatus.REQUESTED:
        return first_refusal(
            careteam_check(actor),
            refuse(Conflict(_("This package was already sent to the patient."), code="package_sent")),
        )
    return careteam_check(actor)


def package_quote_send_check(*, order: AddonOrder, actor: User) -> Check:
    """May the careteam send the package as a quote: it has at least one item."""
    edit = package_edit_check(order=order, actor=actor)
    if not edit:
        return edit
    if not order.package_items.exists():
        return refuse(Conflict(_("Add at least one item before sending the package."), code="empty_package"))
    return ALLOWED


def order_quote_accept_check(*, order: AddonOrder, actor: User, now: dt.datetime) -> Check:
    """May the patient accept the careteam's quote (then pay it): their own order, quoted, and for
    careteam assistance a mandate still valid (paying for a revoked or expired one would buy nothing)."""
    own = _own_order_check(order, actor)
    if not own:
        return own
    if order.status != AddonOrderStatus.QUOTED:
        return refuse(Conflict(_("There is no quote to accept on this order."), code="not_quoted"))
    mandate = getattr(order, "mandate", None) if order.kind == AddonKind.CARETEAM else None
    if mandate is not None and mandate.revoked_at is not None:
        return refuse(Conflict(_("You revoked the mandate of this request."), code="mandate_not_valid"))
    if mandate is not None and mandate.expires_at <= now:
        return refuse(Conflict(_("The mandate of this request has expired."), code="mandate_not_valid"))
    return ALLOWED


def order_quote_decline_check(*, order: AddonOrder, actor: User) -> Check:
    own = _own_order_check(order, actor)
    if not own:
        return own
    if order.status != AddonOrderStatus.QUOTED:
        return refuse(Conflict(_("There is no quote to decline on this order."), code="not_quoted"))
    return ALLOWED


def package_item_move_check(*, item: PackageItem, actor: User, target: str) -> Check:
    """May the careteam move a paid package's item to `target` (booked, done, cancelled)."""
    order = item.order
    if order.status not in _PAID:
        return first_refusal(
            careteam_check(actor),
            refuse(Conflict(_("The items are tracked once the package is paid."), code="not_paid")),
        )
    return first_refusal(
        careteam_check(actor), Check(transition_check(machine=PACKAGE_ITEM, instance=item, target=target))
    )


# --- the patient asks ---------------------------------------------------------------------------------


@transaction.atomic
def vip_request(
    *,
    patient: User,
    booking: Booking | None = None,
    city: str,
    note: str,
    now: dt.datetime,
    wishes: Sequence[str] = (),
) -> AddonOrder:
    """A requested VIP package: what the patient wants (`wishes` from VIP_WISHES and `note`), for the careteam."""
    if booking is not None and booking.patient_id != patient.pk:
        raise NotFound(_("You have no booking with this id."))
    known = {key for key, _label in VIP_WISHES}
    unknown = [w for w in wishes if w not in known]
    if unknown:
        raise _invalid("wishes", _("Choose among the services listed."))
    city, note = city.strip(), note.strip()
    if not city:
        raise _invalid("city", _("Say in which city you will stay."))
    if not wishes and not note:
        raise _invalid("note", _("Tick what you want or describe it."))
    if len(note) > 4000:
        raise _invalid("note", _("Please keep it under 4,000 characters."))
    labels = dict(VIP_WISHES)
    with translation.override("en"):  # stored for the careteam, whatever the patient's language
        asked = "; ".join(str(labels[key]) for key, _label in VIP_WISHES if key in wishes)
    text = "\n".join(part for part in (asked, note) if part)
    order = order_create(
        patient=patient,
        kind=AddonKind.VIP_CONCIERGE,
        description=str(AddonKind.VIP_CONCIERGE.label),
        price=None,
        now=now,
        booking=booking,
        city=city[:120],
        note=text,
    )
    return order


# --- the careteam builds the package ------------------------------------------------------------------


def _lock_order(order: AddonOrder) -> AddonOrder:
    locked = AddonOrder.objects.select_for_update().filter(pk=order.pk).first()
    if locked is None:
        raise NotFound(_("There is no order with this id."))
    return locked


def _item_fields(
    *,
    order: AddonOrder,
    category: str,
    description: str,
    amount: int,
    currency: str,
    cost_amount: int | None,
    supplier: Supplier | None,
    refund_rule: str,
) -> dict[str, object]:
    """The item's fields, validated (every problem at once, nothing written)."""
    errors: dict[str, list[str]] = {}
    if category not in PackageItemCategory.values:
        errors["category"] = [_("Choose a category.")]
    description = description.strip()
    if not description:
        errors["description"] = [_("Describe the item.")]
    elif len(description) > 300:
        errors["description"] = [_("Please keep the description under 300 characters.")]
    if not 0 < amount <= MAX_ITEM_AMOUNT:
        errors["amount"] = [_("An item's price to the patient is above zero.")]
    if cost_amount is not None and not 0 <= cost_amount <= MAX_ITEM_AMOUNT:
        errors["cost_amount"] = [_("The cost is zero or more.")]
    currency = currency.upper()
    if currency not in CURRENCY_EXPONENTS:
        errors["currency"] = [_("Unknown currency.")]
    elif order.currency and currency != order.currency:
        errors["currency"] = [
            _("A package is quoted in one currency: this one's items are in %(currency)s.")
            % {"currency": order.currency}
        ]
    if supplier is not None and (supplier.city != order.city or not supplier.active):
        errors["supplier"] = [_("Choose an active supplier of %(city)s.") % {"city": order.city}]
    if refund_rule not in PackageItemRefund.values:
        errors["refund_rule"] = [_("Choose a refund rule.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code="invalid_item", details=errors)
    return {
        "category": category,
        "description": description,
        "amount": amount,
        "cost_amount": cost_amount,
        "supplier": supplier,
        "refund_rule": refund_rule,
    }


@transaction.atomic
def package_item_add(
    *,
    order: AddonOrder,
    actor: User,
    category: str,
    description: str,
    amount: int,
    currency: str,
    refund_rule: str = PackageItemRefund.FULL,
    cost_amount: int | None = None,
    supplier: Supplier | None = None,
    now: dt.datetime,
) -> PackageItem:
    """Add an item to a requested package; the first item sets the package's currency."""
    order = _lock_order(order)
    package_edit_check(order=order, actor=actor).enforce()
    fields = _item_fields(
        order=order,
        category=category,
        description=description,
        amount=amount,
        currency=currency,
        cost_amount=cost_amount,
        supplier=supplier,
        refund_rule=refund_rule,
    )
    count = order.package_items.count()
    if count >= MAX_ITEMS:
        raise _invalid("description", _("A package has %(max)d items at most.") % {"max": MAX_ITEMS})
    if not order.currency:
        order.currency = currency.upper()
        order.save(update_fields=["currency"])
    last = order.package_items.order_by("-position").values_list("position", flat=True).first() or 0
    item = PackageItem.objects.create(order=order, position=last + 1, updated_at=now, **fields)
    audit_record(
        actor=actor,
        action="concierge.package_item.added",
        target=item,
        after={"order": order.pk, "amount": [amount, order.currency], "category": category},
        now=now,
    )
    return item


@transaction.atomic
def package_item_update(
    *,
    item: PackageItem,
    actor: User,
    category: str,
    description: str,
    amount: int,
    currency: str,
    refund_rule: str,
    cost_amount: int | None = None,
    supplier: Supplier | None = None,
    now: dt.datetime,
) -> PackageItem:
    order = _lock_order(item.order)
    package_edit_check(order=order, actor=actor).enforce()
    item = PackageItem.objects.select_for_update().get(pk=item.pk)
    fields = _item_fields(
        order=order,
        category=category,
        description=description,
        amount=amount,
        currency=currency,
        cost_amount=cost_amount,
        supplier=supplier,
        refund_rule=refund_rule,
    )
    before = {"amount": item.amount, "description": item.description}
    for name, value in fields.items():
        setattr(item, name, value)
    item.updated_at = now
    item.save()
    audit_record(
        actor=actor,
        action="concierge.package_item.updated",
        target=item,
        before=before,
        after={"amount": item.amount, "description": item.description},
        now=now,
    )
    return item


@transaction.atomic
def package_item_remove(*, item: PackageItem, actor: User, now: dt.datetime) -> None:
    order = _lock_order(item.order)
    package_edit_check(order=order, actor=actor).enforce()
    audit_record(
        actor=actor,
        action="concierge.package_item.removed",
        target=order,
        before={"item": item.pk, "description": item.description, "amount": item.amount},
        now=now,
    )
    item.delete()
    if not order.package_items.exists() and order.currency:
        order.currency = ""  # an empty package has no currency yet: the next first item sets it
        order.save(update_fields=["currency"])


@transaction.atomic
def package_quote_send(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    """Send the package to the patient as one quote: its lines are the items, its amount their sum."""
    order = _lock_order(order)
    package_quote_send_check(order=order, actor=actor).enforce()
    items = list(order.package_items.order_by("position"))
    price = package_price(items=[(i.description, i.amount) for i in items], currency=order.currency)
    order_lines_write(order=order, price=price)
    order = transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.QUOTED,
        actor=actor,
        action="concierge.order.quoted",
        now=now,
        fields={"amount": price.total, "quoted_at": now},
        audit_after={"amount": [price.total, order.currency], "items": len(items)},
    ).instance
    notify_quote_ready(order=order, now=now)
    return order


# --- the patient decides ------------------------------------------------------------------------------


@transaction.atomic
def order_quote_accept(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    """The patient accepts the careteam's quote: the order awaits its payment (on its card page)."""
    order = _lock_order(order)
    order_quote_accept_check(order=order, actor=actor, now=now).enforce()
    return transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.AWAITING_PAYMENT,
        actor=actor,
        action="concierge.order.quote_accepted",
        now=now,
    ).instance


@transaction.atomic
def order_quote_decline(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    order = _lock_order(order)
    order_quote_decline_check(order=order, actor=actor).enforce()
    return transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.CANCELLED,
        actor=actor,
        action="concierge.order.quote_declined",
        now=now,
        fields={"cancelled_at": now, "cancelled_by": actor},
    ).instance


# --- tracking each item once paid ---------------------------------------------------------------------


def item_refundable(item: PackageItem) -> bool:
    """Cancelling this item gives its price back: its rule is "full" and it was not booked yet."""
    return item.refund_rule == PackageItemRefund.FULL and item.status == PackageItemStatus.PROPOSED


@transaction.atomic
def package_item_move(*, item: PackageItem, actor: User, target: str, now: dt.datetime) -> PackageItem:
    """Move a paid package's item; refund a refundable cancelled item; move the order along."""
    order = _lock_order(item.order)
    item = PackageItem.objects.select_for_update().get(pk=item.pk)
    item.order = order
    package_item_move_check(item=item, actor=actor, target=target).enforce()
    fields: dict[str, object] = {}
    refunded = 0
    if target == PackageItemStatus.CANCELLED and item_refundable(item):
        if order.payment_intent_id is None:  # a paid order has its payment
            raise Conflict(_("This order has no payment to refund."), code="not_paid")
        refund = card_refund_create(
            payment_intent_id=order.payment_intent_id,
            amount=item.amount,
            idempotency_key=f"package-item-refund:{item.pk}",
            metadata={"addon_order": order.pk, "package_item": item.pk},
        )
        addon_income_record_refunded(
            kind=order.kind,
            amount=item.amount,
            currency=order.currency,
            stripe_refund_id=refund.id,
            actor=actor,
            now=now,
        )
        fields["stripe_refund_id"] = refund.id
        refunded = item.amount
    item = transition(
        machine=PACKAGE_ITEM,
        instance=item,
        locked=True,
        target=target,
        actor=actor,
        action=f"concierge.package_item.{target}",
        now=now,
        fields=fields,
        audit_after={"refund": [refunded, order.currency]} if refunded else None,
    ).instance
    if refunded:
        order.refund_amount = (order.refund_amount or 0) + refunded
        order.save(update_fields=["refund_amount"])
    _order_follow_items(order=order, actor=actor, now=now)
    return item


def _order_follow_items(*, order: AddonOrder, actor: User, now: dt.datetime) -> None:
    """In progress at the first booked item; fulfilled when none is open (refunded when all were refunded)."""
    statuses = list(order.package_items.values_list("status", flat=True))
    if any(s in _OPEN_ITEM for s in statuses):
        if order.status == AddonOrderStatus.CONFIRMED and PackageItemStatus.BOOKED in statuses:
            transition(
                machine=ADDON_ORDER,
                instance=order,
                locked=True,
                target=AddonOrderStatus.IN_PROGRESS,
                actor=actor,
                action="concierge.order.in_progress",
                now=now,
            )
        return
    everything_back = order.refund_amount is not None and order.refund_amount == order.amount
    target = AddonOrderStatus.REFUNDED if everything_back else AddonOrderStatus.FULFILLED
    transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=target,
        actor=actor,
        action=f"concierge.order.{target}",
        now=now,
        fields={} if everything_back else {"fulfilled_at": now},
    )


def package_cost(order: AddonOrder) -> tuple[int, int, int]:
    """(the price of the items not cancelled, the known cost of those items, the margin on the items
    whose cost is known): the running figures read against the quote. An item without a known cost
    counts in neither of the last two, so the margin is never inflated by a missing cost."""
    live = [i for i in order.package_items.all() if i.status != PackageItemStatus.CANCELLED]
    costed = [i for i in live if i.cost_amount is not None]
    cost = sum(i.cost_amount or 0 for i in costed)
    return sum(i.amount for i in live), cost, sum(i.amount for i in costed) - cost
