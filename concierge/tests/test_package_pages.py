"""The VIP and assistance pages: the patient asks and decides; the careteam builds, sends, tracks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import sign_in
from concierge.models import AddonOrder, AddonOrderStatus, CareMandate, PackageItem, PackageItemStatus
from concierge.services.packages import order_quote_accept, vip_request
from concierge.tests.support import careteam_price, paid_assistance, requested_assistance
from concierge.tests.test_packages import _paid

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def test_a_patient_asks_for_a_vip_package_from_the_page(patient):
    response = _client(patient).post(
        "/services/vip/", {"wishes": ["travel", "interpreter"], "city": "Istanbul", "note": "Two people"}
    )

    order = AddonOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/services/packages/{order.pk}/"
    assert (order.kind, order.status) == ("vip_concierge", AddonOrderStatus.REQUESTED)


def test_an_empty_vip_request_is_refused_with_a_message(patient):
    response = _client(patient).post("/services/vip/", {"city": "Istanbul", "note": ""})

    assert response.status_code == 400
    assert "Tick what you want or describe it." in response.content.decode()
    assert AddonOrder.objects.count() == 0


def test_a_request_for_someone_elses_booking_is_not_found(patient, other_patient):
    assert _client(other_patient).get("/services/vip/?booking=999999").status_code == 404


def test_a_patient_gives_a_mandate_from_the_page(patient):
    response = _client(patient).post(
        "/services/assistance/", {"scope": ["find_providers", "request_quotes"], "days": "30", "city": "Istanbul"}
    )

    assert response.status_code == 302
    assert CareMandate.objects.get().scope == "find_providers,request_quotes"


def test_a_mandate_of_91_days_is_refused_on_the_page(patient):
    response = _client(patient).post("/services/assistance/", {"scope": ["qualify"], "days": "91", "city": "Istanbul"})

    assert response.status_code == 400
    assert CareMandate.objects.count() == 0


def test_the_careteam_builds_and_sends_a_package_and_the_patient_accepts_it(patient, careteam):
    order = vip_request(patient=patient, city="Istanbul", note="Hotel", now=timezone.now())
    staff = _client(careteam)

    added = staff.post(
        f"/services/packages/{order.pk}/edit/",
        {"category": "accommodation", "description": "Hotel, 5 nights", "currency": "EUR", "price": "400.00",
         "cost": "320", "refund_rule": "full"},
    )  # fmt: skip
    assert added.status_code == 302
    assert PackageItem.objects.get().amount == 40_000
    assert staff.post(f"/services/packages/{order.pk}/send/").status_code == 302

    page = _client(patient).get(f"/services/packages/{order.pk}/").content.decode()
    assert "Hotel, 5 nights" in page
    assert "Accept and pay" in page
    accepted = _client(patient).post(f"/services/packages/{order.pk}/accept/")
    assert accepted.status_code == 302
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.AWAITING_PAYMENT
    assert 'data-testid="pay-link"' in _client(patient).get(f"/services/packages/{order.pk}/").content.decode()


def test_an_item_priced_zero_is_refused_on_the_page_and_nothing_written(patient, careteam):
    order = vip_request(patient=patient, city="Istanbul", note="Hotel", now=timezone.now())

    response = _client(careteam).post(
        f"/services/packages/{order.pk}/edit/",
        {"category": "travel", "description": "Flights", "currency": "EUR", "price": "0", "refund_rule": "full"},
    )

    assert response.status_code == 400
    assert "above zero" in response.content.decode()
    assert PackageItem.objects.count() == 0


def test_the_patient_sees_each_item_and_the_running_cost_once_tracked(stripe_emulator, patient, careteam):
    now = timezone.now()
    order = _paid(stripe_emulator, patient, careteam, now)
    flights = order.package_items.order_by("position").first()

    moved = _client(careteam).post(f"/services/packages/items/{flights.pk}/move/", {"target": "cancelled"})

    assert moved.status_code == 302
    assert PackageItem.objects.get(pk=flights.pk).status == PackageItemStatus.CANCELLED
    page = _client(patient).get(f"/services/packages/{order.pk}/").content.decode()
    assert 'data-testid="package-running"' in page
    assert "€400.00" in page  # the hotel, still due
    assert 'data-testid="package-refunded"' in page


def test_someone_elses_package_is_not_found_and_the_edit_page_is_the_careteams(patient, other_patient):
    order = vip_request(patient=patient, city="Istanbul", note="Hotel", now=timezone.now())

    assert _client(other_patient).get(f"/services/packages/{order.pk}/").status_code == 404
    assert _client(patient).get(f"/services/packages/{order.pk}/edit/").status_code == 403


def test_the_patient_revokes_the_mandate_from_the_page(stripe_emulator, patient, careteam):
    order = paid_assistance(stripe_emulator, patient, careteam, timezone.now())

    response = _client(patient).post(f"/services/packages/{order.pk}/revoke-mandate/")

    assert response.status_code == 302
    assert CareMandate.objects.get(order=order).revoked_at is not None
    assert 'data-testid="mandate-revoked"' in _client(patient).get(f"/services/packages/{order.pk}/").content.decode()


def test_the_careteam_prices_assistance_from_the_page(patient, careteam):
    now = timezone.now()
    careteam_price(careteam, now)
    order = requested_assistance(patient, now)

    _client(careteam).post(f"/services/packages/{order.pk}/price/", {"currency": "EUR"})

    order.refresh_from_db()
    assert (order.status, order.amount) == (AddonOrderStatus.QUOTED, 25_000)
    assert order_quote_accept(order=order, actor=patient, now=now).status == AddonOrderStatus.AWAITING_PAYMENT


def test_the_careteam_closes_a_paid_assistance_from_its_page(stripe_emulator, patient, careteam):
    order = paid_assistance(stripe_emulator, patient, careteam, timezone.now())
    staff = _client(careteam)
    assert "Close the assistance as done" in staff.get(f"/services/packages/{order.pk}/edit/").content.decode()

    response = staff.post(f"/services/packages/{order.pk}/complete/")

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.FULFILLED
    assert _client(patient).post(f"/services/packages/{order.pk}/complete/").status_code == 403
