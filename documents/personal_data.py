"""What documents holds about a person (`core.personal_data`): their medical documents (encrypted
contents, titles), whom they shared them with, and the audit of who read them.

The export gives each document's decrypted contents, read through the audited `document_read` as
their owner (so every export read is in the document's trail). Erasure shreds each document
(`documents.services.document_shred`: its own data key destroyed, its blob deleted, its grants
ended): the row stays, with nothing left to read.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import NotFound
from core.models import AuditEvent
from core.personal_data import Declaration, Kept, Subject
from documents import services
from documents.models import DocumentGrant, MedicalDocument

logger = logging.getLogger(__name__)

READ_ACTIONS = ("documents.document.read", "documents.document.read_denied", "documents.document.read_failed")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _documents_of(person: User) -> list[MedicalDocument]:
    return list(MedicalDocument.objects.filter(owner_id=person.pk).order_by("created_at", "pk"))


def export(person: User, now: dt.datetime) -> dict[str, Any]:
    documents = _documents_of(person)
    ids = [str(document.pk) for document in documents]
    grants = DocumentGrant.objects.filter(document__owner_id=person.pk).select_related("provider")
    reads = AuditEvent.objects.filter(
        target_type=MedicalDocument._meta.label_lower, target_id__in=ids, action__in=READ_ACTIONS
    ).order_by("at", "id")
    return {
        "documents": [
            {
                "id": str(document.pk),
                "title": document.title,
                "kind": document.kind,
                "size": document.size,
                "sha256": document.sha256,
                "uploaded_at": _iso(document.created_at),
                "file": f"documents/{document.pk}-{document.download_name}",
            }
            for document in documents
        ],
        "shared_with": [
            {
                "document_id": str(grant.document_id),
                "provider_id": grant.provider_id,
                "provider": grant.provider.name,
                "granted_at": _iso(grant.granted_at),
                "expires_at": _iso(grant.expires_at),
                "revoked_at": _iso(grant.revoked_at),
            }
            for grant in grants.order_by("granted_at", "pk")
        ],
        # Who read them, by role (owner, a provider through its grant, the careteam, a share link):
        # never the reader's name or address.
        "reads_of_your_documents": [
            {
                "document_id": event.target_id,
                "action": event.action.rsplit(".", 1)[-1],
                "at": _iso(event.at),
                "reader_role": (event.after or {}).get("as", "unknown" if event.actor_id else "anonymous"),
                "provider_id": (event.after or {}).get("provider"),
            }
            for event in reads.iterator()
        ],
    }


def files(person: User, now: dt.datetime) -> Iterator[tuple[str, bytes]]:
    """Each document's decrypted contents, read as its owner (audited). A document that can no
    longer be read (shredded, or its blob missing) is left out; its metadata says it existed."""
    for document in _documents_of(person):
        if document.is_shredded:
            continue
        try:
            data = services.document_read(document=document, reader=person, now=now)
        except (services.DocumentUnavailable, NotFound):
            logger.warning("export: document %s cannot be read", document.pk)
            continue
        yield f"documents/{document.pk}-{document.download_name}", data


def erase(subject: Subject, now: dt.datetime) -> None:
    """Shred each of the person's documents (idempotent: a shredded one is shredded again harmlessly)."""
    for document in MedicalDocument.objects.filter(owner_id=subject.user_id).order_by("pk"):
        services.document_shred(document=document, now=now)


def kept(person: User, now: dt.datetime) -> list[Kept]:
    if not MedicalDocument.objects.filter(owner_id=person.pk).exists():
        return []
    items = [
        Kept(
            what=_(
                "That each of your documents existed (its number, type, size and dates) and who read it when, "
                "by role; never its contents, which can no longer be read by anyone"
            ),
            why=_("The security of health data: the record of who accessed what."),
        )
    ]
    if DocumentGrant.objects.filter(document__owner_id=person.pk).exists():
        items.append(
            Kept(
                what=_("Copies that the providers you shared documents with made into their own medical records"),
                why=_(
                    "They are the controllers of their own records (kept 20 years under French law): we forward "
                    "your request to each of them and show you their answer."
                ),
            )
        )
    return items


def providers(person: User) -> list[int]:
    """The providers that hold, or held, a grant on one of the person's documents: they may have
    copied it into their own records."""
    return sorted(set(DocumentGrant.objects.filter(document__owner_id=person.pk).values_list("provider_id", flat=True)))


DECLARATION = Declaration(
    app="documents",
    models={
        "documents.MedicalDocument": gettext_lazy("Your medical documents: their titles and encrypted contents"),
        "documents.DocumentGrant": gettext_lazy("Which providers you let read which document, and until when"),
    },
    export=export,
    files=files,
    erase=erase,
    erased=gettext_lazy(
        "Your medical documents: their contents are destroyed (their keys too, so no backup can be read) "
        "and every sharing ends."
    ),
    kept=kept,
    providers=providers,
    order=200,
)
