"""After the opinion: follow-up questions, closing, and the in-person consultation (services)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict, NotFound, ValidationFailed
from core.models import AuditEvent
from documents.models import DocumentGrant
from notifications.models import Message
from quotes.models import QuoteRecipient, QuoteRequest, QuoteRequestStatus
from secondopinion.models import CaseStatus, FollowUp
from secondopinion.services import after
from secondopinion.tests.support_after import delivered_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(patient, cardiology, martin, martin_user, diagnosis, now):
    return delivered_case(
        patient=patient, specialty=cardiology, specialist=martin, signer=martin_user, diagnosis=diagnosis, now=now
    )


def _answer(case, user, now):
    follow_up = case.follow_ups.get(answered_at__isnull=True)
    return after.follow_up_answer(case=case, follow_up=follow_up, actor=user, answer="Yes, that is fine.", now=now)


# --- follow-ups ---------------------------------------------------------------------------------------------


def test_asking_a_follow_up_moves_the_case_and_tells_the_specialist_without_the_question(
    case, patient, martin_user, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = after.follow_up_ask(case=case, actor=patient, question="Can I still run marathons?", now=now)

    case.refresh_from_db()
    assert case.status == CaseStatus.FOLLOW_UP
    assert follow_up.question == "Can I still run marathons?"
    message = Message.objects.get(event="secondopinion_follow_up_asked", recipient=martin_user)
    assert f"#{case.pk}" in message.subject
    assert "marathon" not in message.subject + message.body
    assert "Cardiology" not in message.subject + message.body


def test_the_answer_brings_the_case_back_and_tells_the_patient_there_is_news(
    case, patient, martin_user, now, django_capture_on_commit_callbacks
):
    after.follow_up_ask(case=case, actor=patient, question="Can I fly?", now=now)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = _answer(case, martin_user, now + dt.timedelta(hours=2))

    case.refresh_from_db()
    assert case.status == CaseStatus.OPINION_DELIVERED
    assert follow_up.answered_by == martin_user
    message = Message.objects.get(event="secondopinion_follow_up_answered", recipient=patient)
    assert message.subject == f"Your second-opinion request #{case.pk} has news"
    assert "fly" not in message.body


def test_a_second_question_waits_for_the_first_answer(case, patient, now):
    after.follow_up_ask(case=case, actor=patient, question="First?", now=now)
    with pytest.raises(Conflict) as refused:
        after.follow_up_ask(case=case, actor=patient, question="Second?", now=now)
    assert refused.value.code == "follow_up_pending"
    assert "with the specialist" in refused.value.message


def test_a_follow_up_after_thirty_days_is_refused_with_the_last_day(case, patient, now):
    with pytest.raises(Conflict) as refused:
        after.follow_up_ask(case=case, actor=patient, question="Late?", now=now + dt.timedelta(days=30, minutes=1))
    assert refused.value.code == "follow_up_window_closed"
    assert "within 30 days" in refused.value.message
    assert "2027" in refused.value.message  # until January 6, 2027
    assert not FollowUp.objects.exists()


def test_a_fourth_follow_up_is_refused(case, patient, martin_user, now):
    for number in range(3):
        after.follow_up_ask(case=case, actor=patient, question=f"Question {number}?", now=now)
        _answer(case, martin_user, now)
    with pytest.raises(Conflict) as refused:
        after.follow_up_ask(case=case, actor=patient, question="A fourth?", now=now)
    assert refused.value.code == "follow_up_limit"
    assert FollowUp.objects.filter(case=case).count() == 3


@pytest.mark.parametrize(("question", "code"), [("x" * 20_000, "too_long"), ("   ", "invalid")])
def test_a_question_too_long_or_empty_is_refused_on_its_field(case, patient, now, question, code):
    with pytest.raises(ValidationFailed) as refused:
        after.follow_up_ask(case=case, actor=patient, question=question, now=now)
    assert refused.value.code == code
    assert "question" in refused.value.details
    case.refresh_from_db()
    assert case.status == CaseStatus.OPINION_DELIVERED


def test_another_patient_cannot_ask(case, other_patient, now):
    with pytest.raises(NotFound):
        after.follow_up_ask(case=case, actor=other_patient, question="Mine?", now=now)


def test_a_follow_up_before_the_opinion_is_refused(case, patient, now):
    case.status = CaseStatus.ACCEPTED
    case.delivered_at = None
    case.save()
    with pytest.raises(Conflict) as refused:
        after.follow_up_ask(case=case, actor=patient, question="Already?", now=now)
    assert refused.value.code == "opinion_not_delivered"


def test_another_specialist_cannot_answer(case, patient, yilmaz_user, clinic_member, now):
    follow_up = after.follow_up_ask(case=case, actor=patient, question="Can I fly?", now=now)
    for stranger in (yilmaz_user, clinic_member, patient):
        with pytest.raises(NotFound):
            after.follow_up_answer(case=case, follow_up=follow_up, actor=stranger, answer="Sure.", now=now)
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None


def test_an_answered_question_cannot_be_answered_again(case, patient, martin_user, now):
    follow_up = after.follow_up_ask(case=case, actor=patient, question="Can I fly?", now=now)
    _answer(case, martin_user, now)
    follow_up.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        after.follow_up_answer(case=case, follow_up=follow_up, actor=martin_user, answer="Again.", now=now)
    assert refused.value.code == "follow_up_answered"


# --- closing ------------------------------------------------------------------------------------------------


def test_the_patient_closes_a_delivered_case(case, patient, now):
    closed = after.case_close(case=case, actor=patient, now=now)
    assert closed.status == CaseStatus.CLOSED
    assert closed.closed_at == now
    assert AuditEvent.objects.filter(action="secondopinion.case.closed", target_id=str(case.pk)).count() == 1
    assert after.case_close(case=case, actor=patient, now=now).status == CaseStatus.CLOSED  # twice: no change


def test_closing_waits_for_a_pending_answer(case, patient, now):
    after.follow_up_ask(case=case, actor=patient, question="Can I fly?", now=now)
    with pytest.raises(Conflict) as refused:
        after.case_close(case=case, actor=patient, now=now)
    assert refused.value.code == "follow_up_pending"


def test_a_closed_case_takes_no_more_questions(case, patient, now):
    after.case_close(case=case, actor=patient, now=now)
    case.refresh_from_db()
    with pytest.raises(Conflict):
        after.follow_up_ask(case=case, actor=patient, question="Another?", now=now)


# --- the in-person consultation ---------------------------------------------------------------------------


def test_the_consultation_is_one_quote_request_to_the_specialists_practice_with_the_files_shared(
    case, patient, martin, martin_user, diagnosis, now
):
    request = after.consultation_request(case=case, actor=patient, message="", now=now)

    assert request.status == QuoteRequestStatus.SENT
    assert request.patient == patient
    assert list(QuoteRecipient.objects.filter(request=request).values_list("provider", flat=True)) == [
        martin.provider_id
    ]
    assert request.description == f"Following the second opinion #{case.pk}, I would like an in-person consultation."
    assert request.specialty == case.specialty
    opinion_pdf = case.opinion.document
    assert set(request.documents.all()) == {diagnosis, opinion_pdf}
    grants = DocumentGrant.objects.live(now=now).filter(provider=martin.provider)
    assert set(grants.values_list("document", flat=True)) == {diagnosis.pk, opinion_pdf.pk}
    assert set(request.grants.all()) == set(grants)
    case.refresh_from_db()
    assert case.consultation_request == request


def test_a_second_consultation_request_is_refused_with_the_first(case, patient, now):
    first = after.consultation_request(case=case, actor=patient, message="Please.", now=now)
    case.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        after.consultation_request(case=case, actor=patient, message="Again.", now=now)
    assert refused.value.code == "consultation_already_requested"
    assert refused.value.details == {"quote_request": first.pk, "url": f"/quotes/{first.pk}/"}
    assert QuoteRequest.objects.count() == 1


def test_the_consultation_may_be_asked_after_closing(case, patient, now):
    after.case_close(case=case, actor=patient, now=now)
    case.refresh_from_db()
    assert after.consultation_request(case=case, actor=patient, message="", now=now).pk


def test_only_the_patient_asks_for_the_consultation(case, martin_user, now):
    with pytest.raises(NotFound):
        after.consultation_request(case=case, actor=martin_user, message="", now=now)


def test_a_french_patient_hears_of_the_answer_in_french(
    case, patient, martin_user, now, django_capture_on_commit_callbacks
):
    patient.patient_profile.preferred_language = "fr"
    patient.patient_profile.save()
    after.follow_up_ask(case=case, actor=patient, question="Puis-je prendre l'avion ?", now=now)
    with django_capture_on_commit_callbacks(execute=True):
        _answer(case, martin_user, now)
    message = Message.objects.get(event="secondopinion_follow_up_answered", recipient=patient)
    assert message.subject == f"Du nouveau sur votre demande de second avis n° {case.pk}"
    assert "avion" not in message.body
