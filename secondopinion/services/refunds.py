"""Money back on a second opinion's orders: one way for every reason (a cheaper specialist, a
withdrawal, a file declared unsuitable, a late opinion).

Each refund goes to the card through Stripe under a key of our own (a retry never refunds twice),
and out of the add-on income in the ledger (`I:addon:second_opinion`), in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from concierge.models import AddonOrder, AddonOrderStatus
from concierge.services.orders import ADDON_ORDER
from core.errors import Conflict
from core.state import transition
from payments.services.card_payments import addon_income_record_refunded, card_refund_create


def order_money_back(
    *, order: AddonOrder, amount: int, key: str, actor: Any, now: dt.datetime, case_id: int, purpose: str
) -> str:
    """Refund `amount` of `order`'s payment to the card and out of the income; the Stripe refund's id."""
    if not order.payment_intent_id:
        raise Conflict(_("This order has no payment to refund."), code="not_paid")
    refund = card_refund_create(
        payment_intent_id=order.payment_intent_id,
        amount=amount,
        idempotency_key=key,
        metadata={"opinion_case": case_id, "addon_order": order.pk, "purpose": purpose},
    )
    addon_income_record_refunded(
        kind=order.kind, amount=amount, currency=order.currency, stripe_refund_id=refund.id, actor=actor, now=now
    )
    return str(refund.id)


def order_refunded(
    *, order: AddonOrder, amount: int, key: str, actor: Any, now: dt.datetime, case_id: int, explanation: str
) -> str:
    """Refund what is left of `order` (`amount`) and mark the order refunded (the caller locked it)."""
    refund_id = order_money_back(
        order=order, amount=amount, key=key, actor=actor, now=now, case_id=case_id, purpose="opinion_refund"
    )
    transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.REFUNDED,
        actor=actor,
        action="payments.addon_order.refunded",
        now=now,
        fields={"stripe_refund_id": refund_id, "refund_amount": amount, "refund_explanation": explanation[:300]},
        audit_after={"refund": refund_id, "opinion_case": case_id},
    )
    return refund_id
