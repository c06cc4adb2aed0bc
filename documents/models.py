"""Medical documents and who may read them.

The bytes live encrypted in the default storage under `documents/<stored_name>`, with the
document's own data key; the row keeps that key only wrapped by the DOCUMENT_KEYS ring
(`wrapped_key`), and what is needed to serve and check the bytes (kind, size, SHA-256 of the
plaintext). A shredded document keeps its row, with no key, no blob and a neutral title.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from providers.models import Provider

STORAGE_DIR = "documents"


class DocumentKind(models.TextChoices):
    """What the bytes are, as read from them (documents.sniff), never from the file name."""

    PDF = "pdf", _("PDF")
    JPEG = "jpeg", _("JPEG image")
    PNG = "png", _("PNG image")
    DICOM = "dicom", _("DICOM image")


CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.JPEG: "image/jpeg",
    DocumentKind.PNG: "image/png",
    DocumentKind.DICOM: "application/dicom",
}
EXTENSIONS = {DocumentKind.PDF: "pdf", DocumentKind.JPEG: "jpg", DocumentKind.PNG: "png", DocumentKind.DICOM: "dcm"}


def new_stored_name() -> str:
    return f"{uuid.uuid4().hex}.bin"


class MedicalDocumentQuerySet(models.QuerySet["MedicalDocument"]):
    def not_shredded(self) -> MedicalDocumentQuerySet:
        """Documents that still exist for their owner: an erased (shredded) one is listed nowhere."""
        return self.filter(shredded_at__isnull=True)


class MedicalDocument(models.Model):
    # A random id: the URLs of documents say nothing about how many there are or whose they are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="medical_documents")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=DocumentKind.choices)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 of the contents"), max_length=64)
    # Changes when the keys rotate (the blob is rewritten under a new name, then the old one removed).
    stored_name = models.CharField(max_length=40, unique=True, default=new_stored_name, editable=False)
    created_at = models.DateTimeField(_("uploaded at"))
    # The document's own data key, encrypted under the DOCUMENT_KEYS ring (documents.crypto). Empty
    # for a legacy document (its blob is under the ring itself, until rotate_document_keys moves it
    # to a key of its own) and for a shredded one (the key is destroyed: no copy of the blob can be
    # read any more).
    wrapped_key = models.TextField(blank=True, default="", editable=False)
    # When the document was erased (documents.services.document_shred): no key, no blob, a neutral title.
    shredded_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    objects = MedicalDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("medical document")
        verbose_name_plural = _("medical documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"

    @property
    def storage_path(self) -> str:
        return f"{STORAGE_DIR}/{self.stored_name}"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[DocumentKind(self.kind)]

    @property
    def extension(self) -> str:
        return EXTENSIONS[DocumentKind(self.kind)]

    @property
    def download_name(self) -> str:
        """The file name offered on download: ASCII letters, digits and dashes from the title, and
        the extension of the sniffed kind (never the name the file was uploaded under)."""
        stem = slugify(self.title)[:80].strip("-_") or "document"
        return f"{stem}.{self.extension}"


class DocumentGrantQuerySet(models.QuerySet["DocumentGrant"]):
    def live(self, *, now: dt.datetime) -> DocumentGrantQuerySet:
        """Grants in force at `now`: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class DocumentGrant(models.Model):
    """The patient lets the members of one provider read one document, until expiry or revocation.

    Rows are never deleted: a revoked or expired grant stays as the record of what was allowed when.
    """

    document = models.ForeignKey(MedicalDocument, on_delete=models.CASCADE, related_name="grants")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="document_grants")
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = DocumentGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["document", "provider"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("granted_at")),
                name="documents_grant_expires_after_granted",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("granted_at")),
                name="documents_grant_revoked_after_granted",
            ),
        ]
        verbose_name = _("document grant")

    def __str__(self) -> str:
        return f"{self.document_id} → {self.provider_id}"

    def is_live(self, *, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
