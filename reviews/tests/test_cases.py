"""Reviews on the careteam's case board: moderation due in 10 working days (overdue after), a
report waiting for its author until the 7th day, then for the careteam's decision; no review text
on the board. And what privacy exports and erases of an author."""

from __future__ import annotations

import datetime as dt

import pytest

from core.cases import CaseStage
from core.personal_data import Subject
from reviews.cases import case_items
from reviews.models import Review, ReviewReport
from reviews.personal_data import erase, export
from reviews.services import review_publish, review_report, review_report_respond
from reviews.tests.support import TEXT, WRITTEN_AT, completed, driver, fulfilled_order, submitted, supplier_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(patient, clinic, clinic_admin):
    return completed(patient, clinic, clinic_admin)


def test_a_review_to_moderate_is_on_the_board_with_its_due_date(booking):
    review = submitted(booking)
    [item] = case_items(now=WRITTEN_AT)
    assert item.key == f"reviews.review:{review.pk}"
    assert item.stage == CaseStage.NEW
    assert item.due_at == dt.datetime(2030, 2, 20, 9, 0, tzinfo=dt.UTC)
    assert TEXT[:15] not in item.title + item.summary


def test_the_board_shows_the_moderation_overdue(booking, careteam):
    from careteam.selectors import board_all

    review = submitted(booking)
    cards = [
        c for c in board_all(user=careteam, now=WRITTEN_AT + dt.timedelta(days=30)) if c.item.key.startswith("reviews.")
    ]
    assert [c.item.key for c in cards] == [f"reviews.review:{review.pk}"]
    assert cards[0].is_late


def test_a_report_waits_for_its_author_then_for_the_decision(booking, careteam, clinic_admin, patient):
    review = review_publish(review=submitted(booking), actor=careteam, now=WRITTEN_AT)
    report = review_report(review=review, actor=clinic_admin, reason="Insulting", now=WRITTEN_AT)
    [waiting] = case_items(now=WRITTEN_AT)
    assert (waiting.stage, waiting.due_at) == (CaseStage.WAITING, report.respond_by)
    [ready] = case_items(now=report.respond_by)
    assert ready.stage == CaseStage.NEW
    review_report_respond(report=report, actor=patient, response="True", now=WRITTEN_AT + dt.timedelta(days=1))
    [answered] = case_items(now=WRITTEN_AT + dt.timedelta(days=1))
    assert answered.stage == CaseStage.NEW


def test_a_supplier_review_to_moderate_is_on_the_board(patient):
    review = supplier_submitted(fulfilled_order(patient, driver()))
    assert [item.key for item in case_items(now=WRITTEN_AT)] == [f"reviews.supplierreview:{review.pk}"]


def test_the_authors_reviews_are_exported_and_erased(booking, careteam, clinic_admin, patient):
    review = review_publish(review=submitted(booking), actor=careteam, now=WRITTEN_AT)
    review_report(review=review, actor=clinic_admin, reason="Insulting", now=WRITTEN_AT)
    supplier_submitted(fulfilled_order(patient, driver()))
    data = export(patient, WRITTEN_AT)
    assert data["reviews"][0]["text"] == TEXT
    assert data["reviews"][0]["reports"][0]["reason"] == "Insulting"
    assert data["supplier_reviews"][0]["text"] == TEXT
    subject = Subject(user_id=patient.pk, pseudonym="Erased person x", email=patient.email, strings=())
    erase(subject, WRITTEN_AT)
    erase(subject, WRITTEN_AT)  # idempotent
    assert not Review.objects.exists()
    assert not ReviewReport.objects.exists()
    assert export(patient, WRITTEN_AT) == {"reviews": [], "supplier_reviews": []}


def test_the_providers_dashboard_counts_reviews_without_a_reply(booking, careteam, clinic, clinic_admin):
    from reviews.dashboard import dashboard_counts
    from reviews.services import review_reply

    review = review_publish(review=submitted(booking), actor=careteam, now=WRITTEN_AT)
    [count] = dashboard_counts(provider_id=clinic.pk, viewer_id=clinic_admin.pk, now=WRITTEN_AT)
    assert count["count"] == 1
    review_reply(review=review, actor=clinic_admin, text="Thank you.", now=WRITTEN_AT)
    [count] = dashboard_counts(provider_id=clinic.pk, viewer_id=clinic_admin.pk, now=WRITTEN_AT)
    assert count["count"] == 0
