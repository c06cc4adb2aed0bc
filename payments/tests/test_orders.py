"""Add-on orders (docs/decisions.md#payments-acceptance-list, D7): paid and refunded like a shop's orders,
never in trust."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, NotFound
from core.money import Money
from payments import ledger
from payments.ledger import ledger_check
from payments.models import AddonOrderStatus, LedgerAccount, LedgerEntry
from payments.services.orders import order_create, order_pay, order_refund, order_start
from payments.tests.conftest import CARD_OK

pytestmark = pytest.mark.django_db


def _paid_order(emulator, patient):
    now = timezone.now()
    order = order_create(
        patient=patient, kind="interpreter", description="Interpreter, 2 hours", price=Money(12_000, "EUR"), now=now
    )
    checkout = order_start(order=order, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    payment = order_pay(order=order, actor=patient, payment_method=payment_method, now=now)
    assert payment.status == "succeeded"
    order.refresh_from_db()
    return order


def test_an_add_on_is_income_at_once_and_never_in_trust(stripe_emulator, patient):
    order = _paid_order(stripe_emulator, patient)

    assert order.status == AddonOrderStatus.PAID
    assert ledger.income("addon:interpreter", "EUR").balance == -12_000
    assert ledger.stripe_balance("EUR").balance == 12_000
    assert not LedgerAccount.objects.filter(is_trust=True).exists()
    assert ledger_check() == []


def test_a_refunded_add_on_takes_the_income_back_and_still_never_touches_trust(stripe_emulator, patient, finance):
    order = _paid_order(stripe_emulator, patient)

    refunded = order_refund(order=order, actor=finance, now=timezone.now())

    assert refunded.status == AddonOrderStatus.REFUNDED
    assert stripe_emulator.get(f"/v1/refunds/{refunded.stripe_refund_id}")["amount"] == 12_000
    assert ledger.income("addon:interpreter", "EUR").balance == 0
    assert not LedgerEntry.objects.filter(account__is_trust=True).exists()
    with pytest.raises(Conflict):
        order_refund(order=refunded, actor=finance, now=timezone.now())


def test_only_the_patient_pays_and_only_staff_refund(stripe_emulator, patient, other_patient):
    now = timezone.now()
    order = order_create(patient=patient, kind="visa_letter", description="", price=Money(5_000, "EUR"), now=now)
    with pytest.raises(NotFound):
        order_start(order=order, actor=other_patient, now=now)
    paid = _paid_order(stripe_emulator, patient)
    with pytest.raises(Forbidden):
        order_refund(order=paid, actor=patient, now=now)
