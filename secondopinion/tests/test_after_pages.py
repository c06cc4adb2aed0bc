"""The after side's pages: follow-ups, closing, the consultation and share links, without JS."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from quotes.models import QuoteRequest
from secondopinion.models import CaseStatus, ShareLink
from secondopinion.services import after
from secondopinion.tests.support_after import delivered_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(patient, cardiology, martin, martin_user, diagnosis, now):
    return delivered_case(
        patient=patient, specialty=cardiology, specialist=martin, signer=martin_user, diagnosis=diagnosis, now=now
    )


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, case, *args) -> str:
    return reverse(f"secondopinion:{name}", args=[case.pk, *args])


def test_the_patient_sees_what_can_be_done_after_the_opinion(case, patient):
    response = _as(patient).get(_url("after_case", case))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="follow-up-ask"' in body
    assert "You may ask the specialist 3 more questions about the opinion" in body
    assert 'data-testid="case-close"' in body
    assert _url("after_consultation", case) in body
    assert 'data-testid="share-link-create"' in body


def test_a_question_too_long_is_shown_next_to_the_field_and_kept(case, patient):
    typed = "Can I fly? " * 300
    response = _as(patient).post(_url("after_follow_up_ask", case), {"question": typed})
    assert response.status_code == 400
    body = response.content.decode()
    assert "A follow-up question is at most 2000 characters" in body
    assert "Can I fly? Can I fly?" in body
    case.refresh_from_db()
    assert case.status == CaseStatus.OPINION_DELIVERED


def test_the_patient_asks_and_the_specialist_answers_on_the_page(case, patient, martin_user):
    asked = _as(patient).post(_url("after_follow_up_ask", case), {"question": "Can I fly?"})
    assert asked.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.FOLLOW_UP
    follow_up = case.follow_ups.get()

    page = _as(martin_user).get(_url("after_case", case)).content.decode()
    assert "Can I fly?" in page
    assert _url("after_follow_up_answer", case, follow_up.pk) in page
    assert 'data-testid="share-links"' not in page

    answered = _as(martin_user).post(
        _url("after_follow_up_answer", case, follow_up.pk), {f"answer-{follow_up.pk}-answer": "Yes, you can."}
    )
    assert answered.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPINION_DELIVERED
    assert "Yes, you can." in _as(patient).get(_url("after_case", case)).content.decode()


def test_another_specialist_gets_404(case, yilmaz_user, other_patient):
    assert _as(yilmaz_user).get(_url("after_case", case)).status_code == 404
    assert _as(other_patient).get(_url("after_case", case)).status_code == 404


def test_the_patient_closes_the_case(case, patient):
    response = _as(patient).post(_url("after_case_close", case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_the_consultation_form_is_prefilled_and_leads_to_the_quote_request(case, patient):
    client = _as(patient)
    form = client.get(_url("after_consultation", case))
    assert form.status_code == 200
    assert f"Following the second opinion #{case.pk}, I would like an in-person consultation." in form.content.decode()

    sent = client.post(_url("after_consultation", case), {"message": "I can travel in March."})
    request = QuoteRequest.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("quotes:request_detail", args=[request.pk])
    assert request.description == "I can travel in March."

    again = client.get(_url("after_consultation", case))
    assert again.status_code == 302
    assert again["Location"] == reverse("quotes:request_detail", args=[request.pk])
    assert QuoteRequest.objects.count() == 1


def test_a_share_link_is_shown_once_then_listed_and_revoked(case, patient):
    client = _as(patient)
    made = client.post(_url("after_share_link_create", case), {"recipient": "Dr Dupont"})
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    body = made.content.decode()
    assert 'data-testid="new-share-link"' in body
    assert "/second-opinion/shared/" in body
    link = ShareLink.objects.get()

    page = client.get(_url("after_case", case)).content.decode()
    assert "Dr Dupont" in page
    assert 'data-testid="new-share-link"' not in page

    revoked = client.post(_url("after_share_link_revoke", case, link.pk))
    assert revoked.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_a_share_link_without_recipient_shows_the_error_on_the_field(case, patient):
    response = _as(patient).post(_url("after_share_link_create", case), {"recipient": ""})
    assert response.status_code == 400
    assert ShareLink.objects.count() == 0


def test_the_sections_render_for_a_case_page_that_includes_them(case, patient, now):
    from django.template.loader import render_to_string

    from secondopinion.views.after import after_section

    section = after_section(case=case, viewer=patient, now=now)
    html = "".join(
        render_to_string(f"secondopinion/after/{name}.html", {"after": section})
        for name in ("_follow_ups", "_consultation", "_share")
    )
    assert 'data-testid="follow-ups"' in html
    assert 'data-testid="share-links"' in html
    assert after.share_links_of(case=case).count() == 0
