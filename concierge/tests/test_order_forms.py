"""Ordering a transfer or an interpreter from the booking's page (a form, a review with the exact
total, then the card page), the booking page's add-ons section, cancelling, and the careteam's
assign / hours / done on an order's page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.tests.support import booked, confirm
from concierge.models import AddonOrder, AddonOrderStatus, InterpreterRequest, PriceList, PriceListStatus, TransferLeg
from concierge.services.ordering import order_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def prices():
    staff = UserFactory()
    for kind, amount, extra in (
        ("interpreter", 6_000, {"reduced_unit_amount": 4_500}),
        ("transfer", 7_500, {"supplement_amount": 2_000}),
    ):
        PriceList.objects.create(
            kind=kind,
            city="Paris",
            country="FR",
            currency="EUR",
            unit_amount=amount,
            status=PriceListStatus.ACTIVE,
            proposed_by=staff,
            proposed_at=timezone.now(),
            **extra,
        )


@pytest.fixture
def booking(patient, prices):
    """Confirmed, its one appointment 09:00–10:00 in Paris on Monday 4 February 2030."""
    booking = booked(patient)
    confirm(booking)
    booking.refresh_from_db()
    return booking


def _interpreter(client, booking, **changes):
    data = {
        "language": "en",
        "provider_language": "fr",
        "hours": "3",
        "minutes": "0",
        "first_day": "2030-02-04",
        "last_day": "2030-02-04",
        "currency": "EUR",
        "action": "review",
    } | changes
    return client.post(reverse("concierge:interpreter_order", args=[booking.pk]), data)


def test_the_booking_page_lists_the_services_once_the_booking_is_confirmed(client, patient, booking):
    client.force_login(patient)

    page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()

    assert "Services for this stay" in page
    assert reverse("concierge:transfer_order", args=[booking.pk]) in page
    assert reverse("concierge:interpreter_order", args=[booking.pk]) in page


def test_the_booking_page_leads_to_the_visa_letter_vip_and_assistance_pages(client, patient, booking):
    import re

    client.force_login(patient)

    page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()
    links = re.search(r'data-testid="addon-links">(.*?)</ul>', page, re.S).group(1)
    targets = re.findall(r'href="([^"]+)"', links)

    assert targets == [
        reverse("concierge:visa_order", args=[booking.pk]),
        f"{reverse('concierge:vip_request')}?booking={booking.pk}",
        reverse("concierge:assistance_request"),
    ]
    assert all(client.get(target).status_code == 200 for target in targets)


def test_the_booking_page_says_why_no_transfer_can_be_ordered_before_the_deposit(client, patient, prices):
    booking = booked(patient)
    client.force_login(patient)

    page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()

    assert "once the booking is confirmed" in page
    assert reverse("concierge:transfer_order", args=[booking.pk]) not in page


def test_the_interpreter_form_proposes_the_appointment_s_hour_and_shows_the_minimum(client, patient, booking):
    client.force_login(patient)

    page = client.get(reverse("concierge:interpreter_order", args=[booking.pk])).content.decode()

    assert "Your appointments last 1 h 00" in page
    assert "You asked for 1 h 00: 2 hours are billed." in page
    assert "<meter" in page


def test_the_interpreter_review_shows_the_exact_total_and_writes_nothing(client, patient, booking):
    client.force_login(patient)

    page = _interpreter(client, booking).content.decode()

    assert "€180.00" in page
    assert "Order and pay €180.00" in page
    assert 'value="change"' in page
    assert AddonOrder.objects.count() == 0


def test_one_hour_of_interpreting_is_billed_as_the_two_hour_minimum(client, patient, booking):
    client.force_login(patient)

    page = _interpreter(client, booking, hours="1").content.decode()

    assert "2 h 00" in page
    assert "Order and pay €120.00" in page


def test_ordering_an_interpreter_creates_the_order_and_opens_its_card_page(client, patient, booking):
    client.force_login(patient)

    response = _interpreter(client, booking, action="order")

    order = AddonOrder.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("concierge:order_pay", args=[order.pk])
    assert order.amount == 18_000
    assert order.status == AddonOrderStatus.AWAITING_PAYMENT
    assert InterpreterRequest.objects.get(order=order).booked_minutes == 180


def test_change_goes_back_to_the_form_with_the_values_kept(client, patient, booking):
    client.force_login(patient)

    page = _interpreter(client, booking, action="change", provider_language="de").content.decode()

    assert 'value="de"' in page
    assert "See the price" in page
    assert AddonOrder.objects.count() == 0


@pytest.mark.parametrize("hours", ["0", "10000", "abc"])
def test_absurd_interpreter_hours_are_refused_on_the_form_and_nothing_is_written(client, patient, booking, hours):
    client.force_login(patient)

    response = _interpreter(client, booking, hours=hours, action="order")

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert AddonOrder.objects.count() == 0


def test_someone_else_s_booking_cannot_be_ordered_for(client, other_patient, booking):
    client.force_login(other_patient)

    assert client.get(reverse("concierge:interpreter_order", args=[booking.pk])).status_code == 404
    assert client.get(reverse("concierge:transfer_order", args=[booking.pk])).status_code == 404
    assert _interpreter(client, booking, action="order").status_code == 404
    assert AddonOrder.objects.count() == 0


def test_the_transfer_form_proposes_legs_from_the_flights_and_the_appointment(client, patient, booking):
    client.force_login(patient)
    url = reverse("concierge:transfer_order", args=[booking.pk])

    page = client.post(
        url,
        {
            "step": "trip",
            "currency": "EUR",
            "arrival_flight": "TK1987",
            "arrival_at": "2030-02-03T14:30",
            "departure_flight": "AF123",
            "departure_at": "2030-02-06T18:00",
            "hotel": "Hôtel du Louvre",
        },
    ).content.decode()

    assert 'name="legs-TOTAL_FORMS" value="4"' in page
    assert 'value="2030-02-03T14:30"' in page  # the landing, in Paris time
    assert 'value="2030-02-04T08:15"' in page  # 45 minutes before the 09:00 appointment
    assert 'value="2030-02-06T15:00"' in page  # 3 hours before take-off


def _legs(**first):
    leg = {
        "legs-0-origin_kind": "airport",
        "legs-0-origin": "Paris airport",
        "legs-0-destination_kind": "hotel",
        "legs-0-destination": "Hôtel du Louvre",
        "legs-0-pickup_at": "2030-02-03T14:30",
        "legs-0-flight_number": "TK1987",
        "legs-0-passengers": "2",
        "legs-0-luggage": "2",
        "legs-0-wheelchair": "on",
        "legs-0-keep": "on",
    }
    leg.update({f"legs-0-{key}": value for key, value in first.items()})
    return {"legs-TOTAL_FORMS": "1", "legs-INITIAL_FORMS": "1", "currency": "EUR"} | leg


def test_the_transfer_review_shows_the_legs_the_total_and_the_refund_tiers(client, patient, booking):
    client.force_login(patient)

    page = client.post(
        reverse("concierge:transfer_order", args=[booking.pk]), {"step": "legs"} | _legs()
    ).content.decode()

    assert "Sunday, 3 February 2030, 14:30" in page
    assert "Order and pay €95.00" in page  # a leg and the wheelchair supplement
    assert "If you cancel after paying" in page
    assert AddonOrder.objects.count() == 0


def test_ordering_the_transfer_writes_its_legs_at_the_local_pickup_time(client, patient, booking):
    client.force_login(patient)

    response = client.post(
        reverse("concierge:transfer_order", args=[booking.pk]), {"step": "review", "action": "order"} | _legs()
    )

    order = AddonOrder.objects.get()
    assert response.url == reverse("concierge:order_pay", args=[order.pk])
    leg = TransferLeg.objects.get(order=order)
    assert leg.pickup_at.isoformat() == "2030-02-03T13:30:00+00:00"
    assert leg.flight_number == "TK1987"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("flight_number", "hello!", "Enter a flight number"),
        ("pickup_at", "2020-01-01T10:00", "The pickup time has passed"),
        ("passengers", "0", "greater than or equal to 1"),
    ],
)
def test_a_bad_leg_is_refused_on_its_field_and_nothing_is_written(client, patient, booking, field, value, message):
    client.force_login(patient)

    response = client.post(
        reverse("concierge:transfer_order", args=[booking.pk]),
        {"step": "review", "action": "order"} | _legs(**{field: value}),
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert AddonOrder.objects.count() == 0


def test_a_transfer_cannot_be_ordered_before_the_booking_is_confirmed(client, patient, prices):
    booking = booked(patient)
    client.force_login(patient)

    page = client.get(reverse("concierge:transfer_order", args=[booking.pk])).content.decode()
    refused = client.post(
        reverse("concierge:transfer_order", args=[booking.pk]), {"step": "review", "action": "order"} | _legs()
    )

    assert "once the booking is confirmed" in page
    assert refused.status_code == 200
    assert AddonOrder.objects.count() == 0


def test_an_unpaid_order_is_cancelled_by_its_patient(client, patient, booking):
    client.force_login(patient)
    _interpreter(client, booking, action="order")
    order = AddonOrder.objects.get()

    page = client.get(reverse("concierge:order_detail", args=[order.pk])).content.decode()
    client.post(reverse("concierge:order_cancel", args=[order.pk]))

    assert "cancelling it costs nothing" in page
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.CANCELLED


def _paid_interpreter(client, patient, booking, emulator):
    from payments.tests.conftest import CARD_OK

    client.force_login(patient)
    _interpreter(client, booking, action="order")
    order = AddonOrder.objects.get()
    start = client.post(reverse("concierge:order_pay_start", args=[order.pk])).json()
    method = emulator.collect_card(start["client_secret"], CARD_OK)
    client.post(reverse("concierge:order_pay_card", args=[order.pk]), {"payment_method": method})
    order.refresh_from_db()
    return order


def test_a_paid_order_s_page_states_the_refund_before_cancelling(client, patient, booking, stripe_emulator):
    order = _paid_interpreter(client, patient, booking, stripe_emulator)

    page = client.get(reverse("concierge:order_detail", args=[order.pk])).content.decode()

    assert "If you cancel now, €180.00 is refunded to your card." in page
    assert "Cancel the order (€180.00 refunded)" in page


def test_the_careteam_assigns_an_interpreter_and_the_patient_sees_them(
    client, patient, careteam, booking, stripe_emulator
):
    order = _paid_interpreter(client, patient, booking, stripe_emulator)
    client.force_login(careteam)

    client.post(
        reverse("concierge:order_assign", args=[order.pk]),
        {"name": "Claire Martin", "phone": "+33 6 12 34 56 78", "detail": "en ↔ fr"},
    )
    client.force_login(patient)
    page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()

    order.refresh_from_db()
    assert order.status == AddonOrderStatus.IN_PROGRESS
    assert "Assigned: Claire Martin" in page
    assert "+33612345678" in page


def test_an_assignment_without_a_name_is_refused_on_the_form(client, patient, careteam, booking, stripe_emulator):
    order = _paid_interpreter(client, patient, booking, stripe_emulator)
    client.force_login(careteam)

    response = client.post(reverse("concierge:order_assign", args=[order.pk]), {"phone": "12"})

    assert response.status_code == 400
    assert "Enter the name of the driver or interpreter." in response.content.decode()
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.CONFIRMED


def test_the_careteam_records_fewer_hours_and_the_difference_is_refunded(
    client, patient, careteam, booking, stripe_emulator
):
    order = _paid_interpreter(client, patient, booking, stripe_emulator)
    client.force_login(careteam)

    client.post(reverse("concierge:order_hours", args=[order.pk]), {"hours": "2", "minutes": "0"})

    assert InterpreterRequest.objects.get(order=order).worked_minutes == 120
    assert InterpreterRequest.objects.get(order=order).adjustment_amount == -6_000


def test_the_careteam_marks_an_arranged_order_done(client, patient, careteam, booking, stripe_emulator):
    order = _paid_interpreter(client, patient, booking, stripe_emulator)
    order_assign(order=order, actor=careteam, name="Claire", phone="", detail="", now=timezone.now())
    client.force_login(careteam)

    client.post(reverse("concierge:order_fulfil", args=[order.pk]))

    order.refresh_from_db()
    assert order.status == AddonOrderStatus.FULFILLED


def test_change_on_the_transfer_review_goes_back_to_the_legs_with_the_values_kept(client, patient, booking):
    client.force_login(patient)

    page = client.post(
        reverse("concierge:transfer_order", args=[booking.pk]),
        {"step": "review", "action": "change"} | _legs(origin="Orly, terminal 4"),
    ).content.decode()

    assert 'value="Orly, terminal 4"' in page
    assert "See the price" in page
    assert AddonOrder.objects.count() == 0


def test_the_careteam_picks_a_supplier_of_the_city_and_its_name_and_phone_are_used(
    client, patient, careteam, booking, stripe_emulator
):
    from concierge.models import Supplier

    order = _paid_interpreter(client, patient, booking, stripe_emulator)
    supplier = Supplier.objects.create(
        kind="interpreter",
        name="Paris Interprètes",
        city="Paris",
        country="FR",
        phone="+33140000000",
        created_at=timezone.now(),
    )
    Supplier.objects.create(kind="driver", name="Lyon Cars", city="Lyon", country="FR", created_at=timezone.now())
    client.force_login(careteam)

    page = client.get(reverse("concierge:order_manage", args=[order.pk])).content.decode()
    client.post(reverse("concierge:order_assign", args=[order.pk]), {"supplier": supplier.pk})

    assert "Paris Interprètes" in page
    assert "Lyon Cars" not in page
    order.refresh_from_db()
    assert (order.supplier_name, order.supplier_phone, order.supplier_id) == (
        "Paris Interprètes",
        "+33140000000",
        supplier.pk,
    )
