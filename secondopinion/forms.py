"""Second-opinion pages' forms: shape only; the rules are the services' (`secondopinion.services`).

The patient's side: the request (`CaseRequestForm`: specialty and currency, up to five questions,
the language, a meeting, the documents chosen from "My documents" with what each is, or uploaded
there and then, and the consent), and the documents a coordinator asks for (`CaseDocumentsForm`).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import MedicalDocument
from providers.models import Specialty
from secondopinion.models import DocumentRole, OpinionCase
from secondopinion.services.requests import (
    FIRST_DIAGNOSIS_REQUIRED,
    MAX_QUESTIONS,
    opinion_languages,
    opinion_prices,
)

CONSENT_SENTENCE = _(
    "I agree that my file is shared with the coordinating doctor, then with the specialist I choose, "
    "and with nobody else."
)
NOT_ATTACHED = ""
ROLE_CHOICES = [(NOT_ATTACHED, _("Not part of this request")), *DocumentRole.choices]
UPLOAD_ROLE_CHOICES = [choice for choice in DocumentRole.choices if choice[0] != DocumentRole.FIRST_DIAGNOSIS]


def _document_field(document: MedicalDocument) -> str:
    return f"document_{document.pk.hex}"


class _Documents(forms.Form):
    """A role for each of the patient's documents, and two files to upload there and then."""

    def __init__(self, *args: Any, documents: list[MedicalDocument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.my_documents = documents
        for document in documents:
            self.fields[_document_field(document)] = forms.ChoiceField(
                label=document.title, choices=ROLE_CHOICES, required=False
            )

    def document_fields(self) -> list[forms.BoundField]:
        return [self[_document_field(document)] for document in self.my_documents]

    def chosen_documents(self) -> list[tuple[MedicalDocument, str]]:
        return [
            (document, self.cleaned_data[_document_field(document)])
            for document in self.my_documents
            if self.cleaned_data.get(_document_field(document))
        ]


class CaseRequestForm(_Documents):
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.none())
    currency = forms.ChoiceField(label=_("I pay in"))
    question_1 = forms.CharField(label=_("Question 1"), widget=forms.Textarea(attrs={"rows": 3}))
    question_2 = forms.CharField(label=_("Question 2"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    question_3 = forms.CharField(label=_("Question 3"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    question_4 = forms.CharField(label=_("Question 4"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    question_5 = forms.CharField(label=_("Question 5"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    language = forms.ChoiceField(label=_("Language of the opinion"))
    meeting_requested = forms.BooleanField(
        label=_("I would like a video meeting with the specialist"),
        required=False,
        help_text=_("The opinion is given on your documents only, unless you ask for a meeting."),
    )
    first_diagnosis_file = forms.FileField(
        label=_("Upload your first diagnosis"),
        required=False,
        help_text=_("A report or letter from your doctor (PDF, JPEG, PNG or DICOM). Required unless chosen above."),
    )
    first_diagnosis_title = forms.CharField(label=_("Its title"), max_length=200, required=False)
    other_file = forms.FileField(label=_("Upload another document"), required=False)
    other_title = forms.CharField(label=_("Its title"), max_length=200, required=False)
    other_role = forms.ChoiceField(label=_("What it is"), choices=UPLOAD_ROLE_CHOICES, required=False)
    consent = forms.BooleanField(label=CONSENT_SENTENCE, required=False)

    def __init__(self, *args: Any, documents: list[MedicalDocument], **kwargs: Any) -> None:
        super().__init__(*args, documents=documents, **kwargs)
        prices = opinion_prices()
        specialty_field = cast(forms.ModelChoiceField, self.fields["specialty"])
        specialty_field.queryset = Specialty.objects.filter(pk__in={p.specialty_id for p in prices}).order_by("name_en")
        currencies = sorted({p.currency for p in prices})
        self.fields["currency"].choices = [(c, c) for c in currencies]  # type: ignore[attr-defined]
        self.fields["language"].choices = opinion_languages()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, case: OpinionCase) -> dict[str, Any]:
        """What the form shows for a saved draft."""
        initial: dict[str, Any] = {
            "specialty": case.specialty_id,
            "currency": case.currency,
            "language": case.language,
            "meeting_requested": case.meeting_requested,
            "consent": case.consent_at is not None,
        }
        for question in case.questions.all():
            initial[f"question_{question.position}"] = question.text
        for attached in case.documents.all():
            initial[f"document_{attached.document_id.hex}"] = attached.role
        return initial

    def questions(self) -> list[str]:
        return [self.cleaned_data.get(f"question_{n}") or "" for n in range(1, MAX_QUESTIONS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_first = any(role == DocumentRole.FIRST_DIAGNOSIS for _doc, role in self.chosen_documents())
        if not has_first and not data.get("first_diagnosis_file"):
            self.add_error("first_diagnosis_file", str(FIRST_DIAGNOSIS_REQUIRED))
        if data.get("other_file") and not data.get("other_role"):
            self.add_error("other_role", _("Say what this document is."))
        return data


class CaseDocumentsForm(_Documents):
    """The documents a coordinator asked for: chosen from "My documents", or uploaded."""

    new_file = forms.FileField(label=_("Upload a document"), required=False)
    new_title = forms.CharField(label=_("Its title"), max_length=200, required=False)
    new_role = forms.ChoiceField(label=_("What it is"), choices=DocumentRole.choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.chosen_documents() and not data.get("new_file"):
            self.add_error("new_file", _("Choose or upload at least one document."))
        if data.get("new_file") and not data.get("new_role"):
            self.add_error("new_role", _("Say what this document is."))
        return data
