"""Add-on orders (docs/decisions.md#add-ons): a shop order paid by card, the platform's income at
once. It never touches a trust account; a refund takes the income back.

The card is collected and charged by payments' card-payment services, the same path as a deposit
(a SetupIntent, then a PaymentIntent confirmed by the server, 3-D Secure in the browser when
asked), so the payment page's script serves both; the ledger postings are payments' too
(`I:addon:<kind>`). A status changes only here, as `ADDON_ORDER_TRANSITIONS` allows, under the
order's row lock. `order_record_paid` is registered for payments' webhook in `ConciergeConfig`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from concierge.models import ADDON_ORDER_TRANSITIONS, AddonKind, AddonOrder, AddonOrderStatus
from core.audit import audit_record
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.money import Money
from payments.services.card_payments import (
    CardCheckout,
    CardPayment,
    PaymentDeclined,
    addon_income_record_paid,
    addon_income_record_refunded,
    card_checkout,
    card_payment_create,
    card_payment_retrieve,
    card_refund_create,
    card_setup_create,
)


def _refusal(target: str) -> Conflict:
    if target == AddonOrderStatus.REFUNDED:
        return Conflict(_("Only a paid order can be refunded."), code="not_paid")
    return Conflict(_("This order is already paid."), code="already_paid")


def _transition(order: AddonOrder, target: str) -> None:
    if target not in ADDON_ORDER_TRANSITIONS[order.status]:
        raise _refusal(target)


def order_create(*, patient: User, kind: str, description: str, price: Money, now: dt.datetime) -> AddonOrder:
    """An order at the exact price shown to the patient before they click "order"."""
    if kind not in AddonKind.values:
        raise ValidationFailed(_("Unknown add-on."), code="unknown_addon", details={"kind": [_("Unknown add-on.")]})
    if price.amount <= 0:
        raise ValidationFailed(_("An add-on has a price above zero."), code="invalid_price")
    order = AddonOrder.objects.create(
        patient=patient,
        kind=kind,
        description=description.strip()[:300] or AddonKind(kind).label,
        amount=price.amount,
        currency=price.currency,
        created_at=now,
    )
    audit_record(
        actor=patient,
        action="payments.addon_order.created",
        target=order,
        after={"price": [price.amount, price.currency]},
        now=now,
    )
    return order


def _locked(order: AddonOrder, actor: User) -> AddonOrder:
    """The patient's own order, locked, still waiting for its payment."""
    locked = AddonOrder.objects.select_for_update().filter(pk=order.pk).first()
    if locked is None or locked.patient_id != actor.pk:
        raise NotFound(_("You have no order with this id."))
    _transition(locked, AddonOrderStatus.PAID)
    return locked


def order_start(*, order: AddonOrder, actor: User, now: dt.datetime) -> CardCheckout:
    with transaction.atomic():
        order = _locked(order, actor)
        order.attempts += 1
        setup = card_setup_create(
            metadata={"addon_order": str(order.pk)}, idempotency_key=f"order-setup:{order.pk}:{order.attempts}"
        )
        order.setup_intent_id = setup.id
        order.payment_intent_id = None
        order.save(update_fields=["attempts", "setup_intent_id", "payment_intent_id"])
    return card_checkout(setup=setup, attempt=order.attempts)


def order_pay(*, order: AddonOrder, actor: User, payment_method: str, now: dt.datetime) -> CardPayment:
    with transaction.atomic():
        order = _locked(order, actor)
        if not order.setup_intent_id:
            raise Conflict(_("Please enter your card again."), code="start_again")
        if order.payment_intent_id:
            intent = card_payment_retrieve(payment_intent_id=order.payment_intent_id)
        else:
            intent = card_payment_create(
                amount=order.amount,
                currency=order.currency,
                payment_method=payment_method,
                metadata={"addon_order": str(order.pk), "purpose": "addon", "kind": order.kind},
                idempotency_key=f"order:{order.pk}:{order.attempts}",
            )
            order.payment_intent_id = intent.id
            order.save(update_fields=["payment_intent_id"])
    if intent.succeeded:
        order_record_paid(payment_intent_id=intent.id, now=now)
        return CardPayment(status="succeeded", payment_intent_id=intent.id)
    if intent.requires_action:
        return CardPayment(status="requires_action", payment_intent_id=intent.id, client_secret=intent.client_secret)
    raise PaymentDeclined(_("Your card was declined by your bank. No money was taken. Please try another card."))


def order_record_paid(*, payment_intent_id: str, now: dt.datetime) -> AddonOrder:
    """Record a paid order once (the page and the webhook both call this): F7 in the ledger.
    pending → paid; an order already paid (or refunded since) is returned as it is."""
    intent = card_payment_retrieve(payment_intent_id=payment_intent_id)
    if not intent.succeeded or not intent.metadata.get("addon_order", "").isdigit():
        raise Conflict(_("This payment has not succeeded."), code="payment_not_succeeded")
    with transaction.atomic():
        order = AddonOrder.objects.select_for_update().get(pk=int(intent.metadata["addon_order"]))
        if order.status != AddonOrderStatus.PENDING:
            return order  # already recorded
        _transition(order, AddonOrderStatus.PAID)
        if (intent.amount, intent.currency) != (order.amount, order.currency):
            raise Conflict(_("The amount paid does not match the order."), code="amount_mismatch")
        addon_income_record_paid(kind=order.kind, payment=intent, now=now)
        order.status = AddonOrderStatus.PAID
        order.payment_intent_id = intent.id
        order.paid_at = now
        order.save(update_fields=["status", "payment_intent_id", "paid_at"])
        audit_record(
            actor=None, action="payments.addon_order.paid", target=order, after={"payment_intent": intent.id}, now=now
        )
    return order


def order_refund(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    """Finance or the careteam refunds a paid order in full: the income goes back to the card.
    paid → refunded; anything else is refused (a second click included) with nothing sent to Stripe."""
    if not (actor.is_authenticated and (actor.in_group(StaffGroup.FINANCE) or actor.in_group(StaffGroup.CARETEAM))):
        raise Forbidden(_("Only finance and the careteam can refund an order."))
    with transaction.atomic():
        order = AddonOrder.objects.select_for_update().get(pk=order.pk)
        _transition(order, AddonOrderStatus.REFUNDED)
        refund = card_refund_create(
            payment_intent_id=order.payment_intent_id,
            amount=order.amount,
            idempotency_key=f"order-refund:{order.pk}",
            metadata={"addon_order": order.pk},
        )
        addon_income_record_refunded(
            kind=order.kind,
            amount=order.amount,
            currency=order.currency,
            stripe_refund_id=refund.id,
            actor=actor,
            now=now,
        )
        order.status = AddonOrderStatus.REFUNDED
        order.stripe_refund_id = refund.id
        order.save(update_fields=["status", "stripe_refund_id"])
        audit_record(
            actor=actor, action="payments.addon_order.refunded", target=order, after={"refund": refund.id}, now=now
        )
    return order
