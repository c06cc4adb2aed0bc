"""The careteam works the board in a real Chromium: filters, takes a case, writes a note (htmx),
with no Content-Security-Policy violation. Leaves a screenshot of the board in var/browser/."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import StaffGroup
from accounts.tests.factories import PASSWORD, PatientFactory, UserFactory
from careteam.tests import support
from careteam.tests.support import DAY, NOW
from concierge.models import AddonKind, AddonOrderStatus
from providers.tests.factories import ProviderFactory
from tests.test_browser import ARTIFACTS, HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- `page` is a fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]


def a_dozen_cases() -> None:
    patient = PatientFactory(email="amelia@example.test")
    clinic = ProviderFactory(name="Clinique du Lac")
    support.evidence_waiting(patient)
    support.pending_provider(applied=NOW - 6 * DAY, city="Lyon", name="Dr Anna Berg")
    support.pending_provider(applied=NOW - DAY, city="Porto", name="Clínica Mar")
    support.unanswered_request(patient, clinic, sent=NOW - 3 * DAY)
    support.failed_message(patient, failed=NOW - 2 * DAY)
    support.order(patient, AddonKind.VIP_CONCIERGE, AddonOrderStatus.REQUESTED, created=NOW - DAY)
    support.order(patient, AddonKind.CARETEAM, AddonOrderStatus.REQUESTED, created=NOW - 3 * DAY, city="Antalya")
    support.order(patient, AddonKind.VIP_CONCIERGE, AddonOrderStatus.QUOTED, created=NOW - 4 * DAY, city="Seoul")
    support.transfer_paid(patient, pickup=NOW + 3 * DAY, paid=NOW - DAY)
    support.transfer_paid(patient, pickup=NOW - 2 * DAY, paid=NOW - 9 * DAY, assigned=True)
    support.interpreter_paid(
        patient, first_day=(NOW + 5 * DAY).date(), last_day=(NOW + 6 * DAY).date(), paid=NOW - dt.timedelta(hours=5)
    )
    support.assistance_under_mandate(patient, granted=NOW - 2 * DAY, expires=NOW + 28 * DAY)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_careteam_filters_the_board_takes_a_case_and_writes_a_note(live_server, page, settings, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW):
        careteam = UserFactory(email="carla@example.test", is_staff=True, groups=[StaffGroup.CARETEAM])
        a_dozen_cases()
        _sign_in(page, live_server.url, careteam.email, PASSWORD, second_factor=True)

        page.get_by_role("link", name="Case board").click()
        expect(page.get_by_role("heading", name="Case board", level=1)).to_be_visible()
        expect(page.get_by_text("12 open cases")).to_be_visible()
        expect(page.get_by_text("2 days late").first).to_be_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "case-board.png"), full_page=True)

        # A filter changes the board in place (htmx) and the address keeps it.
        page.get_by_label("Late").check()
        expect(page.get_by_text("Verify Dr Anna Berg")).to_be_visible()
        expect(page.get_by_text("Verify Clínica Mar")).to_have_count(0)
        expect(page).to_have_url(f"{live_server.url}/careteam/?late=on&city=&queue=")
        page.get_by_label("Late").uncheck()
        expect(page.get_by_text("12 open cases")).to_be_visible()

        card = page.locator("article", has_text="Verify Clínica Mar")
        card.get_by_role("button", name="Take it").click()
        expect(page.locator("article", has_text="Verify Clínica Mar").get_by_text("You", exact=True)).to_be_visible()

        page.get_by_role("link", name="Verify Clínica Mar").click()
        expect(page.get_by_text("In the hands of carla@example.test")).to_be_visible()
        page.get_by_role("textbox", name="Note").fill("Asked the Portuguese register.")
        page.get_by_role("button", name="Add the note").click()
        expect(page.locator("#case-notes").get_by_text("Asked the Portuguese register.")).to_be_visible()
        expect(page.get_by_role("textbox", name="Note")).to_have_value("")
        page.reload()
        expect(page.get_by_text("wrote a note")).to_be_visible()
