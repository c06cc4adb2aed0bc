"""API shapes for providers.

Output serializers describe what a caller may see. Input serializers check shape only and build
the services' dataclasses (`ProviderDetails`, `LocationDetails`, `OfferingDetails`); every rule
(who may do what, overlapping hours, deposits, timezones) lives in `providers.services`.

Amounts travel as decimal strings in major units ("1234.50") and come out as
`{"amount": "1234.50", "currency": "EUR", "minor": 123450}`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.checks import ActionState, actions_payload
from core.money import Money, MoneyError
from core.serializers import (
    AmountField,
    BoundedDateField,
    MoneySerializer,
    NamedEnumField,
    WallClockTimeField,
    available_actions_field,
    country_field,
    currency_field,
)
from providers import services
from providers.models import (
    Accreditation,
    AvailabilityException,
    BookingMode,
    CancellationPolicyChoice,
    Credential,
    CredentialKind,
    ExceptionKind,
    FacilityType,
    InvitationStatus,
    Location,
    MemberRole,
    Offering,
    OfferingKind,
    Procedure,
    Provider,
    ProviderInvitation,
    ProviderKind,
    ProviderMember,
    ProviderPhoto,
    Register,
    Specialty,
    Weekday,
    WeeklyRule,
)
from providers.services import LocationDetails, OfferingDetails, ProviderDetails, Registration

# --- catalogue ------------------------------------------------------------------------------------


class ProcedureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Procedure
        fields = ["code", "name_en", "name_fr"]


class SpecialtySerializer(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["code", "name_en", "name_fr"]


class SpecialtyWithProceduresSerializer(serializers.ModelSerializer):
    procedures = ProcedureSerializer(many=True, read_only=True)

    class Meta:
        model = Specialty
        fields = ["code", "name_en", "name_fr", "procedures"]


# --- public reads ---------------------------------------------------------------------------------


class LocationSerializer(serializers.ModelSerializer):
    country = country_field()

    class Meta:
        model = Location
        fields = ["id", "name", "country", "city", "address", "latitude", "longitude", "timezone"]


class CredentialSerializer(serializers.ModelSerializer):
    kind = NamedEnumField(enum_name="CredentialKindEnum", choices=CredentialKind.choices)

    class Meta:
        model = Credential
        fields = ["kind", "title", "institution", "year"]


class AccreditationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Accreditation
        fields = ["body", "reference", "valid_until"]


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProviderPhoto
        fields = ["image", "width", "height", "caption"]


class OfferingSerializer(serializers.ModelSerializer):
    """An offering as patients see it: prices, deposit asked at booking, what the price covers."""

    kind = NamedEnumField(enum_name="OfferingKindEnum", choices=OfferingKind.choices)
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    procedure: serializers.SlugRelatedField[Procedure] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    location: serializers.PrimaryKeyRelatedField[Location] = serializers.PrimaryKeyRelatedField(read_only=True)
    currency = currency_field()
    price = MoneySerializer(read_only=True)
    price_upper = MoneySerializer(read_only=True, allow_null=True, help_text="Upper end of a price range.")
    deposit = MoneySerializer(read_only=True, help_text="Paid at booking, held in trust.")
    includes = serializers.ListField(child=serializers.CharField(), read_only=True)
    excludes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Offering
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "specialty",
            "procedure",
            "location",
            "currency",
            "price",
            "price_upper",
            "deposit",
            "duration_minutes",
            "slot_minutes",
            "booking_mode",
            "includes",
            "excludes",
            "cancellation_policy",
            "min_notice_hours",
            "horizon_days",
        ]
        read_only_fields = fields


class ProviderSummarySerializer(serializers.ModelSerializer):
    """A verified provider in a listing. The register and number are public evidence of verification."""

    kind = NamedEnumField(enum_name="ProviderKindEnum", choices=ProviderKind.choices)
    default_currency = currency_field()
    register_country = country_field()
    languages = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The languages the provider declares."
    )
    spoken_languages = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What is spoken there in all: the provider's languages and its members' (search matches these).",
    )
    interpreter_available = serializers.BooleanField(read_only=True, help_text="An interpreter can be arranged.")
    specialties = SpecialtySerializer(many=True, read_only=True)
    # Empty when the provider gave none: documented as plain strings, "" is not a valid e-mail or URI.
    email = serializers.CharField(read_only=True, help_text="A contact e-mail address, or empty.")
    website = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    facility_type = serializers.ChoiceField(
        choices=FacilityType.choices, allow_blank=True, read_only=True, help_text="Empty for a practitioner."
    )

    class Meta:
        model = Provider
        fields = [
            "slug",
            "name",
            "kind",
            "facility_type",
            "biography",
            "languages",
            "spoken_languages",
            "interpreter_available",
            "default_currency",
            "email",
            "phone",
            "website",
            "specialties",
            "register",
            "register_country",
            "registration_number",
            "verified_at",
        ]
        read_only_fields = fields


class ProviderPublicSerializer(ProviderSummarySerializer):
    procedures = ProcedureSerializer(many=True, read_only=True)
    locations = LocationSerializer(many=True, read_only=True)
    offerings = OfferingSerializer(many=True, read_only=True)
    credentials = CredentialSerializer(many=True, read_only=True)
    accreditations = AccreditationSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta(ProviderSummarySerializer.Meta):
        fields = [
            *ProviderSummarySerializer.Meta.fields,
            "procedures",
            "locations",
            "offerings",
            "credentials",
            "accreditations",
            "photos",
        ]
        read_only_fields = fields


class SlotRangeSerializer(serializers.Serializer):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`, calendar days at the offering's location."""

    MAX_DAYS = 62

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the fields cannot be class attributes.
        return {"from": BoundedDateField(), "to": BoundedDateField()}

    def validate(self, attrs: dict[str, dt.date]) -> dict[str, dt.date]:
        first, last = attrs["from"], attrs["to"]
        if last < first:
            raise serializers.ValidationError({"to": [_("“to” must not be before “from”.")]})
        if (last - first).days > self.MAX_DAYS:
            raise serializers.ValidationError(
                {"to": [_("Ask for at most %(days)d days at a time.") % {"days": self.MAX_DAYS}]}
            )
        return attrs


