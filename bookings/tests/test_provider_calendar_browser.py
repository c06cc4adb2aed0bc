"""A provider signs in to a real Chromium and finds a booking three months out through the calendar's
month navigation, then opens it from the bookings list; the header stays on one line at 1280 px.
Screenshots in var/browser/."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import PASSWORD, PatientFactory, UserFactory
from bookings.tests.support import bookable
from bookings.tests.test_provider_bookings import book, in_days, named
from providers.models import MemberRole
from providers.tests.factories import MemberFactory, ProviderFactory
from tests.test_browser import ARTIFACTS, HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- `page` is a fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]


def shoot(browser_page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_provider_finds_a_booking_three_months_out_by_month(live_server, page):  # noqa: F811
    from playwright.sync_api import expect

    provider = ProviderFactory(name="Anadolu Hospital", slug="anadolu")
    offering = bookable(provider=provider, title="Hip replacement consultation")
    admin = UserFactory(email="admin@anadolu.test")
    MemberFactory(provider=provider, user=admin, role=MemberRole.ADMIN)
    patient = named(PatientFactory(email="amelia@example.test"), "Amelia", "Clarke")
    far = book(patient, offering, 91)
    start = in_days(91)[0]

    _sign_in(page, live_server.url, admin.email, PASSWORD, second_factor=True)
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] < 90, "the header wraps"
    page.get_by_role("link", name="For providers").click()
    page.get_by_role("link", name="See the bookings calendar").click()
    expect(page.get_by_test_id("calendar-period")).to_contain_text("Week")
    page.get_by_test_id("calendar-month-view").click()
    for _ in range(4):
        if page.locator(f'tr[data-booking="{far.pk}"]').count():
            break
        page.get_by_test_id("calendar-next").click()
    row = page.locator(f'tr[data-booking="{far.pk}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Amelia Clarke")
    expect(row.locator("time").first).to_have_attribute("datetime", start.astimezone(dt.UTC).isoformat())
    expect(row).to_contain_text("10:00")
    shoot(page, "provider-calendar-month.png")

    page.get_by_role("link", name="All bookings as a list").click()
    page.fill('input[name="patient"]', "clarke")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(f'tr[data-booking="{far.pk}"]')).to_contain_text("Hip replacement consultation")
    shoot(page, "provider-bookings-list.png")
