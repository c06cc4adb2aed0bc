"""A patient signs up in a real Chromium, verifies the e-mail, signs in and reads the site in French.

Runs when Debian's chromium is installed (CI installs it); MEDIBROKER_REQUIRE_BROWSER=1 turns a
missing browser into a failure instead of a skip.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import PatientProfile, User
from conftest import REQUIRE_BROWSER

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page():
    if not HAVE_CHROMIUM:
        pytest.fail(f"MEDIBROKER_REQUIRE_BROWSER is set but no Chromium was found at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
    # itself (reading the outbox and the database) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        # Chromium reports what the Content-Security-Policy blocked in the console: a page that
        # needs something the policy refuses (an inline script, another origin) fails the test.
        page.csp_violations = []
        page.on("console", lambda message: _record_csp_violation(page, message.text))
        yield page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "last-page.png"), full_page=True)
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert page.csp_violations == [], "the Content-Security-Policy blocked something"


def _record_csp_violation(page, text: str) -> None:
    if "Content Security Policy" in text or "Content-Security-Policy" in text:
        page.csp_violations.append(text)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_signs_up_verifies_the_email_signs_in_and_switches_to_french(live_server, page):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Create an account").click()

    page.fill('input[name="email"]', "ines.moreau@example.test")
    page.fill('input[name="password1"]', "a-long-enough-passphrase")
    page.fill('input[name="password2"]', "a-long-enough-passphrase")
    page.fill('input[name="first_name"]', "Inès")
    page.fill('input[name="last_name"]', "Moreau")
    page.fill('input[name="phone"]', "+33 6 12 34 56 78")
    page.fill('input[name="date_of_birth"]', "1988-02-29")
    page.select_option('select[name="gender"]', "female")
    page.select_option('select[name="nationality"]', "BE")
    page.select_option('select[name="preferred_language"]', "en")  # then the switch, below, makes it French
    page.select_option('select[name="preferred_currency"]', "EUR")
    page.check('input[name="accept_terms"]')
    page.check('input[name="accept_health_data"]')
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    profile = PatientProfile.objects.get(user__email="ines.moreau@example.test")
    assert str(profile.phone) == "+33612345678"

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    assert User.objects.get(email="ines.moreau@example.test").emailaddress_set.get().verified

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="login"]', "ines.moreau@example.test")
    page.fill('input[name="password"]', "a-long-enough-passphrase")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_test_id("language-menu").locator("summary").click()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("link", name="Conditions d'utilisation")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_provider_admin_changes_an_offering_price_and_sees_it_on_the_public_page(live_server, page):
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD, UserFactory, totp_code
    from providers.models import MemberRole
    from providers.tests.factories import LocationFactory, MemberFactory, OfferingFactory, ProviderFactory

    provider = ProviderFactory(name="Clinique du Lac", slug="clinique-du-lac")
    offering = OfferingFactory(
        provider=provider, location=LocationFactory(provider=provider), title="Knee consultation", price_min=15000
    )
    admin = UserFactory(email="admin@lac.test")
    MemberFactory(provider=provider, user=admin, role=MemberRole.ADMIN)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="login"]', admin.email)
    page.fill('input[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # A provider member has a second factor (the factories enroll them): allauth asks for the code.
    page.fill('input[name="code"]', totp_code())
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="For providers").click()
    expect(page.get_by_role("heading", name="Clinique du Lac")).to_be_visible()

    page.locator(f'a[href$="/offerings/{offering.pk}/"]').click()
    expect(page.locator('input[name="price"]')).to_have_value("150.00")
    page.fill('input[name="price"]', "1,234.50")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The offering is saved.")).to_be_visible()

    page.get_by_role("link", name="See the public page").click()
    expect(page.get_by_test_id("verified-badge")).to_contain_text("Verified on")
    expect(page.locator(f'[data-offering="{offering.pk}"] [data-testid="price"]')).to_have_text("€1,234.50")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_searches_filters_by_price_in_pounds_opens_a_provider_and_compares_two_offerings(live_server, page):
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import expect

    from core.models import ExchangeRate
    from providers.models import Procedure
    from providers.services import offerings_refresh_next_slot, offerings_refresh_prices
    from providers.tests.factories import LocationFactory, OfferingFactory, ProviderFactory, open_weekdays
    from storefront.search import search_reindex

    ExchangeRate.objects.create(currency="GBP", rate="0.8500000000", date=dt.date(2026, 11, 20))
    ExchangeRate.objects.create(currency="THB", rate="38.0000000000", date=dt.date(2026, 11, 20))
    knee = Procedure.objects.get(code="knee-replacement")
    offerings = {}
    for name, city, country, currency, price in [
        ("Clinique Saint-Roch", "Paris", "FR", "EUR", 1_200_000),  # €12,000 ≈ £10,200
        ("Hôpital du Midi", "Paris", "FR", "EUR", 2_400_000),  # €24,000 ≈ £20,400
        ("Bangkok Joint Centre", "Bangkok", "TH", "THB", 38_000_000),  # ฿380,000 ≈ £8,500
    ]:
        provider = ProviderFactory(name=name, kind="facility", facility_type="hospital")
        location = LocationFactory(provider=provider, city=city, country=country)
        open_weekdays(location)
        offerings[name] = OfferingFactory(
            provider=provider,
            location=location,
            title=f"Total knee replacement — {name}",
            specialty=knee.specialty,
            procedure=knee,
            currency=currency,
            price_min=price,
        )
    search_reindex()
    offerings_refresh_next_slot(offering_ids=None, now=timezone.now())
    offerings_refresh_prices(offering_ids=None, now=timezone.now())  # the rates were written directly

    page.goto(f"{live_server.url}/search/")
    page.fill('input[name="q"]', "knee replacment")
    page.select_option('select[name="country"]', "FR")
    page.select_option('select[name="currency"]', "GBP")
    page.fill('input[name="price_max"]', "15000")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_test_id("result-count")).to_have_text("1 offering found")
    result = page.locator(f'[data-offering="{offerings["Clinique Saint-Roch"].pk}"]')
    expect(result.get_by_test_id("price")).to_have_text("€12,000.00")
    expect(result.get_by_test_id("converted")).to_have_text("≈ £10,200.00")

    result.get_by_role("button", name="Compare").click()
    page.goto(f"{live_server.url}/search/?q=knee&currency=GBP")
    expect(page.get_by_test_id("result-count")).to_have_text("3 offerings found")
    page.locator(f'[data-offering="{offerings["Bangkok Joint Centre"].pk}"]').get_by_role(
        "button", name="Compare"
    ).click()

    page.locator(f'[data-offering="{offerings["Bangkok Joint Centre"].pk}"] h2 a').click()
    expect(page.get_by_role("heading", name="Bangkok Joint Centre", exact=True)).to_be_visible()
    expect(page.get_by_test_id("verified-badge")).to_contain_text("Verified on")

    page.goto(f"{live_server.url}/compare/")
    prices = page.get_by_test_id("compare-price")
    expect(prices).to_have_count(2)
    expect(prices.nth(0)).to_contain_text("€12,000.00")
    expect(prices.nth(1)).to_contain_text("THB380,000.00")
    expect(prices.nth(1)).to_contain_text("£8,500.00")


def _sign_in(page, base_url: str, email: str, password: str, *, second_factor: bool = False) -> None:
    from playwright.sync_api import expect

    from accounts.tests.factories import totp_code

    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="Sign In").click()
    if second_factor:  # staff and provider members: allauth asks for the authenticator's code
        page.fill('input[name="code"]', totp_code())
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_sends_a_quote_request_with_a_pdf_to_two_providers_and_accepts_the_answer(
    live_server, page, settings, tmp_path
):
    """Issue #5: request with a PDF to two providers → one answers → the patient accepts → the
    booking awaits its deposit, with the cancellation schedule as dates and amounts."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from cryptography.fernet import Fernet
    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD, PatientFactory, UserFactory
    from bookings.models import Booking, BookingStatus
    from documents.tests import samples
    from providers.tests.factories import LocationFactory, MemberFactory, ProviderFactory
    from quotes.models import QuoteRequest

    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    lac = ProviderFactory(name="Clinique du Lac")
    LocationFactory(provider=lac, timezone="Europe/Paris")
    midi = ProviderFactory(name="Hôpital du Midi")
    surgeon = UserFactory(email="surgeon@lac.test")
    MemberFactory(provider=lac, user=surgeon)
    patient = PatientFactory(email="ines@example.test")
    report = tmp_path / "mri-knee.pdf"
    report.write_bytes(samples.pdf("MRI left knee: torn medial meniscus"))
    today = timezone.now().date()

    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.goto(f"{live_server.url}/quotes/new/?provider={lac.pk}&provider={midi.pk}")
    expect(page.get_by_text("Not for emergencies.", exact=True)).to_be_visible()
    page.fill('input[name="subject"]', "Knee arthroscopy")
    page.fill('textarea[name="description"]', "Torn meniscus after a fall; MRI attached.")
    page.fill('input[name="desired_from"]', (today + dt.timedelta(days=30)).isoformat())
    page.fill('input[name="desired_to"]', (today + dt.timedelta(days=60)).isoformat())
    expect(page.get_by_label("Clinique du Lac")).to_be_checked()
    expect(page.get_by_label("Hôpital du Midi")).to_be_checked()
    page.set_input_files('input[name="new_document"]', str(report))
    page.fill('input[name="new_document_title"]', "MRI of the left knee")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Sent")
    request = QuoteRequest.objects.get()
    assert request.recipients.count() == 2

    _sign_in(page, live_server.url, surgeon.email, PASSWORD, second_factor=True)
    page.goto(f"{live_server.url}/quotes/inbox/")
    page.get_by_role("link", name="Knee arthroscopy").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="MRI of the left knee").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.fill('input[name="deposit"]', "500")
    page.fill('input[name="valid_until"]', (today + dt.timedelta(days=10)).isoformat())
    page.select_option('select[name="lines-0-kind"]', "procedure")
    page.fill('input[name="lines-0-description"]', "Arthroscopic meniscectomy")
    page.fill('input[name="lines-0-unit_price"]', "2,500")
    first_day = today + dt.timedelta(days=40)
    page.fill('input[name="slots-0-date"]', first_day.isoformat())
    page.fill('input[name="slots-0-time"]', "09:00")
    page.get_by_role("button", name="Send the quote").click()
    expect(page.get_by_text("Your quote is sent to the patient.")).to_be_visible()

    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.get_by_role("link", name="My quotes").click()
    page.get_by_role("link", name="Knee arthroscopy").click()
    quote = page.get_by_test_id("quote")
    expect(quote).to_have_count(1)
    expect(quote.get_by_test_id("quote-total")).to_contain_text("€2,500.00")
    quote.get_by_test_id("accept-quote").get_by_text("Accept this quote").click()  # opens what it means
    quote.get_by_role("button", name="Yes, accept and book").click()

    expect(page.get_by_text("Quote accepted. Your booking is waiting for its deposit.")).to_be_visible()
    expect(page.get_by_text("Awaiting deposit")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.AWAITING_DEPOSIT
    # The platform default with the appointment 40 days away: the "no refund 15 days after
    # payment" window closes before the 15-day tier, so (paid today) it is free for 14 more days,
    # then the whole €500 deposit is kept.
    paid_on = timezone.now().astimezone(ZoneInfo("Europe/Paris")).date()  # days count in the provider's zone
    free_until = (paid_on + dt.timedelta(days=14)).strftime("%-d %B %Y")
    kept_from = (paid_on + dt.timedelta(days=15)).strftime("%-d %B %Y")
    schedule = page.get_by_role("heading", name="If you cancel").locator("xpath=..")
    expect(schedule).to_contain_text(f"until {free_until}")
    expect(schedule).to_contain_text(f"from {kept_from}, or if you do not come")
    expect(schedule.locator("tbody tr").nth(1)).to_contain_text("€500.00")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_api_docs_render_under_their_content_security_policy(live_server, page):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/api/docs/")

    # Swagger UI ran (its start-up script is a URL, not inline) and drew the schema's operations.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("MediBroker API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.csp_violations == []
