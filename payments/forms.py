"""Forms of finance's pages: they check shape only; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.models import BookingStatus
from core.money import currency_choices
from providers.models import Provider

# The longest range one entries export covers (one CSV stays a reasonable download).
MAX_EXPORT_DAYS = 366


class ApproveForm(forms.Form):
    waive_commission = forms.BooleanField(
        label=_("Waive the commission"),
        required=False,
        help_text=_("When the collaboration ended after the first meeting, the platform keeps no commission."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, for the provider"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class WireForm(forms.Form):
    reference = forms.CharField(label=_("Bank wire reference"), max_length=100)


class ReconcileForm(forms.Form):
    day = forms.DateField(label=_("Day (UTC)"), widget=forms.DateInput(attrs={"type": "date"}))


class BookingLookupForm(forms.Form):
    booking = forms.IntegerField(label=_("Booking no."), min_value=1)


class EntriesExportForm(forms.Form):
    start = forms.DateField(label=_("From (UTC)"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To, included (UTC)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end comes before the start."))
            if (end - start).days >= MAX_EXPORT_DAYS:
                raise forms.ValidationError(_("Export a year at most at a time."))
        return data

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start of the first day, start of the day after the last) in UTC."""
        start = dt.datetime.combine(self.cleaned_data["start"], dt.time.min, tzinfo=dt.UTC)
        end = dt.datetime.combine(self.cleaned_data["end"], dt.time.min, tzinfo=dt.UTC) + dt.timedelta(days=1)
        return start, end


class PayoutChangeForm(forms.Form):
    """A proposed change of a provider's payout account (the service checks the account id)."""

    provider = forms.IntegerField(label=_("Provider no."), min_value=1)
    stripe_account_id = forms.CharField(
        label=_("Stripe connected account"),
        max_length=255,
        required=False,
        help_text=_("acct_…; blank to pay this provider by bank wire."),
    )
    auto_release = forms.BooleanField(label=_("Approve releases automatically"), required=False)
    note = forms.CharField(label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PayoutRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class TrustRegisterFilterForm(forms.Form):
    """The trust register's filters (GET): bad input is explained on the page, never a 500."""

    status = forms.ChoiceField(label=_("Booking status"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        required=False,
        queryset=Provider.objects.none(),
        empty_label=_("All providers"),
        error_messages={"invalid_choice": _("Choose a provider from the list.")},
    )
    paid_from = forms.DateField(
        label=_("Paid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the first day as a date, for example 2027-01-25.")},
    )
    paid_to = forms.DateField(
        label=_("Paid until (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the last day as a date, for example 2027-01-31.")},
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *BookingStatus.choices]
        self.fields["status"].error_messages["invalid_choice"] = _("Choose a booking status from the list.")
        self.fields["currency"].choices = [("", _("Any currency")), *currency_choices()]
        self.fields["currency"].error_messages["invalid_choice"] = _("Choose a currency from the list.")
        self.fields["provider"].queryset = providers

    def clean(self):
        data = super().clean()
        first, last = data.get("paid_from"), data.get("paid_to")
        if first and last and last < first:
            self.add_error("paid_to", _("The last day must not be before the first day."))
        return data

    def filters(self, tz: dt.tzinfo) -> dict:
        """Keyword arguments of `payments.selectors.trust_register`; days run in `tz`."""
        data = self.cleaned_data
        first, last = data.get("paid_from"), data.get("paid_to")
        provider = data.get("provider")
        return {
            "status": data.get("status") or "",
            "currency": data.get("currency") or "",
            "provider_id": provider.pk if provider else None,
            "paid_from": dt.datetime.combine(first, dt.time.min, tzinfo=tz) if first else None,
            "paid_until": dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if last else None,
        }
