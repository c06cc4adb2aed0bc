"""The reviews API: the same rules as the pages, with the codes the rest of the API uses (404 not
yours, 409 not completed / second review / after 90 days, 400 stars out of range), nothing written
on a refusal; the public rating of a provider; moderation, reply, report through the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from reviews.models import Review, ReviewStatus, SupplierReview
from reviews.tests.support import COMPLETED_AT, STARS, TEXT, WRITTEN_AT, completed, driver, fulfilled_order, submitted

pytestmark = pytest.mark.django_db

URL = "/api/v1/reviews/"


@pytest.fixture(autouse=True)
def _at_written():
    with time_machine.travel(WRITTEN_AT, tick=False):
        yield


@pytest.fixture
def booking(patient, clinic, clinic_admin):
    return completed(patient, clinic, clinic_admin)


def _body(booking, **changes):
    return {"booking": booking.pk, **STARS, "text": TEXT, **changes}


def test_the_patient_reviews_their_completed_booking(api_as, patient, booking):
    response = api_as(patient).post(URL, _body(booking), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["rating"] == 4.5
    assert body["moderation_due_at"].startswith("2030-02-20")
    assert api_as(patient).get(URL).json()[0]["id"] == body["id"]


def test_the_same_idempotency_key_gives_the_same_review(api_as, patient, booking):
    client = api_as(patient)
    first = client.post(URL, _body(booking), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, _body(booking), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Review.objects.count() == 1


def test_refusals_have_their_status_and_code_and_write_nothing(api_as, patient, other_patient, rival, booking):
    from bookings.tests.support import awaiting, confirm

    not_completed = confirm(awaiting(patient, rival))
    cases = [
        (api_as(other_patient), _body(booking), 404, "not_found"),
        (api_as(patient), _body(not_completed), 409, "booking_not_completed"),
        (api_as(patient), _body(booking, care=6), 400, "invalid"),
        (api_as(patient), _body(booking, cleanliness=0), 400, "invalid"),
        (api_as(patient), {"booking": 2**40, **STARS, "text": TEXT}, 400, "invalid"),
        (api_as(patient), _body(booking, text="Short"), 400, "too_short"),
    ]
    for client, body, status, code in cases:
        response = client.post(URL, body, format="json")
        assert (response.status_code, response.json()["code"]) == (status, code), body
    assert not Review.objects.exists()


def test_a_second_review_and_a_late_one_conflict(api_as, patient, booking, rival, rival_member):
    client = api_as(patient)
    assert client.post(URL, _body(booking), format="json").status_code == 201
    second = client.post(URL, _body(booking), format="json")
    assert (second.status_code, second.json()["code"]) == (409, "already_reviewed")
    late = completed(patient, rival, rival_member, at=COMPLETED_AT)
    with time_machine.travel(COMPLETED_AT + dt.timedelta(days=91), tick=False):
        response = client.post(URL, _body(late), format="json")
    assert (response.status_code, response.json()["code"]) == (409, "review_window_closed")
    assert Review.objects.count() == 1


def test_moderation_reply_and_the_public_rating(api_as, anonymous, booking, careteam, clinic_admin, clinic):
    review = submitted(booking)
    assert api_as(clinic_admin).post(f"{URL}{review.pk}/publish/").status_code == 403
    queue = api_as(careteam).get(f"{URL}moderation/").json()
    assert [r["id"] for r in queue["reviews"]] == [review.pk]
    published = api_as(careteam).post(f"{URL}{review.pk}/publish/")
    assert published.json()["status"] == ReviewStatus.PUBLISHED
    member = api_as(clinic_admin)
    assert member.get(f"{URL}{review.pk}/").json()["available_actions"]["reply"]["allowed"] is True
    replied = member.post(f"{URL}{review.pk}/reply/", {"text": "Thank you."}, format="json")
    assert replied.json()["reply_text"] == "Thank you."
    again = member.post(f"{URL}{review.pk}/reply/", {"text": "Again."}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_replied")
    public = anonymous.get(f"{URL}providers/{clinic.pk}/").json()
    assert (public["average"], public["count"]) == ("4.5", 1)
    assert public["reviews"][0]["reply_text"] == "Thank you."
    assert "author" not in public["reviews"][0]


def test_report_answer_and_decision(api_as, booking, careteam, clinic_admin, patient, clinic):
    review = submitted(booking)
    api_as(careteam).post(f"{URL}{review.pk}/publish/")
    reported = api_as(clinic_admin).post(f"{URL}{review.pk}/report/", {"reason": "Insulting"}, format="json")
    assert reported.status_code == 201
    report_id = reported.json()["reports"][0]["id"]
    early = api_as(careteam).post(f"{URL}reports/{report_id}/decide/", {"decision": "keep"}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "author_may_answer")
    answered = api_as(patient).post(f"{URL}reports/{report_id}/respond/", {"response": "True."}, format="json")
    assert answered.json()["reports"][0]["status"] == "awaiting_decision"
    kept = api_as(careteam).post(f"{URL}reports/{report_id}/decide/", {"decision": "keep"}, format="json")
    assert kept.json()["status"] == "published"


def test_a_review_is_hidden_from_other_providers_and_patients(api_as, booking, rival_member, other_patient):
    review = submitted(booking)
    for user in (rival_member, other_patient):
        assert api_as(user).get(f"{URL}{review.pk}/").status_code == 404


def test_a_supplier_review_through_the_api(api_as, patient, careteam):
    supplier = driver()
    order = fulfilled_order(patient, supplier)
    body = {"order": order.pk, "service": 5, "communication": 5, "punctuality": 5, "text": TEXT}
    created = api_as(patient).post(f"{URL}supplier-reviews/", body, format="json")
    assert created.status_code == 201
    out_of_range = api_as(patient).post(f"{URL}supplier-reviews/", {**body, "service": 7}, format="json")
    assert out_of_range.status_code == 400
    review_id = created.json()["id"]
    published = api_as(careteam).post(f"{URL}supplier-reviews/{review_id}/publish/")
    assert published.json()["status"] == "published"
    assert SupplierReview.objects.get().status == ReviewStatus.PUBLISHED
