"""Forms of the document pages. They read input; checks and rules live in documents.services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.selectors import providers_to_share_with
from documents.services import TITLE_MAX_LENGTH


class DocumentUploadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_(
            "What it is and when, e.g. “MRI of the left knee, May 2025”. "
            "Only you see it, and the providers you share it with."
        ),
    )
    # Empty files reach the service, which explains what to do in the same words as the API.
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.dcm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, JPEG, PNG or DICOM, up to %(limit)s.") % {
            "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)
        }


class GrantForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("Share with"), queryset=providers_to_share_with(), empty_label=_("Choose a provider")
    )
    until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Access ends at the end of this day. Leave empty to share until you stop sharing."),
    )

    def expires_at(self) -> dt.datetime | None:
        until = self.cleaned_data.get("until")
        if until is None:
            return None
        return dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=timezone.get_current_timezone())
