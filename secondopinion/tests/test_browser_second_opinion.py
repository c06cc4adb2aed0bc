"""In a real Chromium, against the local Stripe emulator (issue 14's walk-through): a patient asks
for a second opinion in cardiology with her first diagnosis, pays; the medical coordinator takes the
request and proposes two specialists; the patient compares them and chooses; the specialist accepts,
reads a document, writes and signs the opinion; the patient reads it, downloads its PDF and asks a
follow-up question, all from her request's page.

Set MEDIBROKER_SCREENSHOTS to a folder to keep a full-page picture of each step there."""

from __future__ import annotations

import os

import pytest

from payments.tests.conftest import CARD_OK, stripe_emulator, stripe_emulator_base  # noqa: F401 -- fixtures
from payments.tests.test_browser_payments import enter_card
from tests.test_browser import HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- the page fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]

QUESTIONS = (
    "Is an operation on my mitral valve needed now, or can it wait?",
    "Which follow-up examinations should I have this year?",
)


def _shot(page, name: str) -> None:  # noqa: F811 -- `page` is the fixture's value here
    folder = os.environ.get("MEDIBROKER_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"so-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_alice_asks_pays_chooses_and_reads_her_signed_second_opinion_then_asks_a_follow_up(
    live_server,
    page,  # noqa: F811 -- tests/test_browser.py's fixture, imported above
    stripe_emulator,  # noqa: F811 -- the fixture
    patient,
    coordinator,
    careteam,
    cardiology,
    martin,
    martin_user,
    yilmaz,
    tmp_path,
):
    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD
    from documents.tests import samples
    from secondopinion.models import CaseStatus, FollowUp, OpinionCase
    from secondopinion.tests.support_requests import opinion_price

    opinion_price(careteam, cardiology, timezone.now())  # €450.00, what Dr Martin asks; Dr Yilmaz asks €400.00
    report = tmp_path / "echocardiogram.pdf"
    report.write_bytes(samples.pdf("Echocardiogram: mitral regurgitation, grade 2"))

    # Alice reads what a second opinion is and asks for one; a first try without a question is refused.
    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.goto(f"{live_server.url}/second-opinion/")
    expect(page.get_by_text("€450.00").first).to_be_visible()
    _shot(page, "landing")
    page.get_by_role("link", name="Ask for a second opinion").first.click()
    page.get_by_label("Specialty").select_option(value=str(cardiology.pk))
    page.get_by_role("button", name="Send and pay").click()
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    _shot(page, "request-form-error")

    page.get_by_label("Specialty").select_option(value=str(cardiology.pk))
    page.get_by_label("Question 1").fill(QUESTIONS[0])
    page.get_by_label("Question 2").fill(QUESTIONS[1])
    page.get_by_label("Upload your first diagnosis").set_input_files(str(report))
    page.locator("#id_first_diagnosis_title").fill("Echocardiogram, November")
    page.get_by_label("I agree", exact=False).check()
    page.get_by_role("button", name="Save draft").click()
    case = OpinionCase.objects.get(patient=patient)
    assert case.status == CaseStatus.DRAFT
    expect(page.get_by_test_id("send")).to_contain_text("€450.00")
    page.get_by_role("button", name="Send and pay").click()
    enter_card(page, CARD_OK)
    page.get_by_role("button", name="Pay €450.00").click()
    expect(page.get_by_text("Thank you: your order is paid.")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.clock_started_at is not None
    assert case.due_at is not None
    page.goto(f"{live_server.url}/second-opinion/cases/{case.pk}/")
    expect(page.get_by_test_id("case-status")).to_have_text("Sent, waiting for a coordinator")
    expect(page.get_by_test_id("clock")).to_contain_text("Due by")
    _shot(page, "case-submitted")

    # The medical coordinator finds it in the queue, takes it, writes the skills and proposes both specialists.
    _sign_in(page, live_server.url, coordinator.email, PASSWORD, second_factor=True)
    page.goto(f"{live_server.url}/second-opinion/coordinator/")
    page.get_by_role("link", name=f"Second opinion #{case.pk}").click()
    page.get_by_role("button", name="Take this case").click()
    page.get_by_label("Skills needed").fill("Valvular heart disease; echocardiography")
    page.get_by_role("button", name="Save the skills").click()
    _shot(page, "coordinator-case")
    page.get_by_label("Dr Claire Martin").check()
    page.get_by_label("Dr Emre Yilmaz").check()
    page.get_by_role("button", name="Propose these specialists to the patient").click()
    case.refresh_from_db()
    assert case.status == CaseStatus.SHORTLISTED
    assert case.coordinator == coordinator
    assert case.skills_needed == "Valvular heart disease; echocardiography"
    assert case.candidates.count() == 2

    # Alice compares the two cards and chooses Dr Martin, whose price is what she paid.
    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.goto(f"{live_server.url}/second-opinion/cases/{case.pk}/")
    cards = page.get_by_test_id("candidate")
    expect(cards).to_have_count(2)
    martin_card = cards.filter(has_text="Dr Claire Martin")
    yilmaz_card = cards.filter(has_text="Dr Emre Yilmaz")
    expect(martin_card.get_by_test_id("candidate-price")).to_have_text("Included in what you paid")
    expect(yilmaz_card.get_by_test_id("candidate-price")).to_have_text("€50.00 back to your card")
    for card in (martin_card, yilmaz_card):
        expect(card).to_contain_text("French, English")
        expect(card).to_contain_text("RPPS")
        expect(card).to_contain_text("new")
    _shot(page, "case-shortlisted")
    martin_card.get_by_role("button", name="Choose Dr Claire Martin").click()
    expect(page.get_by_text("Your choice is recorded.")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.SPECIALIST_CHOSEN
    assert case.specialist == martin
    assert case.supplement_order is None

    # Dr Martin accepts, opens the echocardiogram, writes every section and signs.
    _sign_in(page, live_server.url, martin_user.email, PASSWORD, second_factor=True)
    page.goto(f"{live_server.url}/second-opinion/specialist/cases/{case.pk}/")
    page.get_by_role("button", name="Accept the request").click()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    with page.expect_download() as download:
        page.get_by_role("link", name="Echocardiogram, November").click()
    with open(download.value.path(), "rb") as opened:
        assert opened.read(5) == b"%PDF-"
    page.get_by_label("Answer to question 1", exact=False).fill("It can wait: the regurgitation is moderate.")
    page.get_by_label("Answer to question 2", exact=False).fill("An echocardiogram every six months.")
    page.get_by_label("Summary of the case as you understand it").fill("Moderate mitral regurgitation, no symptom.")
    page.get_by_label("Review of the diagnosis").fill("The grading is right.")
    page.get_by_label("Treatment options").fill("Watchful waiting; repair if it worsens.")
    page.get_by_label("Your recommendation").fill("Watchful waiting with six-monthly echocardiograms.")
    _shot(page, "specialist-case")
    page.get_by_label("I have read the documents and sign this opinion", exact=False).check()
    page.get_by_role("button", name="Sign and send").click()
    expect(page.get_by_test_id("signed")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPINION_DELIVERED
    assert case.opinion.signed_at is not None
    assert len(case.opinion.answers) == 2

    # Alice reads it, downloads the signed PDF and asks one follow-up question, all on her request's page.
    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.goto(f"{live_server.url}/second-opinion/cases/{case.pk}/")
    expect(page.get_by_test_id("case-status")).to_have_text("Opinion delivered")
    expect(page.get_by_test_id("opinion")).to_contain_text("Watchful waiting with six-monthly echocardiograms.")
    _shot(page, "case-delivered")
    with page.expect_download() as download:
        page.get_by_test_id("opinion-pdf").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_label("Your question for the specialist").fill("Can I keep running marathons meanwhile?")
    page.get_by_role("button", name="Ask the specialist").click()
    expect(page.get_by_text("Your question is with the specialist.", exact=False)).to_be_visible()
    assert FollowUp.objects.get(case=case).question == "Can I keep running marathons meanwhile?"
    case.refresh_from_db()
    assert case.status == CaseStatus.FOLLOW_UP
    assert page.csp_violations == []
