from __future__ import annotations

from rest_framework import serializers

from accounts.models import ApiToken, PatientProfile
from core.serializers import BoundedDateField

# A patient's own details, as the API shows them and as "My account" lets them change them.
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "name_order",
    "phone",
    "date_of_birth",
    "gender",
    "nationality",
    "preferred_language",
    "preferred_currency",
    "acts_as_representative",
)


class PatientProfileSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="phone.as_e164", read_only=True)
    nationality = serializers.CharField(source="nationality.code", read_only=True)

    class Meta:
        model = PatientProfile
        fields = list(PROFILE_FIELDS)
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    mfa_enabled = serializers.BooleanField(read_only=True)
    terms_to_accept = serializers.CharField(allow_null=True, read_only=True)
    patient_profile = PatientProfileSerializer(read_only=True, allow_null=True)


class SignupRequestSerializer(serializers.Serializer):
    """Documents the sign-up body; the sign-up form itself validates it (same rules as the page)."""

    email = serializers.EmailField()
    password1 = serializers.CharField()
    password2 = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    name_order = serializers.ChoiceField(
        choices=["given_first", "family_first"],
        required=False,
        help_text='The order the name is written in; "given_first" when not given',
    )
    phone = serializers.CharField(
        help_text='With the country code, e.g. +33612345678, or as dialled in phone_country ("06 12 34 56 78")'
    )
    phone_country = serializers.CharField(
        required=False, help_text='ISO 3166-1 alpha-2 code of the country a national phone number is in, e.g. "FR"'
    )
    date_of_birth = BoundedDateField()
    gender = serializers.CharField()
    nationality = serializers.CharField(help_text="ISO 3166-1 alpha-2 code")
    preferred_language = serializers.CharField()
    preferred_currency = serializers.CharField()
    acts_as_representative = serializers.BooleanField(
        required=False, default=False, help_text='JSON true or false ("true"/"false" in a form); nothing else'
    )
    accept_terms = serializers.BooleanField(help_text='JSON true ("true" in a form); anything but true/false is a 400')
    accept_health_data = serializers.BooleanField(
        help_text="Consent to the processing of health data to arrange care: must be true (withdrawable later)"
    )
    accept_marketing = serializers.BooleanField(
        required=False, default=False, help_text="Consent to news and offers by e-mail; optional"
    )
    timezone = serializers.CharField(
        required=False, help_text='IANA timezone of the person, e.g. "Europe/London"; an unknown name is ignored'
    )


class SignupResponseSerializer(serializers.Serializer):
    email = serializers.EmailField()
    detail = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="TOTP or recovery code: required when MFA is on (always on for admins, staff and provider members)",
    )
    device = serializers.CharField(
        max_length=100, help_text='Name of the device the token is for, e.g. "Alice\'s iPhone" (shown in your list)'
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it: never its secret, nor anything derived from it."""

    expires_at = serializers.DateTimeField(source="expiry", read_only=True, allow_null=True)
    current = serializers.SerializerMethodField(help_text="Whether this request is signed with this token")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "created", "last_used_at", "expires_at", "current"]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class TokenResponseSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The secret: shown in this answer only, send it as `Token <secret>`")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class AccountProfileSerializer(serializers.Serializer):
    """My account through the API: the timezone deadlines are shown in, and the patient's details
    (null for an account without a patient profile, such as staff). PATCH takes any of these
    fields, checked as at sign-up."""

    email = serializers.EmailField(read_only=True)
    timezone = serializers.CharField(
        required=False, allow_blank=True, help_text='IANA name, e.g. "Europe/London"; empty for the browser\'s'
    )
    first_name = serializers.CharField(required=False, allow_null=True)
    last_name = serializers.CharField(required=False, allow_null=True)
    name_order = serializers.CharField(
        required=False, allow_null=True, help_text='"given_first" or "family_first": the order the name is shown in'
    )
    phone = serializers.CharField(
        required=False,
        allow_null=True,
        help_text='With the country code, e.g. +33612345678, or as dialled in phone_country ("06 12 34 56 78")',
    )
    phone_country = serializers.CharField(
        required=False,
        write_only=True,
        help_text='ISO 3166-1 alpha-2 code of the country a national phone number is in, e.g. "FR"; never stored',
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    gender = serializers.CharField(required=False, allow_null=True)
    nationality = serializers.CharField(required=False, allow_null=True, help_text="ISO 3166-1 alpha-2 code")
    preferred_language = serializers.CharField(required=False, allow_null=True)
    preferred_currency = serializers.CharField(required=False, allow_null=True)
    acts_as_representative = serializers.BooleanField(required=False, allow_null=True)
    has_patient_profile = serializers.BooleanField(read_only=True)
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The account's language for its pages, e-mails and documents (en, fr, ar, es, de, ru); for a "
        "patient, the profile's preferred_language; empty when none is chosen",
    )
