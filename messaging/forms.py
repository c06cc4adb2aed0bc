"""The message form and a provider's messaging settings (shape only: the services hold the rules)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import BODY_MAX_LENGTH

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "id": "message-body"}),
        error_messages={"required": _("Write your message before sending it.")},
    )
    attachment = forms.FileField(
        label=_("Attach a medical document (PDF, JPEG, PNG or DICOM)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"id": "message-attachment"}),
    )
    attachment_title = forms.CharField(
        label=_("Title of the document"),
        max_length=200,
        required=False,
        help_text=_("Such as “Blood test, March 2025”."),
        widget=forms.TextInput(attrs={"id": "message-attachment-title"}),
    )


class SettingsForm(forms.Form):
    offerings = forms.TypedMultipleChoiceField(
        label=_("Offerings whose patients may write to you"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    quote_requests = forms.BooleanField(label=_("Patients may write to you about their quote requests"), required=False)
    timezone = forms.CharField(label=_("Timezone of your office hours"), max_length=64, initial="Europe/Paris")
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Office days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    opens_at = forms.TimeField(label=_("Opens at"), initial=dt.time(9), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(
        label=_("Closes at"), initial=dt.time(18), widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args, offerings=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offerings"].choices = [(o.pk, o.title) for o in offerings]  # type: ignore[attr-defined]
