"""Second opinions' personal-data declaration: the export holds the case, its questions and the
opinion; the erasure empties the platform's copy and revokes share links, idempotently; a case in
progress blocks the erasure (withdraw it, or wait for the opinion); the specialist's provider is
named so a request can be forwarded to them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.personal_data import Subject
from secondopinion.models import CaseQuestion, CaseStatus, FollowUp, Opinion, OpinionCase, ShareLink
from secondopinion.personal_data import blockers, erase, export, kept, providers
from secondopinion.services import after
from secondopinion.tests.support_after import delivered_case
from secondopinion.tests.support_triage import case_at

pytestmark = pytest.mark.django_db


def subject_of(user) -> Subject:
    return Subject(
        user_id=user.pk, pseudonym="Erased person 3f9a", email=user.email, strings=(user.email, "Alice Martin")
    )


@pytest.fixture
def case(patient, cardiology, martin, martin_user, diagnosis, now):
    return delivered_case(
        patient=patient, specialty=cardiology, specialist=martin, signer=martin_user, diagnosis=diagnosis, now=now
    )


def test_export_holds_questions_opinion_documents_and_links(case, patient, diagnosis, now):
    after.share_link_create(case=case, actor=patient, recipient="Dr Dupont, my cardiologist", now=now)
    FollowUp.objects.create(case=case, question="And if I get breathless?", asked_at=now)
    data = export(patient, now)
    assert json.loads(json.dumps(data)) == data
    [item] = data["second_opinions"]
    assert item["id"] == case.pk
    assert item["questions"] == ["Do I need surgery now?", "What should I watch for?"]
    assert item["documents"] == [{"document": str(diagnosis.pk), "role": "first_diagnosis"}]
    assert item["opinion"]["recommendation"] == "Watchful waiting with a check-up in 12 months."
    assert item["follow_ups"][0]["question"] == "And if I get breathless?"
    assert item["share_links"][0]["for"] == "Dr Dupont, my cardiologist"


def test_erase_empties_the_platforms_copy_and_revokes_links(case, patient, now):
    link, _token = after.share_link_create(case=case, actor=patient, recipient="Dr Dupont", now=now)
    FollowUp.objects.create(case=case, question="And if I get breathless?", answer="Call us.", asked_at=now)
    OpinionCase.objects.filter(pk=case.pk).update(unsuitable_note="Alice Martin sent a blurry scan")
    subject = subject_of(patient)
    erase(subject, now)
    erase(subject, now + dt.timedelta(hours=1))  # idempotent: the revocation keeps its first time
    assert set(CaseQuestion.objects.filter(case=case).values_list("text", flat=True)) == {""}
    opinion = Opinion.objects.get(case=case)
    assert (opinion.case_summary, opinion.recommendation, opinion.answers) == ("", "", [])
    assert opinion.signed_at is not None  # the row stays: the case's money and the specialist's record
    assert FollowUp.objects.get(case=case).question == ""
    link = ShareLink.objects.get(pk=link.pk)
    assert link.revoked_at == now
    assert link.recipient == ""
    case.refresh_from_db()
    assert case.unsuitable_note == "Erased person 3f9a sent a blurry scan"
    assert "surgery" not in json.dumps(export(patient, now)).lower()


def test_a_draft_is_withdrawn_by_the_erasure(patient, cardiology, now):
    draft = OpinionCase.objects.create(
        patient=patient, specialty=cardiology, language="en", created_at=now, updated_at=now
    )
    erase(subject_of(patient), now)
    draft.refresh_from_db()
    assert draft.status == CaseStatus.WITHDRAWN
    assert draft.withdrawn_at == now


def test_a_case_in_triage_blocks_with_its_withdrawal(patient, cardiology, now):
    waiting = case_at(CaseStatus.UNDER_TRIAGE, patient=patient, specialty=cardiology, now=now)
    [blocker] = blockers(patient, now)
    assert str(waiting.pk) in blocker.what
    assert blocker.action.startswith("Withdraw the case:")
    assert blocker.url == f"/second-opinion/cases/{waiting.pk}/withdraw/"
    OpinionCase.objects.filter(pk=waiting.pk).update(status=CaseStatus.WITHDRAWN, withdrawn_at=now)
    assert blockers(patient, now) == []


def test_an_accepted_case_blocks_until_the_opinion_is_delivered(patient, cardiology, martin, now):
    writing = case_at(CaseStatus.ACCEPTED, patient=patient, specialty=cardiology, specialist=martin, now=now)
    [blocker] = blockers(patient, now)
    assert "Wait until the specialist delivers" in blocker.action
    assert blocker.url == f"/second-opinion/cases/{writing.pk}/"


def test_a_delivered_case_does_not_block_and_names_the_specialist(case, patient, martin, now):
    assert blockers(patient, now) == []
    assert providers(patient) == [martin.provider_id]
    found = kept(patient, now)
    assert any("R1112-7" in k.why and k.until == dt.date(2046, 12, 7) for k in found)
    assert any("L123-22" in k.why for k in found)
