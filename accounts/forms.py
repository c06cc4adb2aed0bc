from __future__ import annotations

from typing import cast

import phonenumbers
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

from accounts.models import Gender, NameOrder
from accounts.services import (
    PatientDetails,
    health_data_consent_check,
    patient_age_check,
    patient_register,
    terms_consent_check,
)
from core.money import named_currency_choices
from core.when import known_timezones, valid_timezone


def phone_regions() -> frozenset[str]:
    """The countries whose national numbers the phone library can read (ISO 3166-1 alpha-2)."""
    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def phone_country_choices() -> list[tuple[str, str]]:
    """Each country with its calling code ("France (+33)"), named in the active language."""
    regions = phone_regions()
    return [("", "—")] + [
        (code, _("%(country)s (+%(code)d)") % {"country": name, "code": phonenumbers.country_code_for_region(code)})
        for code, name in countries
        if code in regions
    ]


def phone_region_of(value: object) -> str:
    """The country of a stored number ("+33612345678" → "FR"), "" when none can be told."""
    try:
        number = phonenumbers.parse(str(value or ""), None)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.region_code_for_number(number) or ""


def phone_problem(raw: str, region: str | None = None) -> str:
    """What is wrong with a phone number as typed, in words a person can act on ("" when nothing
    the phone library can name: the field's general message is used then). With `region` (the
    country chosen beside the number) a national number ("06 12 34 56 78" in France) is read too."""
    text = (raw or "").strip()
    if not text:
        return ""
    if not text.startswith("+") and not region:
        return str(_("Start with + and the country code, for example +44 for the United Kingdom or +33 for France."))
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            return str(_("The country code after + is not one we know: check it (+44 for the United Kingdom)."))
        if error.error_type == phonenumbers.NumberParseException.TOO_SHORT_NSN:
            return str(_("The number is too short: check that no digit is missing."))
        return str(_("This does not look like a phone number: use digits, spaces and a leading +."))
    region = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(
        number.country_code or 0
    )
    where = _("%(country)s (+%(code)d)") % {
        "country": countries.name(region) or region,
        "code": number.country_code,
    }
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        return str(_("The number is too short for %(where)s: check that no digit is missing.") % {"where": where})
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        return str(_("The number is too long for %(where)s: check for an extra digit.") % {"where": where})
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return str(_("The number is missing its area code for %(where)s.") % {"where": where})
    if reason == phonenumbers.ValidationResult.INVALID_LENGTH:
        return str(_("The number has the wrong number of digits for %(where)s.") % {"where": where})
    if not phonenumbers.is_valid_number(number):
        return str(_("This number is not in use in %(where)s: check the digits.") % {"where": where})
    return ""


class ExplainedPhoneField(PhoneNumberField):
    """A phone number whose error says what is wrong (no country code, too short, not in use…)."""

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError as error:
            problem = phone_problem(value if isinstance(value, str) else "", self.region)
            if problem and getattr(error, "code", None) != "required":
                raise forms.ValidationError(problem, code="invalid") from error
            raise


class PatientDetailsForm(forms.Form):
    """The patient's identity, shared by sign-up (pages and API) and "My account"."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    # Shown in this order everywhere (accounts.models.name_as_written); not given means first name first.
    name_order = forms.ChoiceField(
        label=_("Name order"),
        choices=NameOrder.choices,
        initial=NameOrder.GIVEN_FIRST,
        required=False,
        help_text=_("How your name is written: in Chinese, Hungarian, Japanese or Korean the last name comes first."),
    )
    # The country a number typed as it is dialled there is read in ("06 12 34 56 78" in France,
    # "0532 123 45 67" in Turkey); the number is stored in E.164 (+33612345678) either way.
    phone_country = forms.ChoiceField(label=_("Phone country"), choices=phone_country_choices, required=False)
    phone = ExplainedPhoneField(
        label=_("Phone"),
        region=None,
        help_text=_(
            "As you dial it in the phone country chosen above (06 12 34 56 78 in France), "
            "or with + and the country code (+33 6 12 34 56 78)."
        ),
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
    preferred_currency = forms.ChoiceField(label=_("Preferred currency"), choices=named_currency_choices, initial="EUR")
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
        # A national number is read in the chosen phone country; an unknown code is ignored (the
        # select refuses it with its own message) and the number must then start with +.
        region = str(self.data.get(self.add_prefix("phone_country")) or "") if self.is_bound else ""
        phone = cast(ExplainedPhoneField, self.fields["phone"])
        phone.region = region.upper() if region.upper() in phone_regions() else None
        if not self.is_bound and not self.initial.get("phone_country"):
            self.initial["phone_country"] = phone_region_of(self.initial.get("phone"))

    def clean_name_order(self) -> str:
        return self.cleaned_data.get("name_order") or NameOrder.GIVEN_FIRST

    def details(self) -> PatientDetails:
        data = self.cleaned_data
        return PatientDetails(**{name: data[name] for name in PatientDetails.__dataclass_fields__})


def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA timezone, by name ("Europe/London"), for a select."""
    return [(name, name.replace("_", " ")) for name in sorted(known_timezones()) if "/" in name or name == "UTC"]


