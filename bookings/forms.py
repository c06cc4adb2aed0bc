"""Forms of the booking pages: they check shape only; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.models import BookingStatus, CancellationReason, DischargeItemKind
from bookings.policy import EVIDENCE_WINDOW
from documents.models import MedicalDocument
from providers.models import Offering


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
        self.fields["document"].queryset = (
            MedicalDocument.objects.not_shredded().filter(owner=owner).order_by("-created_at")
        )

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


# --- the provider's bookings list and calendar (GET filters: bad input is explained, never a 500) ---


def _day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


class ProviderBookingFilterForm(forms.Form):
    """The filters of a provider's bookings list; the same for the page, its CSV and the API."""

    tab = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("upcoming", _("Upcoming")),
            ("past", _("Past")),
            ("cancelled", _("Cancelled or expired")),
            ("all", _("All")),
        ],
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    offering = forms.ModelChoiceField(
        label=_("Offering"),
        required=False,
        queryset=Offering.objects.none(),
        empty_label=_("All offerings"),
        error_messages={"invalid_choice": _("Choose one of your offerings from the list.")},
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the first day as a date, for example 2027-01-25.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the last day as a date, for example 2027-01-31.")},
    )
    patient = forms.CharField(
        label=_("Patient"),
        required=False,
        max_length=100,
        help_text=_("A first name, last name or e-mail address, or part of one."),
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *BookingStatus.choices]
        self.fields["status"].error_messages["invalid_choice"] = _("Choose a status from the list.")
        self.fields["tab"].error_messages["invalid_choice"] = _("Choose upcoming, past, cancelled or all bookings.")
        self.fields["offering"].queryset = provider.offerings.order_by("title")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The last day must not be before the first day."))
        return cleaned

    def filters(self, tz: dt.tzinfo, *, default_tab: str = "upcoming") -> dict:
        """Keyword arguments of `bookings.selectors.provider_bookings_filtered`; days run in `tz`."""
        data = self.cleaned_data
        offering = data.get("offering")
        first, last = data.get("date_from"), data.get("date_to")
        return {
            "tab": data.get("tab") or default_tab,
            "status": data.get("status") or "",
            "offering_id": offering.pk if offering else None,
            "start": _day_start(first, tz) if first else None,
            "end": _day_start(last + dt.timedelta(days=1), tz) if last else None,
            "patient": data.get("patient") or "",
        }


CALENDAR_YEARS = (2000, 2100)


def _within_calendar(day: dt.date) -> dt.date:
    if not CALENDAR_YEARS[0] <= day.year <= CALENDAR_YEARS[1]:
        raise forms.ValidationError(
            _("Choose a date between the years %(first)s and %(last)s.")
            % {"first": CALENDAR_YEARS[0], "last": CALENDAR_YEARS[1]},
            code="out_of_range",
        )
    return day


class CalendarPeriodForm(forms.Form):
    """Which period the provider's calendar shows: the week of a day (`?week=2027-01-25`) or a month
    (`?month=2027-01`); nothing given, the week of today."""

    week = forms.DateField(
        required=False,
        label=_("Week of"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the week as a date, for example 2027-01-25.")},
    )
    month = forms.CharField(
        required=False,
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2027-01"}),
    )

    def clean_month(self) -> dt.date | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(
                _("Enter the month as year and month, for example 2027-01."), code="invalid"
            ) from None
        return _within_calendar(first)

    def clean_week(self) -> dt.date | None:
        day = self.cleaned_data.get("week")
        return _within_calendar(day) if day else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("week") and cleaned.get("month"):
            raise forms.ValidationError(_("Choose a week or a month, not both."), code="both")
        return cleaned

    def period(self, today: dt.date) -> tuple[str, dt.date, dt.date]:
        """`("week" | "month", first day, day after the last)`; the week of `today` when the form
        is empty or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        month = data.get("month")
        if month:
            following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return "month", month, following
        day = data.get("week") or today
        monday = day - dt.timedelta(days=day.weekday())
        return "week", monday, monday + dt.timedelta(days=7)


# --- aftercare: the discharge pack ---------------------------------------------------------------------


class DischargeItemForm(forms.Form):
    """One item of the pack: a file for it, or (for the items that may not apply) the statement that
    it does not. The service checks the file's type against the item."""

    kind = forms.ChoiceField(label=_("Item"), choices=DischargeItemKind.choices, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), required=False)
    not_applicable = forms.BooleanField(label=_("Does not apply to this care"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("not_applicable"):
            self.add_error("file", _("Choose the file to upload."))
        return data


class PackLinkForm(forms.Form):
    recipient = forms.CharField(
        label=_("Who is the link for?"),
        max_length=200,
        help_text=_("Such as “Dr Dupont, my family doctor”. One link per person."),
    )
    email = forms.EmailField(
        label=_("Their e-mail (optional)"),
        required=False,
        help_text=_("Given an address, we e-mail the link to it. Otherwise copy the link and send it yourself."),
    )
