"""In a real Chromium, against the local Stripe emulator and its Stripe.js stand-in: a patient
pays a deposit with 4242 4242 4242 4242, then another booking's with a 3-D Secure card
(completing the bank's check), sees both bookings confirmed and downloads the payment
confirmation. A declined card is explained on the page first."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from bookings.models import Booking, BookingStatus
from bookings.tests.support import awaiting, bookable
from payments.models import Deposit, DepositStatus
from payments.tests.conftest import CARD_3DS, CARD_DECLINED, CARD_OK
from tests.test_browser import HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- the page fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]


def enter_card(browser_page, number: str) -> None:
    """The emulator's card element: number, expiry month and year, CVC, postal code inputs."""
    element = browser_page.get_by_test_id("card-element")
    element.get_by_placeholder("number").fill(number)
    element.get_by_placeholder("exp_month").fill("12")
    element.get_by_placeholder("exp_year").fill("34")
    element.get_by_placeholder("cvc").fill("123")
    element.get_by_placeholder("postal_code").fill("75001")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_pays_two_deposits_one_with_3d_secure_and_downloads_the_confirmation(
    live_server,
    page,  # noqa: F811 -- tests/test_browser.py's fixture, imported above
    stripe_emulator,
):
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD, PatientFactory

    patient = PatientFactory(email="ines@example.test")
    offering = bookable(title="Knee consultation")
    first = awaiting(patient, offering.provider, offering=offering)
    second = awaiting(patient, bookable(title="Hip consultation").provider)
    _sign_in(page, live_server.url, patient.email, PASSWORD)

    # The booking page leads to the payment page: deposit, due on site, the schedule.
    page.goto(f"{live_server.url}/bookings/{first.pk}/")
    page.get_by_role("link", name="Pay the deposit").click()
    expect(page.get_by_test_id("deposit-amount")).to_have_text("€500.00")
    expect(page.get_by_test_id("due-on-site")).to_have_text("€3,500.00")
    expect(page.get_by_test_id("cancellation-schedule")).to_contain_text("If you cancel")

    # A declined card is explained, and nothing changes.
    enter_card(page, CARD_DECLINED)
    page.get_by_role("button", name="Pay €500.00").click()
    expect(page.locator("#payment-message")).to_contain_text("Your card was declined")
    assert Booking.objects.get(pk=first.pk).status == BookingStatus.AWAITING_DEPOSIT

    # 4242…: paid, back on the booking page, confirmed.
    enter_card(page, CARD_OK)
    page.get_by_role("button", name="Pay €500.00").click()
    expect(page.get_by_text("Thank you: your deposit is paid and your booking is confirmed.")).to_be_visible()
    expect(page.locator(".page-head .badge")).to_have_text("Confirmed")
    assert Booking.objects.get(pk=first.pk).status == BookingStatus.CONFIRMED

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the payment confirmation (PDF)").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(pdf.pages[0].extract_text().split())
    deposit = Deposit.objects.get(booking=first)
    assert "500.00 EUR" in text
    assert deposit.verification_code in text
    assert download.value.suggested_filename == f"payment-confirmation-{first.pk}.pdf"

    # The code checks out on the public page.
    page.goto(f"{live_server.url}/payments/verify/{deposit.verification_code}/")
    expect(page.get_by_test_id("verified")).to_contain_text("is genuine")

    # A 3-D Secure card: the bank's check, completed (when the card is saved and when it is charged).
    page.goto(f"{live_server.url}/payments/bookings/{second.pk}/pay/")
    enter_card(page, CARD_3DS)
    page.get_by_role("button", name="Pay €500.00").click()
    page.get_by_role("button", name="Complete authentication").click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_text("Thank you: your deposit is paid and your booking is confirmed.")).to_be_visible()
    expect(page.locator(".page-head .badge")).to_have_text("Confirmed")
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.CONFIRMED
    assert Deposit.objects.get(booking=second).status == DepositStatus.HELD
    expect(page.get_by_role("link", name="Download the payment confirmation (PDF)")).to_be_visible()
    # The payment page ran Stripe.js (the emulator's) under its Content-Security-Policy, unblocked.
    assert page.csp_violations == []
