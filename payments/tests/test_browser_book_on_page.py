"""In a real Chromium, against the local Stripe emulator: a patient opens a provider's page, clicks
a free slot, pays the deposit while the hold counts down, moves the appointment from the booking
page, then cancels it, reading what is kept and refunded before the final button."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.models import Booking, BookingStatus
from bookings.tests.support import bookable
from payments.tests.conftest import CARD_OK
from payments.tests.test_browser_payments import enter_card
from tests.test_browser import ARTIFACTS, HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- the page fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]


def shot(browser_page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(ARTIFACTS / f"book-on-page-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_books_a_slot_from_the_provider_page_pays_moves_it_and_cancels_seeing_the_fee(
    live_server,
    page,  # noqa: F811 -- tests/test_browser.py's fixture, imported above
    stripe_emulator,
):
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD, PatientFactory

    patient = PatientFactory(email="amelia@example.test")
    offering = bookable(title="Knee consultation")
    _sign_in(page, live_server.url, patient.email, PASSWORD)

    # The provider's page: the free times are buttons; the first one holds the slot.
    page.goto(f"{live_server.url}/providers/p/{offering.provider.slug}/")
    slots = page.get_by_test_id("slots").locator("button.slot-button")
    expect(slots.first).to_contain_text("Paris time")
    chosen = slots.first.get_attribute("data-start")
    shot(page, "1-provider")
    slots.first.click()

    # The payment page: the hold counts down, then the card pays the deposit.
    expect(page.get_by_test_id("hold-countdown")).to_contain_text("left to pay")
    booking = Booking.objects.get(patient=patient)
    assert booking.status == BookingStatus.HELD
    assert booking.appointments.get().start == dt.datetime.fromisoformat(chosen)
    shot(page, "2-pay")
    enter_card(page, CARD_OK)
    page.locator("#pay-button").click()
    expect(page.get_by_text("Thank you: your deposit is paid and your booking is confirmed.")).to_be_visible()
    expect(page.get_by_test_id("where-to-go")).to_contain_text(offering.location.address)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED

    # Moving it: a free time of the same offering, then the confirmation saying what it costs.
    moves = page.get_by_test_id("reschedule").locator("a.slot-button")
    target = moves.first.get_attribute("data-start")
    assert dt.datetime.fromisoformat(target) != dt.datetime.fromisoformat(chosen)
    moves.first.click()
    expect(page.get_by_test_id("move-confirm")).to_contain_text("Moving it costs nothing")
    shot(page, "3-move")
    page.get_by_role("button", name="Yes, move it").click()
    expect(page.get_by_text("Your appointment is moved.")).to_be_visible()
    assert booking.appointments.get().start == dt.datetime.fromisoformat(target)

    # Cancelling: the fee and the refund are on the page before the panel's final button.
    expect(page.get_by_test_id("cancel-consequence")).to_contain_text("is kept")
    page.get_by_test_id("cancel").locator("summary").click()
    final = page.get_by_role("button", name="Yes, cancel the booking")
    expect(final).to_be_visible()
    shot(page, "4-cancel")
    final.click()
    expect(page.get_by_text("The booking is cancelled.")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    shot(page, "5-cancelled")
