"""/api/v1/privacy/consents/: the person's consents, to give or withdraw one (docs/decisions.md, "Consents")."""

from __future__ import annotations

from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ConsentPurpose
from accounts.selectors import consent_overview
from accounts.services import consent_give, consent_withdraw
from core.errors import ValidationFailed


class ConsentStateSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    purpose_label = serializers.CharField(help_text="The purpose in the person's language")
    given = serializers.BooleanField(help_text="Given and not withdrawn")
    version = serializers.CharField(allow_null=True, help_text="The version of the text consented to")
    current_version = serializers.CharField(help_text="The version of the text in force")
    outdated = serializers.BooleanField(help_text="Given to an older version: the person is asked again")
    given_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class ConsentChangeSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(
        choices=ConsentPurpose.choices,
        help_text="health_data or marketing (the terms are withdrawn by closing the account: 409)",
    )


def _states(user) -> list[dict]:
    return [
        {
            "purpose": row["purpose"],
            "purpose_label": str(row["label"]),
            "given": row["given"],
            "version": row["consent"].version if row["consent"] else None,
            "current_version": row["current_version"],
            "outdated": row["outdated"],
            "given_at": row["consent"].given_at if row["consent"] else None,
            "withdrawn_at": row["consent"].withdrawn_at if row["consent"] else None,
        }
        for row in consent_overview(user=user)
    ]


def _purpose(request) -> str:
    body = ConsentChangeSerializer(data=request.data if isinstance(request.data, dict) else {})
    if not body.is_valid():
        details = {field: [str(m) for m in messages] for field, messages in body.errors.items()}
        raise ValidationFailed(next(iter(details.values()))[0], details=details)
    return body.validated_data["purpose"]


class ConsentsAPI(APIView):
    """Each purpose (terms, health data, marketing): given or not, the version consented to and the one in force."""

    @extend_schema(responses=ConsentStateSerializer(many=True))
    def get(self, request):
        return Response(ConsentStateSerializer(_states(request.user), many=True).data)


class ConsentGiveAPI(APIView):
    """Give (again) the consent to `health_data` or `marketing`, to the version of the text in force."""

    @extend_schema(request=ConsentChangeSerializer, responses=ConsentStateSerializer(many=True))
    def post(self, request):
        consent_give(user=request.user, purpose=_purpose(request), now=timezone.now())
        return Response(ConsentStateSerializer(_states(request.user), many=True).data, status=status.HTTP_200_OK)


class ConsentWithdrawAPI(APIView):
    """Withdraw the consent to `health_data` (no new sharing with providers) or `marketing`."""

    @extend_schema(request=ConsentChangeSerializer, responses=ConsentStateSerializer(many=True))
    def post(self, request):
        consent_withdraw(user=request.user, purpose=_purpose(request), now=timezone.now())
        return Response(ConsentStateSerializer(_states(request.user), many=True).data, status=status.HTTP_200_OK)


urlpatterns: list[URLPattern] = [
    path("consents/", ConsentsAPI.as_view(), name="consents"),
    path("consents/give/", ConsentGiveAPI.as_view(), name="consent_give"),
    path("consents/withdraw/", ConsentWithdrawAPI.as_view(), name="consent_withdraw"),
]
