"""Notification preferences in the API (/api/v1/notifications/…): the same choices as
notifications/views.py's page, through the same service."""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.serializers import ApiErrorSerializer
from notifications import services
from notifications.models import NotificationPreference

TAGS = ["Notifications"]


class NotificationPreferenceSerializer(serializers.ModelSerializer[NotificationPreference]):
    sms_stopped = serializers.SerializerMethodField(
        help_text="True while SMS stay off because the person answered STOP (turning SMS on here clears it)."
    )

    class Meta:
        model = NotificationPreference
        fields = ["email", "sms", "sms_stopped"]
        read_only_fields = fields

    def get_sms_stopped(self, preference: NotificationPreference) -> bool:
        return preference.sms_opted_out_at is not None


class NotificationPreferenceInputSerializer(serializers.Serializer[Any]):
    email = serializers.BooleanField(help_text="E-mails about my quotes and bookings.")
    sms = serializers.BooleanField(help_text="SMS about my bookings (confirmation, changes, reminders).")


class NotificationPreferencesAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: NotificationPreferenceSerializer})
    def get(self, request: Request) -> Response:
        """What I accept to receive (both on until I change them)."""
        return Response(NotificationPreferenceSerializer(services.preference_of(cast(User, request.user))).data)

    @extend_schema(
        tags=TAGS,
        request=NotificationPreferenceInputSerializer,
        responses={200: NotificationPreferenceSerializer, 400: ApiErrorSerializer},
    )
    def put(self, request: Request) -> Response:
        """Set what I accept to receive: both channels, as the preferences page does."""
        body = NotificationPreferenceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        preference = services.preference_update(
            user=cast(User, request.user),  # IsAuthenticated ran first
            email=body.validated_data["email"],
            sms=body.validated_data["sms"],
            now=timezone.now(),
        )
        return Response(NotificationPreferenceSerializer(preference).data)
