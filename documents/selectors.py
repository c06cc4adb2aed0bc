"""Reads for documents, scoped to who asks. Another person's document is "not found", never "forbidden"."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import NotFound
from documents.models import DocumentGrant, MedicalDocument
from providers.models import Provider
from providers.selectors import providers_public


def documents_of_owner(*, user: User | AnonymousUser) -> QuerySet[MedicalDocument]:
    """The documents `user` uploaded and still has (not erased), newest first, with their grants
    (newest first) and providers."""
    if not user.is_authenticated:
        return MedicalDocument.objects.none()
    grants = DocumentGrant.objects.select_related("provider").order_by("-granted_at", "-id")
    return (
        MedicalDocument.objects.not_shredded().filter(owner=user).prefetch_related(Prefetch("grants", queryset=grants))
    )


def document_of_owner(*, user: User | AnonymousUser, document_id: uuid.UUID) -> MedicalDocument:
    document = documents_of_owner(user=user).filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("You have no document with this id."))
    return document


def document_for_read(*, document_id: uuid.UUID) -> MedicalDocument:
    """The document to hand to `services.document_read`, whoever asks.

    When no document has this id, an unsaved stand-in with that id is returned: the read is then
    refused and audited like any other refusal, so probing random ids leaves a trace and answers
    exactly as a document one may not read does.
    """
    return MedicalDocument.objects.filter(pk=document_id).first() or MedicalDocument(pk=document_id)


def providers_to_share_with() -> QuerySet[Provider]:
    """Providers a patient may give a document to: verified ones, by name."""
    return providers_public().order_by("name", "pk")
