"""The add-on order's states: only the moves of ADDON_ORDER_TRANSITIONS happen; a refused one is a
Conflict that changes nothing, and a move already made changes nothing when repeated."""

from __future__ import annotations

import pytest
from django.utils import timezone

from concierge.models import ADDON_ORDER_TRANSITIONS, AddonOrder, AddonOrderStatus
from concierge.services.orders import order_create, order_pay, order_record_paid, order_refund, order_start
from core.errors import Conflict
from core.models import AuditEvent
from core.money import Money
from payments import ledger
from payments.models import LedgerEntry, LedgerTransaction
from payments.tests.conftest import CARD_OK

pytestmark = pytest.mark.django_db


def _snapshot(order: AddonOrder) -> tuple:
    order.refresh_from_db()
    row = {f.attname: getattr(order, f.attname) for f in AddonOrder._meta.concrete_fields}
    return (row, LedgerTransaction.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count())


def _order(patient, now):
    return order_create(
        patient=patient, kind="interpreter", description="Interpreter, 2 hours", price=Money(12_000, "EUR"), now=now
    )


def _paid(emulator, patient):
    now = timezone.now()
    order = _order(patient, now)
    checkout = order_start(order=order, actor=patient, now=now)
    payment = order_pay(
        order=order, actor=patient, payment_method=emulator.collect_card(checkout.setup_client_secret, CARD_OK), now=now
    )
    assert payment.status == "succeeded"
    order.refresh_from_db()
    return order


def test_the_table_names_every_state_and_a_refund_is_final():
    assert set(ADDON_ORDER_TRANSITIONS) == set(AddonOrderStatus.values)
    assert ADDON_ORDER_TRANSITIONS[AddonOrderStatus.AWAITING_PAYMENT] == {
        AddonOrderStatus.CONFIRMED,
        AddonOrderStatus.CANCELLED,
    }
    assert AddonOrderStatus.REFUNDED in ADDON_ORDER_TRANSITIONS[AddonOrderStatus.CONFIRMED]
    assert ADDON_ORDER_TRANSITIONS[AddonOrderStatus.REFUNDED] == frozenset()
    assert ADDON_ORDER_TRANSITIONS[AddonOrderStatus.CANCELLED] == frozenset()


def test_refunding_an_unpaid_order_is_refused_and_changes_nothing(patient, finance):
    """Refused before Stripe is asked (no emulator here: a call would fail otherwise)."""
    order = _order(patient, timezone.now())
    before = _snapshot(order)

    with pytest.raises(Conflict) as refused:
        order_refund(order=order, actor=finance, now=timezone.now())

    assert refused.value.code == "not_paid"
    assert _snapshot(order) == before


def test_a_refunded_order_refuses_a_second_refund_and_paying_again(stripe_emulator, patient, finance):
    order = order_refund(order=_paid(stripe_emulator, patient), actor=finance, now=timezone.now())
    before = _snapshot(order)

    with pytest.raises(Conflict) as refused:
        order_refund(order=order, actor=finance, now=timezone.now())
    assert refused.value.code == "not_paid"
    with pytest.raises(Conflict) as again:
        order_start(order=order, actor=patient, now=timezone.now())
    assert again.value.code == "already_paid"

    assert _snapshot(order) == before
    assert ledger.income("addon:interpreter", "EUR").balance == 0


def test_recording_a_paid_order_again_changes_nothing(stripe_emulator, patient):
    order = _paid(stripe_emulator, patient)
    before = _snapshot(order)

    again = order_record_paid(payment_intent_id=order.payment_intent_id, now=timezone.now())

    assert again.status == AddonOrderStatus.CONFIRMED
    assert _snapshot(order) == before
    assert ledger.income("addon:interpreter", "EUR").balance == -12_000


def test_a_late_payment_event_leaves_a_refunded_order_refunded(stripe_emulator, patient, finance):
    order = order_refund(order=_paid(stripe_emulator, patient), actor=finance, now=timezone.now())
    before = _snapshot(order)

    assert order_record_paid(payment_intent_id=order.payment_intent_id, now=timezone.now()).status == "refunded"
    assert _snapshot(order) == before
