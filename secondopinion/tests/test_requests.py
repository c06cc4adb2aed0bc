"""The patient's side of a second opinion, through its services: the draft's rules, sending and
paying (through the local Stripe emulator), documents asked for, the choice and its price
difference, and withdrawing."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from concierge.models import AddonOrder, AddonOrderStatus
from concierge.services.orders import order_record_paid, order_start
from core.errors import Conflict, NotFound, ValidationFailed
from documents.tests import samples
from documents.tests.helpers import upload_file
from notifications.models import Message
from secondopinion.models import CaseDocument, CaseQuestion, CaseStatus, DocumentRole, OpinionCase
from secondopinion.services.requests import (
    case_choose,
    case_choose_check,
    case_documents_add,
    case_documents_sent,
    case_draft_save,
    case_record_paid,
    case_send,
    case_send_check,
    case_withdraw,
    case_withdraw_check,
    opinion_price_list,
)
from secondopinion.tests.support_requests import (
    awaiting_documents,
    draft,
    opinion_price,
    paid_case,
    pay,
    shortlisted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def price(careteam, cardiology, now):
    return opinion_price(careteam, cardiology, now)


# --- the draft ---------------------------------------------------------------------------------------


def test_a_draft_keeps_the_questions_the_documents_and_the_language(patient, cardiology, diagnosis, price, now):
    case = draft(
        patient,
        cardiology,
        diagnosis,
        now,
        questions=["  Is surgery needed now?  ", "", "What if I wait?"],
        language="tr",
        meeting_requested=True,
    )

    assert case.status == CaseStatus.DRAFT
    assert [q.text for q in case.questions.all()] == ["Is surgery needed now?", "What if I wait?"]
    assert [(d.document_id, d.role) for d in case.documents.all()] == [(diagnosis.pk, DocumentRole.FIRST_DIAGNOSIS)]
    assert (case.language, case.meeting_requested, case.currency) == ("tr", True, "EUR")
    assert case.order is None


def test_a_request_without_a_first_diagnosis_is_refused_and_nothing_is_written(
    patient, cardiology, diagnosis, price, now
):
    with pytest.raises(ValidationFailed) as refused:
        draft(patient, cardiology, diagnosis, now, documents=[(diagnosis, DocumentRole.IMAGING)])

    assert "first diagnosis by a health professional" in refused.value.details["documents"][0]
    assert not OpinionCase.objects.exists()


def test_someone_elses_document_is_not_found_and_nothing_is_written(
    patient, other_patient, cardiology, diagnosis, price, now
):
    bobs = upload_file(other_patient, samples.pdf("Bob's report"), title="Report")

    with pytest.raises(NotFound) as refused:
        draft(
            patient,
            cardiology,
            diagnosis,
            now,
            documents=[(diagnosis, DocumentRole.FIRST_DIAGNOSIS), (bobs, DocumentRole.REPORT)],
        )

    assert refused.value.message == "You have no document with this id."
    assert not OpinionCase.objects.exists()


def test_six_questions_are_refused_on_the_questions_field(patient, cardiology, diagnosis, price, now):
    with pytest.raises(ValidationFailed) as refused:
        draft(patient, cardiology, diagnosis, now, questions=[f"Question {n}?" for n in range(6)])

    assert refused.value.details["questions"] == ["Ask at most 5 questions."]
    assert not CaseQuestion.objects.exists()


def test_a_20000_character_question_is_refused(patient, cardiology, diagnosis, price, now):
    with pytest.raises(ValidationFailed) as refused:
        draft(patient, cardiology, diagnosis, now, questions=["x" * 20_000])

    assert "at most 2000 characters" in refused.value.details["questions"][0]
    assert not OpinionCase.objects.exists()


def test_a_specialty_without_a_price_in_the_currency_is_refused(patient, cardiology, diagnosis, price, now):
    with pytest.raises(ValidationFailed) as refused:
        draft(patient, cardiology, diagnosis, now, currency="USD")

    assert "USD" in refused.value.details["specialty"][0]


def test_an_unknown_language_is_refused(patient, cardiology, diagnosis, price, now):
    with pytest.raises(ValidationFailed) as refused:
        draft(patient, cardiology, diagnosis, now, language="xx")

    assert "language" in refused.value.details


def test_a_draft_is_changed_until_it_is_sent(patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)
    imaging = upload_file(patient, samples.pdf("MRI"), title="MRI")

    case = draft(
        patient,
        cardiology,
        diagnosis,
        now,
        case=case,
        questions=["A new question?"],
        documents=[(diagnosis, DocumentRole.FIRST_DIAGNOSIS), (imaging, DocumentRole.IMAGING)],
    )

    assert [q.text for q in case.questions.all()] == ["A new question?"]
    assert case.documents.count() == 2
    assert OpinionCase.objects.count() == 1


def test_the_price_is_the_one_in_force_for_the_specialty_and_currency(cardiology, price):
    assert opinion_price_list(specialty=cardiology, currency="EUR") == price
    assert opinion_price_list(specialty=cardiology, currency="GBP") is None


# --- sending and paying -------------------------------------------------------------------------------


def test_sending_needs_the_consent(patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now, consent=False)

    assert not case_send_check(case=case, actor=patient).allowed
    with pytest.raises(ValidationFailed) as refused:
        case_send(case=case, actor=patient, now=now)
    assert "consent" in refused.value.details
    assert not AddonOrder.objects.exists()


def test_sending_twice_gives_the_same_unpaid_order(patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)

    first = case_send(case=case, actor=patient, now=now)
    again = case_send(case=case, actor=patient, now=now)

    assert first.pk == again.pk
    assert (first.kind, first.amount, first.currency, first.status) == (
        "second_opinion",
        45_000,
        "EUR",
        AddonOrderStatus.AWAITING_PAYMENT,
    )
    assert first.description == f"Second opinion #{case.pk}"
    case.refresh_from_db()
    assert case.consent_at == now
    assert case.status == CaseStatus.DRAFT


def test_someone_else_cannot_send_the_request(patient, other_patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)

    with pytest.raises(NotFound):
        case_send(case=case, actor=other_patient, now=now)


def test_paying_submits_the_case_starts_the_clock_and_tells_the_coordinators(
    stripe_emulator, patient, coordinator, cardiology, diagnosis, price, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)

    assert case.status == CaseStatus.SUBMITTED
    assert case.clock_started_at == now
    assert case.due_at is not None
    assert case.due_at > now
    assert case.order.status == AddonOrderStatus.CONFIRMED
    to_coordinator = Message.objects.get(event="opinion_case_new", recipient=coordinator)
    assert f"#{case.pk}" in to_coordinator.subject
    assert "Cardiology" not in to_coordinator.subject + to_coordinator.body
    assert "surgery" not in to_coordinator.body
    assert Message.objects.filter(event="opinion_case_paid", recipient=patient).exists()


def test_paying_twice_is_refused(stripe_emulator, patient, cardiology, diagnosis, price, now):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)

    with pytest.raises(Conflict) as refused:
        order_start(order=case.order, actor=patient, now=now)

    assert refused.value.code == "already_paid"
    with pytest.raises(Conflict):
        case_send(case=case, actor=patient, now=now)


def test_recording_the_payment_again_changes_nothing(stripe_emulator, patient, cardiology, diagnosis, price, now):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)

    order_record_paid(payment_intent_id=case.order.payment_intent_id, now=now)
    case_record_paid(order=case.order, now=now)

    case.refresh_from_db()
    assert (case.status, case.clock_started_at) == (CaseStatus.SUBMITTED, now)


# --- documents asked for ------------------------------------------------------------------------------


def test_the_patient_adds_the_documents_asked_for_and_the_clock_runs_again(
    stripe_emulator, patient, coordinator, cardiology, diagnosis, price, now, django_capture_on_commit_callbacks
):
    case = awaiting_documents(paid_case(stripe_emulator, patient, cardiology, diagnosis, now), coordinator, now)
    paused_due = OpinionCase.objects.get(pk=case.pk).due_at
    blood = upload_file(patient, samples.pdf("Blood test"), title="Blood test")

    case_documents_add(case=case, actor=patient, documents=[(blood, DocumentRole.REPORT)], now=now)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_documents_sent(case=case, actor=patient, now=now.replace(hour=15))

    assert paused_due is None
    assert case.status == CaseStatus.UNDER_TRIAGE
    assert case.due_at is not None
    assert not case.pauses.filter(ended_at__isnull=True).exists()
    assert CaseDocument.objects.filter(case=case, document=blood, role=DocumentRole.REPORT).exists()
    assert Message.objects.filter(event="opinion_documents_sent", recipient=coordinator).exists()


def test_documents_cannot_be_added_while_the_coordinator_reads(
    stripe_emulator, patient, cardiology, diagnosis, price, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)

    with pytest.raises(Conflict):
        case_documents_add(case=case, actor=patient, documents=[(diagnosis, DocumentRole.OTHER)], now=now)
    with pytest.raises(Conflict):
        case_documents_sent(case=case, actor=patient, now=now)


# --- the choice ---------------------------------------------------------------------------------------


def test_choosing_a_specialist_not_on_the_shortlist_is_refused(
    stripe_emulator, patient, coordinator, cardiology, diagnosis, price, martin, yilmaz, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    case, (_candidate,) = shortlisted(case, coordinator, [martin], now)
    other = draft(patient, cardiology, diagnosis, now)
    other.status = CaseStatus.SHORTLISTED
    other.save()
    _, (elsewhere,) = shortlisted_elsewhere(other, coordinator, yilmaz, now)

    with pytest.raises(ValidationFailed) as refused:
        case_choose(case=case, actor=patient, candidate=elsewhere, now=now)

    assert refused.value.message == "Choose one of the specialists proposed for you."
    case.refresh_from_db()
    assert (case.status, case.specialist) == (CaseStatus.SHORTLISTED, None)


def shortlisted_elsewhere(case, coordinator, specialist, now):
    from secondopinion.models import Candidate

    return case, [Candidate.objects.create(case=case, specialist=specialist, proposed_by=coordinator, proposed_at=now)]


def test_a_declined_candidate_cannot_be_chosen(
    stripe_emulator, patient, coordinator, cardiology, diagnosis, price, martin, yilmaz, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    case, (first, second) = shortlisted(case, coordinator, [martin, yilmaz], now)
    first.declined_at = now
    first.save()

    assert not case_choose_check(case=case, actor=patient, candidate=first).allowed
    assert case_choose_check(case=case, actor=patient, candidate=second).allowed


def test_choosing_at_the_price_paid_asks_the_specialist_at_once(
    stripe_emulator,
    patient,
    coordinator,
    cardiology,
    diagnosis,
    price,
    martin,
    martin_user,
    yilmaz,
    now,
    django_capture_on_commit_callbacks,
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    case, (candidate, _other) = shortlisted(case, coordinator, [martin, yilmaz], now)

    with django_capture_on_commit_callbacks(execute=True):
        case = case_choose(case=case, actor=patient, candidate=candidate, now=now.replace(hour=11))

    assert case.status == CaseStatus.SPECIALIST_CHOSEN
    assert case.specialist == martin
    assert case.accept_due_at is not None
    assert case.due_at is not None
    assert case.supplement_order is None
    assert case.choice_refund_id is None
    asked = Message.objects.get(event="opinion_specialist_asked", recipient=martin_user)
    assert "Cardiology" not in asked.subject + asked.body


def test_choosing_a_cheaper_specialist_gives_the_difference_back_once(
    stripe_emulator, patient, coordinator, cardiology, diagnosis, price, martin, yilmaz, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    case, (_martin, cheaper) = shortlisted(case, coordinator, [martin, yilmaz], now)

    case = case_choose(case=case, actor=patient, candidate=cheaper, now=now)

    assert case.choice_refund_amount == 5_000
    assert stripe_emulator.get(f"/v1/refunds/{case.choice_refund_id}")["amount"] == 5_000
    assert case.accept_due_at is not None


def test_choosing_a_dearer_specialist_waits_for_the_supplement_then_asks_them(
    stripe_emulator, careteam, patient, coordinator, cardiology, diagnosis, martin, yilmaz, now
):
    opinion_price(careteam, cardiology, now, amount=40_000)
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    case, (dearer, _yilmaz) = shortlisted(case, coordinator, [martin, yilmaz], now)

    case = case_choose(case=case, actor=patient, candidate=dearer, now=now)

    supplement = case.supplement_order
    assert (supplement.amount, supplement.status) == (5_000, AddonOrderStatus.AWAITING_PAYMENT)
    assert case.status == CaseStatus.SPECIALIST_CHOSEN
    assert case.accept_due_at is None
    assert case.due_at is None  # the clock waits for the patient's payment

    assert pay(stripe_emulator, patient, supplement, now).status == "succeeded"
    case.refresh_from_db()
    assert case.accept_due_at is not None
    assert case.due_at is not None


# --- withdrawing --------------------------------------------------------------------------------------


def test_withdrawing_a_draft_cancels_its_unpaid_order(patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)
    order = case_send(case=case, actor=patient, now=now)

    case = case_withdraw(case=case, actor=patient, now=now)

    order.refresh_from_db()
    assert (case.status, case.withdrawn_at, order.status) == (CaseStatus.WITHDRAWN, now, AddonOrderStatus.CANCELLED)
    assert case.refund_amount is None


def test_withdrawing_a_paid_case_refunds_everything_paid(
    stripe_emulator, patient, coordinator, cardiology, diagnosis, price, martin, yilmaz, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    case, (_martin, cheaper) = shortlisted(case, coordinator, [martin, yilmaz], now)
    case = case_choose(case=case, actor=patient, candidate=cheaper, now=now)

    case = case_withdraw(case=case, actor=patient, now=now)

    assert (case.status, case.refund_amount) == (CaseStatus.WITHDRAWN, 40_000)
    assert stripe_emulator.get(f"/v1/refunds/{case.stripe_refund_id}")["amount"] == 40_000
    case.order.refresh_from_db()
    assert case.order.status == AddonOrderStatus.REFUNDED


def test_nobody_withdraws_after_the_specialist_accepted_nor_someone_elses_case(
    stripe_emulator, patient, other_patient, cardiology, diagnosis, price, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    assert not case_withdraw_check(case=case, actor=other_patient).allowed
    OpinionCase.objects.filter(pk=case.pk).update(status=CaseStatus.ACCEPTED)
    case.refresh_from_db()

    with pytest.raises(Conflict) as refused:
        case_withdraw(case=case, actor=patient, now=now)

    assert refused.value.code == "already_accepted"


def test_a_coordinator_cannot_write_a_patients_draft(patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)
    stranger = UserFactory(email="stranger@example.test")

    with pytest.raises(NotFound):
        case_draft_save(
            patient=stranger,
            specialty=cardiology,
            questions=["?"],
            language="en",
            meeting_requested=False,
            documents=[],
            consent=True,
            currency="EUR",
            now=now,
            case=case,
        )
