"""The add-on order's actions: `addon_order_pay_check` and `addon_order_refund_check` allow what the
services accept and refuse with the services' own codes; the `ADDON_ORDER` machine refuses as before."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from concierge.models import AddonOrder, AddonOrderStatus
from concierge.services.orders import (
    ADDON_ORDER,
    addon_order_pay_check,
    addon_order_refund_check,
    order_create,
    order_pay,
    order_refund,
    order_start,
)
from core.checks import Check
from core.errors import NotFound
from core.money import Money
from core.state import transition_check
from payments.tests.conftest import CARD_OK

pytestmark = pytest.mark.django_db


def refused(check: Check) -> str:
    assert not check.allowed, "expected a refusal"
    assert check.reason == check.refusal.message
    return check.refusal.code


def _order(patient) -> AddonOrder:
    return order_create(
        patient=patient, kind="transfer", description="Airport to hotel", price=Money(9_000, "EUR"), now=timezone.now()
    )


def _paid(emulator, patient) -> AddonOrder:
    order = _order(patient)
    checkout = order_start(order=order, actor=patient, now=timezone.now())
    card = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    assert order_pay(order=order, actor=patient, payment_method=card, now=timezone.now()).status == "succeeded"
    order.refresh_from_db()
    return order


def test_the_patient_may_pay_their_pending_order_and_nobody_else_may(patient, other_patient):
    order = _order(patient)

    assert addon_order_pay_check(order=order, actor=patient).allowed
    assert refused(addon_order_pay_check(order=order, actor=other_patient)) == "not_found"
    assert refused(addon_order_pay_check(order=order, actor=AnonymousUser())) == "not_found"
    with pytest.raises(NotFound):
        order_start(order=order, actor=other_patient, now=timezone.now())


def test_a_paid_order_is_not_paid_again_and_may_be_refunded_by_finance_or_the_careteam(
    stripe_emulator, patient, finance, careteam, other_patient
):
    order = _paid(stripe_emulator, patient)

    assert refused(addon_order_pay_check(order=order, actor=patient)) == "already_paid"
    assert addon_order_refund_check(order=order, actor=finance).allowed
    assert addon_order_refund_check(order=order, actor=careteam).allowed
    for someone in (patient, other_patient):
        assert refused(addon_order_refund_check(order=order, actor=someone)) == "forbidden"

    refunded = order_refund(order=order, actor=careteam, now=timezone.now())

    assert refunded.status == AddonOrderStatus.REFUNDED
    assert refused(addon_order_refund_check(order=refunded, actor=finance)) == "not_paid"
    assert refused(addon_order_pay_check(order=refunded, actor=patient)) == "already_paid"


def test_an_unpaid_order_has_nothing_to_refund(patient, finance):
    assert refused(addon_order_refund_check(order=_order(patient), actor=finance)) == "not_paid"


def test_the_machine_refuses_in_the_words_of_before():
    refund = transition_check(
        machine=ADDON_ORDER,
        instance=AddonOrder(status=AddonOrderStatus.AWAITING_PAYMENT),
        target=AddonOrderStatus.REFUNDED,
    )
    pay = transition_check(
        machine=ADDON_ORDER, instance=AddonOrder(status=AddonOrderStatus.CONFIRMED), target=AddonOrderStatus.CONFIRMED
    )

    assert (refund.code, refund.message) == ("not_paid", "Only a paid order can be refunded.")
    assert (pay.code, pay.message) == ("already_paid", "This order is already paid.")
