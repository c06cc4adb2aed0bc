"""WCAG 2.2 AA in a real Chromium: axe-core (tests/axe.py) on every page of the patient's, the
provider's and the staff's journeys, in English and in Arabic (right to left), on the demo's world
(`manage.py seed_demo`, its payments made against the local Stripe emulator). Any violation fails,
listed page by page with the rule, the elements and the help.

One browser per test (a browser kept for the module leaves Django's connection of the main thread
without its serialized copy of the database, so the next module's transactional tests would start
without the migrations' data); each test opens its own contexts (language, viewport, cookies).
"""

from __future__ import annotations

import io
import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from conftest import REQUIRE_BROWSER
from payments.tests.conftest import stripe_emulator, stripe_emulator_base  # noqa: F401 -- the local Stripe emulator
from tests.axe import assert_no_axe_violations, axe_violations, describe
from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS, HAVE_CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}
BROWSER_LOCALE = {"en": "en-GB", "ar": "ar"}

AMELIA = "amelia.hughes@example.test"  # the demo's patient: a paid booking, a quote, add-ons, second opinions
CLAIRE = "claire.dupont@provider.test"  # a practitioner, member of two providers, a second-opinion specialist
ANADOLU = "international@anadolu.test"  # the hospital that answered Amelia's quote request
CARETEAM = "careteam@medibroker.test"
FINANCE = "finance@medibroker.test"
COORDINATOR = "coordinator@medibroker.test"


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture
def chromium():
    if not HAVE_CHROMIUM:
        pytest.fail(f"MEDIBROKER_REQUIRE_BROWSER is set but no Chromium was found at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def open_page(chromium, live_server):
    """`open_page(language, viewport=DESKTOP)`: a new page in its own context, reading the site in
    `language` (the language cookie and the browser's Accept-Language). Fails the test on anything
    the Content-Security-Policy blocked."""
    contexts = []

    def make(language: str = "en", viewport: dict | None = None):
        context = chromium.new_context(locale=BROWSER_LOCALE[language], viewport=viewport or DESKTOP)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base = live_server.url
        page.language = language
        page.csp_violations = []
        page.on("console", lambda message: _csp(page, message.text))
        contexts.append((context, page))
        return page

    yield make
    blocked = [text for _context, page in contexts for text in page.csp_violations]
    for context, _page in contexts:
        context.close()
    assert blocked == [], "the Content-Security-Policy blocked something"


def _csp(page, text: str) -> None:
    if "Content Security Policy" in text or "Content-Security-Policy" in text:
        page.csp_violations.append(text)


def sign_in(page, email: str) -> None:
    """Through allauth's form, by field names (the labels change with the language); the demo's
    staff and provider members give the demo's second factor."""
    from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from accounts.models import PatientProfile, User
    from accounts.tests.factories import totp_code

    # A signed-in person reads the site in the language kept on their account: the page's.
    User.objects.filter(email=email).update(language=page.language)
    PatientProfile.objects.filter(user__email=email).update(preferred_language=page.language)

    page.goto(f"{page.base}{reverse('account_login')}")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', DEMO_PASSWORD)
    page.press('input[name="password"]', "Enter")
    page.wait_for_load_state()
    if page.locator('input[name="code"]').count():
        page.fill('input[name="code"]', totp_code(secret=DEMO_TOTP_SECRET))
        page.press('input[name="code"]', "Enter")
        page.wait_for_load_state()
    assert page.locator('form[action="/accounts/logout/"]').count() == 1, f"{email} is not signed in: {page.url}"


# --- the world ------------------------------------------------------------------------------------


@pytest.fixture
def demo(stripe_emulator, settings, tmp_path):  # noqa: F811 -- the emulator fixture, imported above
    """The demo's world, plus a booking of Amelia's awaiting its deposit (the payment page) and a
    provider's release asked for. Returns the ids the journeys' addresses need."""
    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Booking
    from bookings.tests.support import awaiting
    from concierge.models import AddonOrder
    from providers.models import Offering, Provider
    from quotes.models import QuoteRecipient, QuoteRequest
    from secondopinion.models import OpinionCase

    settings.MEDIA_ROOT = tmp_path
    settings.STRIPE_EMULATED = True
    call_command("seed_demo", stdout=io.StringIO())
    amelia = User.objects.get(email=AMELIA)
    claire = Provider.objects.get(slug="dr-claire-dupont")
    offering = Offering.objects.filter(provider=claire, is_active=True).order_by("pk").first()
    unpaid = awaiting(amelia, claire, offering=offering, now=timezone.now())
    paid = Booking.objects.filter(patient=amelia, status="confirmed").get()
    anadolu = Provider.objects.get(slug="anadolu-health-hospital")
    return {
        "amelia": amelia,
        "paid": paid.pk,
        "unpaid": unpaid.pk,
        "claire": claire.pk,
        "claire_slug": claire.slug,
        "claire_location": offering.location_id,
        "offering": offering.pk,
        "anadolu": anadolu.pk,
        "pending": Provider.objects.get(status="pending").pk,
        "request": QuoteRequest.objects.get(patient=amelia).pk,
        "recipient": QuoteRecipient.objects.filter(provider=anadolu).first().pk,
        "orders": list(AddonOrder.objects.filter(patient=amelia).order_by("pk").values_list("pk", flat=True)),
        "case": OpinionCase.objects.filter(patient=amelia).order_by("pk").first().pk,
        "cases": list(OpinionCase.objects.order_by("pk").values_list("pk", flat=True)),
    }


def anonymous_pages(world: dict) -> list[str]:
    return [
        reverse("home"),
        reverse("search"),
        reverse("search") + "?q=knee&country=TR&currency=GBP&price_max=50000&sort=price",
        reverse("search") + "?q=zzzzzz",  # no result
        reverse("providers:public", args=[world["claire_slug"]]),
        reverse("providers:public", args=["anadolu-health-hospital"]),
        reverse("compare"),
        reverse("terms"),
        reverse("legal_notice"),
        reverse("ranking"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("concierge:catalogue"),
    ]


def patient_pages(world: dict) -> list[str]:
    paid, unpaid, case = world["paid"], world["unpaid"], world["case"]
    return [
        reverse("quotes:request_list"),
        reverse("quotes:request_detail", args=[world["request"]]),
        reverse("quotes:request_new") + f"?provider={world['anadolu']}",
        reverse("bookings:list"),
        reverse("bookings:detail", args=[paid]),
        reverse("bookings:detail", args=[unpaid]),
        reverse("payments:pay", args=[unpaid]),
        reverse("payments:pay", args=[paid]),
        reverse("concierge:transfer_order", args=[paid]),
        reverse("concierge:interpreter_order", args=[paid]),
        reverse("concierge:visa_order", args=[paid]),
        reverse("documents:list"),
        reverse("documents:upload"),
        reverse("concierge:order_list"),
        *[reverse("concierge:order_detail", args=[pk]) for pk in world["orders"]],
        reverse("concierge:vip_request"),
        reverse("concierge:assistance_request"),
        reverse("secondopinion:patient_landing"),
        reverse("secondopinion:patient_cases"),
        reverse("secondopinion:patient_case", args=[case]),
        reverse("secondopinion:patient_new"),
        reverse("providers:join"),
        reverse("privacy:home"),
        reverse("privacy:consents"),
        reverse("privacy:erasure"),
        reverse("notifications:preferences"),
        reverse("accounts_profile"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_index"),
    ]


def provider_pages(world: dict) -> list[str]:
    claire = world["claire"]
    return [
        reverse("providers:dashboard_index"),
        reverse("providers:dashboard", args=[claire]),
        reverse("providers:profile_edit", args=[claire]),
        reverse("providers:offering_new", args=[claire]),
        reverse("providers:offering_edit", args=[claire, world["offering"]]),
        reverse("providers:location_new", args=[claire]),
        reverse("providers:location_edit", args=[claire, world["claire_location"]]),
        reverse("providers:availability", args=[claire, world["claire_location"]]),
        reverse("bookings:provider_calendar", args=[claire]),
        reverse("bookings:provider_bookings", args=[claire]),
        reverse("quotes:inbox"),
        reverse("secondopinion:specialist_home"),
        reverse("privacy:provider_forwards"),
    ]


def hospital_pages(world: dict) -> list[str]:
    return [
        reverse("quotes:inbox"),
        reverse("quotes:inbox_detail", args=[world["recipient"]]),
        reverse("providers:dashboard", args=[world["anadolu"]]),
    ]


def careteam_pages(world: dict) -> list[str]:
    return [
        reverse("careteam:board"),
        reverse("careteam:board") + "?late=on",
        reverse("providers:verification_queue"),
        reverse("providers:verification_review", args=[world["pending"]]),
        reverse("bookings:evidence_queue"),
        reverse("notifications:log"),
        reverse("concierge:visa_letters_careteam"),
        reverse("concierge:price_list"),
        reverse("concierge:supplier_list"),
        reverse("concierge:supplier_create"),
        *[reverse("concierge:order_manage", args=[pk]) for pk in world["orders"]],
    ]


def finance_pages(world: dict) -> list[str]:
    return [
        reverse("finance:trust_register"),
        reverse("finance:releases"),
        reverse("finance:reconciliation"),
        reverse("finance:stripe_events"),
        reverse("finance:payout_accounts"),
        reverse("finance:orphaned_charges"),
        reverse("finance:booking_lookup"),
        reverse("finance:booking_ledger", args=[world["paid"]]),
    ]


def coordinator_pages(world: dict) -> list[str]:
    return [
        reverse("secondopinion:coordinator_queue"),
        *[reverse("secondopinion:coordinator_case", args=[pk]) for pk in world["cases"]],
    ]


def audit(page, paths: list[str]) -> list[str]:
    """Open each page and run axe; the problems found, one entry per page (a page that does not
    answer 200, or not in the page's language, is one too)."""
    problems = []
    for path in paths:
        try:
            response = page.goto(f"{page.base}{path}")
            page.wait_for_load_state("networkidle")
        except PlaywrightError as error:
            problems.append(f"{path}: {error.message.splitlines()[0]}")
            continue
        if response is None or response.status != 200:
            problems.append(f"{path}: answered {response.status if response else 'nothing'}, not 200")
            continue
        if page.locator("html").get_attribute("lang") != page.language:
            problems.append(f"{path}: <html lang> is {page.locator('html').get_attribute('lang')!r}")
        violations = axe_violations(page)
        if violations:
            problems.append(describe(violations, where=f"{path}: "))
    return problems


def report(problems: list[str]) -> str:
    return f"{len(problems)} page(s) with problems:\n\n" + "\n\n".join(problems)


# --- the journeys ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_axe_helper_fails_on_a_violation_and_names_the_rule_and_the_element(open_page):
    """The journeys pass because the pages are right, not because axe did not run."""
    page = open_page("en")
    page.set_content(
        '<html lang="en"><head><title>Sample</title></head><body><main>'
        '<img src="/static/img/logo.svg"><input type="text" id="nameless"></main></body></html>'
    )

    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page, label="the sample")

    message = str(failure.value)
    assert "the sample: image-alt (critical)" in message
    assert "the sample: label (critical)" in message
    assert "#nameless" in message


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_public_and_patient_pages_have_no_axe_violation(open_page, demo, language):
    page = open_page(language)
    problems = audit(page, anonymous_pages(demo))
    sign_in(page, AMELIA)
    problems += audit(page, patient_pages(demo))

    assert not problems, report(problems)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_provider_pages_have_no_axe_violation(open_page, demo, language):
    page = open_page(language)
    sign_in(page, CLAIRE)
    problems = audit(page, provider_pages(demo))
    hospital = open_page(language)
    sign_in(hospital, ANADOLU)
    problems += audit(hospital, hospital_pages(demo))

    assert not problems, report(problems)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_staff_pages_have_no_axe_violation(open_page, demo, language):
    problems = []
    for email, pages in [(CARETEAM, careteam_pages), (FINANCE, finance_pages), (COORDINATOR, coordinator_pages)]:
        page = open_page(language)
        sign_in(page, email)
        problems += audit(page, pages(demo))
        if email == CARETEAM:  # a case of the board, as the careteam opens it
            page.goto(f"{page.base}{reverse('careteam:board')}")
            page.locator("main article h3 a, main article a").first.click()
            page.wait_for_load_state("networkidle")
            violations = axe_violations(page)
            if violations:
                problems.append(describe(violations, where=f"{page.url}: "))

    assert not problems, report(problems)


# --- keyboard only ---------------------------------------------------------------------------------

# What the focused element is and how it looks focused and unfocused (blurred, then focused again):
# a focus indicator is an outline or a box shadow that only focus gives. The document order of the
# previous focused element tells whether Tab moved forward through the page (the reading order).
_LOOK = """(el) => {
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(" | ");
}"""

# Before any Tab: how every element looks unfocused (blurring the focused element to compare would
# move the focus inside a date input back to its first part).
_START = f"""() => {{
  const look = {_LOOK};
  window.__a11yPrevious = null;
  if (document.activeElement) document.activeElement.blur();
  window.__a11yLook = new WeakMap();
  for (const el of document.querySelectorAll("*")) window.__a11yLook.set(el, look(el));
}}"""

_FOCUSED = f"""() => {{
  const look = {_LOOK};
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const focused = look(el);
  const unfocused = window.__a11yLook ? window.__a11yLook.get(el) ?? null : null;
  const rect = el.getBoundingClientRect();
  const previous = window.__a11yPrevious;
  const backwards = !!(previous && previous.isConnected && previous !== el
                       && (previous.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING));
  window.__a11yPrevious = el;
  const text = (el.getAttribute("aria-label") || el.innerText || el.value || el.placeholder || "").trim();
  return {{
    describe: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? "[name=" + el.name + "]" : "")
              + (text ? " “" + text.slice(0, 40) + "”" : ""),
    focused, unfocused, backwards,
    visible: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
             && rect.top < innerHeight && rect.left < innerWidth,
  }};
}}"""


class Keyboard:
    """Tab through a page as a keyboard user does, checking at every stop that the focused element
    is visible, shows a focus indicator it does not have unfocused, and comes after the previous
    one in the page (no jump back: the focus order is the reading order)."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        self.stops: list[str] = []

    def check(self) -> dict | None:
        state = self.page.evaluate(_FOCUSED)
        if state is None:
            return None
        self.stops.append(state["describe"])
        where = f"{self.page.url}: {state['describe']}"
        if not state["visible"]:
            self.problems.append(f"{where}: focused but not visible on the screen")
        # An element the page added since `start` has no unfocused look recorded: it needs an outline
        # or a shadow at least.
        outline_style, _width, _color, shadow = state["focused"].split(" | ", 3)
        nothing = outline_style == "none" and shadow == "none"
        if nothing or state["focused"] == state["unfocused"]:
            self.problems.append(f"{where}: no visible focus indicator ({state['focused']})")
        if state["backwards"]:
            self.problems.append(f"{where}: Tab went back up the page")
        return state

    def tab_to(self, selector: str, *, limit: int = 120) -> None:
        """Press Tab until the focused element matches `selector` (fails after `limit` presses)."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            self.check()
            if self.page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{self.page.url}: {limit} Tabs never reached {selector}; stops: {self.stops[-15:]}")

    def tab_out(self, *, limit: int = 400) -> int:
        """Tab from where the focus is to the end of the page, until the focus leaves the document:
        no element keeps it (no trap). Returns the number of stops."""
        for count in range(1, limit + 1):
            self.page.keyboard.press("Tab")
            if self.check() is None:
                return count
        raise AssertionError(f"{self.page.url}: the focus never left the page in {limit} Tabs: {self.stops[-15:]}")

    def start(self) -> None:
        """From the top of a freshly loaded page."""
        self.page.evaluate(_START)


def no_positive_tabindex(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('[tabindex]')]"
        ".filter((e) => e.tabIndex > 0).map((e) => e.outerHTML.slice(0, 120))"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_searches_books_and_pays_with_the_keyboard_only(open_page, demo):
    from playwright.sync_api import expect

    from bookings.models import Booking, BookingStatus
    from payments.tests.conftest import CARD_OK
    from providers.models import Offering

    offering = Offering.objects.get(pk=demo["offering"])
    page = open_page("en")
    sign_in(page, AMELIA)
    keys = Keyboard(page)

    # The skip link comes first and leads to the content.
    page.goto(f"{page.base}{reverse('search')}")
    keys.start()
    page.keyboard.press("Tab")
    assert keys.check()["describe"].startswith("a “Skip to content”")
    keys.tab_to('input[name="q"]')
    page.keyboard.type(offering.title)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert no_positive_tabindex(page) == []

    # The result's link to the provider's page.
    keys.start()
    keys.tab_to(f'main a[href^="{reverse("providers:public", args=[demo["claire_slug"]])}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("slots")).to_be_visible()

    # A free time, held with Enter.
    keys.start()
    keys.tab_to("button.slot-button")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("hold-countdown")).to_contain_text("left to pay")
    booking = Booking.objects.filter(patient=demo["amelia"], status=BookingStatus.HELD).get()

    # The card, field by field (the emulator's card form moves on by itself once a field is full).
    keys.start()
    keys.tab_to('[data-testid="card-element"] input')
    for field, value in [
        ("number", CARD_OK),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "75001"),
    ]:
        assert page.evaluate("() => document.activeElement.placeholder") == field
        page.keyboard.type(value)
    keys.tab_to("#pay-button")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you: your deposit is paid and your booking is confirmed.")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED

    # And from there, Tab reaches the end of the page and leaves it: no trap.
    keys.start()
    keys.tab_out()
    assert not keys.problems, "\n".join(keys.problems)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_careteam_works_the_board_with_the_keyboard_only(open_page, demo):
    from playwright.sync_api import expect

    page = open_page("en")
    sign_in(page, CARETEAM)
    keys = Keyboard(page)
    page.goto(f"{page.base}{reverse('careteam:board')}")
    assert no_positive_tabindex(page) == []

    # A filter ticked with Space changes the board in place; the focus stays on it.
    keys.start()
    keys.tab_to('input[name="late"]')
    page.keyboard.press("Space")
    expect(page).to_have_url(f"{page.base}{reverse('careteam:board')}?late=on&city=&queue=")
    assert page.evaluate("() => document.activeElement.name") == "late"
    page.keyboard.press("Space")
    expect(page).to_have_url(f"{page.base}{reverse('careteam:board')}?city=&queue=")

    # Taking a case with Enter: the card says so, and the focus lands on the case's title, in place.
    keys.tab_to("form.case-take button")
    card = page.evaluate("() => document.activeElement.closest('article').id")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{card}").get_by_text("You", exact=True)).to_be_visible()
    assert page.evaluate("() => document.activeElement.closest('article')?.id") == card
    keys.check()

    # The case's page: a note written and added with the keyboard.
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the focused title's link
    expect(page.get_by_role("heading", name="Notes")).to_be_visible()
    keys.start()
    keys.tab_to("#case-notes textarea")
    page.keyboard.type("Called the clinic; waiting for the register's answer.")
    keys.tab_to("#case-notes button[type=submit]")
    page.keyboard.press("Enter")
    expect(
        page.locator("#case-notes").get_by_text("Called the clinic; waiting for the register's answer.")
    ).to_be_visible()

    # Tab runs to the end of the board and leaves it: no trap.
    page.goto(f"{page.base}{reverse('careteam:board')}")
    keys.start()
    stops = keys.tab_out()
    assert stops > 10  # the filters, the cards' links and buttons, the footer
    assert not keys.problems, "\n".join(keys.problems)


# --- a phone ---------------------------------------------------------------------------------------

# 2.5.8: every form control at least 24 × 24 CSS pixels. Links may be smaller when they sit in a
# sentence or have room around them: axe's target-size rule judges those.
_SMALL_TARGETS = """() => {
  const controls = document.querySelectorAll(
    "button, input:not([type=hidden]), select, textarea, summary");
  const small = [];
  for (const el of controls) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;  // not shown
    if (rect.width < 24 || rect.height < 24) {
      const text = (el.innerText || el.value || el.name || "").trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()} “${text}” ${rect.width.toFixed(1)}×${rect.height.toFixed(1)}`);
    }
  }
  return small;
}"""

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const over = document.documentElement.scrollWidth - width;
  if (over <= 1) return null;
  const wide = [...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > width + 1);
  const innermost = wide.filter((e) => !wide.some((other) => other !== e && e.contains(other)));
  return `${over}px, by ${innermost.slice(0, 3).map((e) => e.outerHTML.slice(0, 100)).join(" ; ")}`;
}"""


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_targets_are_large_enough_nothing_scrolls_sideways_and_axe_passes(open_page, demo, language):
    page = open_page(language, viewport=MOBILE)
    sign_in(page, AMELIA)
    problems = []
    paths = [
        reverse("home"),
        reverse("search") + "?q=consultation",
        reverse("providers:public", args=[demo["claire_slug"]]),
        reverse("bookings:detail", args=[demo["paid"]]),
        reverse("payments:pay", args=[demo["unpaid"]]),
        reverse("quotes:request_detail", args=[demo["request"]]),
        reverse("concierge:catalogue"),
        reverse("secondopinion:patient_case", args=[demo["case"]]),
        reverse("notifications:preferences"),
    ]
    problems += audit(page, paths)
    for path in paths:
        page.goto(f"{page.base}{path}")
        page.wait_for_load_state("networkidle")
        small = page.evaluate(_SMALL_TARGETS)
        if small:
            problems.append(f"{path}: targets smaller than 24 × 24: {small}")
        overflow = page.evaluate(_OVERFLOW)
        if overflow:
            problems.append(f"{path}: the page scrolls sideways at 375px wide: {overflow}")
    # The signed-in menu, opened.
    page.goto(f"{page.base}{reverse('home')}")
    page.locator('[data-testid="menu"] > summary').click()
    violations = axe_violations(page)
    if violations:
        problems.append(describe(violations, where="the open menu: "))
    small = page.evaluate(_SMALL_TARGETS)
    if small:
        problems.append(f"the open menu: targets smaller than 24 × 24: {small}")

    assert not problems, report(problems)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_card_form_names_each_field(open_page, demo):
    """The card's fields have an accessible name (the emulator's stand-in for Stripe Elements here;
    in production Stripe's own frame names its fields) and sit in a group named "Card"."""
    page = open_page("en")
    sign_in(page, AMELIA)
    page.goto(f"{page.base}{reverse('payments:pay', args=[demo['unpaid']])}")
    card = page.get_by_role("group", name="Card")
    textboxes = card.get_by_role("textbox")
    assert textboxes.count() == 5
    for index in range(5):
        box = textboxes.nth(index)
        name = box.evaluate("(el) => el.labels?.[0]?.innerText || el.getAttribute('aria-label') || el.placeholder")
        assert name.strip(), box.evaluate("(el) => el.outerHTML")
    assert axe_violations(page, context='[data-testid="card-element"]') == []


