"""The forms of the review pages: shape only (the services hold the rules and their messages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, RejectionReason

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STAR_CHOICES = [(n, str(n)) for n in range(1, 6)]


def _stars(label: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 star: very poor; 5 stars: excellent."),
    )


class ReviewForm(forms.Form):
    care = _stars(_("Care"))
    communication = _stars(_("Communication"))
    value = _stars(_("Value for money"))
    cleanliness = _stars(_("Cleanliness"))
    text = forms.CharField(
        label=_("Your review"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "20 to 5,000 characters about your own experience. Keep to the review charter: no health "
            "details of anyone identifiable, no insults, no advertising."
        ),
    )

    def stars(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in ("care", "communication", "value", "cleanliness")}


class SupplierReviewForm(forms.Form):
    service = _stars(_("Service"))
    communication = _stars(_("Communication"))
    punctuality = _stars(_("Punctuality"))
    text = ReviewForm.base_fields["text"]

    def stars(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in ("service", "communication", "punctuality")}


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your public reply"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown under the review on your public page. One reply per review; it cannot be changed."),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this review abusive?"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Name the rule of the review charter it breaks. The author will read this and may answer."),
    )


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("Your answer to the report"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("The rule of the charter it breaks"), choices=RejectionReason.choices)
    note = forms.CharField(
        label=_("A note to the author (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    note = forms.CharField(
        label=_("Your reasons, sent to the author (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
