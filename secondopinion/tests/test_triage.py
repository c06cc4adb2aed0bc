"""The medical coordinator's triage: take a paid request, ask for documents (the clock pauses), name
the skills, propose at least two eligible specialists, or declare the file unsuitable (a full refund,
once). Coordinators only, and only the case's own once taken."""

from __future__ import annotations

import datetime as dt

import pytest

from concierge.models import AddonOrderStatus
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditEvent
from notifications.models import Message
from payments.models import LedgerTransaction
from providers.models import VerificationStatus
from secondopinion.models import Candidate, CaseStatus, ClockPause, DocumentRole, SpecialistProfile
from secondopinion.services import triage
from secondopinion.tests import support_triage as support
from secondopinion.tests.conftest import _specialist

pytestmark = pytest.mark.django_db

# The local Stripe emulator (payments' fixtures, through conftest), as `emulator`.


@pytest.fixture
def emulator(request):
    return request.getfixturevalue("stripe_emulator")


@pytest.fixture
def submitted(patient, cardiology, diagnosis, now):
    return support.case_at(
        CaseStatus.SUBMITTED,
        patient=patient,
        specialty=cardiology,
        now=now,
        documents=[(diagnosis, DocumentRole.FIRST_DIAGNOSIS)],
    )


@pytest.fixture
def triaging(submitted, coordinator, now):
    return triage.case_take(case=submitted, actor=coordinator, now=now)


@pytest.fixture
def with_skills(triaging, coordinator, now):
    return triage.case_skills_set(case=triaging, actor=coordinator, skills="Valve disease, echocardiography", now=now)


# --- take -----------------------------------------------------------------------------------------------


def test_a_coordinator_takes_a_paid_request_and_becomes_its_coordinator(submitted, coordinator, now):
    case = triage.case_take(case=submitted, actor=coordinator, now=now)

    assert case.status == CaseStatus.UNDER_TRIAGE
    assert case.coordinator == coordinator
    assert AuditEvent.objects.filter(action="secondopinion.case.taken", target_id=str(case.pk)).count() == 1


def test_taking_it_twice_changes_nothing(triaging, coordinator, now):
    again = triage.case_take(case=triaging, actor=coordinator, now=now + dt.timedelta(hours=1))

    assert again.status == CaseStatus.UNDER_TRIAGE
    assert AuditEvent.objects.filter(action="secondopinion.case.taken").count() == 1


def test_another_coordinator_is_told_who_is_triaging_it(triaging, other_coordinator, now):
    with pytest.raises(Forbidden) as refused:
        triage.case_take(case=triaging, actor=other_coordinator, now=now)

    assert refused.value.code == "other_coordinator"
    assert "dr.cole@example.test is triaging this case." in refused.value.message
    for action in (
        lambda: triage.case_documents_request(case=triaging, actor=other_coordinator, message="MRI", now=now),
        lambda: triage.case_skills_set(case=triaging, actor=other_coordinator, skills="x", now=now),
        lambda: triage.case_declare_unsuitable(
            case=triaging, actor=other_coordinator, reason="out_of_scope", note="x", now=now
        ),
    ):
        with pytest.raises(Forbidden):
            action()


def test_other_staff_are_refused_and_patients_and_providers_hear_of_no_such_request(
    submitted, careteam, finance, patient, martin_user, now
):
    for staff in (careteam, finance):
        with pytest.raises(Forbidden):
            triage.case_take(case=submitted, actor=staff, now=now)
    for person in (patient, martin_user):
        with pytest.raises(NotFound):
            triage.case_take(case=submitted, actor=person, now=now)
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED


# --- ask for documents ----------------------------------------------------------------------------------


def test_asking_for_documents_pauses_the_clock_and_tells_the_patient_without_health_in_the_subject(
    triaging, coordinator, now, django_capture_on_commit_callbacks
):
    assert triaging.due_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        case = triage.case_documents_request(
            case=triaging, actor=coordinator, message="The echocardiogram's full report, please.", now=now
        )

    assert case.status == CaseStatus.AWAITING_DOCUMENTS
    pause = ClockPause.objects.get(case=case)
    assert (pause.reason, pause.message, pause.ended_at) == (
        "documents",
        "The echocardiogram's full report, please.",
        None,
    )
    case.refresh_from_db()
    assert case.due_at is None
    message = Message.objects.get(event="opinion_documents_requested")
    assert message.subject == f"Your second-opinion request #{case.pk} has news"
    assert "echocardiogram" in message.body


