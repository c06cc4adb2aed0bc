"""The careteam's add-on actions that were page-only, through the API: a paid order's refund, and
a careteam assistance refused or closed as done (the same services and roles as their pages)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.models import AddonOrder, AddonOrderStatus
from concierge.tests.support import paid_assistance, requested_assistance
from concierge.tests.test_order_pages import _interpreter_order
from payments.tests.conftest import CARD_OK

pytestmark = pytest.mark.django_db


def test_the_careteam_refunds_a_paid_order_once_through_the_api(
    api_as, client, patient, careteam, finance, stripe_emulator
):
    order = _interpreter_order(patient)
    client.force_login(patient)
    start = client.post(reverse("concierge:order_pay_start", args=[order.pk])).json()
    method = stripe_emulator.collect_card(start["client_secret"], CARD_OK)
    client.post(reverse("concierge:order_pay_card", args=[order.pk]), {"payment_method": method})
    url = f"/api/v1/concierge/orders/{order.pk}/refund/"

    assert api_as(patient).post(url).status_code == 403
    refunded = api_as(careteam).post(url)
    assert refunded.status_code == 200
    assert refunded.json()["status"] == AddonOrderStatus.REFUNDED
    again = api_as(finance).post(url)
    assert again.status_code == 409
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.REFUNDED


def test_an_unpaid_order_is_not_refunded(api_as, patient, careteam):
    order = _interpreter_order(patient)

    refused = api_as(careteam).post(f"/api/v1/concierge/orders/{order.pk}/refund/")

    assert refused.status_code == 409
    assert refused.json()["message"]
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.AWAITING_PAYMENT


def test_the_careteam_refuses_an_assistance_with_the_reason(api_as, patient, careteam):
    order = requested_assistance(patient, timezone.now())
    url = f"/api/v1/concierge/assistance/{order.pk}/refuse/"

    assert api_as(patient).post(url, {"reason": "No"}, format="json").status_code == 403
    assert api_as(careteam).post(url, {"reason": ""}, format="json").status_code == 400
    refused = api_as(careteam).post(url, {"reason": "We do not cover this city yet."}, format="json")

    assert refused.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.refund_explanation) == (AddonOrderStatus.CANCELLED, "We do not cover this city yet.")


def test_the_careteam_closes_a_paid_assistance_and_only_the_careteam(api_as, stripe_emulator, patient, careteam):
    order = paid_assistance(stripe_emulator, patient, careteam, timezone.now())
    url = f"/api/v1/concierge/assistance/{order.pk}/complete/"

    assert api_as(patient).post(url).status_code == 403
    closed = api_as(careteam).post(url)

    assert closed.status_code == 200
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.FULFILLED
    assert api_as(careteam).post(url).status_code == 409


def test_an_unknown_order_is_not_found(api_as, careteam):
    assert api_as(careteam).post("/api/v1/concierge/assistance/999999/complete/").status_code == 404
    assert api_as(careteam).post("/api/v1/concierge/orders/999999/refund/").status_code == 404
