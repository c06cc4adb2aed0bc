"""Add-on orders (docs/decisions.md#add-ons): a shop order paid by card, the platform's income at
once. It never touches a trust account; a refund takes the income back.

The card is collected and charged by payments' card-payment services, the same path as a deposit
(a SetupIntent, then a PaymentIntent confirmed by the server, 3-D Secure in the browser when
asked), so the payment page's script serves both; the API may instead open a PaymentIntent its
client confirms itself (`order_intent`, as a deposit's `deposit_intent`); the ledger postings are payments' too
(`I:addon:<kind>`). A status changes only here, through `core.state.transition` with the
`ADDON_ORDER` machine (`ADDON_ORDER_TRANSITIONS`), under the order's row lock. Paying and refunding
each have their `addon_order_<action>_check`, which the service enforces first under that lock and
which a page or the API reads before offering the action. `order_record_paid` is registered for
payments' webhook in `ConciergeConfig`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from bookings.models import Booking
from concierge import notifications
from concierge.models import ADDON_ORDER_TRANSITIONS, AddonKind, AddonOrder, AddonOrderStatus, OrderLine, PriceList
from concierge.pricing import Price, flat_price
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.money import Money
from core.state import Machine, transition, transition_check
from payments.services.card_payments import (
    CardCheckout,
    CardIntent,
    CardPayment,
    PaymentDeclined,
    addon_income_record_paid,
    addon_income_record_refunded,
    card_checkout,
    card_intent,
    card_intent_reusable,
    card_payment_cancel,
    card_payment_create,
    card_payment_open,
    card_payment_refuse_unconfirmed,
    card_payment_retrieve,
    card_refund_create,
    card_setup_create,
)
from payments.services.orphans import ChargeOrphaned, charge_orphan_found


def _refuse_order(current: str, target: str) -> Conflict:
    """How a refused move reads, by what was asked and where the order stands."""
    if target == AddonOrderStatus.REFUNDED:
        return Conflict(_("Only a paid order can be refunded."), code="not_paid")
    if current == AddonOrderStatus.CANCELLED:
        return Conflict(_("This order was cancelled."), code="already_cancelled")
    if current == AddonOrderStatus.REFUNDED:
        return Conflict(_("This order was paid, then refunded."), code="already_paid")
    if target == AddonOrderStatus.CANCELLED:
        return Conflict(_("This order is done: it can no longer be cancelled."), code="already_fulfilled")
    if target in {AddonOrderStatus.IN_PROGRESS, AddonOrderStatus.FULFILLED}:
        if current == AddonOrderStatus.FULFILLED:
            return Conflict(_("This order is already done."), code="already_fulfilled")
        return Conflict(_("This order is not paid yet."), code="not_paid")
    if target == AddonOrderStatus.CONFIRMED and current in {AddonOrderStatus.REQUESTED, AddonOrderStatus.QUOTED}:
        return Conflict(_("This order has no price yet: the careteam will send you one."), code="not_priced")
    return Conflict(_("This order is already paid."), code="already_paid")


# A repeated move is refused too (paying a paid order, refunding a refunded one): the patient or
# finance hears why; the webhook's `order_record_paid` returns early itself.
ADDON_ORDER = Machine(model=AddonOrder, table=ADDON_ORDER_TRANSITIONS, refuse=_refuse_order, repeat_is_noop=False)


# What a kind does once its order is paid, inside the payment's transaction, the order locked:
# `(order=, now=) -> AddonOrder`. Filled by the kinds' modules in `ConciergeConfig.ready()` (visa
# letters are issued at once); a kind without an entry stays confirmed for the careteam to arrange.
AFTER_PAID: dict[str, Callable[..., AddonOrder]] = {}

# Refusals of a full refund by kind (an issued visa letter is not refundable): `(order=) -> Check`.
REFUND_RULES: dict[str, Callable[..., Check]] = {}

# Refusals of a cancellation by kind, besides the order's status: `(order=) -> Check` (a paid second
# opinion is withdrawn from its case's page, which knows what the case's state refunds).
CANCEL_RULES: dict[str, Callable[..., Check]] = {}


# --- checks -------------------------------------------------------------------------------------------


def addon_order_pay_check(*, order: AddonOrder, actor: User) -> Check:
    """May `actor` pay `order` now: their own order, still awaiting its payment."""
    if not getattr(actor, "is_authenticated", False) or order.patient_id != actor.pk:
        return refuse(NotFound(_("You have no order with this id.")))
    return Check(transition_check(machine=ADDON_ORDER, instance=order, target=AddonOrderStatus.CONFIRMED))


def _refund_staff(actor: User) -> Check:
    if getattr(actor, "is_authenticated", False) and (
        actor.in_group(StaffGroup.FINANCE) or actor.in_group(StaffGroup.CARETEAM)
    ):
        return ALLOWED
    return refuse(Forbidden(_("Only finance and the careteam can refund an order.")))


def addon_order_refund_check(*, order: AddonOrder, actor: User) -> Check:
    """May `actor` refund `order` in full now: finance or the careteam, and the order is paid."""
    kind_rule = REFUND_RULES.get(order.kind)
    return first_refusal(
        _refund_staff(actor),
        Check(transition_check(machine=ADDON_ORDER, instance=order, target=AddonOrderStatus.REFUNDED)),
        kind_rule(order=order) if kind_rule is not None else ALLOWED,
    )


# --- the services -------------------------------------------------------------------------------------


def order_create(
    *,
    patient: User,
    kind: str,
    description: str,
    price: Price | Money | None,
    now: dt.datetime,
    booking: Booking | None = None,
    city: str = "",
    price_list: PriceList | None = None,
    note: str = "",
) -> AddonOrder:
    """An order at the exact price shown to the patient before they click "order", with its
    breakdown (a `Price`'s lines; a bare `Money` is one line). Priced, it awaits its payment;
    without a price (a VIP package, careteam assistance) it is requested, for the careteam to quote."""
    if kind not in AddonKind.values:
        raise ValidationFailed(_("Unknown add-on."), code="unknown_addon", details={"kind": [_("Unknown add-on.")]})
    if isinstance(price, Money):
        price = flat_price(label_key=kind, amount=price.amount, currency=price.currency)
    if price is not None and (price.total <= 0 or any(line.amount <= 0 for line in price.lines)):
        raise ValidationFailed(_("An add-on has a price above zero."), code="invalid_price")
    order = AddonOrder.objects.create(
        patient=patient,
        booking=booking,
        kind=kind,
        description=description.strip()[:300] or str(AddonKind(kind).label),
        city=city,
        price_list=price_list,
        amount=None if price is None else price.total,
        currency=price.currency if price is not None else (price_list.currency if price_list else ""),
        status=AddonOrderStatus.REQUESTED if price is None else AddonOrderStatus.AWAITING_PAYMENT,
        patient_note=note.strip(),
        created_at=now,
        updated_at=now,
    )
    if price is not None:
        order_lines_write(order=order, price=price)
    audit_record(
        actor=patient,
        action="payments.addon_order.created",
        target=order,
        after={"price": None if price is None else [price.total, price.currency], "kind": kind},
        now=now,
    )
    return order


def order_lines_write(*, order: AddonOrder, price: Price) -> None:
    """Replace `order`'s breakdown with `price`'s lines (the caller holds the order and sets its amount)."""
    order.lines.all().delete()
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=position,
            label_key=line.label_key,
            label=line.label[:200],
            unit=line.unit,
            quantity_hundredths=line.quantity_hundredths,
            unit_amount=line.unit_amount,
            amount=line.amount,
        )
        for position, line in enumerate(price.lines, start=1)
    )


def priced(order: AddonOrder) -> int:
    """The order's amount; an order that has reached payment has one (the careteam quotes the others)."""
    if order.amount is None:
        raise Conflict(_("This order has no price yet: the careteam will send you one."), code="not_priced")
    return order.amount


def _locked(order: AddonOrder, actor: User) -> AddonOrder:
    """The patient's own order, locked, still waiting for its payment (`addon_order_pay_check`)."""
    locked = AddonOrder.objects.select_for_update().filter(pk=order.pk).first()
    if locked is None:
        raise NotFound(_("You have no order with this id."))
    addon_order_pay_check(order=locked, actor=actor).enforce()
    return locked


# Attempts still open at Stripe: cancelled before a new attempt so they cannot succeed later.
_CANCELLABLE = frozenset({"requires_payment_method", "requires_confirmation", "requires_action"})


def order_start(*, order: AddonOrder, actor: User, now: dt.datetime) -> CardCheckout:
    """A new attempt for the card page: a SetupIntent to collect the card. The previous attempt's
    PaymentIntent, if still open (the API's, not confirmed yet), is cancelled so it cannot succeed
    later."""
    with transaction.atomic():
        order = _locked(order, actor)
        if order.payment_intent_id:
            previous = card_payment_retrieve(payment_intent_id=order.payment_intent_id)
            if previous.status in _CANCELLABLE:
                card_payment_cancel(payment_intent_id=previous.id)
        order.attempts += 1
        setup = card_setup_create(
            metadata={"addon_order": str(order.pk)}, idempotency_key=f"order-setup:{order.pk}:{order.attempts}"
        )
        order.setup_intent_id = setup.id
        order.payment_intent_id = None
        order.save(update_fields=["attempts", "setup_intent_id", "payment_intent_id"])
    return card_checkout(setup=setup, attempt=order.attempts)


def order_intent(*, order: AddonOrder, actor: User, now: dt.datetime) -> CardIntent:
    """The PaymentIntent a client confirms itself for `order` (the API's payment, as a deposit's
    `deposit_intent`): the patient's own order, awaiting its payment, or refused with nothing sent
    to Stripe. The attempt's PaymentIntent is answered again while the client may still confirm it;
    one that succeeded after all is recorded; one still open is cancelled; otherwise a new attempt
    opens one under `order-intent:<order>:<attempt>` without a SetupIntent (the card page's next
    charge then asks to start again). The webhook records the payment (`order_record_paid`)."""
    with transaction.atomic():
        locked = _locked(order, actor)
        amount = priced(locked)
        current = None
        if locked.payment_intent_id:
            current = card_payment_retrieve(payment_intent_id=locked.payment_intent_id)
        if current is not None and current.succeeded:
            pass  # recorded below, outside this transaction (order_record_paid takes its own lock)
        elif current is not None and card_intent_reusable(
            payment=current, opened_for_client=not locked.setup_intent_id, amount=amount, currency=locked.currency
        ):
            return card_intent(payment=current, attempt=locked.attempts)
        else:
            if current is not None and current.status in _CANCELLABLE:
                card_payment_cancel(payment_intent_id=current.id)
            locked.attempts += 1
            intent = card_payment_open(
                amount=amount,
                currency=locked.currency,
                metadata={"addon_order": str(locked.pk), "purpose": "addon", "kind": locked.kind},
                idempotency_key=f"order-intent:{locked.pk}:{locked.attempts}",
            )
            locked.setup_intent_id = ""
            locked.payment_intent_id = intent.id
            locked.save(update_fields=["attempts", "setup_intent_id", "payment_intent_id"])
            audit_record(
                actor=actor,
                action="payments.addon_order.attempt_started",
                target=locked,
                after={"attempt": locked.attempts, "payment_intent": intent.id, "confirmed_by": "client"},
                now=now,
            )
            return card_intent(payment=intent, attempt=locked.attempts)
    order_record_paid(payment_intent_id=current.id, now=now)
    return card_intent(payment=current, attempt=locked.attempts)


def order_pay(*, order: AddonOrder, actor: User, payment_method: str, now: dt.datetime) -> CardPayment:
    with transaction.atomic():
        order = _locked(order, actor)
        if not order.setup_intent_id:
            raise Conflict(_("Please enter your card again."), code="start_again")
        if order.payment_intent_id:
            intent = card_payment_retrieve(payment_intent_id=order.payment_intent_id)
        else:
            intent = card_payment_create(
                amount=priced(order),
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


def order_confirm(*, order: AddonOrder, actor: User, now: dt.datetime) -> CardPayment:
    """After 3-D Secure in the browser: re-read the order's current PaymentIntent from Stripe and
    record it if it succeeded (whatever the browser was told), like a deposit's `deposit_confirm`."""
    with transaction.atomic():
        locked = AddonOrder.objects.select_for_update().filter(pk=order.pk, patient_id=actor.pk).first()
        if locked is None:
            raise NotFound(_("You have no order with this id."))
        if not locked.payment_intent_id:
            raise Conflict(_("Please enter your card again."), code="start_again")
        payment_intent_id = locked.payment_intent_id
        if locked.status != AddonOrderStatus.AWAITING_PAYMENT:
            if locked.paid_at is not None:
                return CardPayment(status="succeeded", payment_intent_id=payment_intent_id)
            addon_order_pay_check(order=locked, actor=actor).enforce()
    intent = card_payment_retrieve(payment_intent_id=payment_intent_id)
    if intent.succeeded:
        order_record_paid(payment_intent_id=intent.id, now=now)
        return CardPayment(status="succeeded", payment_intent_id=intent.id)
    if intent.requires_action:
        return CardPayment(status="requires_action", payment_intent_id=intent.id, client_secret=intent.client_secret)
    card_payment_refuse_unconfirmed(intent)
    raise PaymentDeclined(
        _("The payment was not authorised by your bank (3-D Secure). No money was taken. Please try again."),
        code="authentication_failed",
    )


def order_record_paid(*, payment_intent_id: str, now: dt.datetime) -> AddonOrder:
    """Record a paid order once (the page and the webhook both call this): F7 in the ledger.
    pending → paid; an order already paid by this payment (or refunded since) is returned as it
    is. Another payment of an order already paid or refunded is an orphaned charge: recorded and
    refunded by payments (`charge_orphan_found`), then `ChargeOrphaned` is raised."""
    intent = card_payment_retrieve(payment_intent_id=payment_intent_id)
    if not intent.succeeded or not intent.metadata.get("addon_order", "").isdigit():
        raise Conflict(_("This payment has not succeeded."), code="payment_not_succeeded")
    with transaction.atomic():
        order = AddonOrder.objects.select_for_update().get(pk=int(intent.metadata["addon_order"]))
        orphaned = order.status != AddonOrderStatus.AWAITING_PAYMENT and order.payment_intent_id != intent.id
        if not orphaned:
            if order.status != AddonOrderStatus.AWAITING_PAYMENT:
                return order  # already recorded
            if (intent.amount, intent.currency) != (order.amount, order.currency):
                raise Conflict(_("The amount paid does not match the order."), code="amount_mismatch")
            addon_income_record_paid(kind=order.kind, payment=intent, now=now)
            paid = transition(
                machine=ADDON_ORDER,
                instance=order,
                locked=True,
                target=AddonOrderStatus.CONFIRMED,
                actor=None,
                action="payments.addon_order.paid",
                now=now,
                fields={"payment_intent_id": intent.id, "paid_at": now},
                audit_after={"payment_intent": intent.id},
            ).instance
            notifications.notify_order_confirmed(order=paid, now=now)
            after_paid = AFTER_PAID.get(order.kind)
            return after_paid(order=paid, now=now) if after_paid is not None else paid
    # Outside the order's transaction: the orphan is recorded whatever the caller does with the refusal.
    charge_orphan_found(payment_intent=intent, reason="already_paid", purpose=f"addon_order:{order.pk}", now=now)
    raise ChargeOrphaned(
        _("This order was already paid; this payment is being refunded to your card."), code="already_paid"
    )


def order_refund(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    """Finance or the careteam refunds a paid order in full: the income goes back to the card.
    paid → refunded; anything else is refused (a second click included) with nothing sent to Stripe."""
    with transaction.atomic():
        order = AddonOrder.objects.select_for_update().get(pk=order.pk)
        addon_order_refund_check(order=order, actor=actor).enforce()
        if order.payment_intent_id is None:  # a paid order has its payment; the check saw it paid
            raise Conflict(_("This order has no payment to refund."), code="not_paid")
        refund = card_refund_create(
            payment_intent_id=order.payment_intent_id,
            amount=priced(order),
            idempotency_key=f"order-refund:{order.pk}",
            metadata={"addon_order": order.pk},
        )
        addon_income_record_refunded(
            kind=order.kind,
            amount=priced(order),
            currency=order.currency,
            stripe_refund_id=refund.id,
            actor=actor,
            now=now,
        )
        order = transition(
            machine=ADDON_ORDER,
            instance=order,
            locked=True,
            target=AddonOrderStatus.REFUNDED,
            actor=actor,
            action="payments.addon_order.refunded",
            now=now,
            fields={"stripe_refund_id": refund.id},
            audit_after={"refund": refund.id},
        ).instance
    return order


def order_refund_part(*, order: AddonOrder, amount: int, actor: User, idempotency_key: str, now: dt.datetime) -> str:
    """Finance gives part of a paid order's price back (a dispute's decision): `amount` goes back
    to the card under `idempotency_key` (a retry never refunds twice) and its income is taken back.
    The order keeps its status (it was done; only part of its price is returned). Returns Stripe's
    id of the refund. A refund of the whole price is `order_refund`."""
    with transaction.atomic():
        order = AddonOrder.objects.select_for_update().get(pk=order.pk)
        _refund_staff(actor).enforce()
        if order.payment_intent_id is None or order.status not in (
            AddonOrderStatus.CONFIRMED,
            AddonOrderStatus.IN_PROGRESS,
            AddonOrderStatus.FULFILLED,
        ):
            raise Conflict(_("Only a paid order can be refunded."), code="not_paid")
        if not 0 < amount < priced(order):
            message = _("A partial refund is more than nothing and less than the order's price.")
            raise ValidationFailed(message, code="amount_above_price", details={"refund_amount": [message]})
        refund = card_refund_create(
            payment_intent_id=order.payment_intent_id,
            amount=amount,
            idempotency_key=idempotency_key,
            metadata={"addon_order": order.pk},
        )
        addon_income_record_refunded(
            kind=order.kind,
            amount=amount,
            currency=order.currency,
            stripe_refund_id=refund.id,
            actor=actor,
            now=now,
        )
        audit_record(
            actor=actor,
            action="payments.addon_order.refunded_in_part",
            target=order,
            after={"refund": refund.id, "amount": amount},
            now=now,
        )
    return refund.id
