"""Writing and signing the opinion: the draft, the completeness check, the PDF (register number,
code, the note on documents only) stored as the patient's document, and the public verification."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from core.errors import Conflict, NotFound, ValidationFailed
from documents.services import document_read
from notifications.models import Message
from secondopinion.models import CaseStatus, Opinion
from secondopinion.services.specialists import opinion_by_code, opinion_save_draft, opinion_sign
from secondopinion.tests.support_specialists import accepted_case, chosen_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(patient, cardiology, coordinator, martin, yilmaz, diagnosis, now):
    return accepted_case(
        patient=patient,
        specialty=cardiology,
        coordinator=coordinator,
        specialist=martin,
        shortlist=[martin, yilmaz],
        diagnosis=diagnosis,
        now=now,
    )


def _draft(case, user, now, **overrides):
    fields = {
        "case_summary": "A 45-year-old with moderate mitral regurgitation.",
        "diagnosis_review": "The grading on the echocardiogram is consistent.",
        "answers": ["No surgery now: watchful waiting.", "An echocardiogram every year."],
        "options": "Medical follow-up; repair if symptoms appear.",
        "recommendation": "Annual follow-up with a cardiologist.",
        "in_person_advised": True,
    }
    return opinion_save_draft(case=case, actor=user, now=now, **{**fields, **overrides})


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_draft_is_saved_and_changed_until_signed(case, martin_user, now):
    first = _draft(case, martin_user, now, recommendation="")
    again = _draft(case, martin_user, now, recommendation="Annual follow-up.")
    assert first.pk == again.pk
    assert Opinion.objects.get(case=case).recommendation == "Annual follow-up."


def test_a_draft_needs_one_answer_per_question_and_bounded_sections(case, martin_user, now):
    with pytest.raises(ValidationFailed) as refused:
        _draft(case, martin_user, now, answers=["Only one"], options="x" * 20_001)
    assert set(refused.value.details) == {"answers", "options"}


def test_no_opinion_before_accepting(patient, cardiology, coordinator, martin, martin_user, diagnosis, now):
    chosen = chosen_case(
        patient=patient, specialty=cardiology, coordinator=coordinator, specialist=martin, diagnosis=diagnosis, now=now
    )
    with pytest.raises(Conflict):
        _draft(chosen, martin_user, now)


def test_signing_an_incomplete_opinion_names_what_is_missing(case, martin_user, now):
    _draft(case, martin_user, now, diagnosis_review="", answers=["Yes.", ""])
    with pytest.raises(ValidationFailed) as refused:
        opinion_sign(case=case, actor=martin_user, now=now)
    assert set(refused.value.details) == {"diagnosis_review", "answers"}
    assert "2" in refused.value.details["answers"][0]
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_signing_builds_the_pdf_as_the_patients_document_and_delivers(
    case, martin, martin_user, patient, now, django_capture_on_commit_callbacks
):
    _draft(case, martin_user, now)
    with django_capture_on_commit_callbacks(execute=True):
        opinion = opinion_sign(case=case, actor=martin_user, now=now)

    case.refresh_from_db()
    assert (case.status, case.delivered_at) == (CaseStatus.OPINION_DELIVERED, now)
    assert opinion.signed_at == now
    assert len(opinion.verification_code.replace("-", "")) >= 16
    document = opinion.document
    assert document.owner == patient
    assert document.title == f"Second opinion #{case.pk}"

    pdf = document_read(document=document, reader=patient, now=now)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "Second medical opinion" in text
    assert martin.provider.registration_number in text
    assert opinion.verification_code in text
    assert f"/second-opinion/verify/{opinion.verification_code}/" in text.replace("\n", "")
    assert "without examining the patient" in text
    assert "watchful waiting" in text
    assert patient.patient_profile.last_name in text

    message = Message.objects.get(event="so_opinion_delivered", recipient=patient)
    assert message.subject == f"Your second-opinion request #{case.pk} has news"
    assert "valve" not in message.body.lower()


def test_signing_twice_is_refused(case, martin_user, now):
    _draft(case, martin_user, now)
    opinion_sign(case=case, actor=martin_user, now=now)
    case.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        opinion_sign(case=case, actor=martin_user, now=now)
    assert refused.value.code == "already_signed"


def test_another_specialist_can_neither_write_nor_sign(case, martin_user, yilmaz_user, now):
    _draft(case, martin_user, now)
    with pytest.raises(NotFound):
        _draft(case, yilmaz_user, now)
    with pytest.raises(NotFound):
        opinion_sign(case=case, actor=yilmaz_user, now=now)


def test_the_code_finds_the_signed_opinion_however_it_is_typed(case, martin_user, now):
    _draft(case, martin_user, now)
    opinion = opinion_sign(case=case, actor=martin_user, now=now)
    typed = opinion.verification_code.replace("-", " ").lower()
    assert opinion_by_code(code=typed) == opinion
    assert opinion_by_code(code="ABCD-EFGH-JKMN-PQRS") is None
    assert opinion_by_code(code="short") is None


def test_the_day_of_signature_is_the_specialists_own(
    patient, cardiology, coordinator, yilmaz, yilmaz_user, diagnosis, now
):
    """Dr Yilmaz signs at 22:30 UTC on Monday: already Tuesday in Istanbul, and the PDF says so."""
    case = accepted_case(
        patient=patient, specialty=cardiology, coordinator=coordinator, specialist=yilmaz, diagnosis=diagnosis, now=now
    )
    late = now.replace(hour=22, minute=30)
    _draft(case, yilmaz_user, late)
    opinion = opinion_sign(case=case, actor=yilmaz_user, now=late)
    text = _text(document_read(document=opinion.document, reader=patient, now=late))
    assert "8 December 2026 (Europe/Istanbul)" in text


def test_the_patient_hears_in_french_without_health_information(
    case, martin_user, patient, now, django_capture_on_commit_callbacks
):
    patient.patient_profile.preferred_language = "fr"
    patient.patient_profile.save()
    _draft(case, martin_user, now)
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(case=case, actor=martin_user, now=now)
    message = Message.objects.get(event="so_opinion_delivered", recipient=patient)
    assert message.subject == f"Votre demande d'avis n° {case.pk} a du nouveau"
    assert "Cardiolog" not in message.subject + message.body


def test_an_opinion_in_arabic_is_written_right_to_left_in_a_font_that_shapes_arabic(case, martin_user, patient, now):
    from core.tests.pdf_support import fonts_of, image_xs, plain, reader
    from secondopinion.opinion_pdf import render

    case.language = "ar"
    case.save(update_fields=["language"])
    _draft(case, martin_user, now, recommendation="متابعة سنوية مع طبيب القلب.")
    opinion = opinion_sign(case=case, actor=martin_user, now=now)

    pages = reader(render(opinion)).pages

    assert all("NotoNaskhArabic" in fonts_of(page) for page in pages)
    text = plain(" ".join(page.extract_text() for page in pages))
    assert "متابعة سنوية مع طبيب القلب" in text
    assert opinion.verification_code in text
    assert f"/second-opinion/verify/{opinion.verification_code}/" in text
    [qr_x] = [x for page in pages for x in image_xs(page)]
    assert qr_x > pages[0].mediabox.width / 2
