"""The API of VIP packages and careteam assistance: 201/200 on the way, 400/404/409 on bad input, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concierge.models import AddonOrder, AddonOrderStatus, CareMandate, PackageItem
from concierge.services.packages import vip_request
from concierge.tests.support import careteam_price, paid_assistance, requested_assistance
from concierge.tests.test_packages import _paid

pytestmark = pytest.mark.django_db


def test_the_whole_package_through_the_api(api_as, patient, careteam):
    asked = api_as(patient).post(
        "/api/v1/concierge/vip/", {"wishes": ["travel"], "city": "Istanbul", "note": "Two people"}, format="json"
    )
    assert asked.status_code == 201
    order_id = asked.json()["id"]
    staff = api_as(careteam)

    added = staff.post(
        f"/api/v1/concierge/packages/{order_id}/items/",
        {"category": "travel", "description": "Flights", "currency": "EUR", "price": "600.00", "refund_rule": "full"},
        format="json",
    )
    assert added.status_code == 201
    assert added.json()["items"][0]["price"]["minor"] == 60_000
    sent = staff.post(f"/api/v1/concierge/packages/{order_id}/send/")
    assert sent.json()["status"] == "quoted"

    mine = api_as(patient).get(f"/api/v1/concierge/packages/{order_id}/").json()
    assert mine["total"]["minor"] == 60_000
    assert mine["available_actions"]["accept"]["allowed"] is True
    accepted = api_as(patient).post(f"/api/v1/concierge/packages/{order_id}/accept/")
    assert accepted.json()["status"] == "awaiting_payment"


def test_an_item_priced_zero_is_a_400_and_nothing_written(api_as, patient, careteam):
    order = vip_request(patient=patient, city="Istanbul", note="x", now=timezone.now())

    response = api_as(careteam).post(
        f"/api/v1/concierge/packages/{order.pk}/items/",
        {"category": "travel", "description": "Flights", "currency": "EUR", "price": "0"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_item"
    assert PackageItem.objects.count() == 0


def test_sending_an_empty_package_is_a_409(api_as, patient, careteam):
    order = vip_request(patient=patient, city="Istanbul", note="x", now=timezone.now())

    response = api_as(careteam).post(f"/api/v1/concierge/packages/{order.pk}/send/")

    assert response.status_code == 409
    assert response.json()["code"] == "empty_package"


def test_someone_elses_package_is_a_404_and_a_patient_cannot_add_items(api_as, patient, other_patient):
    order = vip_request(patient=patient, city="Istanbul", note="x", now=timezone.now())

    assert api_as(other_patient).get(f"/api/v1/concierge/packages/{order.pk}/").status_code == 404
    assert api_as(other_patient).post(f"/api/v1/concierge/packages/{order.pk}/accept/").status_code == 404
    assert api_as(patient).post(f"/api/v1/concierge/packages/{order.pk}/items/", {}, format="json").status_code == 403


def test_a_request_for_someone_elses_booking_is_a_404(api_as, other_patient):
    response = api_as(other_patient).post(
        "/api/v1/concierge/vip/", {"city": "Istanbul", "note": "x", "booking": 999_999}, format="json"
    )

    assert response.status_code == 404
    assert AddonOrder.objects.count() == 0


def test_a_mandate_is_given_and_revoked_through_the_api(api_as, patient):
    expires = (timezone.now() + dt.timedelta(days=30)).isoformat()
    given = api_as(patient).post(
        "/api/v1/concierge/assistance/",
        {"scope": ["request_quotes"], "expires_at": expires, "city": "Istanbul"},
        format="json",
    )
    assert given.status_code == 201
    assert given.json()["mandate"]["scope"] == ["request_quotes"]

    revoked = api_as(patient).post(f"/api/v1/concierge/assistance/{given.json()['id']}/revoke-mandate/")

    assert revoked.status_code == 200
    assert revoked.json()["mandate"]["revoked_at"] is not None


def test_a_mandate_beyond_90_days_is_a_400(api_as, patient):
    expires = (timezone.now() + dt.timedelta(days=120)).isoformat()
    response = api_as(patient).post(
        "/api/v1/concierge/assistance/",
        {"scope": ["qualify"], "expires_at": expires, "city": "Istanbul"},
        format="json",
    )

    assert response.status_code == 400
    assert CareMandate.objects.count() == 0


def test_pricing_assistance_without_a_price_list_is_a_409(api_as, patient, careteam):
    order = requested_assistance(patient, timezone.now())

    response = api_as(careteam).post(
        f"/api/v1/concierge/assistance/{order.pk}/quote/", {"currency": "USD"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "no_price_list"
    careteam_price(careteam, timezone.now())
    quoted = api_as(careteam).post(
        f"/api/v1/concierge/assistance/{order.pk}/quote/", {"currency": "EUR"}, format="json"
    )
    assert quoted.json()["status"] == "quoted"


def test_the_careteam_tracks_items_through_the_api(api_as, stripe_emulator, patient, careteam):
    order = _paid(stripe_emulator, patient, careteam, timezone.now())
    flights = order.package_items.order_by("position").first()

    response = api_as(careteam).post(
        f"/api/v1/concierge/package-items/{flights.pk}/move/", {"target": "cancelled"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["refunded"]["minor"] == 60_000
    assert response.json()["items"][0]["refunded"] is True
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.CONFIRMED


def test_a_tender_through_the_api_and_its_refusal_once_the_mandate_is_revoked(
    api_as, stripe_emulator, patient, careteam, clinic, rival
):
    order = paid_assistance(stripe_emulator, patient, careteam, timezone.now())
    now = timezone.now()
    body = {
        "order": order.pk,
        "providers": [clinic.slug, rival.slug],
        "subject": "Knee",
        "message": "Torn meniscus",
        "desired_from": (now + dt.timedelta(days=40)).date().isoformat(),
        "desired_to": (now + dt.timedelta(days=70)).date().isoformat(),
        "answer_by": (now + dt.timedelta(days=5)).isoformat(),
    }

    started = api_as(careteam).post("/api/v1/tenders/", body, format="json")
    assert started.status_code == 201
    assert len(started.json()["recipients"]) == 2
    api_as(patient).post(f"/api/v1/concierge/assistance/{order.pk}/revoke-mandate/")
    refused = api_as(careteam).post("/api/v1/tenders/", body, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "mandate_not_valid"


def test_the_careteam_changes_an_item_through_the_api_until_the_quote_is_sent(api_as, patient, careteam):
    order = vip_request(patient=patient, city="Istanbul", note="x", now=timezone.now())
    staff = api_as(careteam)
    body = {"category": "travel", "description": "Flights", "currency": "EUR", "price": "100.00"}
    item_id = staff.post(f"/api/v1/concierge/packages/{order.pk}/items/", body, format="json").json()["items"][0]["id"]

    changed = staff.put(f"/api/v1/concierge/package-items/{item_id}/", {**body, "price": "150.00"}, format="json")
    assert changed.json()["items"][0]["price"]["minor"] == 15_000
    staff.post(f"/api/v1/concierge/packages/{order.pk}/send/")

    refused = staff.put(f"/api/v1/concierge/package-items/{item_id}/", {**body, "price": "1.00"}, format="json")
    assert refused.status_code == 409
    assert PackageItem.objects.get(pk=item_id).amount == 15_000
