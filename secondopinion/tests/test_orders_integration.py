"""A second opinion's concierge orders on concierge's own pages: paid, they are withdrawn or
refunded only through the case (whose state decides the refund), and their page links back to it."""

from __future__ import annotations

import pytest

from concierge.models import AddonOrderStatus
from concierge.services.ordering import order_cancel_check
from concierge.services.orders import addon_order_refund_check
from secondopinion.tests.support_requests import draft, opinion_price, paid_case

pytestmark = pytest.mark.django_db


def test_a_paid_second_opinion_is_not_cancelled_or_refunded_from_concierges_pages(
    client, stripe_emulator, patient, careteam, finance, cardiology, diagnosis, now
):
    opinion_price(careteam, cardiology, now)
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    order = case.order

    cancel = order_cancel_check(order=order, actor=patient)
    assert not cancel.allowed
    assert cancel.refusal.code == "second_opinion_order"
    assert f"#{case.pk}" in cancel.refusal.message
    assert addon_order_refund_check(order=order, actor=finance).refusal.code == "second_opinion_order"

    client.force_login(patient)
    response = client.post(f"/services/orders/{order.pk}/cancel/", follow=True)
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.CONFIRMED  # nothing refunded behind the case's back
    page = client.get(f"/services/orders/{order.pk}/").content.decode()
    assert f'href="/second-opinion/cases/{case.pk}/"' in page
    assert response.status_code == 200


def test_an_unpaid_second_opinion_order_can_be_cancelled_and_sending_again_makes_a_new_one(
    patient, careteam, cardiology, diagnosis, now
):
    from concierge.services.ordering import order_cancel
    from secondopinion.services.requests import case_send

    opinion_price(careteam, cardiology, now)
    case = draft(patient, cardiology, diagnosis, now)
    first = case_send(case=case, actor=patient, now=now)
    assert order_cancel_check(order=first, actor=patient).allowed
    order_cancel(order=first, actor=patient, now=now)
    case.refresh_from_db()
    second = case_send(case=case, actor=patient, now=now)
    assert second.pk != first.pk
    assert second.status == AddonOrderStatus.AWAITING_PAYMENT


def test_another_patient_sees_no_link_to_the_request(
    client, stripe_emulator, patient, other_patient, careteam, cardiology, diagnosis, now
):
    from secondopinion.orders import opinion_order_section

    opinion_price(careteam, cardiology, now)
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    assert opinion_order_section(order_id=case.order_id, viewer_id=other_patient.pk) == []
    assert opinion_order_section(order_id=case.order_id, viewer_id=patient.pk)[0][1]["number"] == case.pk
