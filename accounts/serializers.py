from __future__ import annotations

from rest_framework import serializers

from accounts.models import PatientProfile
from core.serializers import BoundedDateField


class PatientProfileSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="phone.as_e164", read_only=True)
    nationality = serializers.CharField(source="nationality.code", read_only=True)

    class Meta:
        model = PatientProfile
        fields = [
            "first_name",
            "last_name",
            "phone",
            "date_of_birth",
            "gender",
            "nationality",
            "preferred_language",
            "preferred_currency",
            "acts_as_representative",
        ]
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
    phone = serializers.CharField(help_text="E.164, e.g. +33612345678")
    date_of_birth = BoundedDateField()
    gender = serializers.CharField()
    nationality = serializers.CharField(help_text="ISO 3166-1 alpha-2 code")
    preferred_language = serializers.CharField()
    preferred_currency = serializers.CharField()
    acts_as_representative = serializers.BooleanField(required=False, default=False)
    accept_terms = serializers.BooleanField()


class SignupResponseSerializer(serializers.Serializer):
    email = serializers.EmailField()
    detail = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(
        required=False, allow_blank=True, help_text="TOTP or recovery code, required when MFA is on"
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