# --- messaging and reviews --------------------------------------------------------


@pytest.fixture
def trust(demo):
    """The demo's world plus issue 18's: Dr Claire Dupont takes messages about her offering; Amelia's
    paid booking has a conversation (her question, Claire's answer); three of Amelia's bookings with
    Claire are completed: one reviewed and published, one reviewed and awaiting moderation, one not
    reviewed yet (the review form)."""
    import datetime as dt

    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Booking
    from bookings.services.appointments import booking_complete
    from bookings.tests.support import awaiting, confirm
    from messaging import services as messaging
    from messaging.models import ProviderMessaging, SubjectKind
    from messaging.participants import subject_of
    from providers.models import Provider
    from reviews.services import review_publish, review_submit

    now = timezone.now()
    amelia = demo["amelia"]
    claire = Provider.objects.get(pk=demo["claire"])
    member = claire.members.get(user__email=CLAIRE).user
    careteam = User.objects.get(email=CARETEAM)
    ProviderMessaging.objects.update_or_create(
        provider=claire, defaults={"offering_ids": [demo["offering"]], "updated_at": now}
    )
    paid = Booking.objects.get(pk=demo["paid"])
    thread = messaging.thread_open(subject=subject_of(kind=SubjectKind.BOOKING, subject_id=paid.pk), now=now)
    messaging.message_send(thread=thread, actor=amelia, body="May I bring my scans on the day?", now=now)
    messaging.message_send(thread=thread, actor=member, body="Yes, please bring them.", now=now)

    completed = []
    for days in (20, 15, 10):
        start = (now - dt.timedelta(days=days)).replace(microsecond=0)
        booking = awaiting(
            amelia,
            claire,
            offering=claire.offerings.get(pk=demo["offering"]),
            now=start - dt.timedelta(days=5),
            slots=[(start, start + dt.timedelta(hours=1))],
        )
        booking = confirm(booking, at=start - dt.timedelta(days=4))
        completed.append(booking_complete(booking=booking, actor=member, now=start + dt.timedelta(hours=2)))
    stars = {"care": 5, "communication": 4, "value": 4, "cleanliness": 5}
    text = "The team explained every step and the follow-up was careful. I would go back."
    published = review_submit(booking=completed[0], actor=amelia, stars=stars, text=text, now=now)
    review_publish(review=published, actor=careteam, now=now)
    waiting = review_submit(booking=completed[1], actor=amelia, stars=stars, text=text, now=now)
    return {
        **demo,
        "thread": thread.pk,
        "published": published.pk,
        "waiting": waiting.pk,
        "unreviewed": completed[2].pk,
    }