class LocalDateTimeField(serializers.DateTimeField):
    """An aware datetime written with its own offset (the location's), not converted to UTC."""

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        return value


class SlotSerializer(serializers.Serializer):
    start = LocalDateTimeField()
    end = LocalDateTimeField()


class SlotsSerializer(serializers.Serializer):
    offering = serializers.IntegerField()
    timezone = serializers.CharField(help_text="The location's IANA timezone; slot times carry its offset.")
    slots = SlotSerializer(many=True)


# --- members: profile -----------------------------------------------------------------------------


class MyProviderSerializer(ProviderSummarySerializer):
    """A provider as its own members see it, with the caller's role and the verification status."""

    role = serializers.SerializerMethodField()
    procedures: serializers.SlugRelatedField[Procedure] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    # The codes here, the names in a listing: DRF lets a subclass declare a field anew.
    specialties: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", many=True, read_only=True
    )
    available_actions = available_actions_field("update", "add_photo", "add_location", "add_offering", "add_member")

    class Meta(ProviderSummarySerializer.Meta):
        fields = ["id", *ProviderSummarySerializer.Meta.fields, "procedures", "status", "role", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=MemberRole.choices))
    def get_role(self, provider: Provider) -> str:
        return self.context["roles"][provider.pk]

    def get_available_actions(self, provider: Provider) -> dict[str, ActionState]:
        user = self.context["request"].user
        return actions_payload(
            {
                "update": services.provider_update_check(provider=provider, actor=user),
                "add_photo": services.photo_add_check(provider=provider, actor=user),
                "add_location": services.location_save_check(provider=provider, actor=user),
                "add_offering": services.offering_save_check(provider=provider, actor=user),
                "add_member": services.member_add_check(provider=provider, actor=user),
            }
        )


