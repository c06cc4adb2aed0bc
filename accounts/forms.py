from __future__ import annotations

from allauth.core import context, ratelimit
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField  # type: ignore[attr-defined]  # not in its fields.pyi
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Gender
from accounts.services import PatientDetails, patient_register, patient_registration_check
from core.money import currency_choices


class PatientDetailsForm(forms.Form):
    """The patient's identity, shared by sign-up (pages and API)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = PhoneNumberField(
        label=_("Phone"),
        region=None,
        help_text=_("International format with the country code, for example +33 6 12 34 56 78."),
        error_messages={
            "invalid": _("Enter the phone number with its country code, for example +33 6 12 34 56 78."),
        },
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],  # 03/04/2005 means two different days on two sides of the Atlantic
        error_messages={"invalid": _("Enter the date of birth as YYYY-MM-DD.")},
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices])
    nationality = LazyTypedChoiceField(label=_("Nationality"), choices=countries)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    preferred_currency = forms.ChoiceField(label=_("Preferred currency"), choices=currency_choices(), initial="EUR")
    acts_as_representative = forms.BooleanField(
        label=_("I am the patient's legal representative"),
        required=False,
        help_text=_("Tick this if you register for a minor or a protected adult; the details above are the patient's."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No country is preselected: a wrong default nationality would pass unnoticed.
        self.fields["nationality"].choices = [("", "—"), *countries]
        self.fields["preferred_language"].initial = get_language()

    def details(self) -> PatientDetails:
        data = self.cleaned_data
        return PatientDetails(**{name: data[name] for name in PatientDetails.__dataclass_fields__})


class PatientSignupForm(PatientDetailsForm):
    """allauth's ACCOUNT_SIGNUP_FORM_CLASS: allauth adds e-mail and passwords to these fields."""

    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use"),
        required=False,  # checked in clean() so that the message comes from the rule, in one place
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"].label = format_html(
            '{} (<a href="{}" target="_blank">{}</a>)',
            _("I accept the terms of use"),
            reverse("terms"),
            _("read them"),
        )

    def clean(self):
        cleaned = super().clean()
        self._limit_attempts_per_address(cleaned.get("email"))
        if any(name not in cleaned for name in PatientDetails.__dataclass_fields__):
            return cleaned  # a field is already in error; the rules need all of them
        check = patient_registration_check(
            details=self.details(),
            accepted_terms=cleaned.get("accept_terms", False),
            today=timezone.localdate(),
        )
        for field, messages in check.refusal.details.items() if check.refusal else ():
            for message in messages:
                self.add_error(field, message)
        return cleaned

    def _limit_attempts_per_address(self, email) -> None:
        """Sign-up attempts per e-mail address (ACCOUNT_RATE_LIMITS["signup_account"]), from any
        client address, on the page and through the API alike."""
        request = context.request
        if not email or request is None:
            return
        if not ratelimit.consume(request, action="signup_account", key=email.strip().lower()):
            self.add_error("email", _("Too many sign-up attempts for this address. Try again in a few minutes."))

    def signup(self, request, user) -> None:
        patient_register(user=user, details=self.details(), now=timezone.now())


class TermsAcceptForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read and accept these terms of use"),
        error_messages={"required": _("Tick the box to accept the terms and continue.")},
    )
