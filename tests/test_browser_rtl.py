"""In a real Chromium, the search, a provider's page, a booking and its payment page in Arabic:
`<html dir="rtl">`, the layout mirrored (the search filters on the right of the results, the
card's label on the right), no text wider than its box, no page wider than the window; in English
the same search has its filters on the left. Screenshots are saved in var/browser/rtl-*.png and
ltr-search.png (`python scripts/screenshot.py --from-tests` copies them to docs/ for the README)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from bookings.tests.support import awaiting, bookable
from payments.tests.conftest import stripe_emulator, stripe_emulator_base  # noqa: F401 -- fixtures
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, HAVE_CHROMIUM, REQUIRE_BROWSER

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]

# Every element that shows text directly and is wider inside than its box, unless it scrolls on
# purpose (overflow auto or scroll, e.g. the comparison table) or sits in such a container, or is
# a form control (an input scrolls its own text) or visually hidden.
OVERFLOWING = """
() => {
  const scrolls = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (["auto", "scroll"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    if (["SCRIPT", "STYLE", "INPUT", "SELECT", "TEXTAREA", "OPTION", "svg", "IMG"].includes(el.tagName)) continue;
    if (!el.clientWidth || el.closest(".visually-hidden, .skip-link")) continue;
    const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!hasText || scrolls(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      found.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.textContent.trim().slice(0, 60)}`);
    }
  }
  return found;
}
"""


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def _check_page(page, name: str) -> None:
    """The page is right to left, nothing overflows, and its screenshot is saved."""
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    assert page.evaluate(OVERFLOWING) == [], f"text overflows its box on the {name} page"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), (
        f"the {name} page is wider than the window"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"rtl-{name}.png"), full_page=False)


def _context(browser, base_url: str, language: str, session: str = ""):
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    if session:
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url})
    context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_provider_booking_and_payment_pages_are_mirrored_in_arabic(live_server, stripe_emulator):  # noqa: F811
    import os

    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    from accounts.tests.factories import PatientFactory
    from providers.services import offerings_refresh_next_slot, offerings_refresh_prices
    from storefront.search import search_reindex

    offering = bookable(title="Knee consultation")
    search_reindex()
    offerings_refresh_next_slot(offering_ids=None, now=timezone.now())
    offerings_refresh_prices(offering_ids=None, now=timezone.now())
    patient = PatientFactory(email="layla@example.test")
    patient.patient_profile.preferred_language = "ar"
    patient.patient_profile.save()
    booking = awaiting(patient, offering.provider, offering=offering)
    client = Client()
    client.force_login(patient)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)

            # English first: the filters column on the left of the results.
            english = _context(browser, live_server.url, "en")
            english.goto(f"{live_server.url}/search/?q=knee")
            assert english.evaluate("document.documentElement.dir") == "ltr"
            filters, results = _box(english, ".search-filters"), _box(english, ".search-results")
            assert filters["x"] + filters["width"] <= results["x"]
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            english.screenshot(path=str(ARTIFACTS / "ltr-search.png"), full_page=False)

            # Arabic: the same search mirrored.
            page = _context(browser, live_server.url, "ar")
            page.goto(f"{live_server.url}/search/?q=knee")
            expect(page.locator(f'[data-offering="{offering.pk}"]')).to_be_visible()
            filters, results = _box(page, ".search-filters"), _box(page, ".search-results")
            assert filters["x"] >= results["x"] + results["width"]
            _check_page(page, "search")

            page.locator(f'[data-offering="{offering.pk}"] h2 a').click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(offering.provider.name)
            _check_page(page, "provider")

            page = _context(browser, live_server.url, "ar", session)
            page.goto(f"{live_server.url}/bookings/{booking.pk}/")
            expect(page.locator("h1")).to_be_visible()
            _check_page(page, "booking")

            page.goto(f"{live_server.url}/payments/bookings/{booking.pk}/pay/")
            expect(page.get_by_test_id("card-element")).to_be_visible()
            # The deposit reads left to right inside the Arabic, as the formats helper isolates it.
            deposit = page.get_by_test_id("deposit-amount")
            expect(deposit).to_contain_text("500")
            _check_page(page, "payment")

            # Mirrored: the header's brand stands at the right end of its row.
            brand = _box(page, ".brand")
            assert brand["x"] > 1280 / 2

            # On a phone the page still fits its width, the filters folded above the results.
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{live_server.url}/search/?q=knee")
            assert page.evaluate(OVERFLOWING) == [], "text overflows its box on the phone's search page"
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
            page.screenshot(path=str(ARTIFACTS / "rtl-search-phone.png"), full_page=False)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