def trust_pages(world: dict) -> dict[str, list[str]]:
    """Issue 18's pages, by who opens them."""
    return {
        "anonymous": [
            reverse("reviews:charter"),
            reverse("ranking"),
            reverse("providers:public", args=[world["claire_slug"]]),  # its reviews section, with a review
        ],
        AMELIA: [
            reverse("messaging:inbox"),
            reverse("messaging:thread", args=[world["thread"]]),
            reverse("bookings:detail", args=[world["unreviewed"]]),  # the review section's link
            reverse("reviews:write", args=[world["unreviewed"]]),
            reverse("reviews:mine"),
            reverse("reviews:detail", args=[world["published"]]),
        ],
        CLAIRE: [
            reverse("messaging:inbox"),
            reverse("messaging:thread", args=[world["thread"]]),
            reverse("messaging:provider_settings", args=[world["claire"]]),
            reverse("reviews:provider_reviews"),
            reverse("reviews:detail", args=[world["published"]]),  # the reply and report forms
        ],
        CARETEAM: [
            reverse("messaging:inbox"),
            reverse("messaging:thread", args=[world["thread"]]),
            reverse("reviews:moderation"),
            reverse("reviews:detail", args=[world["waiting"]]),  # publish, reject (confirmed)
        ],
    }


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_messaging_and_review_pages_have_no_axe_violation(open_page, trust, language):
    problems = []
    for who, paths in trust_pages(trust).items():
        page = open_page(language)
        if who != "anonymous":
            sign_in(page, who)
        problems += audit(page, paths)

    assert not problems, report(problems)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_thread_and_the_review_form_on_a_phone(open_page, trust, language):
    """On a phone: targets at least 24 × 24, nothing scrolls sideways, axe passes."""
    page = open_page(language, viewport=MOBILE)
    sign_in(page, AMELIA)
    paths = [
        reverse("messaging:thread", args=[trust["thread"]]),
        reverse("reviews:write", args=[trust["unreviewed"]]),
        reverse("providers:public", args=[trust["claire_slug"]]),
    ]
    problems = audit(page, paths)
    for path in paths:
        page.goto(f"{page.base}{path}")
        page.wait_for_load_state("networkidle")
        small = page.evaluate(_SMALL_TARGETS)
        if small:
            problems.append(f"{path}: targets smaller than 24 × 24: {small}")
        overflow = page.evaluate(_OVERFLOW)
        if overflow:
            problems.append(f"{path}: the page scrolls sideways at 375px wide: {overflow}")

    assert not problems, report(problems)