def test_asking_for_documents_needs_a_message_and_the_case_taken(submitted, triaging, coordinator, now):
    with pytest.raises(ValidationFailed) as empty:
        triage.case_documents_request(case=triaging, actor=coordinator, message="   ", now=now)
    assert "message" in empty.value.details
    with pytest.raises(ValidationFailed):
        triage.case_documents_request(case=triaging, actor=coordinator, message="x" * 2001, now=now)
    assert ClockPause.objects.count() == 0


# --- skills ---------------------------------------------------------------------------------------------


def test_the_skills_needed_are_written_and_audited(triaging, coordinator, now):
    case = triage.case_skills_set(case=triaging, actor=coordinator, skills="  Valve disease  ", now=now)

    assert case.skills_needed == "Valve disease"
    assert AuditEvent.objects.filter(action="secondopinion.case.skills_set").count() == 1
    with pytest.raises(ValidationFailed):
        triage.case_skills_set(case=triaging, actor=coordinator, skills="", now=now)


# --- eligible specialists -------------------------------------------------------------------------------


def test_eligible_specialists_are_verified_in_the_specialty_language_currency_with_room(
    triaging, martin, yilmaz, cardiology, now
):
    unverified, _ = _specialist(name="Dr Pending", slug="dr-pending", email="p@opinions.test", specialty=cardiology)
    unverified.provider.status = VerificationStatus.PENDING
    unverified.provider.save()
    dollars, _ = _specialist(name="Dr Dollar", slug="dr-dollar", email="d@opinions.test", specialty=cardiology)
    SpecialistProfile.objects.filter(pk=dollars.pk).update(currency="USD")
    german, _ = _specialist(name="Dr Deutsch", slug="dr-deutsch", email="g@opinions.test", specialty=cardiology)
    SpecialistProfile.objects.filter(pk=german.pk).update(languages=["de"])
    resting, _ = _specialist(name="Dr Resting", slug="dr-resting", email="r@opinions.test", specialty=cardiology)
    SpecialistProfile.objects.filter(pk=resting.pk).update(active=False)
    busy, _ = _specialist(name="Dr Busy", slug="dr-busy", email="b@opinions.test", specialty=cardiology)
    SpecialistProfile.objects.filter(pk=busy.pk).update(weekly_capacity=1)
    support.case_at(
        CaseStatus.ACCEPTED,
        patient=triaging.patient,
        specialty=cardiology,
        now=now - dt.timedelta(days=2),
        specialist=busy,
    )

    eligible = list(triage.case_candidates_eligible(case=triaging, now=now))

    assert eligible == [martin, yilmaz]


# --- shortlist ------------------------------------------------------------------------------------------


def test_a_shortlist_of_one_is_refused(with_skills, coordinator, martin, now):
    with pytest.raises(ValidationFailed) as refused:
        triage.case_shortlist(case=with_skills, actor=coordinator, specialists=[martin], now=now)

    assert refused.value.message == "Propose at least two specialists so the patient can choose."
    assert "specialists" in refused.value.details
    assert Candidate.objects.count() == 0


def test_a_specialist_who_is_not_eligible_is_named_in_the_refusal(with_skills, coordinator, martin, yilmaz, now):
    yilmaz.provider.status = VerificationStatus.SUSPENDED
    yilmaz.provider.save()

    with pytest.raises(ValidationFailed) as refused:
        triage.case_shortlist(case=with_skills, actor=coordinator, specialists=[martin, yilmaz], now=now)

    assert "Dr Emre Yilmaz" in refused.value.message
    assert Candidate.objects.count() == 0


def test_the_skills_come_before_the_shortlist(triaging, coordinator, martin, yilmaz, now):
    with pytest.raises(ValidationFailed) as refused:
        triage.case_shortlist(case=triaging, actor=coordinator, specialists=[martin, yilmaz], now=now)

    assert "skills" in refused.value.details


