"""In a real Chromium, against the local Stripe emulator: a patient with a confirmed booking orders an
airport transfer and 3 interpreter hours from her booking page, reviews the exact totals, pays each
with the test card, and sees the driver on her booking page once the careteam assigns one."""

from __future__ import annotations

import pytest
from django.utils import timezone

from concierge.models import AddonOrder, AddonOrderStatus, PriceList, PriceListStatus
from payments.tests.conftest import CARD_OK
from payments.tests.test_browser_payments import enter_card
from tests.test_browser import HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- the page fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]


def _prices() -> None:
    from accounts.tests.factories import UserFactory

    staff = UserFactory(email="prices@example.test")
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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_orders_a_transfer_and_three_interpreter_hours_pays_and_sees_the_driver(
    live_server,
    page,  # noqa: F811 -- tests/test_browser.py's fixture, imported above
    stripe_emulator,
):
    from playwright.sync_api import expect

    from accounts.models import StaffGroup
    from accounts.tests.factories import PASSWORD, PatientFactory, UserFactory
    from bookings.tests.support import booked, confirm
    from concierge.services.ordering import order_assign

    _prices()
    amelia = PatientFactory(email="amelia@example.test")
    booking = booked(amelia)
    confirm(booking)
    _sign_in(page, live_server.url, amelia.email, PASSWORD)

    # From the booking page: the transfer, proposed from her flights and the appointment.
    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    page.get_by_role("link", name="Order an airport transfer").click()
    page.get_by_label("Arriving flight number").fill("TK1987")
    page.get_by_label("Landing time (local time at the destination)").fill("2030-02-03T14:30")
    page.get_by_label("Your hotel (name and address)").fill("Hôtel du Louvre, Paris")
    page.get_by_role("button", name="Propose the legs").click()
    expect(page.get_by_test_id("leg-1")).to_be_visible()
    # Only the airport pickup and the ride to the appointment: the way back is untouched, then unticked.
    page.get_by_test_id("leg-3").get_by_label("Keep this leg").uncheck()
    page.get_by_role("button", name="See the price").click()
    expect(page.get_by_test_id("order-total")).to_have_text("€150.00")
    expect(page.get_by_test_id("review-legs")).to_contain_text("Sunday 3 February 2030, 14:30")
    expect(page.get_by_test_id("order-refunds")).to_contain_text("If you cancel after paying")
    page.get_by_role("button", name="Order and pay €150.00").click()

    enter_card(page, CARD_OK)
    page.get_by_role("button", name="Pay €150.00").click()
    expect(page.get_by_text("Thank you: your order is paid.")).to_be_visible()
    transfer = AddonOrder.objects.get(kind="transfer")
    assert transfer.status == AddonOrderStatus.CONFIRMED

    # The interpreter: 3 hours, the 2-hour minimum explained, the exact total.
    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    page.get_by_role("link", name="Order an interpreter").click()
    expect(page.get_by_test_id("interpreter-meter")).to_contain_text("At least 2 hours per stay")
    page.get_by_label("The doctors' language").fill("fr")
    page.locator("#id_hours").fill("1")
    expect(page.locator("#hours-billed")).to_have_text("2 h 00")  # the minimum, as the patient types
    page.locator("#id_hours").fill("3")
    expect(page.locator("#hours-billed")).to_have_text("3 h 00")
    page.get_by_role("button", name="See the price").click()
    expect(page.get_by_test_id("order-total")).to_have_text("€180.00")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_label("The doctors' language")).to_have_value("fr")
    page.get_by_role("button", name="See the price").click()
    page.get_by_role("button", name="Order and pay €180.00").click()
    enter_card(page, CARD_OK)
    page.get_by_role("button", name="Pay €180.00").click()
    expect(page.get_by_text("Thank you: your order is paid.")).to_be_visible()
    assert AddonOrder.objects.get(kind="interpreter").status == AddonOrderStatus.CONFIRMED

    # The careteam assigns a driver; Amelia sees the name and phone on her booking page.
    careteam = UserFactory(email="carla@example.test", is_staff=True, groups=[StaffGroup.CARETEAM])
    order_assign(
        order=transfer, actor=careteam, name="Karim Benali", phone="+33 6 12 34 56 78", detail="", now=timezone.now()
    )
    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    expect(page.get_by_test_id("booking-addons")).to_contain_text("Assigned: Karim Benali")
    expect(page.get_by_test_id("booking-addons")).to_contain_text("+33612345678")
    assert page.csp_violations == []
