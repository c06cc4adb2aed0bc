"""Add-on orders (docs/decisions.md#payments-acceptance-list, D7): paid and refunded like a shop's
orders, never in trust."""

from __future__ import annotations

import pytest
from django.utils import timezone

from concierge.models import AddonOrderStatus
from concierge.services.orders import order_create, order_pay, order_record_paid, order_refund, order_start
from core.errors import Conflict, Forbidden, NotFound
from core.hooks import payment_succeeded
from core.money import Money
from payments import ledger
from payments.ledger import ledger_check
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, StripeEvent
from payments.tests.conftest import CARD_3DS, CARD_OK
from payments.tests.support import event, signature

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

    assert order.status == AddonOrderStatus.CONFIRMED
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


def test_concierge_records_its_card_payments_for_payments_webhook():
    assert payment_succeeded.get("addon_order") is order_record_paid


def test_an_order_paid_with_3d_secure_is_recorded_by_the_webhook_once(
    client, settings, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    """Only the webhook tells us: `payment_intent.succeeded` whose metadata names `addon_order`
    goes to concierge's service through `core.hooks.payment_succeeded`."""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_platform"
    now = timezone.now()
    order = order_create(
        patient=patient, kind="interpreter", description="Interpreter, 2 hours", price=Money(12_000, "EUR"), now=now
    )
    checkout = order_start(order=order, actor=patient, now=now)
    payment = order_pay(
        order=order,
        actor=patient,
        payment_method=stripe_emulator.collect_card(checkout.setup_client_secret, CARD_3DS),
        now=now,
    )
    assert payment.status == "requires_action"
    stripe_emulator.authenticate(payment.client_secret)
    intent = stripe_emulator.get(f"/v1/payment_intents/{payment.payment_intent_id}")
    assert intent["metadata"]["addon_order"] == str(order.pk)
    body = event("evt_addon", "payment_intent.succeeded", intent)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            response = client.post(
                "/payments/stripe/webhook/",
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": signature(body, "whsec_test_platform")},
            )
            assert response.status_code == 200

    order.refresh_from_db()
    assert order.status == AddonOrderStatus.CONFIRMED
    stored = StripeEvent.objects.get()
    assert (stored.processed_at is not None, stored.last_error) == (True, "")
    assert ledger.income("addon:interpreter", "EUR").balance == -12_000
    assert LedgerTransaction.objects.filter(kind="addon_paid").count() == 1
    assert ledger_check() == []


def test_a_second_payment_of_a_paid_order_is_refunded_once_through_the_webhook(
    client, settings, stripe_emulator, patient, django_capture_on_commit_callbacks
):
    """An orphaned charge (security issue, finding 6): the order keeps its first payment, the
    second is posted, refunded under `orphan-refund:<payment intent>` and its event ends."""
    from payments import gateway
    from payments.models import OrphanedCharge, OrphanStatus

    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_platform"
    order = _paid_order(stripe_emulator, patient)
    setup = gateway.card_setup_intent_create(metadata={"addon_order": str(order.pk)}, idempotency_key="t:setup")
    second = gateway.card_payment_intent_create(
        amount=12_000,
        currency="EUR",
        payment_method=stripe_emulator.collect_card(setup.client_secret, CARD_OK),
        metadata={"addon_order": str(order.pk)},
        idempotency_key="t:second",
    )
    body = event("evt_addon_twice", "payment_intent.succeeded", stripe_emulator.get(f"/v1/payment_intents/{second.id}"))

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            client.post(
                "/payments/stripe/webhook/",
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": signature(body, "whsec_test_platform")},
            )

    order.refresh_from_db()
    assert (order.status, order.payment_intent_id) == (AddonOrderStatus.CONFIRMED, order.payment_intent_id)
    assert StripeEvent.objects.get(pk="evt_addon_twice").processed_at is not None
    orphan = OrphanedCharge.objects.get()
    assert (orphan.payment_intent_id, orphan.status, orphan.purpose) == (
        second.id,
        OrphanStatus.REFUNDED,
        f"addon_order:{order.pk}",
    )
    assert [r["payment_intent"] for r in stripe_emulator.get("/v1/refunds")["data"]] == [second.id]
    assert ledger.income("addon:interpreter", "EUR").balance == -12_000  # the order's income stays
    assert ledger_check() == []