class ProviderProfileSerializer(serializers.Serializer):
    """A change to the profile (PATCH): fields left out keep their value."""

    kind = NamedEnumField(
        enum_name="ProviderKindEnum",
        choices=ProviderKind.choices,
        required=False,
        help_text="Cannot change; join again instead.",
    )
    name = serializers.CharField(max_length=200)
    facility_type = serializers.ChoiceField(choices=FacilityType.choices, allow_blank=True)
    biography = serializers.CharField(allow_blank=True)
    languages = serializers.ListField(child=serializers.CharField(max_length=16), max_length=40)
    interpreter_available = serializers.BooleanField()
    default_currency = currency_field()
    email = serializers.EmailField(allow_blank=True)
    phone = serializers.CharField(max_length=32, allow_blank=True)
    website = serializers.URLField(allow_blank=True)
    specialties = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Specialty.objects.all())
    procedures = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Procedure.objects.all())
    # Identity: changing the name, type of facility, specialties or registration of a verified
    # provider sends it back to the careteam's review (docs/decisions.md#provider-identity-changes).
    register = serializers.ChoiceField(choices=Register.choices)
    register_country = country_field()
    registration_number = serializers.CharField(max_length=64)

    def details(self, provider: Provider) -> ProviderDetails:
        data = self.validated_data
        return ProviderDetails(**{f.name: data.get(f.name, getattr(provider, f.name)) for f in fields(ProviderDetails)})

    def registration(self, provider: Provider) -> Registration | None:
        """The registration sent, completed from the provider's; None when none of it was sent."""
        data = self.validated_data
        names = [f.name for f in fields(Registration)]
        if not any(name in data for name in names):
            return None
        return Registration(**{name: str(data.get(name, getattr(provider, name))).strip() for name in names})


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="Language codes.")
    available_actions = available_actions_field("remove", "set_languages")

    class Meta:
        model = ProviderMember
        fields = ["id", "email", "role", "languages", "added_at", "available_actions"]
        read_only_fields = fields

    def get_available_actions(self, member: ProviderMember) -> dict[str, ActionState]:
        user = self.context["request"].user
        return actions_payload(
            {
                "remove": services.member_remove_check(member=member, actor=user),
                "set_languages": services.member_languages_set_check(member=member, actor=user),
            }
        )


class MemberLanguagesSerializer(serializers.Serializer):
    """The languages a member speaks (PATCH): the member themself, or an administrator for them."""

    languages = serializers.ListField(
        child=serializers.CharField(max_length=16), max_length=40, help_text='Language codes, e.g. ["ar", "en"].'
    )


class MemberAddSerializer(serializers.Serializer):
    """An invitation: the colleague becomes a member only once they accept it."""

    email = serializers.EmailField(help_text="The colleague's e-mail address; they accept signed in with it.")
    role = serializers.ChoiceField(choices=MemberRole.choices)


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as the provider's administrators see it (never its token)."""

    status = serializers.SerializerMethodField()
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, allow_null=True)
    available_actions = available_actions_field("revoke")

    class Meta:
        model = ProviderInvitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "expires_at", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(NamedEnumField(enum_name="InvitationStatusEnum", choices=InvitationStatus.choices))
    def get_status(self, invitation: ProviderInvitation) -> str:
        return invitation.status_at(self.context["now"])

    def get_available_actions(self, invitation: ProviderInvitation) -> dict[str, ActionState]:
        user = self.context["request"].user
        now = self.context["now"]
        return actions_payload({"revoke": services.invitation_revoke_check(invitation=invitation, actor=user, now=now)})


