"""Issue 18's done-when, in a real Chromium: a patient writes to the provider about her booking with
an attachment (from the booking page), the provider's member answers in the same thread (from the
inbox) and the patient reads the answer; the provider marks the booking completed (the calendar's
action); the patient reviews it from the booking page; the careteam publishes the review on the
moderation page; the provider replies publicly; the public provider page shows the review, the
reply and the rating, and the ranking's inputs count it after `provider_rankings_refresh`.

Set MEDIBROKER_SCREENSHOTS to a folder to keep a full-page picture of each step there."""

from __future__ import annotations

import os

import pytest

from tests.test_browser import HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- the page fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]

QUESTION = "Hello, may I bring my MRI on the day? I attach the report."
ANSWER = "Yes, please bring it: the surgeon will read it before the consultation."
REVIEW = "The team explained every step and the follow-up was careful. I would go back."
REPLY = "Thank you for your kind words; we are glad the follow-up helped."


def _shot(page, name: str, *, part=None) -> None:  # noqa: F811 -- `page` is the fixture's value here
    """The whole page, or only `part` (a locator) when given."""
    folder = os.environ.get("MEDIBROKER_SCREENSHOTS")
    if folder:
        path = os.path.join(folder, f"trust-{name}.png")
        if part is not None:
            part.screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)


