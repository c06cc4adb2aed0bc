from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Send me e-mails about my quotes and bookings"), required=False)
    sms = forms.BooleanField(
        label=_("Send me SMS about my bookings (confirmation, changes, reminders)"), required=False
    )


class LogSearchForm(forms.Form):
    q = forms.CharField(label=_("Booking number or recipient e-mail"), required=False, max_length=254)
