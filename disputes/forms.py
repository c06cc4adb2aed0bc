"""The disputes' page forms: they check shape; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.models import OPENABLE_REASONS, EvidenceKind, Outcome


class OpenForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is the dispute about?"), choices=OPENABLE_REASONS)
    statement = forms.CharField(
        label=_("Your statement: what happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("The other side and the careteam read it. You can add documents once it is open."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Document (PDF, JPEG or PNG)"))
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("What it is"), choices=EvidenceKind.choices)


DECIDABLE = [(o.value, o.label) for o in (Outcome.REFUND_FULL, Outcome.REFUND_PARTIAL, Outcome.RELEASE, Outcome.REJECT)]


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=DECIDABLE)
    refund_percent = forms.IntegerField(
        label=_("Partial refund: percentage"), min_value=1, max_value=99, required=False
    )
    refund_amount = forms.DecimalField(
        label=_("Or partial refund: amount"),
        min_value=0,
        max_digits=14,
        decimal_places=3,
        required=False,
        help_text=_("In the dispute's currency, e.g. 200.00."),
    )
    note = forms.CharField(
        label=_("Reasons, for both sides"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why, for the careteam"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
