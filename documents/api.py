"""Document endpoints: a patient's own documents and their sharing, and the download.

Another person's document is "not found", never "forbidden", so ids do not leak. The download is
open to anonymous callers on purpose: they get the same audited 404 as anyone without a right.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound, error_body
from core.http import client_ip
from core.parsers import NulFreeFormParser, NulFreeMultiPartParser
from core.serializers import ApiErrorSerializer
from core.throttling import Throttled, UserRateThrottle
from documents import services
from documents.models import CONTENT_TYPES
from documents.responses import attachment_response
from documents.selectors import document_for_read, document_of_owner, documents_of_owner
from documents.serializers import DocumentSerializer, DocumentUploadSerializer, GrantInputSerializer, GrantSerializer

TAGS = ["Medical documents"]
READ_ERRORS = {404: ApiErrorSerializer}
WRITE_ERRORS = {400: ApiErrorSerializer, 404: ApiErrorSerializer}


class DocumentListAPI(APIView):
    """My documents, newest first; upload one as multipart/form-data."""

    parser_classes = [NulFreeMultiPartParser, NulFreeFormParser]
    throttle_classes = [UserRateThrottle]  # uploads only, per patient
    throttle_scope = "document_uploads"

    @extend_schema(tags=TAGS, responses=DocumentSerializer(many=True))
    def get(self, request):
        documents = documents_of_owner(user=request.user)
        return Response(DocumentSerializer(documents, many=True, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, 400: ApiErrorSerializer, 429: ApiErrorSerializer},
    )
    def post(self, request):
        body = DocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = services.document_upload(
            owner=request.user,
            upload=body.validated_data["file"],
            title=body.validated_data["title"],
            now=timezone.now(),
        )
        return Response(DocumentSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED)


# Outside the request transaction, as the page: whatever happens after a read is audited cannot undo the event.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class DocumentDownloadAPI(APIView):
    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's own type (Accept: application/pdf) still gets JSON errors.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=TAGS,
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()},
            404: ApiErrorSerializer,
            409: ApiErrorSerializer,
            429: ApiErrorSerializer,
        },
        description=(
            "The document's bytes as an attachment, in the type read from them at upload, for its owner or a "
            "member of a provider it is shared with. Anyone else gets 404, whether or not the document exists. "
            "Every call is audited, refused ones included (repeated refusals from one address once a minute). "
            "409: the stored document cannot be opened. 429: too many refused reads from this address."
        ),
    )
    def get(self, request, document_id: uuid.UUID):
        document = document_for_read(document_id=document_id)
        try:
            data = services.document_read(
                document=document, reader=request.user, now=timezone.now(), ip=client_ip(request)
            )
        except (NotFound, services.DocumentUnavailable, Throttled) as exc:
            # Answered here rather than by the exception handler, whose set_rollback() would undo
            # the audit event of the refusal if a transaction were open.
            response = Response(error_body(exc.code, exc.message, exc.details), status=exc.http_status)
            if isinstance(exc, Throttled):
                response["Retry-After"] = str(exc.wait)
            return response
        return attachment_response(document=document, data=data)


class DocumentGrantListAPI(APIView):
    """Who may read one of my documents; share it with a verified provider."""

    @extend_schema(tags=TAGS, responses={200: GrantSerializer(many=True), **READ_ERRORS})
    def get(self, request, document_id: uuid.UUID):
        document = document_of_owner(user=request.user, document_id=document_id)
        context = {"request": request, "now": timezone.now()}
        return Response(GrantSerializer(document.grants.all(), many=True, context=context).data)

    @extend_schema(tags=TAGS, request=GrantInputSerializer, responses={201: GrantSerializer, **WRITE_ERRORS})
    def post(self, request, document_id: uuid.UUID):
        document = document_of_owner(user=request.user, document_id=document_id)
        body = GrantInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        now = timezone.now()
        grant = services.document_grant(
            document=document,
            actor=request.user,
            provider=body.validated_data["provider"],
            expires_at=body.validated_data.get("expires_at"),
            now=now,
        )
        context = {"request": request, "now": now}
        return Response(GrantSerializer(grant, context=context).data, status=status.HTTP_201_CREATED)


class DocumentGrantAPI(APIView):
    @extend_schema(tags=TAGS, responses={204: None, **READ_ERRORS})
    def delete(self, request, document_id: uuid.UUID, grant_id: int):
        """Stop sharing: the provider's members can no longer read the document. The grant stays on record."""
        document = document_of_owner(user=request.user, document_id=document_id)
        grant = document.grants.select_related("document").filter(pk=grant_id).first()
        if grant is None:
            raise NotFound(_("This document has no such sharing."))
        services.document_revoke(grant=grant, actor=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)
