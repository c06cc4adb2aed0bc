"""In a real Chromium, against the local Stripe emulator (issue 13's walk-through): a patient with a
confirmed booking orders an airport transfer and 3 interpreter hours from her booking page, reviews
the exact totals, pays each with the test card; the careteam finds the transfer on its case board and
assigns a driver; the patient sees the driver on her booking page, orders her visa invitation letter,
downloads it, and its verification page says it is genuine."""

from __future__ import annotations

import pytest
from django.utils import timezone

from concierge.models import AddonOrder, AddonOrderStatus, PriceList, PriceListStatus, VisaLetter
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
        ("visa_letter", 4_500, {}),
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
def test_amelia_orders_a_transfer_and_interpreter_the_careteam_assigns_a_driver_and_her_visa_letter_checks_out(
    live_server,
    page,  # noqa: F811 -- tests/test_browser.py's fixture, imported above
    stripe_emulator,
):
    from playwright.sync_api import expect

    from accounts.models import StaffGroup
    from accounts.tests.factories import PASSWORD, PatientFactory, UserFactory
    from bookings.tests.support import NOW, booked
    from payments.services.deposits import deposit_pay, deposit_start

    _prices()
    amelia = PatientFactory(email="amelia@example.test")
    booking = booked(amelia)
    # Her deposit is paid and held in trust (the visa letter needs it).
    checkout = deposit_start(booking=booking, actor=amelia, now=NOW)
    card = stripe_emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    deposit_pay(booking=booking, actor=amelia, payment_method=card, now=NOW)
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
    expect(page.get_by_test_id("review-legs")).to_contain_text("Sunday, 3 February 2030, 14:30")
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

    # The careteam finds the paid transfer on its board and assigns a driver from the order's page.
    careteam = UserFactory(email="carla@example.test", is_staff=True, groups=[StaffGroup.CARETEAM])
    _sign_in(page, live_server.url, careteam.email, PASSWORD, second_factor=True)
    page.goto(f"{live_server.url}/careteam/")
    page.get_by_role("link", name=f"Airport–hotel–hospital transfer, order #{transfer.pk}").click()
    page.get_by_role("link", name="Open the page where this is done").click()
    page.get_by_label("Name of the driver or interpreter").fill("Karim Benali")
    page.get_by_label("Their phone").fill("+33 6 12 34 56 78")
    page.get_by_role("button", name="Assign").click()
    transfer.refresh_from_db()
    assert (transfer.status, transfer.supplier_name) == (AddonOrderStatus.IN_PROGRESS, "Karim Benali")

    # Amelia sees the driver's name and phone on her booking page.
    _sign_in(page, live_server.url, amelia.email, PASSWORD)
    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    expect(page.get_by_test_id("booking-addons")).to_contain_text("Assigned: Karim Benali")
    expect(page.get_by_test_id("booking-addons")).to_contain_text("+33612345678")

    # Her visa invitation letter: passport details as in the machine-readable zone, the exact price, paid.
    page.goto(f"{live_server.url}/services/bookings/{booking.pk}/visa-letters/")
    page.locator("#id_p0-surname").fill("HUGHES")
    page.locator("#id_p0-given_names").fill("AMELIA ROSE")
    page.locator("#id_p0-passport_number").fill("123456789")
    page.locator("#id_p0-nationality").select_option("GB")
    page.locator("#id_p0-birth_date").fill("1984-05-17")
    page.get_by_role("button", name="Review the order and its price").click()
    expect(page.get_by_test_id("visa-total")).to_have_text("€45.00")
    page.get_by_role("button", name="Order and pay").click()
    enter_card(page, CARD_OK)
    page.get_by_role("button", name="Pay €45.00").click()
    expect(page.get_by_text("Thank you: your order is paid.")).to_be_visible()
    letter = VisaLetter.objects.get(booking=booking)
    assert letter.issued_at is not None

    page.goto(f"{live_server.url}/services/bookings/{booking.pk}/visa-letters/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letter (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # A consulate checks the code printed on the letter, signed in as nobody.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/services/letters/verify/{letter.verification_code}/")
    expect(page.get_by_test_id("genuine")).to_contain_text("HUGHES")
    assert page.csp_violations == []
