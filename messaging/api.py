"""/api/v1/messages/…: my threads (and opening one about a subject), a thread, its messages (and
sending one, with an `Idempotency-Key`), marking it read, an attachment's bytes.

Someone outside a thread gets 404, whether or not it exists, for reading and for writing alike.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound, error_body
from core.http import client_ip
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.parsers import LimitedJSONParser, NulFreeFormParser, NulFreeMultiPartParser
from core.serializers import ApiErrorSerializer, WallClockTimeField
from core.throttling import Throttled
from documents import services as documents
from documents.models import CONTENT_TYPES
from documents.responses import attachment_response
from messaging import selectors, services
from messaging.serializers import (
    MessageInputSerializer,
    MessageSerializer,
    ReadSerializer,
    ThreadOpenSerializer,
    ThreadSerializer,
)
from providers.models import Provider

TAGS = ["Messages"]
ERRORS = {400: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


class ThreadListAPI(APIView):
    """My threads, latest message first, with their unread counts; POST opens (or finds) the thread about a subject."""

    @extend_schema(tags=TAGS, responses=ThreadSerializer(many=True))
    def get(self, request):
        return Response(ThreadSerializer(selectors.threads_of(user=request.user), many=True).data)

    @extend_schema(
        tags=TAGS, request=ThreadOpenSerializer, responses={200: ThreadSerializer, 201: ThreadSerializer, **ERRORS}
    )
    def post(self, request):
        body = ThreadOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subject = services.subject_for(
            kind=body.validated_data["about"], subject_id=body.validated_data["subject_id"], user=request.user
        )
        existing = selectors.thread_of_subject(kind=subject.kind, subject_id=subject.subject_id)
        thread = existing or services.thread_open(subject=subject, now=timezone.now())
        thread.subject = subject
        return Response(
            ThreadSerializer(thread).data, status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        )


class ThreadAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: ThreadSerializer, 404: ApiErrorSerializer})
    def get(self, request, thread_id: int):
        thread, subject = selectors.thread_for(user=request.user, thread_id=thread_id)
        thread.subject = subject  # type: ignore[attr-defined]
        return Response(ThreadSerializer(thread).data)


@non_atomic
class MessageListAPI(APIView):
    """A thread's messages, oldest first (`after`: only those after a message id); POST sends one
    (multipart/form-data for an attachment: a medical document, its type read from its bytes)."""

    parser_classes = [LimitedJSONParser, NulFreeMultiPartParser, NulFreeFormParser]

    @extend_schema(tags=TAGS, responses={200: MessageSerializer(many=True), 404: ApiErrorSerializer})
    def get(self, request, thread_id: int):
        thread, subject = selectors.thread_for(user=request.user, thread_id=thread_id)
        after = request.query_params.get("after", "")
        after_id = int(after) if after.isascii() and after.isdecimal() else 0  # "²" is a digit, not a number
        rows = selectors.thread_messages(thread=thread, after_id=after_id)
        names = selectors.participant_names(subject=subject, user_ids=[m.author_id for m in rows])
        return Response(MessageSerializer(rows, many=True, context={"names": names}).data)

    @extend_schema(
        tags=TAGS,
        request={"application/json": MessageInputSerializer, "multipart/form-data": MessageInputSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: MessageSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, thread_id: int):
        thread, subject = selectors.thread_for(user=request.user, thread_id=thread_id)
        body = MessageInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.message_send(
            thread=thread,
            actor=request.user,
            body=body.validated_data["body"],
            attachment=body.validated_data.get("attachment"),
            attachment_title=body.validated_data.get("attachment_title", ""),
            now=timezone.now(),
        )
        names = selectors.participant_names(subject=subject, user_ids=[request.user.pk])
        return Response(MessageSerializer(message, context={"names": names}).data, status=status.HTTP_201_CREATED)


class ThreadReadAPI(APIView):
    """I have read the thread up to now (my read receipt)."""

    @extend_schema(tags=TAGS, request=None, responses={200: ReadSerializer, 404: ApiErrorSerializer})
    def post(self, request, thread_id: int):
        thread, _subject = selectors.thread_for(user=request.user, thread_id=thread_id)
        read = services.thread_mark_read(thread=thread, actor=request.user, now=timezone.now())
        return Response(ReadSerializer({"thread": thread.pk, "last_read_at": read.last_read_at}).data)


# Outside the request transaction: the audit event of a refused read must outlive the 404.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class AttachmentAPI(APIView):
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=TAGS,
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()},
            404: ApiErrorSerializer,
            409: ApiErrorSerializer,
            429: ApiErrorSerializer,
        },
        description="An attachment's bytes, for the thread's participants; every read is audited.",
    )
    def get(self, request, thread_id: int, document_id: uuid.UUID):
        try:
            thread, _subject = selectors.thread_for(user=request.user, thread_id=thread_id)
            attached = selectors.thread_attachment(thread=thread, document_id=document_id)
            data = documents.document_read(
                document=attached.document, reader=request.user, now=timezone.now(), ip=client_ip(request)
            )
        except (NotFound, documents.DocumentUnavailable, Throttled) as exc:
            return Response(error_body(exc.code, exc.message, exc.details), status=exc.http_status)
        return attachment_response(document=attached.document, data=data)


class ProviderMessagingSerializer(drf_serializers.Serializer):
    offerings = drf_serializers.ListField(
        child=drf_serializers.IntegerField(min_value=1),
        max_length=1000,
        help_text="The ids of the provider's offerings whose patients may write to it.",
    )
    quote_requests = drf_serializers.BooleanField(help_text="Patients may write about their quote requests.")
    timezone = drf_serializers.CharField(max_length=64, help_text="The office hours' IANA timezone (Europe/Paris).")
    weekdays = drf_serializers.ListField(
        child=drf_serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        max_length=7,
        help_text="Office days, 0 = Monday.",
    )
    opens_at = WallClockTimeField(help_text="Office hours start, local time (09:00).")
    closes_at = WallClockTimeField(help_text="Office hours end, local time (18:00).")


def _settings_of(provider: Provider) -> dict:
    current = getattr(provider, "messaging", None)
    if current is None:  # as the settings page offers them before the first save
        return {
            "offerings": [],
            "quote_requests": False,
            "timezone": "Europe/Paris",
            "weekdays": [0, 1, 2, 3, 4],
            "opens_at": dt.time(9),
            "closes_at": dt.time(18),
        }
    return {
        "offerings": list(current.offering_ids),
        "quote_requests": current.quote_requests,
        "timezone": current.timezone,
        "weekdays": list(current.weekdays),
        "opens_at": current.opens_at,
        "closes_at": current.closes_at,
    }


class ProviderMessagingAPI(APIView):
    """A provider's messaging settings, for its administrators (404 to anyone else, as the page)."""

    def _provider(self, request, provider_id: int) -> Provider:
        provider = Provider.objects.filter(pk=provider_id).first()
        if provider is None:
            raise NotFound(_("There is no provider with this id."))
        check = services.provider_messaging_update_check(provider=provider, actor=request.user)
        if not check.allowed:
            raise NotFound(check.reason)
        return provider

    @extend_schema(tags=TAGS, responses={200: ProviderMessagingSerializer, 404: ApiErrorSerializer})
    def get(self, request, provider_id: int):
        """Which offerings (and whether quote requests) take patients' messages, and the office hours."""
        provider = self._provider(request, provider_id)
        return Response(ProviderMessagingSerializer(_settings_of(provider)).data)

    @extend_schema(
        tags=TAGS, request=ProviderMessagingSerializer, responses={200: ProviderMessagingSerializer, **ERRORS}
    )
    def put(self, request, provider_id: int):
        """Set them all at once, as the settings page does."""
        provider = self._provider(request, provider_id)
        body = ProviderMessagingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.provider_messaging_update(
            provider=provider,
            actor=request.user,
            offering_ids=data["offerings"],
            quote_requests=data["quote_requests"],
            timezone=data["timezone"],
            weekdays=data["weekdays"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            now=timezone.now(),
        )
        provider = Provider.objects.get(pk=provider.pk)
        return Response(ProviderMessagingSerializer(_settings_of(provider)).data)
