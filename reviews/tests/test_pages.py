"""The review pages, as each person uses them: the patient writes from their booking's page, the
careteam moderates, the provider replies and reports, the author answers, the public reads the
provider page. Bad input gets a message and writes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import sign_in
from reviews.models import ReportStatus, Review, ReviewStatus, SupplierReview
from reviews.services import review_publish, review_report
from reviews.tests.support import STARS, TEXT, WRITTEN_AT, completed, driver, fulfilled_order, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _at_written():
    with time_machine.travel(WRITTEN_AT, tick=False):
        yield


@pytest.fixture
def booking(patient, clinic, clinic_admin, location):
    return completed(patient, clinic, clinic_admin)


def _as(client, user):
    sign_in(client, user)
    return client


def _form(**changes):
    return {**STARS, "text": TEXT, **changes}


def test_the_booking_page_invites_the_patient_to_review_and_the_review_is_sent(client, booking, patient):
    page = _as(client, patient).get(reverse("bookings:detail", args=[booking.pk]))
    assert 'data-testid="write-review"' in page.text
    write_url = reverse("reviews:write", args=[booking.pk])
    assert write_url in page.text
    form = client.get(write_url)
    assert form.status_code == 200
    assert 'name="care"' in form.text
    done = client.post(write_url, _form(), follow=True)
    review = Review.objects.get(booking=booking)
    assert review.status == ReviewStatus.SUBMITTED
    assert "published within 10 working days" in done.text
    assert "Clinique du Lac" in done.text  # "My reviews" lists it


def test_stars_out_of_range_are_shown_on_the_field_and_nothing_is_written(client, booking, patient):
    response = _as(client, patient).post(reverse("reviews:write", args=[booking.pk]), _form(value="9"))
    assert response.status_code == 400
    assert re.search(r'id="id_value_error"|aria-invalid="true"', response.text)
    assert not Review.objects.exists()


def test_a_booking_not_completed_sends_back_with_the_reason(client, patient, clinic):
    from bookings.tests.support import awaiting, confirm

    booking = confirm(awaiting(patient, clinic))
    response = _as(client, patient).get(reverse("reviews:write", args=[booking.pk]), follow=True)
    assert "once its care has taken place" in response.text
    assert not Review.objects.exists()


def test_someone_elses_booking_is_not_found(client, booking, other_patient):
    response = _as(client, other_patient).post(reverse("reviews:write", args=[booking.pk]), _form())
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_the_careteam_moderates_and_the_review_shows_on_the_provider_page(client, booking, careteam, clinic):
    review = submitted(booking)
    queue = _as(client, careteam).get(reverse("reviews:moderation"))
    assert queue.status_code == 200
    assert f'id="review-{review.pk}"' in queue.text
    assert "Due " in queue.text
    client.post(reverse("reviews:publish", args=[review.pk]))
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    public = client.get(reverse("providers:public", args=[clinic.slug]))
    assert 'data-testid="provider-reviews"' in public.text
    assert "4.5 out of 5, from 1 verified review" in public.text
    assert TEXT in public.text


def test_an_overdue_review_is_marked_on_the_queue(client, booking, careteam):
    submitted(booking)
    with time_machine.travel(WRITTEN_AT + dt.timedelta(days=20), tick=False):
        queue = _as(client, careteam).get(reverse("reviews:moderation"))
    assert 'data-testid="overdue"' in queue.text


def test_rejecting_on_the_reviews_page_names_the_rule(client, booking, careteam):
    review = submitted(booking)
    _as(client, careteam).post(reverse("reviews:reject", args=[review.pk]), {"reason": "insult", "note": ""})
    review.refresh_from_db()
    assert (review.status, review.rejection_reason) == (ReviewStatus.REJECTED, "insult")


def test_only_the_careteam_opens_the_moderation_queue(client, patient, clinic_admin):
    for user in (patient, clinic_admin):
        client.logout()
        assert _as(client, user).get(reverse("reviews:moderation")).status_code == 403


def test_a_member_replies_and_the_reply_is_public(client, booking, careteam, clinic_admin, clinic):
    review = review_publish(review=submitted(booking), actor=careteam, now=WRITTEN_AT)
    listing = _as(client, clinic_admin).get(reverse("reviews:provider_reviews"))
    assert reverse("reviews:detail", args=[review.pk]) in listing.text
    client.post(reverse("reviews:reply", args=[review.pk]), {"text": "Thank you, we are glad it went well."})
    public = client.get(reverse("providers:public", args=[clinic.slug]))
    assert "Reply from Clinique du Lac" in public.text
    assert "Thank you, we are glad it went well." in public.text


def test_a_report_then_the_authors_answer_then_the_careteams_removal(
    client, booking, careteam, clinic_admin, patient, clinic
):
    review = review_publish(review=submitted(booking), actor=careteam, now=WRITTEN_AT)
    _as(client, clinic_admin).post(reverse("reviews:report", args=[review.pk]), {"reason": "It names our nurse."})
    report = review.reports.get()
    client.logout()
    page = _as(client, patient).get(reverse("reviews:detail", args=[review.pk]))
    assert 'data-testid="report-respond"' in page.text
    client.post(reverse("reviews:report_respond", args=[report.pk]), {f"respond-{report.pk}-response": "It does not."})
    report.refresh_from_db()
    assert report.status == ReportStatus.AWAITING_DECISION
    client.logout()
    _as(client, careteam).post(
        reverse("reviews:report_decide", args=[report.pk]), {"decision": "remove", f"decide-{report.pk}-note": ""}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.REMOVED
    assert TEXT not in client.get(reverse("providers:public", args=[clinic.slug])).text


def test_a_report_cannot_be_decided_by_the_provider(client, booking, careteam, clinic_admin):
    review = review_publish(review=submitted(booking), actor=careteam, now=WRITTEN_AT)
    report = review_report(review=review, actor=clinic_admin, reason="Abusive", now=WRITTEN_AT)
    response = _as(client, clinic_admin).post(
        reverse("reviews:report_decide", args=[report.pk]), {"decision": "remove"}
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.REPORTED


def test_the_charter_is_public(client):
    response = client.get(reverse("reviews:charter"))
    assert response.status_code == 200
    assert "It gives health details of an identifiable person" in response.text


def test_a_driver_is_reviewed_from_the_order_and_shown_on_the_careteams_supplier_page(client, patient, careteam):
    supplier = driver()
    order = fulfilled_order(patient, supplier)
    page = _as(client, patient).get(reverse("concierge:order_detail", args=[order.pk]))
    assert 'data-testid="write-supplier-review"' in page.text
    client.post(
        reverse("reviews:write_supplier", args=[order.pk]),
        {"service": "5", "communication": "4", "punctuality": "3", "text": TEXT},
    )
    review = SupplierReview.objects.get(order=order)
    client.logout()
    _as(client, careteam).post(reverse("reviews:supplier_publish", args=[review.pk]))
    page = client.get(reverse("reviews:supplier", args=[supplier.pk]))
    assert "4.0 out of 5, from 1 published review" in page.text
