"""/api/v1/privacy/erasure/: what erasing the signed-in person means (GET), their confirmation (POST:
202 with the request, 409 with what must end first), and how far their erasure has got (GET <id>).
A person only ever sees and erases their own: anyone else's request is answered 404."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import ApiErrorSerializer
from privacy.models import DataRequest, RequestKind
from privacy.selectors import open_request_of, request_of
from privacy.services.erasure import (
    erasure_confirm,
    erasure_preview,
)

ERRORS = {404: ApiErrorSerializer, 409: ApiErrorSerializer}


class KeptSerializer(serializers.Serializer[Any]):
    what = serializers.CharField()
    why = serializers.CharField()
    until = serializers.DateField(allow_null=True)


class BlockerSerializer(serializers.Serializer[Any]):
    what = serializers.CharField()
    action = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class ErasurePreviewSerializer(serializers.Serializer[Any]):
    erased = serializers.ListField(child=serializers.CharField())
    kept = KeptSerializer(many=True)
    blockers = BlockerSerializer(many=True)
    can_erase = serializers.BooleanField()
    open_request = serializers.IntegerField(allow_null=True, help_text="The erasure request that runs, if any.")


class ErasureRequestSerializer(serializers.ModelSerializer[DataRequest]):
    class Meta:
        model = DataRequest
        fields = ["id", "status", "progress", "received_at", "due_at", "completed_at", "steps_done"]
        read_only_fields = fields


class ErasureAPI(APIView):
    """GET: what is erased now, what is kept (why, until when), what must end first. POST: erase my
    data and close my account (the same request again while one runs)."""

    @extend_schema(operation_id="privacy_erasure_preview", responses=ErasurePreviewSerializer)
    def get(self, request):
        preview = erasure_preview(user=request.user, now=timezone.now())
        running = open_request_of(user=request.user, kind=RequestKind.ERASURE)
        body = {
            "erased": preview.erased,
            "kept": preview.kept,
            "blockers": preview.blockers,
            "can_erase": preview.can_erase,
            "open_request": running.pk if running else None,
        }
        return Response(ErasurePreviewSerializer(body).data)

    @extend_schema(
        operation_id="privacy_erasure_confirm", request=None, responses={202: ErasureRequestSerializer, **ERRORS}
    )
    def post(self, request):
        with transaction.atomic():
            erasure = erasure_confirm(user=request.user, now=timezone.now())
        return Response(ErasureRequestSerializer(erasure).data, status=status.HTTP_202_ACCEPTED)


class ErasureStatusAPI(APIView):
    """How far my erasure has got (done: the account is closed)."""

    @extend_schema(operation_id="privacy_erasure_status", responses={200: ErasureRequestSerializer, **ERRORS})
    def get(self, request, request_id: int):
        erasure = request_of(user=request.user, request_id=request_id, kind=RequestKind.ERASURE)
        return Response(ErasureRequestSerializer(erasure).data)


urlpatterns: list[URLPattern] = [
    path("erasure/", ErasureAPI.as_view(), name="erasure"),
    path("erasure/<int:request_id>/", ErasureStatusAPI.as_view(), name="erasure_status"),
]
