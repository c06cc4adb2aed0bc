"""The patient's second-opinion pages: the landing page, the request form's round trip (with a
real PDF uploaded), errors by their fields with what was typed kept, the case page, the choice
and withdrawing; someone else's request answers 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concierge.models import AddonOrder
from documents.models import MedicalDocument
from documents.tests import samples
from secondopinion.models import CaseStatus, DocumentRole, OpinionCase
from secondopinion.tests.support_requests import draft, opinion_price, paid_case, shortlisted

pytestmark = pytest.mark.django_db


@pytest.fixture
def price(careteam, cardiology, now):
    return opinion_price(careteam, cardiology, now)


@pytest.fixture
def alice(client, patient):
    client.force_login(patient)
    return client


def _form(cardiology, **changes):
    return {
        "specialty": str(cardiology.pk),
        "currency": "EUR",
        "question_1": "Is surgery needed now, or can it wait?",
        "question_2": "",
        "question_3": "",
        "question_4": "",
        "question_5": "",
        "language": "en",
        "consent": "on",
        **changes,
    }


def test_the_landing_page_says_the_rules_and_the_prices(alice, price):
    page = alice.get(reverse("secondopinion:patient_landing")).content.decode()

    assert "first diagnosis by a health professional" in page
    assert "at least two verified specialists" in page
    assert "96 working hours" in page
    assert "Cardiology" in page
    assert "450" in page
    assert reverse("secondopinion:patient_new") in page


def test_the_pages_need_a_signed_in_person(client):
    answer = client.get(reverse("secondopinion:patient_new"))

    assert answer.status_code == 302
    assert "login" in answer["Location"]


def test_a_request_with_an_uploaded_first_diagnosis_is_sent_and_leads_to_the_card_page(
    alice, patient, cardiology, price
):
    upload = SimpleUploadedFile("letter.pdf", samples.pdf("Mitral regurgitation"), content_type="application/pdf")

    answer = alice.post(
        reverse("secondopinion:patient_new"),
        {
            **_form(cardiology),
            "first_diagnosis_file": upload,
            "first_diagnosis_title": "Cardiologist's letter",
            "send": "1",
        },
    )

    case = OpinionCase.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("concierge:order_pay", args=[case.order_id])
    assert alice.get(answer["Location"]).status_code == 200
    assert alice.get(reverse("concierge:order_detail", args=[case.order_id])).status_code == 200
    document = MedicalDocument.objects.get(owner=patient)
    assert document.title == "Cardiologist's letter"
    assert [(d.document_id, d.role) for d in case.documents.all()] == [(document.pk, DocumentRole.FIRST_DIAGNOSIS)]
    assert case.consent_at is not None


def test_the_form_shows_the_price_before_sending(alice, cardiology, price):
    page = alice.get(reverse("secondopinion:patient_new")).content.decode()

    assert "I agree that my file is shared with the coordinating doctor, then with the specialist I choose" in page
    assert "Save draft" in page
    assert "Send and pay" in page


def test_a_draft_is_saved_from_my_documents_and_edited_again(alice, patient, cardiology, diagnosis, price):
    field = f"document_{diagnosis.pk.hex}"

    answer = alice.post(
        reverse("secondopinion:patient_new"), {**_form(cardiology), field: DocumentRole.FIRST_DIAGNOSIS, "save": "1"}
    )

    case = OpinionCase.objects.get()
    assert answer["Location"] == reverse("secondopinion:patient_case", args=[case.pk])
    assert case.status == CaseStatus.DRAFT
    assert not AddonOrder.objects.exists()
    edit = alice.get(reverse("secondopinion:patient_edit", args=[case.pk])).content.decode()
    assert "Is surgery needed now, or can it wait?" in edit
    assert "You will pay €450.00 by card" in edit
    page = alice.get(reverse("secondopinion:patient_case", args=[case.pk])).content.decode()
    assert reverse("documents:download", args=[diagnosis.pk]) in page


def test_without_a_first_diagnosis_the_error_is_by_the_upload_and_the_questions_are_kept(alice, cardiology, price):
    answer = alice.post(
        reverse("secondopinion:patient_new"), {**_form(cardiology, question_2="And the medication?"), "send": "1"}
    )

    page = answer.content.decode()
    assert answer.status_code == 400
    assert "A second opinion starts from a first diagnosis by a health professional" in page
    assert "Is surgery needed now, or can it wait?" in page
    assert "And the medication?" in page
    assert not OpinionCase.objects.exists()


def test_a_too_long_question_is_refused_by_the_field_and_nothing_is_written(alice, cardiology, diagnosis, price):
    field = f"document_{diagnosis.pk.hex}"

    answer = alice.post(
        reverse("secondopinion:patient_new"),
        {**_form(cardiology, question_1="x" * 20_000), field: DocumentRole.FIRST_DIAGNOSIS, "save": "1"},
    )

    assert answer.status_code == 400
    assert "at most 2000 characters" in answer.content.decode()
    assert not OpinionCase.objects.exists()


def test_sending_without_the_consent_is_refused_by_the_box(alice, cardiology, diagnosis, price):
    field = f"document_{diagnosis.pk.hex}"
    data = _form(cardiology, **{field: DocumentRole.FIRST_DIAGNOSIS, "send": "1"})
    del data["consent"]

    answer = alice.post(reverse("secondopinion:patient_new"), data)

    assert answer.status_code == 400
    assert "Tick the box" in answer.content.decode()
    assert not OpinionCase.objects.exists()


def test_a_file_that_is_not_a_document_is_refused_by_its_field(alice, cardiology, price):
    upload = SimpleUploadedFile("letter.pdf", samples.windows_executable(), content_type="application/pdf")

    answer = alice.post(reverse("secondopinion:patient_new"), {**_form(cardiology), "first_diagnosis_file": upload})

    assert answer.status_code == 400
    assert "is not a PDF, JPEG, PNG or DICOM file" in answer.content.decode()
    assert not OpinionCase.objects.exists()
    assert not MedicalDocument.objects.exists()


def test_someone_elses_request_answers_404(client, other_patient, patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)
    client.force_login(other_patient)

    for name in ("patient_case", "patient_edit", "patient_withdraw"):
        assert client.get(reverse(f"secondopinion:{name}", args=[case.pk])).status_code == 404
    assert client.post(reverse("secondopinion:patient_send", args=[case.pk])).status_code == 404


def test_the_shortlist_compares_the_specialists_and_the_choice_is_recorded(
    stripe_emulator, alice, patient, coordinator, cardiology, diagnosis, price, martin, yilmaz, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)
    case, (first, _cheaper) = shortlisted(case, coordinator, [martin, yilmaz], now)

    page = alice.get(reverse("secondopinion:patient_case", args=[case.pk])).content.decode()

    assert "Dr Claire Martin" in page
    assert "Dr Emre Yilmaz" in page
    assert f"RPPS {martin.provider.registration_number}" in page or martin.provider.registration_number in page
    assert "Included" in page
    assert "€50.00 back to your card" in page
    assert "new" in page
    answer = alice.post(reverse("secondopinion:patient_choose", args=[case.pk, first.pk]))
    assert answer.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.specialist) == (CaseStatus.SPECIALIST_CHOSEN, martin)


def test_the_documents_asked_for_are_added_on_the_case_page(
    stripe_emulator, alice, patient, coordinator, cardiology, diagnosis, price, now
):
    from secondopinion.tests.support_requests import awaiting_documents

    case = awaiting_documents(paid_case(stripe_emulator, patient, cardiology, diagnosis, now), coordinator, now)
    page = alice.get(reverse("secondopinion:patient_case", args=[case.pk])).content.decode()
    assert "Please add your latest blood test." in page

    upload = SimpleUploadedFile("blood.pdf", samples.pdf("Blood test"), content_type="application/pdf")
    alice.post(
        reverse("secondopinion:patient_documents", args=[case.pk]),
        {"new_file": upload, "new_title": "Blood test", "new_role": DocumentRole.REPORT},
    )
    alice.post(reverse("secondopinion:patient_documents_sent", args=[case.pk]))

    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_TRIAGE
    assert case.documents.count() == 2


def test_withdrawing_asks_for_confirmation_with_the_refund(
    stripe_emulator, alice, patient, cardiology, diagnosis, price, now
):
    case = paid_case(stripe_emulator, patient, cardiology, diagnosis, now)

    confirm = alice.get(reverse("secondopinion:patient_withdraw", args=[case.pk])).content.decode()
    assert "€450.00 is refunded to your card" in confirm
    alice.post(reverse("secondopinion:patient_withdraw", args=[case.pk]))

    case.refresh_from_db()
    assert (case.status, case.refund_amount) == (CaseStatus.WITHDRAWN, 45_000)


def test_my_requests_say_what_happens_next(alice, patient, cardiology, diagnosis, price, now):
    case = draft(patient, cardiology, diagnosis, now)

    page = alice.get(reverse("secondopinion:patient_cases")).content.decode()

    assert reverse("secondopinion:patient_case", args=[case.pk]) in page
    assert "Not sent yet." in page


def test_every_page_s_header_leads_to_the_second_opinion(client):
    page = client.get("/").content.decode()
    assert 'href="/second-opinion/"' in page
