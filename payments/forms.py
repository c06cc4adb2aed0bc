"""Forms of finance's pages: they check shape only; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

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
