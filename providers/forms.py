"""Forms of the provider pages. They check shape and read input; rules live in providers.services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.money import Money, MoneyError, format_amount, named_currency_choices, parse_money
from providers.languages import language_choices
from providers.models import (
    BookingMode,
    CancellationPolicyChoice,
    ExceptionKind,
    FacilityType,
    Location,
    MemberRole,
    Offering,
    OfferingKind,
    Procedure,
    ProviderKind,
    Register,
    Specialty,
    Weekday,
)
from providers.services import LocationDetails, OfferingDetails, ProviderDetails, Registration


class ProviderProfileForm(forms.Form):
    name = forms.CharField(label=_("Name shown to patients"), max_length=200)
    facility_type = forms.ChoiceField(
        label=_("Type of facility"), choices=[("", "—"), *FacilityType.choices], required=False
    )
    biography = forms.CharField(label=_("Biography"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), choices=language_choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    interpreter_available = forms.BooleanField(
        label=_("We can arrange an interpreter"),
        help_text=_("Patients who speak none of your languages see that an interpreter can be arranged."),
        required=False,
    )
    default_currency = forms.ChoiceField(label=_("Default currency"), choices=named_currency_choices, initial="EUR")
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    def details(self, kind: str) -> ProviderDetails:
        data = self.cleaned_data
        return ProviderDetails(
            kind=kind,
            name=data["name"],
            facility_type=data["facility_type"] if kind == ProviderKind.FACILITY else "",
            biography=data["biography"],
            languages=list(data["languages"]),
            interpreter_available=bool(data["interpreter_available"]),
            default_currency=data["default_currency"],
            email=data["email"],
            phone=data["phone"],
            website=data["website"],
        )


class ProviderEditForm(ProviderProfileForm):
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties"),
        queryset=Specialty.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    procedures = forms.ModelMultipleChoiceField(
        label=_("Procedures"),
        queryset=Procedure.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    # Changing the name, type, specialties or registration of a verified provider sends it back to
    # the careteam's review (docs/decisions.md#provider-identity-changes).
    # Left out of a post, they keep their value; sent, the service checks them.
    register = forms.ChoiceField(label=_("Register"), choices=[("", "—"), *Register.choices], required=False)
    register_country = forms.ChoiceField(label=_("Country of the register"), required=False)
    registration_number = forms.CharField(label=_("Registration number"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["register_country"].choices = [("", "—"), *countries]

    def registration(self) -> Registration | None:
        data = self.cleaned_data
        if not any(data[name] for name in ("register", "register_country", "registration_number")):
            return None
        return Registration(
            register=data["register"],
            register_country=data["register_country"],
            registration_number=data["registration_number"].strip(),
        )


class ProviderJoinForm(ProviderProfileForm):
    kind = forms.ChoiceField(label=_("You are"), choices=ProviderKind.choices, widget=forms.RadioSelect)
    register = forms.ChoiceField(label=_("Register"), choices=Register.choices)
    register_country = forms.ChoiceField(label=_("Country of the register"))
    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=64,
        help_text=_(
            "RPPS or ADELI number in France, national register number elsewhere, licence number for a facility."
        ),
    )
    accept_contracts = forms.BooleanField(
        label=_("I accept the membership contract and the code of ethics on behalf of this provider"), required=False
    )

    field_order = ["kind", "name", "facility_type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["register_country"].choices = [("", "—"), *countries]

    def registration(self) -> Registration:
        data = self.cleaned_data
        return Registration(
            register=data["register"],
            register_country=data["register_country"],
            registration_number=data["registration_number"].strip(),
        )


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo (JPEG, PNG or WebP, up to 5 MB)"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Your colleague's e-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.STAFF)


class MemberLanguagesForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), choices=language_choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class LocationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    country = forms.ChoiceField(label=_("Country"))
    city = forms.CharField(label=_("City"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=300)
    timezone = forms.CharField(
        label=_("Timezone"), max_length=64, help_text=_("IANA name, for example Europe/Paris or Asia/Bangkok.")
    )
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    arrival_instructions = forms.CharField(
        label=_("Arrival instructions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Shown to patients on their booking: the entrance, where to report, what to bring."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *countries]

    def details(self) -> LocationDetails:
        return LocationDetails(**{name: self.cleaned_data[name] for name in LocationDetails.__dataclass_fields__})

    @staticmethod
    def initial_for(location: Location) -> dict:
        return {name: getattr(location, name) for name in LocationDetails.__dataclass_fields__} | {
            # A Country: django-countries' stubs type the model attribute as str.
            "country": location.country.code  # type: ignore[attr-defined]
        }


class LinesField(forms.CharField):
    """One item per line (what a price includes or excludes)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class OfferingForm(forms.Form):
    """Prices are typed as people write them in the page's language ("1 234,50" in French)."""

    title = forms.CharField(label=pgettext_lazy("offering", "Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OfferingKind.choices)
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.all())
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.all(), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=named_currency_choices)
    price = forms.CharField(label=_("Price (or lowest price)"), max_length=40)
    price_upper = forms.CharField(label=_("Highest price, for a range"), max_length=40, required=False)
    deposit_percent = forms.DecimalField(
        label=_("Deposit, percent of the price"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    deposit_fixed = forms.CharField(label=_("Or a fixed deposit"), max_length=40, required=False)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=60 * 24 * 60)
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=5, max_value=24 * 60, initial=30)
    booking_mode = forms.ChoiceField(label=_("Booking"), choices=BookingMode.choices)
    includes = LinesField(label=_("The price includes (one item per line)"), required=False)
    excludes = LinesField(label=_("The price excludes (one item per line)"), required=False)
    cancellation_policy = forms.ChoiceField(label=_("Cancellation policy"), choices=CancellationPolicyChoice.choices)
    min_notice_hours = forms.IntegerField(
        label=_("Minimum notice (hours)"), min_value=0, max_value=24 * 365, initial=48
    )
    horizon_days = forms.IntegerField(label=_("Booking horizon (days)"), min_value=1, max_value=730, initial=90)
    is_active = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = provider.locations.all()
        self.fields["currency"].initial = provider.default_currency

    def _money(self, name: str, currency: str) -> Money | None:
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        try:
            return parse_money(text, currency, get_language() or settings.LANGUAGE_CODE)
        except MoneyError as exc:
            self.add_error(name, exc.message)
            return None

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("currency")
        if currency:
            cleaned["price_money"] = self._money("price", currency)
            cleaned["price_upper_money"] = self._money("price_upper", currency)
            cleaned["deposit_fixed_money"] = self._money("deposit_fixed", currency)
        return cleaned

    def details(self) -> OfferingDetails:
        data = self.cleaned_data
        percent = data["deposit_percent"]
        return OfferingDetails(
            location=data["location"],
            kind=data["kind"],
            title=data["title"],
            specialty=data["specialty"],
            procedure=data["procedure"],
            description=data["description"],
            price=data["price_money"],
            price_upper=data["price_upper_money"],
            deposit_bps=int(percent * 100) if percent is not None else None,
            deposit_fixed=data["deposit_fixed_money"],
            duration_minutes=data["duration_minutes"],
            slot_minutes=data["slot_minutes"],
            booking_mode=data["booking_mode"],
            includes=data["includes"],
            excludes=data["excludes"],
            cancellation_policy=data["cancellation_policy"],
            min_notice_hours=data["min_notice_hours"],
            horizon_days=data["horizon_days"],
            is_active=data["is_active"],
        )

    @staticmethod
    def initial_for(offering: Offering) -> dict:
        language = get_language() or settings.LANGUAGE_CODE

        def amount(minor: int | None) -> str:
            return "" if minor is None else format_amount(Money(minor, offering.currency), language)

        return {
            "title": offering.title,
            "kind": offering.kind,
            "location": offering.location_id,
            "specialty": offering.specialty_id,
            "procedure": offering.procedure_id,
            "description": offering.description,
            "currency": offering.currency,
            "price": amount(offering.price_min),
            "price_upper": amount(offering.price_max),
            "deposit_percent": Decimal(offering.deposit_bps) / 100 if offering.deposit_bps is not None else None,
            "deposit_fixed": amount(offering.deposit_fixed),
            "duration_minutes": offering.duration_minutes,
            "slot_minutes": offering.slot_minutes,
            "booking_mode": offering.booking_mode,
            "includes": offering.includes,
            "excludes": offering.excludes,
            "cancellation_policy": offering.cancellation_policy,
            "min_notice_hours": offering.min_notice_hours,
            "horizon_days": offering.horizon_days,
            "is_active": offering.is_active,
        }


class WeeklyRuleForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"])
    kind = forms.ChoiceField(label=_("Kind"), choices=ExceptionKind.choices)
    start = forms.TimeField(
        label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("Closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


VERIFICATION_DECISIONS = [("verify", _("Mark as verified")), ("reject", _("Reject")), ("suspend", _("Suspend"))]


class VerificationForm(forms.Form):
    """A careteam decision. `offered` (the decisions whose checks allow them now) limits what the
    page lists; every decision is still accepted, so that one taken on a page opened before a
    colleague's decision reaches the service and comes back with its reason."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=VERIFICATION_DECISIONS,
    )
    checked = forms.CharField(
        label=_("What you checked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Register consulted, number found, name and specialty matching, documents seen."),
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, offered: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if offered is not None:
            self.fields["decision"].widget.choices = [(n, label) for n, label in VERIFICATION_DECISIONS if n in offered]

    def decision_label(self, name: str) -> str:
        return str(dict(VERIFICATION_DECISIONS)[name])


class DischargePackSettingForm(forms.Form):
    """The careteam's aftercare setting of a provider (docs/decisions.md#discharge-pack)."""

    required = forms.BooleanField(
        label=_("The deposit of a procedure is released only once its discharge pack is complete"),
        help_text=_("Procedures and bookings made from a quote; consultations never wait for the pack."),
        required=False,
    )