class InvitationForInviteeSerializer(serializers.ModelSerializer):
    """An invitation as the link's holder sees it: who invites, for what, and whether they may answer."""

    provider = serializers.CharField(source="provider.name", read_only=True)
    status = serializers.SerializerMethodField()
    available_actions = available_actions_field("accept", "decline")

    class Meta:
        model = ProviderInvitation
        fields = ["provider", "email", "role", "status", "expires_at", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(NamedEnumField(enum_name="InvitationStatusEnum", choices=InvitationStatus.choices))
    def get_status(self, invitation: ProviderInvitation) -> str:
        return invitation.status_at(self.context["now"])

    def get_available_actions(self, invitation: ProviderInvitation) -> dict[str, ActionState]:
        user, now = self.context["request"].user, self.context["now"]
        return actions_payload(
            {
                "accept": services.invitation_accept_check(invitation=invitation, user=user, now=now),
                "decline": services.invitation_decline_check(invitation=invitation, user=user, now=now),
            }
        )


# --- members: locations and availability ------------------------------------------------------------


class LocationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=160)
    country = country_field()
    city = serializers.CharField(max_length=120)
    address = serializers.CharField(max_length=300)
    timezone = serializers.CharField(max_length=64, help_text="IANA name, e.g. Europe/Paris.")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    arrival_instructions = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def details(self) -> LocationDetails:
        return LocationDetails(**self.validated_data)


class WeeklyRuleSerializer(serializers.ModelSerializer):
    weekday = serializers.ChoiceField(choices=Weekday.choices)
    start = WallClockTimeField()
    end = WallClockTimeField()

    class Meta:
        model = WeeklyRule
        fields = ["id", "weekday", "start", "end"]
        read_only_fields = ["id"]
        validators: list = []  # the service checks hours and overlaps, with its own messages


class ExceptionSerializer(serializers.ModelSerializer):
    kind = NamedEnumField(enum_name="ExceptionKindEnum", choices=ExceptionKind.choices)
    start = WallClockTimeField(required=False, allow_null=True, default=None)
    end = WallClockTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    date = BoundedDateField()

    class Meta:
        model = AvailabilityException
        fields = ["id", "date", "kind", "start", "end", "note"]
        read_only_fields = ["id"]
        validators: list = []


# --- members: offerings -------------------------------------------------------------------------------


class MyOfferingSerializer(OfferingSerializer):
    """An offering as its provider sees it, with the deposit rule as entered."""

    deposit_percent = serializers.SerializerMethodField()
    deposit_fixed = serializers.SerializerMethodField()

    class Meta(OfferingSerializer.Meta):
        fields = [*OfferingSerializer.Meta.fields, "deposit_percent", "deposit_fixed", "is_active", "updated_at"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True, "example": "30.00"})
    def get_deposit_percent(self, offering: Offering) -> str | None:
        return None if offering.deposit_bps is None else str(Decimal(offering.deposit_bps).scaleb(-2))

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_deposit_fixed(self, offering: Offering) -> dict | None:
        if offering.deposit_fixed is None:
            return None
        return MoneySerializer(Money(offering.deposit_fixed, offering.currency)).data