class PatientSignupForm(PatientDetailsForm):
    """allauth's ACCOUNT_SIGNUP_FORM_CLASS: allauth adds e-mail and passwords to these fields.

    Every error shows at once: the rules (terms, age) are checked even when another field is wrong."""

    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use"),
        required=False,  # checked in clean() so that the message comes from the rule, in one place
    )
    # Its own box and its own words: the health-data consent can be withdrawn apart from the terms.
    accept_health_data = forms.BooleanField(
        label=_(
            "I agree that MediBroker processes my health data (my requests, medical documents and "
            "appointments) and sends it to the providers I choose, to arrange my care. I can withdraw "
            "this consent at any time on Your data → Consents."
        ),
        required=False,  # checked in clean(), like the terms
    )
    accept_marketing = forms.BooleanField(
        label=_("Send me news and offers by e-mail (optional; you can stop them at any time)."),
        required=False,
    )
    # Filled by static/js/timezone.js with the browser's timezone; an unknown name is ignored.
    timezone = forms.CharField(
        required=False, max_length=200, widget=forms.HiddenInput(attrs={"data-detect-timezone": ""})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"].label = format_html(
            '{} (<a href="{}" target="_blank">{}</a>)',
            _("I accept the terms of use"),
            reverse("terms"),
            _("read them"),
        )

    def clean_timezone(self) -> str:
        return valid_timezone(self.cleaned_data.get("timezone")) or ""

    def clean(self):
        cleaned = super().clean()
        self._limit_attempts_per_address(cleaned.get("email"))
        # Each rule whose fields are valid is checked, so that every problem shows at once.
        checks = [
            terms_consent_check(accepted_terms=cleaned.get("accept_terms", False)),
            health_data_consent_check(accepted_health_data=cleaned.get("accept_health_data", False)),
        ]
        if cleaned.get("date_of_birth"):
            checks.append(
                patient_age_check(
                    date_of_birth=cleaned["date_of_birth"],
                    acts_as_representative=cleaned.get("acts_as_representative", False),
                    today=timezone.localdate(),
                )
            )
        for check in checks:
            for field, messages in (check.refusal.details or {}).items() if check.refusal else ():
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
        patient_register(
            user=user,
            details=self.details(),
            now=timezone.now(),
            timezone_name=self.cleaned_data.get("timezone", ""),
            marketing=self.cleaned_data.get("accept_marketing", False),
        )


class TermsAcceptForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read and accept these terms of use"),
        error_messages={"required": _("Tick the box to accept the terms and continue.")},
    )


def offer_timezones(field: forms.ChoiceField) -> None:
    """The IANA timezones, led by "my browser's", pre-filled by static/js/timezone.js."""
    field.choices = [("", _("My browser's timezone")), *timezone_choices()]
    field.widget.attrs["data-detect-timezone"] = ""


class AccountSettingsForm(forms.Form):
    """Every account's own settings on "My account": the language and the timezone."""

    language = forms.ChoiceField(label=_("Language of the site"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(
        label=_("Your timezone"),
        required=False,
        help_text=_("Deadlines and messages are shown in it. Leave empty to use your browser's."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_timezones(self.fields["timezone"])


class PatientProfileForm(PatientDetailsForm):
    """The patient's details on "My account", checked as at sign-up; the language is the site's."""

    timezone = AccountSettingsForm.base_fields["timezone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_timezones(self.fields["timezone"])
        self.fields["acts_as_representative"].help_text = _(
            "Ticked when you manage this account for a minor or a protected adult whose details are above."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_of_birth"):
            check = patient_age_check(
                date_of_birth=cleaned["date_of_birth"],
                acts_as_representative=cleaned.get("acts_as_representative", False),
                today=timezone.localdate(),
            )
            for field, messages in (check.refusal.details or {}).items() if check.refusal else ():
                for message in messages:
                    self.add_error(field, message)
        return cleaned
