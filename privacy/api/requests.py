"""Data-rights API (/api/v1/privacy/…): the person's requests and their copy of their data; the
providers' forwarded requests and their answers.

A request that is not the caller's is "not found". Asking for a copy returns the link's token once
(`download_token`); the ZIP is then fetched with that token by its owner (POST, so the token is in
the body, never in a URL), once, within PRIVACY_EXPORT_TTL_DAYS. Erasure has its own endpoints.

Owns its `urlpatterns` (privacy/api_urls.py joins them).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.checks import actions_payload
from core.serializers import ApiErrorSerializer, available_actions_field
from privacy import selectors
from privacy.models import DataRequest, ForwardOutcome, ProviderForward, RequestKind
from privacy.services import export as export_services
from privacy.services import requests as services

TAGS = ["Privacy: data-rights requests"]
READ_ERRORS = {404: ApiErrorSerializer}
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}
API_KINDS = (RequestKind.EXPORT, RequestKind.RECTIFICATION, RequestKind.OBJECTION)


class PrivacyForwardAnswerSerializer(serializers.ModelSerializer[ProviderForward]):
    provider = serializers.CharField(source="provider.name")
    outcome = serializers.CharField(help_text="done, nothing_held, kept_by_law or refused; empty while unanswered.")

    class Meta:
        model = ProviderForward
        fields = ["provider", "sent_at", "answered_at", "outcome", "answer"]
        read_only_fields = fields


class PrivacyRequestSerializer(serializers.ModelSerializer[DataRequest]):
    kind = serializers.CharField(read_only=True, help_text="export, rectification, erasure or objection.")
    status = serializers.CharField(read_only=True, help_text="received, in_progress, done, refused or withdrawn.")
    forwards = PrivacyForwardAnswerSerializer(many=True, read_only=True)
    available_actions = available_actions_field("download")

    class Meta:
        model = DataRequest
        fields = [
            "id",
            "kind",
            "status",
            "details",
            "received_at",
            "due_at",
            "extension_reason",
            "completed_at",
            "answer",
            "progress",
            "export_expires_at",
            "export_downloaded_at",
            "forwards",
            "available_actions",
        ]
        read_only_fields = fields

    def get_available_actions(self, request: DataRequest) -> dict[str, Any]:
        return actions_payload({"download": export_services.export_download_check(request=request, now=timezone.now())})


class PrivacyRequestCreatedSerializer(PrivacyRequestSerializer):
    download_token = serializers.SerializerMethodField(
        help_text="A copy's single-use link token: shown this once, stored nowhere (null for other kinds)."
    )

    class Meta(PrivacyRequestSerializer.Meta):
        fields = [*PrivacyRequestSerializer.Meta.fields, "download_token"]
        read_only_fields = fields

    def get_download_token(self, request: DataRequest) -> str | None:
        return self.context.get("token")


class PrivacyRequestInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in API_KINDS],
        help_text="A copy of my data, a correction, or an objection (erasure has its own endpoints).",
    )
    details = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="What is wrong, or which use you object to (required for those two).",
    )


class PrivacyDownloadInputSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=200, help_text="The `download_token` given when the copy was asked for.")


class PrivacyProviderForwardSerializer(serializers.ModelSerializer[ProviderForward]):
    request = serializers.IntegerField(source="request_id")
    kind = serializers.CharField(source="request.kind")
    details = serializers.CharField(source="request.details")
    due_at = serializers.DateTimeField(source="request.due_at")
    provider = serializers.IntegerField(source="provider_id")
    person_reference = serializers.SerializerMethodField()
    outcome = serializers.CharField(help_text="done, nothing_held, kept_by_law or refused; empty while unanswered.")
    available_actions = available_actions_field("answer")

    class Meta:
        model = ProviderForward
        fields = [
            "id",
            "request",
            "kind",
            "details",
            "due_at",
            "provider",
            "person_reference",
            "sent_at",
            "answered_at",
            "outcome",
            "answer",
            "available_actions",
        ]
        read_only_fields = fields

    def get_person_reference(self, forward: ProviderForward) -> str:
        return selectors.person_reference(forward.request.user_id)

    def get_available_actions(self, forward: ProviderForward) -> dict[str, Any]:
        actor = self.context["request"].user
        return actions_payload({"answer": services.forward_answer_check(forward=forward, actor=actor)})


class PrivacyForwardAnswerInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=ForwardOutcome.choices)
    answer = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="For the person; required when kept by law or refused.",
    )


def _user(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated ran first


# --- the person -------------------------------------------------------------------------------------------


class RequestListAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: PrivacyRequestSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """My data-rights requests, newest first, with their due dates and answers."""
        found = selectors.requests_of(user=_user(request)).prefetch_related("forwards__provider")
        return Response(PrivacyRequestSerializer(found, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=PrivacyRequestInputSerializer,
        responses={201: PrivacyRequestCreatedSerializer, 200: PrivacyRequestCreatedSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Ask for a copy of my data, a correction or an objection. One open request per kind: asking
        again answers 200 with the one that runs (a copy's token is then replaced by a new one)."""
        body = PrivacyRequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kind, now = body.validated_data["kind"], timezone.now()
        before = selectors.open_request_of(user=_user(request), kind=kind)
        token = None
        if kind == RequestKind.EXPORT:
            created, token = export_services.export_request(user=_user(request), now=now)
        else:
            created = services.request_open(
                user=_user(request), kind=kind, details=body.validated_data["details"], now=now
            )
        created.refresh_from_db()
        code = status.HTTP_200_OK if before is not None and before.pk == created.pk else status.HTTP_201_CREATED
        return Response(PrivacyRequestCreatedSerializer(created, context={"token": token}).data, status=code)


class RequestDetailAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: PrivacyRequestSerializer, **READ_ERRORS})
    def get(self, request: Request, request_id: int) -> Response:
        """One of my requests (a copy's progress, 0 to 100, while it is being made)."""
        found = selectors.request_of(user=_user(request), request_id=request_id)
        return Response(PrivacyRequestSerializer(found).data)


class ExportDownloadAPI(APIView):
    def perform_content_negotiation(self, request, force=False):
        # A client asking for the ZIP (Accept: application/zip) still gets JSON errors.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=TAGS,
        request=PrivacyDownloadInputSerializer,
        responses={(200, "application/zip"): OpenApiTypes.BINARY, **WRITE_ERRORS},
        description=(
            "The copy of my data as a ZIP (data.json, summary.html, my documents), for its owner with the link's "
            "token: once (409 after), before it expires (409). Anyone else's request, or a wrong token: 404."
        ),
    )
    def post(self, request: Request, request_id: int) -> HttpResponse:
        found = selectors.request_of(user=_user(request), request_id=request_id)
        body = PrivacyDownloadInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        content = export_services.export_download(
            request=found, token=body.validated_data["token"], user=_user(request), now=timezone.now()
        )
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="medibroker-my-data-{found.pk}.zip"'
        response["Cache-Control"] = "no-store"
        return response


# --- the providers ----------------------------------------------------------------------------------------


class ForwardListAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: PrivacyProviderForwardSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Provider members: the requests forwarded to my providers, unanswered first."""
        found = selectors.forwards_for_member(user=_user(request))
        return Response(PrivacyProviderForwardSerializer(found, many=True, context={"request": request}).data)


class ForwardAnswerAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=PrivacyForwardAnswerInputSerializer,
        responses={200: PrivacyProviderForwardSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, forward_id: int) -> Response:
        """Record my provider's answer to a forwarded request (once). Another provider's: 404."""
        forward = services.forward_for_member(user=_user(request), forward_id=forward_id)
        body = PrivacyForwardAnswerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        forward = services.forward_answer(
            forward=forward,
            actor=_user(request),
            outcome=body.validated_data["outcome"],
            answer=body.validated_data["answer"],
            now=timezone.now(),
        )
        return Response(PrivacyProviderForwardSerializer(forward, context={"request": request}).data)


# --- the careteam -----------------------------------------------------------------------------------------


class PrivacyCareteamRequestSerializer(PrivacyRequestSerializer):
    person_reference = serializers.SerializerMethodField()
    available_actions = available_actions_field("extend", "complete", "refuse")

    class Meta(PrivacyRequestSerializer.Meta):
        fields = [*PrivacyRequestSerializer.Meta.fields, "person_reference"]
        read_only_fields = fields

    def get_person_reference(self, request: DataRequest) -> str:
        return selectors.person_reference(request.user_id)

    def get_available_actions(self, request: DataRequest) -> dict[str, Any]:
        actor = self.context["request"].user
        return actions_payload(services.request_actions(request=request, actor=actor))


class PrivacyCareteamTextInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(
        max_length=5000,
        help_text="What the person reads: the reason for the delay or the refusal, or what was done.",
    )


class CareteamRequestAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: PrivacyCareteamRequestSerializer, 403: ApiErrorSerializer, **READ_ERRORS})
    def get(self, request: Request, request_id: int) -> Response:
        """Careteam: one data-rights request, with what may be done with it now (403 to anyone else)."""
        found = selectors.request_for_careteam(user=_user(request), request_id=request_id)
        return Response(PrivacyCareteamRequestSerializer(found, context={"request": request}).data)


class _CareteamActionAPI(APIView):
    def act(self, *, data_request: DataRequest, actor: User, text: str) -> DataRequest:
        raise NotImplementedError

    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.request_for_careteam(user=_user(request), request_id=request_id)
        body = PrivacyCareteamTextInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.act(data_request=found, actor=_user(request), text=body.validated_data["text"])
        found = selectors.request_for_careteam(user=_user(request), request_id=request_id)
        return Response(PrivacyCareteamRequestSerializer(found, context={"request": request}).data)


_CARETEAM_ACTION_SCHEMA = extend_schema(
    tags=TAGS,
    request=PrivacyCareteamTextInputSerializer,
    responses={200: PrivacyCareteamRequestSerializer, **WRITE_ERRORS},
)


class CareteamExtendAPI(_CareteamActionAPI):
    def act(self, *, data_request: DataRequest, actor: User, text: str) -> DataRequest:
        return services.request_extend(request=data_request, actor=actor, reason=text, now=timezone.now())

    @_CARETEAM_ACTION_SCHEMA
    def post(self, request: Request, request_id: int) -> Response:
        """Careteam: push the deadline back (once), with the reason the person is told."""
        return super().post(request, request_id)


class CareteamCompleteAPI(_CareteamActionAPI):
    def act(self, *, data_request: DataRequest, actor: User, text: str) -> DataRequest:
        return services.request_complete(request=data_request, actor=actor, answer=text, now=timezone.now())

    @_CARETEAM_ACTION_SCHEMA
    def post(self, request: Request, request_id: int) -> Response:
        """Careteam: answer the request as done, with what was done in the person's words."""
        return super().post(request, request_id)


class CareteamRefuseAPI(_CareteamActionAPI):
    def act(self, *, data_request: DataRequest, actor: User, text: str) -> DataRequest:
        return services.request_refuse(request=data_request, actor=actor, reason=text, now=timezone.now())

    @_CARETEAM_ACTION_SCHEMA
    def post(self, request: Request, request_id: int) -> Response:
        """Careteam: refuse the request, with the reason the person is told."""
        return super().post(request, request_id)


urlpatterns: list[URLPattern] = [
    path("requests/", RequestListAPI.as_view(), name="requests"),
    path("requests/<int:request_id>/", RequestDetailAPI.as_view(), name="request"),
    path("requests/<int:request_id>/download/", ExportDownloadAPI.as_view(), name="request_download"),
    path("forwards/", ForwardListAPI.as_view(), name="forwards"),
    path("forwards/<int:forward_id>/answer/", ForwardAnswerAPI.as_view(), name="forward_answer"),
    path("careteam/requests/<int:request_id>/", CareteamRequestAPI.as_view(), name="careteam_request"),
    path("careteam/requests/<int:request_id>/extend/", CareteamExtendAPI.as_view(), name="careteam_extend"),
    path("careteam/requests/<int:request_id>/complete/", CareteamCompleteAPI.as_view(), name="careteam_complete"),
    path("careteam/requests/<int:request_id>/refuse/", CareteamRefuseAPI.as_view(), name="careteam_refuse"),
]
