"""The VIP package: asked by the patient, built and quoted by the careteam, paid, tracked item by item."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bookings.models import Booking
from concierge.models import AddonOrder, AddonOrderStatus, PackageItem, PackageItemStatus, Supplier
from concierge.services.orders import order_pay, order_start
from concierge.services.packages import (
    order_quote_accept,
    order_quote_decline,
    package_item_add,
    package_item_move,
    package_item_remove,
    package_item_update,
    package_quote_send,
    vip_request,
)
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from payments import ledger
from payments.ledger import ledger_check
from payments.models import LedgerAccount
from payments.tests.conftest import CARD_OK

pytestmark = pytest.mark.django_db


def _request(patient, now):
    return vip_request(
        patient=patient, city="Istanbul", note="A quiet hotel near the clinic", wishes=["travel"], now=now
    )


def _quoted(patient, careteam, now):
    order = _request(patient, now)
    package_item_add(
        order=order, actor=careteam, category="travel", description="Flights", amount=60_000, currency="EUR",
        refund_rule="full", cost_amount=50_000, now=now,
    )  # fmt: skip
    package_item_add(
        order=order, actor=careteam, category="accommodation", description="Hotel, 5 nights", amount=40_000,
        currency="EUR", refund_rule="none", now=now,
    )  # fmt: skip
    return package_quote_send(order=order, actor=careteam, now=now)


def _paid(emulator, patient, careteam, now):
    order = order_quote_accept(order=_quoted(patient, careteam, now), actor=patient, now=now)
    checkout = order_start(order=order, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    assert order_pay(order=order, actor=patient, payment_method=payment_method, now=now).status == "succeeded"
    order.refresh_from_db()
    return order


def test_a_vip_request_is_requested_with_what_the_patient_asked(patient):
    order = _request(patient, timezone.now())

    assert (order.kind, order.status, order.amount) == ("vip_concierge", AddonOrderStatus.REQUESTED, None)
    assert "Travel arrangements" in order.patient_note
    assert "quiet hotel" in order.patient_note


def test_the_quote_is_the_sum_of_the_items_with_one_line_each(patient, careteam):
    order = _quoted(patient, careteam, timezone.now())

    assert (order.status, order.amount, order.currency) == (AddonOrderStatus.QUOTED, 100_000, "EUR")
    assert [(line.label, line.amount) for line in order.lines.all()] == [
        ("Flights", 60_000),
        ("Hotel, 5 nights", 40_000),
    ]


def test_the_whole_package_from_request_to_fulfilled(stripe_emulator, patient, careteam):
    now = timezone.now()
    order = _paid(stripe_emulator, patient, careteam, now)
    assert order.status == AddonOrderStatus.CONFIRMED
    flights, hotel = order.package_items.order_by("position")

    package_item_move(item=flights, actor=careteam, target=PackageItemStatus.BOOKED, now=now)
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.IN_PROGRESS
    package_item_move(item=hotel, actor=careteam, target=PackageItemStatus.BOOKED, now=now)
    package_item_move(item=flights, actor=careteam, target=PackageItemStatus.DONE, now=now)
    package_item_move(item=hotel, actor=careteam, target=PackageItemStatus.DONE, now=now)

    order.refresh_from_db()
    assert (order.status, order.fulfilled_at) == (AddonOrderStatus.FULFILLED, now)
    assert ledger.income("addon:vip_concierge", "EUR").balance == -100_000
    assert ledger_check() == []


def test_a_cancelled_refundable_item_is_refunded_by_its_price_and_the_ledger_stays_clean(
    stripe_emulator, patient, careteam
):
    now = timezone.now()
    order = _paid(stripe_emulator, patient, careteam, now)
    flights, hotel = order.package_items.order_by("position")

    cancelled = package_item_move(item=flights, actor=careteam, target=PackageItemStatus.CANCELLED, now=now)
    package_item_move(item=hotel, actor=careteam, target=PackageItemStatus.CANCELLED, now=now)

    assert stripe_emulator.get(f"/v1/refunds/{cancelled.stripe_refund_id}")["amount"] == 60_000
    order.refresh_from_db()
    assert (order.status, order.refund_amount) == (AddonOrderStatus.FULFILLED, 60_000)
    assert PackageItem.objects.get(pk=hotel.pk).stripe_refund_id is None  # not refundable
    assert ledger.income("addon:vip_concierge", "EUR").balance == -40_000
    assert not LedgerAccount.objects.filter(is_trust=True).exists()
    assert ledger_check() == []


def test_a_booked_item_is_no_longer_refunded_when_cancelled(stripe_emulator, patient, careteam):
    now = timezone.now()
    order = _paid(stripe_emulator, patient, careteam, now)
    flights = order.package_items.order_by("position").first()
    package_item_move(item=flights, actor=careteam, target=PackageItemStatus.BOOKED, now=now)

    cancelled = package_item_move(item=flights, actor=careteam, target=PackageItemStatus.CANCELLED, now=now)

    assert cancelled.stripe_refund_id is None
    assert ledger.income("addon:vip_concierge", "EUR").balance == -100_000


def test_every_item_refunded_makes_the_order_refunded(stripe_emulator, patient, careteam):
    now = timezone.now()
    order = vip_request(patient=patient, city="Istanbul", note="Insurance only", now=now)
    package_item_add(
        order=order, actor=careteam, category="insurance", description="Insurance", amount=9_000, currency="EUR",
        refund_rule="full", now=now,
    )  # fmt: skip
    package_quote_send(order=order, actor=careteam, now=now)
    order_quote_accept(order=order, actor=patient, now=now)
    checkout = order_start(order=order, actor=patient, now=now)
    order_pay(
        order=order, actor=patient, payment_method=stripe_emulator.collect_card(checkout.setup_client_secret, CARD_OK),
        now=now,
    )  # fmt: skip

    package_item_move(item=order.package_items.get(), actor=careteam, target=PackageItemStatus.CANCELLED, now=now)

    order.refresh_from_db()
    assert order.status == AddonOrderStatus.REFUNDED
    assert ledger.income("addon:vip_concierge", "EUR").balance == 0
    assert ledger_check() == []


def test_an_empty_package_cannot_be_sent(patient, careteam):
    order = _request(patient, timezone.now())

    with pytest.raises(Conflict) as refused:
        package_quote_send(order=order, actor=careteam, now=timezone.now())

    assert refused.value.code == "empty_package"
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.REQUESTED


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("amount", {"amount": 0}),
        ("amount", {"amount": -5}),
        ("description", {"description": "  "}),
        ("category", {"category": "spa"}),
        ("currency", {"currency": "XYZ"}),
        ("refund_rule", {"refund_rule": "half"}),
    ],
)
def test_a_bad_item_is_refused_with_its_field_and_nothing_written(patient, careteam, field, changes):
    order = _request(patient, timezone.now())
    values = {"category": "travel", "description": "Flights", "amount": 100, "currency": "EUR", "refund_rule": "full"}

    with pytest.raises(ValidationFailed) as refused:
        package_item_add(order=order, actor=careteam, now=timezone.now(), **{**values, **changes})

    assert field in refused.value.details
    assert PackageItem.objects.count() == 0


def test_items_are_in_one_currency_and_a_supplier_of_the_city(patient, careteam):
    now = timezone.now()
    order = _request(patient, now)
    package_item_add(
        order=order, actor=careteam, category="travel", description="Flights", amount=100, currency="EUR", now=now
    )
    elsewhere = Supplier.objects.create(kind="hotel", name="Far Hotel", city="Madrid", country="ES", created_at=now)

    with pytest.raises(ValidationFailed) as currency:
        package_item_add(
            order=order, actor=careteam, category="travel", description="Taxi", amount=100, currency="USD", now=now
        )
    with pytest.raises(ValidationFailed) as supplier:
        package_item_add(
            order=order, actor=careteam, category="accommodation", description="Hotel", amount=100, currency="EUR",
            supplier=elsewhere, now=now,
        )  # fmt: skip

    assert "currency" in currency.value.details
    assert "supplier" in supplier.value.details
    assert order.package_items.count() == 1


def test_the_careteam_changes_and_removes_items_until_the_quote_is_sent(patient, careteam):
    now = timezone.now()
    order = _request(patient, now)
    item = package_item_add(
        order=order, actor=careteam, category="travel", description="Flights", amount=100, currency="EUR", now=now
    )
    item = package_item_update(
        item=item, actor=careteam, category="travel", description="Flights, business", amount=300, currency="EUR",
        refund_rule="none", now=now,
    )  # fmt: skip
    assert (item.amount, item.refund_rule) == (300, "none")
    package_item_remove(item=item, actor=careteam, now=now)
    assert order.package_items.count() == 0

    package_item_add(
        order=order, actor=careteam, category="travel", description="Taxi", amount=100, currency="EUR", now=now
    )
    package_quote_send(order=order, actor=careteam, now=now)
    with pytest.raises(Conflict):
        package_item_add(
            order=order, actor=careteam, category="travel", description="More", amount=100, currency="EUR", now=now
        )


def test_only_the_careteam_builds_a_package_and_only_its_patient_decides(patient, other_patient, careteam):
    now = timezone.now()
    order = _request(patient, now)
    with pytest.raises(Forbidden):
        package_item_add(
            order=order, actor=patient, category="travel", description="Flights", amount=100, currency="EUR", now=now
        )
    order = _quoted(patient, careteam, now)
    with pytest.raises(NotFound):
        order_quote_accept(order=order, actor=other_patient, now=now)

    declined = order_quote_decline(order=order, actor=patient, now=now)

    assert declined.status == AddonOrderStatus.CANCELLED
    with pytest.raises(Conflict):
        order_quote_accept(order=order, actor=patient, now=now)


def test_items_are_tracked_only_once_paid(patient, careteam):
    now = timezone.now()
    order = order_quote_accept(order=_quoted(patient, careteam, now), actor=patient, now=now)

    with pytest.raises(Conflict) as refused:
        package_item_move(item=order.package_items.first(), actor=careteam, target=PackageItemStatus.BOOKED, now=now)

    assert refused.value.code == "not_paid"


def test_a_request_for_someone_elses_booking_is_not_found(patient, other_patient):
    booking = Booking(pk=999_999, patient=other_patient)  # only its owner is read
    with pytest.raises(NotFound):
        vip_request(patient=patient, booking=booking, city="Istanbul", note="x", now=timezone.now())
    assert AddonOrder.objects.count() == 0


def test_a_request_needs_a_city_and_something_asked(patient):
    with pytest.raises(ValidationFailed):
        vip_request(patient=patient, city="", note="x", now=timezone.now())
    with pytest.raises(ValidationFailed):
        vip_request(patient=patient, city="Istanbul", note=" ", now=timezone.now())
    assert AddonOrder.objects.count() == 0


def test_the_patient_is_emailed_when_the_package_is_quoted(patient, careteam, django_capture_on_commit_callbacks):
    from notifications.models import Message

    with django_capture_on_commit_callbacks(execute=True):
        order = _quoted(patient, careteam, timezone.now())

    assert Message.objects.filter(event="addon_quote_ready", recipient=patient).count() == 1
    assert order.status == AddonOrderStatus.QUOTED