def test_two_eligible_specialists_go_to_the_patient_and_the_clock_waits_for_the_choice(
    with_skills, coordinator, martin, yilmaz, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = triage.case_shortlist(
            case=with_skills,
            actor=coordinator,
            specialists=[martin, yilmaz],
            notes={martin.pk: "Valve specialist in Paris"},
            now=now + dt.timedelta(hours=2),
        )

    assert case.status == CaseStatus.SHORTLISTED
    assert {(c.specialist_id, c.note) for c in case.candidates.all()} == {
        (martin.pk, "Valve specialist in Paris"),
        (yilmaz.pk, ""),
    }
    assert ClockPause.objects.get(case=case, ended_at__isnull=True).reason == "choice"
    case.refresh_from_db()
    assert case.due_at is None
    message = Message.objects.get(event="opinion_shortlisted")
    assert "Cardiology" not in message.subject
    assert "Valve" not in message.body


def test_after_a_specialist_declined_the_coordinator_proposes_more(
    patient, cardiology, coordinator, martin, yilmaz, now
):
    third, _ = _specialist(name="Dr Third", slug="dr-third", email="t@opinions.test", specialty=cardiology)
    declined = support.case_at(
        CaseStatus.DECLINED_BY_SPECIALIST,
        patient=patient,
        specialty=cardiology,
        now=now,
        coordinator=coordinator,
        specialist=martin,
        skills="Valves",
        candidates=[martin, yilmaz],
    )
    Candidate.objects.filter(case=declined, specialist=martin).update(declined_at=now)

    assert list(triage.case_candidates_eligible(case=declined, now=now)) == [third]
    case = triage.case_shortlist(case=declined, actor=coordinator, specialists=[third], now=now)

    assert case.status == CaseStatus.SHORTLISTED
    assert case.candidates.count() == 3


# --- unsuitable -----------------------------------------------------------------------------------------


@pytest.fixture
def paid_submitted(emulator, patient, cardiology, diagnosis, now):
    order = support.paid_order(emulator, patient, now)
    return support.case_at(
        CaseStatus.SUBMITTED,
        patient=patient,
        specialty=cardiology,
        now=now,
        order=order,
        documents=[(diagnosis, DocumentRole.FIRST_DIAGNOSIS)],
    )


def test_an_unsuitable_file_is_refunded_in_full_once(
    paid_submitted, coordinator, now, emulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = triage.case_declare_unsuitable(
            case=paid_submitted,
            actor=coordinator,
            reason="emergency",
            note="Your symptoms need care today.",
            now=now,
        )

    assert case.status == CaseStatus.REFUNDED
    assert (case.unsuitable_reason, case.refund_amount) == ("emergency", support.PRICE)
    assert case.stripe_refund_id
    order = case.order
    order.refresh_from_db()
    assert (order.status, order.stripe_refund_id, order.refund_amount) == (
        AddonOrderStatus.REFUNDED,
        case.stripe_refund_id,
        support.PRICE,
    )
    refund = emulator.get(f"/v1/refunds/{case.stripe_refund_id}")
    assert refund["amount"] == support.PRICE
    assert LedgerTransaction.objects.filter(kind="addon_refund", external_id=case.stripe_refund_id).count() == 1
    message = Message.objects.get(event="opinion_unsuitable")
    assert "112" in message.body
    assert "450" in message.body
    assert "emergency" not in message.subject.lower()

    with pytest.raises(Conflict):
        triage.case_declare_unsuitable(case=case, actor=coordinator, reason="emergency", note="again", now=now)
    assert LedgerTransaction.objects.filter(kind="addon_refund").count() == 1


def test_an_unsuitable_file_needs_a_known_reason_and_a_note(submitted, coordinator, now):
    with pytest.raises(ValidationFailed) as reason:
        triage.case_declare_unsuitable(case=submitted, actor=coordinator, reason="boring", note="x", now=now)
    assert "reason" in reason.value.details
    with pytest.raises(ValidationFailed) as note:
        triage.case_declare_unsuitable(case=submitted, actor=coordinator, reason="out_of_scope", note="", now=now)
    assert "note" in note.value.details


def test_once_specialists_are_proposed_the_file_can_no_longer_be_declared_unsuitable(
    with_skills, coordinator, martin, yilmaz, now
):
    case = triage.case_shortlist(case=with_skills, actor=coordinator, specialists=[martin, yilmaz], now=now)

    check = triage.case_unsuitable_check(case=case, actor=coordinator)
    assert not check.allowed
    with pytest.raises(Conflict):
        triage.case_declare_unsuitable(case=case, actor=coordinator, reason="out_of_scope", note="x", now=now)


def test_a_french_patient_hears_in_french_that_the_file_is_refused_and_refunded(
    patient, submitted, coordinator, now, django_capture_on_commit_callbacks
):
    patient.patient_profile.preferred_language = "fr"
    patient.patient_profile.save()
    submitted.order.status = AddonOrderStatus.AWAITING_PAYMENT  # nothing was taken: nothing to refund
    submitted.order.save()

    with django_capture_on_commit_callbacks(execute=True):
        triage.case_declare_unsuitable(
            case=submitted, actor=coordinator, reason="no_first_diagnosis", note="Voyez votre médecin.", now=now
        )

    message = Message.objects.get(event="opinion_unsuitable")
    assert message.language == "fr"
    assert message.subject == f"Votre demande d'avis n° {submitted.pk} a du nouveau"
    assert "pas de premier diagnostic" in message.body
    assert "Rien n'a été débité." in message.body
