"""In a real Chromium: a patient opens a quote, reads its cancellation dates, clicks "Accept this
quote", sees what accepting means (the deposit, the first date from which nothing is refunded) and
only then confirms; the booking awaits its deposit."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.models import Booking, BookingStatus
from core.when import date_text
from quotes.models import QuoteStatus
from quotes.tests.test_quote_commitment import _quoted, _today_there
from tests.test_browser import ARTIFACTS, HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- the page fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_reads_the_cancellation_dates_and_accepts_a_quote_only_after_confirming(
    live_server,
    page,  # noqa: F811 -- tests/test_browser.py's fixture, imported above
    patient,
    clinic,
    clinic_member,
):
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD

    quote = _quoted(patient, clinic, clinic_member, days_ahead=40)
    free_until = date_text(_today_there() + dt.timedelta(days=14))
    no_refund = date_text(_today_there() + dt.timedelta(days=15))
    _sign_in(page, live_server.url, patient.email, PASSWORD)

    page.goto(f"{live_server.url}/quotes/{quote.request_id}/")
    schedule = page.get_by_test_id("cancellation-schedule")
    expect(schedule).to_contain_text(f"until {free_until}")
    expect(schedule).to_contain_text(f"from {no_refund}, or if you do not come")
    confirm = page.get_by_role("button", name="Yes, accept and book")
    expect(confirm).to_be_hidden()

    page.get_by_test_id("accept-quote").get_by_text("Accept this quote").click()

    expect(page.get_by_test_id("confirm-deposit")).to_have_text("€500.00")
    expect(page.get_by_test_id("confirm-non-refundable")).to_contain_text(
        f"From {no_refund}, the deposit is no longer refunded if you cancel."
    )
    expect(confirm).to_be_visible()
    assert not Booking.objects.exists()  # opening the panel commits nothing
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("quote").screenshot(path=str(ARTIFACTS / "quote-accept-confirm.png"))

    confirm.click()

    expect(page.get_by_text("Quote accepted. Your booking is waiting for its deposit.")).to_be_visible()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert Booking.objects.get().status == BookingStatus.AWAITING_DEPOSIT