def _sign_in_with_code(page, base_url: str, email: str) -> None:  # noqa: F811 -- the fixture's value
    """A member or staff signs in with the authenticator's code; allauth refuses a code used once
    already (kept in the cache for its 30 seconds), so the test forgets the codes used before."""
    from django.core.cache import cache

    from accounts.tests.factories import PASSWORD

    cache.clear()
    _sign_in(page, base_url, email, PASSWORD, second_factor=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_writes_with_an_attachment_is_answered_reviews_and_the_review_shows_on_the_provider_page(
    live_server,
    page,  # noqa: F811 -- tests/test_browser.py's fixture, imported above
    patient,
    clinic,
    clinic_admin,
    careteam,
    settings,
    tmp_path,
):
    import datetime as dt

    from cryptography.fernet import Fernet
    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD
    from bookings.models import Booking, BookingStatus
    from bookings.tests.support import awaiting, bookable, confirm
    from documents.tests import samples
    from messaging.models import Message, ProviderMessaging, Thread
    from reviews.models import Review
    from storefront.models import ProviderRanking
    from storefront.services import provider_rankings_refresh

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    now = timezone.now()
    offering = bookable(provider=clinic, title="Knee consultation")
    # Clinique du Lac takes messages about the offering, Monday to Friday 09:00–18:00 in Paris (the
    # first message's notice is asserted: a second one follows when the test runs outside them).
    ProviderMessaging.objects.create(provider=clinic, offering_ids=[offering.pk], updated_at=now)
    # Her booking's appointment was two days ago; the deposit was paid before it.
    start = (now - dt.timedelta(days=2)).replace(microsecond=0)
    booking = confirm(
        awaiting(
            patient,
            clinic,
            offering=offering,
            now=now - dt.timedelta(days=10),
            slots=[(start, start + dt.timedelta(hours=1))],
        ),
        at=now - dt.timedelta(days=9),
    )
    scan = tmp_path / "mri-knee.pdf"
    scan.write_bytes(samples.pdf("MRI left knee: torn medial meniscus"))
    booking_url = f"{live_server.url}/bookings/{booking.pk}/"

    # 1. The patient writes from her booking's page, attaching the MRI report.
    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.goto(booking_url)
    page.get_by_test_id("messaging-section").get_by_role("link", name="Write a message").click()
    expect(page.get_by_role("heading", name=f"Booking #{booking.pk}", exact=True)).to_be_visible()
    expect(page.get_by_test_id("thread-people")).to_have_text(
        "Clinique du Lac’s team and our careteam read and answer this conversation."
    )
    expect(page.get_by_test_id("office-hours")).to_contain_text(
        "Office hours: Monday, Tuesday, Wednesday, Thursday, Friday, 09:00–18:00 (Europe/Paris time)."
    )
    page.get_by_label("Your message").fill(QUESTION)
    page.get_by_label("Attach a medical document").set_input_files(str(scan))
    page.get_by_label("Title of the document").fill("MRI of the left knee")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message is sent.")).to_be_visible()
    expect(page.get_by_test_id("message").filter(has_text=QUESTION)).to_be_visible()
    expect(page.get_by_role("link", name="MRI of the left knee")).to_be_visible()
    expect(page.get_by_test_id("notice").first).to_contain_text("This conversation is not for emergencies")
    thread = Thread.objects.get()
    assert Message.objects.filter(thread=thread, author=patient).count() == 1

    # 2. The provider's member finds it in the inbox, reads the attachment and answers in the thread.
    _sign_in_with_code(page, live_server.url, clinic_admin.email)
    page.goto(f"{live_server.url}/messages/")
    expect(page.get_by_test_id(f"unread-{thread.pk}")).to_have_text("1 unread")
    page.get_by_role("link", name=f"Booking #{booking.pk}").click()
    expect(page.get_by_test_id("message").filter(has_text=QUESTION)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="MRI of the left knee").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_label("Your message").fill(ANSWER)
    page.get_by_role("button", name="Send").click()  # htmx: the conversation is swapped in place
    expect(page.get_by_test_id("message").filter(has_text=ANSWER)).to_be_visible()
    assert Message.objects.filter(thread=thread, author=clinic_admin).count() == 1

    # 3. The patient reads the answer in the same thread, from her booking's page.
    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.goto(booking_url)
    page.get_by_test_id("messaging-section").get_by_role("link", name="Open the conversation").click()
    expect(page.get_by_test_id("message").filter(has_text=ANSWER)).to_be_visible()
    expect(page.get_by_test_id("message").filter(has_text=QUESTION)).to_contain_text("Read by Clinique du Lac")
    _shot(page, "thread")

    # 4. The provider marks the booking completed from its calendar's week of the appointment.
    _sign_in_with_code(page, live_server.url, clinic_admin.email)
    week = start.astimezone(booking.tz).date()
    page.goto(f"{live_server.url}/bookings/provider/{clinic.pk}/?week={week.isoformat()}")
    page.get_by_role("button", name="Completed").click()
    expect(page.get_by_text("The booking is marked as completed.")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.COMPLETED

    # 5. The patient reviews it from the booking page.
    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.goto(booking_url)
    page.get_by_test_id("write-review").click()
    expect(page.get_by_role("heading", name="Review Clinique du Lac")).to_be_visible()
    for name, stars in {"care": 5, "communication": 4, "value": 4, "cleanliness": 5}.items():
        page.check(f'input[name="{name}"][value="{stars}"]')
    page.get_by_label("Your review").fill(REVIEW)
    _shot(page, "review-form")
    page.get_by_role("button", name="Send my review").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Awaiting moderation")
    page.goto(booking_url)
    expect(page.get_by_test_id("booking-review")).to_contain_text("Awaiting moderation")
    _shot(page, "booking-reviewed")

    # 6. The careteam publishes it from the moderation queue.
    _sign_in_with_code(page, live_server.url, careteam.email)
    page.goto(f"{live_server.url}/reviews/moderation/")
    review = Review.objects.get()
    row = page.locator(f"#review-{review.pk}")
    expect(row).to_contain_text(REVIEW)
    row.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("moderation-reviews")).to_contain_text("No review waits for moderation.")

    # 7. The provider replies publicly from its reviews page.
    _sign_in_with_code(page, live_server.url, clinic_admin.email)
    page.goto(f"{live_server.url}/reviews/provider/")
    expect(page.get_by_test_id("member-provider-rating")).to_contain_text("4.5 out of 5, from 1 published review")
    page.get_by_role("link", name="Reply or report").click()
    page.get_by_label("Your public reply").fill(REPLY)
    page.get_by_role("button", name="Publish my reply").click()
    expect(page.get_by_text(REPLY)).to_be_visible()

    # 8. Anyone sees the review, the reply and the rating on the public provider page.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/providers/p/{clinic.slug}/")
    reviews = page.get_by_test_id("provider-reviews")
    expect(reviews.get_by_role("heading", name="Verified reviews")).to_be_visible()
    expect(reviews.get_by_test_id("provider-rating")).to_contain_text("4.5 out of 5, from 1 verified review")
    expect(reviews).to_contain_text(REVIEW)
    expect(reviews).to_contain_text(REPLY)
    _shot(page, "provider")
    _shot(page, "provider-reviews", part=reviews)

    # And the ranking's inputs count the published review once refreshed.
    provider_rankings_refresh(now=timezone.now(), provider_ids=[clinic.pk])
    ranking = ProviderRanking.objects.get(provider=clinic)
    assert ranking.rating_count == 1
    assert str(ranking.rating_average) == "4.5"
