"""In a real Chromium: a careteam member proposes a price for Kuwait City in dinars, a finance member
approves it, and the careteam records a driver whose margin then shows. Runs where chromium is
installed (tests/test_browser.py's fixtures)."""

from __future__ import annotations

import pytest

from conftest import REQUIRE_BROWSER
from tests.test_browser import ARTIFACTS, HAVE_CHROMIUM, page  # noqa: F401 -- the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]


def _sign_in(page, live_server, user) -> None:  # noqa: F811
    from accounts.tests.factories import PASSWORD, totp_code

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="login"]', user.email)
    page.fill('input[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.fill('input[name="code"]', totp_code())
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_careteam_proposes_a_price_finance_approves_it_and_the_suppliers_margin_shows(
    live_server,
    page,  # noqa: F811
):
    from playwright.sync_api import expect

    from accounts.models import StaffGroup
    from accounts.tests.factories import UserFactory
    from concierge.models import PriceList, PriceListStatus

    careteam = UserFactory(email="carla@example.test", is_staff=True, groups=[StaffGroup.CARETEAM])
    finance = UserFactory(email="fiona@example.test", is_staff=True, groups=[StaffGroup.FINANCE])

    _sign_in(page, live_server, careteam)
    page.goto(f"{live_server.url}/services/prices/")
    page.select_option('select[name="kind"]', "transfer")
    page.fill('input[name="city"]', "Kuwait City")
    page.select_option('select[name="country"]', "KW")
    page.select_option('select[name="currency"]', "KWD")
    page.fill('input[name="unit_amount"]', "22.000")
    page.fill('input[name="supplement_amount"]', "6.000")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_text("a finance member must approve it")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalogue-proposed.png"), full_page=True)

    # Finance in a browser of their own (a one-time code is not accepted twice in its 30 seconds).
    finance_page = page.context.browser.new_context(locale="en-GB").new_page()
    _sign_in(finance_page, live_server, finance)
    finance_page.goto(f"{live_server.url}/services/prices/")
    finance_page.fill('input[name="note"]', "Matches the drivers' costs")
    finance_page.get_by_role("button", name="Approve").click()
    expect(finance_page.get_by_text("The price is in force")).to_be_visible()
    assert PriceList.objects.get().status == PriceListStatus.ACTIVE
    finance_page.context.close()

    page.goto(f"{live_server.url}/services/suppliers/")
    page.get_by_role("link", name="Add a supplier").click()
    page.select_option('select[name="kind"]', "driver")
    page.fill('input[name="name"]', "Al Hamra Chauffeurs")
    page.fill('input[name="city"]', "Kuwait City")
    page.select_option('select[name="country"]', "KW")
    page.fill('input[name="phone"]', "+965 6555 1234")
    page.fill('input[name="cost"]', "14.000")
    page.select_option('select[name="cost_currency"]', "KWD")
    page.select_option('select[name="cost_unit"]', "leg")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Al Hamra Chauffeurs is recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="KWD8.000 (36 %)")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "catalogue-suppliers.png"), full_page=True)
