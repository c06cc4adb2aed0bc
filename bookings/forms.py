"""Forms of the booking pages: they check shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.models import CancellationReason
from bookings.policy import EVIDENCE_WINDOW
from documents.models import MedicalDocument


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you cancelling?"),
        choices=CancellationReason.choices,
        initial=CancellationReason.NONE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _(
            "For the four reasons other than “no particular reason”, the whole deposit is refunded once our "
            "careteam accepts your evidence (a medical certificate…), which must reach us within %(days)s days."
        ) % {"days": EVIDENCE_WINDOW.days}


class EvidenceForm(forms.Form):
    """Either one of the patient's documents, or a new file to upload."""

    document = forms.ModelChoiceField(
        label=_("One of your documents"), queryset=MedicalDocument.objects.none(), required=False
    )
    title = forms.CharField(label=_("Or upload a new one: title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), required=False)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = MedicalDocument.objects.filter(owner=owner).order_by("-created_at")

    def clean(self):
        data = super().clean()
        if not data.get("document") and not data.get("file"):
            raise forms.ValidationError(_("Choose one of your documents or upload a file."))
        if data.get("file") and not (data.get("title") or "").strip():
            self.add_error("title", _("Give the new document a title."))
        return data


class ReviewForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Accept the evidence")), ("no", _("Reject the evidence"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(label=_("Note to the patient"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