class OfferingInputSerializer(serializers.Serializer):
    """A whole offering (POST and PUT); prices in major units of `currency`."""

    # The context's "provider" limits `location` to that provider's own locations.

    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(),
        help_text="One of your locations.",
        error_messages={"does_not_exist": _("Choose one of your own locations.")},
    )
    kind = NamedEnumField(enum_name="OfferingKindEnum", choices=OfferingKind.choices)
    title = serializers.CharField(max_length=200)
    specialty = serializers.SlugRelatedField(slug_field="code", queryset=Specialty.objects.all())
    procedure = serializers.SlugRelatedField(
        slug_field="code", queryset=Procedure.objects.all(), required=False, allow_null=True, default=None
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    currency = currency_field()
    price = AmountField()
    price_upper = AmountField(required=False, allow_null=True, default=None, help_text="Empty for a fixed price.")
    deposit_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None, help_text='e.g. "30"'
    )
    deposit_fixed = AmountField(required=False, allow_null=True, default=None)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=60 * 24 * 60)  # as the form
    slot_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60)
    booking_mode = serializers.ChoiceField(choices=BookingMode.choices)
    includes = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
    excludes = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
    cancellation_policy = serializers.ChoiceField(
        choices=CancellationPolicyChoice.choices, required=False, default=CancellationPolicyChoice.PLATFORM_DEFAULT
    )
    min_notice_hours = serializers.IntegerField(min_value=0, max_value=24 * 365, required=False, default=48)
    horizon_days = serializers.IntegerField(min_value=1, max_value=730, required=False, default=90)
    is_active = serializers.BooleanField(required=False, default=True)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        provider = self.context.get("provider")
        if provider is not None:
            # Another provider's location is "does not exist", never "not yours".
            location = cast("serializers.PrimaryKeyRelatedField[Location]", self.fields["location"])
            location.queryset = Location.objects.filter(provider=provider)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        for name in ("price", "price_upper", "deposit_fixed"):
            if attrs[name] is None:
                continue
            try:
                attrs[name] = Money.from_decimal(attrs[name], attrs["currency"])
            except MoneyError as exc:
                errors[name] = [exc.message]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def details(self) -> OfferingDetails:
        data = dict(self.validated_data)
        data.pop("currency")  # carried by the prices
        percent = data.pop("deposit_percent")
        data["deposit_bps"] = None if percent is None else int(percent * 100)
        return OfferingDetails(**data)


class DischargePackSettingSerializer(serializers.Serializer):
    """The careteam's aftercare setting of a provider (docs/decisions.md#discharge-pack)."""

    provider = serializers.IntegerField(read_only=True)
    discharge_pack_required = serializers.BooleanField(
        help_text="Whether the deposit of the provider's procedures (and quote bookings) waits for the discharge pack."
    )


class ProviderJoinSerializer(serializers.Serializer):
    """A provider joining (POST /api/v1/my/providers/): the join page's fields; the caller becomes
    its first administrator and it waits for the careteam's verification."""

    kind = NamedEnumField(enum_name="ProviderKindEnum", choices=ProviderKind.choices)
    name = serializers.CharField(max_length=200)
    facility_type = serializers.ChoiceField(
        choices=FacilityType.choices, allow_blank=True, default="", help_text="For a facility only."
    )
    biography = serializers.CharField(allow_blank=True, default="", max_length=10000)
    languages = serializers.ListField(child=serializers.CharField(max_length=16), max_length=40, default=list)
    interpreter_available = serializers.BooleanField(default=False)
    default_currency = currency_field()
    email = serializers.EmailField(allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, allow_blank=True, default="")
    website = serializers.URLField(allow_blank=True, default="")
    register = serializers.ChoiceField(choices=Register.choices)
    register_country = country_field()
    registration_number = serializers.CharField(max_length=64)
    accept_contracts = serializers.BooleanField(
        help_text="The membership contract and the code of ethics in force, accepted on behalf of the provider."
    )

    def details(self) -> ProviderDetails:
        data = self.validated_data
        return ProviderDetails(
            kind=data["kind"],
            name=data["name"],
            facility_type=data["facility_type"] if data["kind"] == ProviderKind.FACILITY else "",
            biography=data["biography"],
            languages=list(data["languages"]),
            interpreter_available=data["interpreter_available"],
            default_currency=data["default_currency"],
            email=data["email"],
            phone=data["phone"],
            website=data["website"],
        )

    def registration(self) -> Registration:
        data = self.validated_data
        return Registration(
            register=data["register"],
            register_country=data["register_country"],
            registration_number=data["registration_number"].strip(),
        )


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG or WebP, up to 5 MB (stored re-encoded as JPEG).")
    caption = serializers.CharField(max_length=200, allow_blank=True, default="")
