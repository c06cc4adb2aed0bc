"""Reviews' rules, service by service: who may write, when, once; moderation within 10 working days;
the provider's one reply; a report, the author's 7 days, the careteam's decision; the rating counts
published reviews only; interpreters and drivers."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditEvent
from notifications.models import Message
from reviews.models import ReportStatus, Review, ReviewStatus, SupplierReview
from reviews.selectors import dimension_ratings, provider_ratings, supplier_rating
from reviews.services import (
    review_publish,
    review_reject,
    review_reply,
    review_reply_check,
    review_report,
    review_report_decide,
    review_report_decide_check,
    review_report_respond,
    review_submit,
    review_submit_check,
    supplier_review_publish,
    supplier_review_submit,
)
from reviews.tests.support import (
    COMPLETED_AT,
    STARS,
    SUPPLIER_STARS,
    TEXT,
    WRITTEN_AT,
    completed,
    driver,
    fulfilled_order,
    submitted,
    supplier_submitted,
)

pytestmark = pytest.mark.django_db

LATER = WRITTEN_AT + dt.timedelta(days=1)


@pytest.fixture
def booking(patient, clinic, clinic_admin):
    return completed(patient, clinic, clinic_admin)


@pytest.fixture
def published(booking, careteam):
    return review_publish(review=submitted(booking), actor=careteam, now=LATER)


# --- writing ---------------------------------------------------------------------------------------------------


def test_the_patient_of_a_completed_booking_submits_a_review_awaiting_moderation(booking, patient):
    review = submitted(booking)
    assert review.status == ReviewStatus.SUBMITTED
    assert (review.care, review.communication, review.value, review.cleanliness) == (5, 4, 4, 5)
    assert review.provider_id == booking.provider_id
    assert review.author == patient
    assert AuditEvent.objects.filter(action="reviews.review.submitted", target_id=str(review.pk)).exists()


def test_moderation_is_due_ten_working_days_after_submission_skipping_weekends(booking):
    review = submitted(booking)  # Wednesday 6 February 2030, 09:00 UTC
    assert review.moderation_due_at == dt.datetime(2030, 2, 20, 9, 0, tzinfo=dt.UTC)  # two weeks on, a Wednesday


def test_a_booking_not_completed_cannot_be_reviewed(patient, clinic):
    from bookings.tests.support import awaiting, confirm

    booking = confirm(awaiting(patient, clinic))
    with pytest.raises(Conflict) as refused:
        review_submit(booking=booking, actor=patient, stars=STARS, text=TEXT, now=WRITTEN_AT)
    assert refused.value.code == "booking_not_completed"
    assert not Review.objects.exists()


def test_someone_elses_booking_is_not_found(booking, other_patient):
    with pytest.raises(NotFound):
        review_submit(booking=booking, actor=other_patient, stars=STARS, text=TEXT, now=WRITTEN_AT)
    assert not Review.objects.exists()


def test_a_second_review_of_the_same_booking_is_refused(booking, patient):
    submitted(booking)
    with pytest.raises(Conflict) as refused:
        review_submit(booking=booking, actor=patient, stars=STARS, text=TEXT, now=LATER)
    assert refused.value.code == "already_reviewed"
    assert Review.objects.count() == 1


def test_the_window_closes_ninety_days_after_completion(booking, patient):
    last_moment = COMPLETED_AT + dt.timedelta(days=90) - dt.timedelta(seconds=1)
    assert review_submit_check(booking=booking, actor=patient, now=last_moment).allowed
    with pytest.raises(Conflict) as refused:
        review_submit(booking=booking, actor=patient, stars=STARS, text=TEXT, now=COMPLETED_AT + dt.timedelta(days=90))
    assert refused.value.code == "review_window_closed"


@pytest.mark.parametrize("stars", [0, 6, -1, "5", None, True])
def test_stars_out_of_range_are_refused_by_field(booking, patient, stars):
    with pytest.raises(ValidationFailed) as refused:
        review_submit(booking=booking, actor=patient, stars={**STARS, "value": stars}, text=TEXT, now=WRITTEN_AT)
    assert refused.value.code == "stars_out_of_range"
    assert list(refused.value.details) == ["value"]
    assert not Review.objects.exists()


def test_a_review_too_short_or_too_long_is_refused(booking, patient):
    with pytest.raises(ValidationFailed) as short:
        review_submit(booking=booking, actor=patient, stars=STARS, text="  Good.  ", now=WRITTEN_AT)
    with pytest.raises(ValidationFailed) as long:
        review_submit(booking=booking, actor=patient, stars=STARS, text="x" * 5_001, now=WRITTEN_AT)
    assert (short.value.code, long.value.code) == ("too_short", "too_long")
    assert not Review.objects.exists()


# --- moderation ------------------------------------------------------------------------------------------------


def test_publishing_counts_the_review_and_tells_author_and_members(
    booking, careteam, patient, clinic, clinic_admin, django_capture_on_commit_callbacks
):
    review = submitted(booking)
    assert provider_ratings([clinic.pk]) == {}
    with django_capture_on_commit_callbacks(execute=True):
        review_publish(review=review, actor=careteam, now=LATER)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert review.published_at == LATER
    assert review.moderated_by == careteam
    rating = provider_ratings([clinic.pk])[clinic.pk]
    assert (str(rating.average), rating.count) == ("4.5", 1)
    assert [(label, str(value)) for label, value in dimension_ratings(provider_id=clinic.pk)] == [
        ("care", "5.0"),
        ("communication", "4.0"),
        ("value for money", "4.0"),
        ("cleanliness", "5.0"),
    ]
    assert Message.objects.filter(recipient=patient, event="review_published").exists()
    told = Message.objects.get(recipient=clinic_admin, event="review_new")
    assert TEXT[:20] not in told.subject
    assert TEXT[:20] not in told.body


def test_only_the_careteam_moderates(booking, clinic_admin, patient):
    review = submitted(booking)
    for actor in (clinic_admin, patient):
        with pytest.raises(Forbidden):
            review_publish(review=review, actor=actor, now=LATER)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_rejecting_names_the_charters_rule_and_tells_the_author(
    booking, careteam, patient, clinic, django_capture_on_commit_callbacks
):
    review = submitted(booking)
    with django_capture_on_commit_callbacks(execute=True):
        review_reject(review=review, actor=careteam, reason="advertising", note="It promotes a hotel.", now=LATER)
    review.refresh_from_db()
    assert (review.status, review.rejection_reason) == (ReviewStatus.REJECTED, "advertising")
    assert provider_ratings([clinic.pk]) == {}
    message = Message.objects.get(recipient=patient, event="review_rejected")
    assert "advertises" in message.body
    assert "It promotes a hotel." in message.body


def test_rejecting_without_a_rule_of_the_charter_is_refused(booking, careteam):
    review = submitted(booking)
    with pytest.raises(ValidationFailed) as refused:
        review_reject(review=review, actor=careteam, reason="dislike", note="", now=LATER)
    assert "reason" in refused.value.details
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_a_moderated_review_cannot_be_moderated_again(published, careteam):
    with pytest.raises(Conflict) as refused:
        review_reject(review=published, actor=careteam, reason="insult", note="", now=LATER)
    assert refused.value.code == "already_moderated"


# --- the reply -------------------------------------------------------------------------------------------------


def test_a_member_replies_once_to_a_published_review(published, clinic_member):
    review_reply(review=published, actor=clinic_member, text="Thank you for your kind words.", now=LATER)
    published.refresh_from_db()
    assert published.reply_text == "Thank you for your kind words."
    assert published.reply_by == clinic_member
    with pytest.raises(Conflict) as refused:
        review_reply(review=published, actor=clinic_member, text="Again", now=LATER)
    assert refused.value.code == "already_replied"


def test_a_review_awaiting_moderation_cannot_be_answered(booking, clinic_admin):
    review = submitted(booking)
    assert review_reply_check(review=review, actor=clinic_admin).refusal.code == "review_not_published"


def test_another_providers_member_does_not_find_the_review(published, rival_member):
    with pytest.raises(NotFound):
        review_reply(review=published, actor=rival_member, text="Ours is better", now=LATER)


# --- reports ---------------------------------------------------------------------------------------------------


def test_a_report_hides_the_review_and_gives_the_author_seven_days(
    published, clinic_admin, patient, clinic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = review_report(review=published, actor=clinic_admin, reason="It names our nurse.", now=LATER)
    published.refresh_from_db()
    assert published.status == ReviewStatus.REPORTED
    assert report.respond_by == LATER + dt.timedelta(days=7)
    assert provider_ratings([clinic.pk]) == {}  # a reported review does not count while hidden
    assert Message.objects.filter(recipient=patient, event="review_reported").exists()


def test_the_careteam_decides_only_after_the_answer_or_the_seven_days(published, clinic_admin, careteam, patient):
    report = review_report(review=published, actor=clinic_admin, reason="Insulting", now=LATER)
    refusal = review_report_decide_check(report=report, actor=careteam, now=LATER + dt.timedelta(days=6)).refusal
    assert refusal is not None
    assert refusal.code == "author_may_answer"
    assert review_report_decide_check(report=report, actor=careteam, now=LATER + dt.timedelta(days=7)).allowed
    review_report_respond(
        report=report, actor=patient, response="Every word is true.", now=LATER + dt.timedelta(days=1)
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.AWAITING_DECISION
    assert review_report_decide_check(report=report, actor=careteam, now=LATER + dt.timedelta(days=1)).allowed


def test_the_author_cannot_answer_after_seven_days(published, clinic_admin, patient):
    report = review_report(review=published, actor=clinic_admin, reason="Insulting", now=LATER)
    with pytest.raises(Conflict) as refused:
        review_report_respond(report=report, actor=patient, response="Late", now=LATER + dt.timedelta(days=7))
    assert refused.value.code == "response_window_closed"


def test_keeping_a_reported_review_publishes_it_again(published, clinic_admin, careteam, clinic):
    report = review_report(review=published, actor=clinic_admin, reason="Insulting", now=LATER)
    review_report_decide(
        report=report, actor=careteam, keep=True, note="Fair criticism.", now=LATER + dt.timedelta(days=8)
    )
    published.refresh_from_db()
    report.refresh_from_db()
    assert (published.status, report.status) == (ReviewStatus.PUBLISHED, ReportStatus.KEPT)
    assert provider_ratings([clinic.pk])[clinic.pk].count == 1


def test_removing_a_reported_review_takes_it_out_of_the_rating(published, clinic_admin, careteam, clinic):
    report = review_report(review=published, actor=clinic_admin, reason="Insulting", now=LATER)
    review_report_decide(report=report, actor=careteam, keep=False, note="", now=LATER + dt.timedelta(days=8))
    published.refresh_from_db()
    assert published.status == ReviewStatus.REMOVED
    assert provider_ratings([clinic.pk]) == {}


def test_a_review_kept_after_a_report_cannot_be_reported_again(published, clinic_admin, careteam):
    report = review_report(review=published, actor=clinic_admin, reason="Insulting", now=LATER)
    review_report_decide(report=report, actor=careteam, keep=True, note="", now=LATER + dt.timedelta(days=8))
    with pytest.raises(Conflict) as refused:
        review_report(review=published, actor=clinic_admin, reason="Still insulting", now=LATER + dt.timedelta(days=9))
    assert refused.value.code == "already_decided"


# --- interpreters and drivers ------------------------------------------------------------------------------------


def test_the_patient_of_a_fulfilled_order_reviews_its_driver(patient, careteam):
    supplier = driver()
    review = supplier_submitted(fulfilled_order(patient, supplier))
    assert (review.supplier, review.status) == (supplier, ReviewStatus.SUBMITTED)
    supplier_review_publish(review=review, actor=careteam, now=LATER)
    rating = supplier_rating(supplier_id=supplier.pk)
    assert (str(rating.average), rating.count) == ("4.0", 1)


def test_an_order_not_fulfilled_or_without_a_driver_cannot_be_reviewed(patient):
    supplier = driver()
    pending = fulfilled_order(patient, supplier, status="confirmed", fulfilled_at=None)
    hotel = fulfilled_order(patient, driver(name="Hotel du Lac", kind="hotel"))
    for order, code in ((pending, "order_not_fulfilled"), (hotel, "no_supplier_to_review")):
        with pytest.raises(Conflict) as refused:
            supplier_review_submit(order=order, actor=patient, stars=SUPPLIER_STARS, text=TEXT, now=WRITTEN_AT)
        assert refused.value.code == code
    assert not SupplierReview.objects.exists()


def test_someone_elses_order_is_not_found_and_a_second_review_conflicts(patient, other_patient):
    order = fulfilled_order(patient, driver())
    with pytest.raises(NotFound):
        supplier_review_submit(order=order, actor=other_patient, stars=SUPPLIER_STARS, text=TEXT, now=WRITTEN_AT)
    supplier_submitted(order)
    with pytest.raises(Conflict):
        supplier_submitted(order)
    assert SupplierReview.objects.count() == 1
