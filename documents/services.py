"""Writes for medical documents: upload, sharing with providers, audited reads, key rotation, shredding.

Every upload, read, refused read and failed read writes one audit event. Events name the document
by id and never carry its title or contents (a title may well name a diagnosis).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from accounts.services import consent_required_check
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, NotFound, ValidationFailed
from core.hooks import document_read_rights
from core.throttling import throttle_hit
from documents import crypto
from documents.models import DocumentGrant, MedicalDocument, new_stored_name
from documents.sniff import HEAD_BYTES, sniff
from providers.models import Provider, VerificationStatus

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200


class DocumentUnavailable(Conflict):
    """The reader may read the document, but its stored bytes cannot be opened or do not match."""

    code = "document_unavailable"


class DocumentErased(DocumentUnavailable):
    """The document was erased (crypto-shredded): its key and its bytes are gone for good."""

    code = "document_erased"


class _IntegrityMismatch(Exception):
    """The decrypted bytes are not the ones uploaded (their SHA-256 differs)."""


class _StorageUnreachable(OSError):
    """The storage answered with an error of its own (a remote bucket's client error, a timeout)."""


class _Shredded(Exception):
    """The document was shredded: no key, no bytes."""


# --- upload -----------------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    """The title as shown: control and invisible formatting characters (such as a right-to-left
    override that disguises "fdp.exe") become spaces, runs of spaces one."""
    text = unicodedata.normalize("NFC", title or "")
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf"} else ch for ch in text)
    return " ".join(text.split())[:TITLE_MAX_LENGTH]


def _too_large() -> ValidationFailed:
    message = _("This file is larger than %(limit)s: send a smaller file, or split it into several.") % {
        "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)
    }
    return ValidationFailed(message, code="too_large", details={"file": [message]})


def _read_upload(upload: IO[bytes]) -> bytes:
    """All the bytes of `upload`, refusing before reading them all when it is over the limit."""
    limit = settings.DOCUMENT_MAX_BYTES
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _too_large()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)  # never trust `size` alone: read at most one byte past the limit
    if len(data) > limit:
        raise _too_large()
    if not data:
        message = _("This file is empty: choose the file again.")
        raise ValidationFailed(message, code="empty_file", details={"file": [message]})
    return data


def _storage_unavailable() -> DocumentUnavailable:
    return DocumentUnavailable(
        _("Documents cannot be stored at the moment. Nothing was saved; please try again in a few minutes."),
        code="storage_unavailable",
    )


def _write_blob(path: str, token: bytes) -> None:
    try:
        saved = default_storage.save(path, ContentFile(token))
    except Exception as exc:
        # The disk, or a remote bucket (whose client raises errors of its own, not OSError).
        logger.error("a document blob could not be written: %s", type(exc).__name__)
        raise _storage_unavailable() from exc
    if saved != path:  # the name is a fresh uuid4: a clash means the storage is not what we think
        default_storage.delete(saved)
        raise RuntimeError(f"the storage renamed {path!r} to {saved!r}")


def document_upload(*, owner: User, upload: IO[bytes], title: str, now: dt.datetime) -> MedicalDocument:
    """Check and store a document for `owner`, encrypted with a data key of its own.

    1. The title is cleaned; the size is checked against DOCUMENT_MAX_BYTES.
    2. The type is read from the first bytes (documents.sniff); the file's name plays no part.
    3. The bytes are encrypted with a fresh random data key and written under a fresh random name;
       then the row, holding the data key wrapped under the newest key of DOCUMENT_KEYS, and the
       audit event are written. Nothing is written when a check fails; the blob is removed if the
       row cannot be.
    """
    clean_title = _clean_title(title)
    if not clean_title:
        message = _("Give the document a title, such as “Blood test, March 2025”.")
        raise ValidationFailed(message, details={"title": [message]})
    data = _read_upload(upload)
    kind = sniff(data[:HEAD_BYTES])
    if kind is None:
        message = _(
            "This file is not a PDF, JPEG, PNG or DICOM file. The type is read from the file's contents, "
            "not its name: export or scan the document to one of these formats."
        )
        raise ValidationFailed(message, code="unsupported_type", details={"file": [message]})
    document = MedicalDocument(
        owner=owner,
        title=clean_title,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_name=new_stored_name(),
        created_at=now,
    )
    data_key = crypto.new_data_key()
    document.wrapped_key = crypto.wrap_key(data_key)
    _write_blob(document.storage_path, crypto.encrypt_with(data_key, data))
    try:
        with transaction.atomic():
            document.save(force_insert=True)
            audit_record(
                actor=owner,
                action="documents.document.uploaded",
                target=document,
                after={"kind": kind.value, "size": document.size},
                now=now,
            )
    except BaseException:
        default_storage.delete(document.storage_path)
        raise
    return document


# --- sharing ------------------------------------------------------------------------------------------


def _owner_check(*, document: MedicalDocument, actor: User | AnonymousUser) -> Check:
    if not actor.is_authenticated or document.owner_id != actor.pk:
        return refuse(NotFound(_("You have no document with this id.")))
    return ALLOWED


def document_grant_check(
    *, document: MedicalDocument, actor: User | AnonymousUser, provider: Provider | None = None
) -> Check:
    """The owner shares a document, with verified providers only. Without `provider`: whether
    `actor` may share `document` at all (the page's "Share" form, the API's `share` action)."""
    owner = _owner_check(document=document, actor=actor)
    if not owner:
        return owner
    if document.is_shredded:
        return refuse(DocumentErased(_("This document was erased: it can no longer be shared.")))
    if provider is None:
        return owner
    # A withdrawn health-data consent stops new sharing (grants already given stay until they end).
    consent = consent_required_check(user=document.owner)
    if not consent or provider is None:
        return consent
    if not provider.is_verified:
        message = _("Documents can be shared with verified providers only.")
        return refuse(ValidationFailed(message, code="provider_not_verified", details={"provider": [message]}))
    return ALLOWED


@transaction.atomic
def document_grant(
    *,
    document: MedicalDocument,
    actor: User,
    provider: Provider,
    now: dt.datetime,
    expires_at: dt.datetime | None = None,
) -> DocumentGrant:
    """The owner lets the members of a verified `provider` read `document` until `expires_at` (or revocation).

    Granting again what is already granted changes nothing; granting with another expiry replaces
    the grant in force (it is revoked, a new one recorded).
    """
    document_grant_check(document=document, actor=actor, provider=provider).enforce()
    if expires_at is not None and expires_at <= now:
        message = _("The end of access must be in the future.")
        raise ValidationFailed(message, details={"expires_at": [message]})
    # One grant decision at a time per document: two tabs granting at once record one grant.
    MedicalDocument.objects.select_for_update().filter(pk=document.pk).values_list("pk", flat=True).first()
    current = DocumentGrant.objects.live(now=now).filter(document=document, provider=provider).first()
    if current is not None:
        if current.expires_at == expires_at:
            return current  # already so: nothing to record
        _revoke(grant=current, actor=actor, now=now, reason="replaced")
    grant = DocumentGrant.objects.create(document=document, provider=provider, granted_at=now, expires_at=expires_at)
    audit_record(
        actor=actor,
        action="documents.grant.created",
        target=grant,
        after={
            "document": str(document.pk),
            "provider": provider.pk,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        now=now,
    )
    return grant


def _revoke(*, grant: DocumentGrant, actor: User | None, now: dt.datetime, reason: str) -> None:
    grant.revoked_at = now
    grant.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="documents.grant.revoked",
        target=grant,
        after={"document": str(grant.document_id), "provider": grant.provider_id, "reason": reason},
        now=now,
    )


@transaction.atomic
def document_grants_end(*, grants: list[DocumentGrant], reason: str, now: dt.datetime) -> int:
    """End these grants for a reason of the platform's (the quote request they served closed).

    Grants already revoked are left alone; returns how many this call ended. The audit events
    name no actor: the rule acted, not a person.
    """
    ended = 0
    for grant in DocumentGrant.objects.select_for_update().filter(pk__in=[g.pk for g in grants]).order_by("pk"):
        if grant.revoked_at is None:
            _revoke(grant=grant, actor=None, now=now, reason=reason)
            ended += 1
    return ended


def document_revoke_check(*, grant: DocumentGrant, actor: User | AnonymousUser, now: dt.datetime) -> Check:
    """The owner stops a sharing that is in force.

    A grant that has ended is not offered for revoking. The service still accepts it, as it
    always has: revoking a revoked grant changes nothing, and an expired one is marked revoked.
    """
    owner = _owner_check(document=grant.document, actor=actor)
    if not owner:
        return owner
    if not grant.is_live(now=now):
        return refuse(Conflict(_("This sharing has already ended."), code="grant_ended"))
    return ALLOWED


@transaction.atomic
def document_revoke(*, grant: DocumentGrant, actor: User, now: dt.datetime) -> DocumentGrant:
    """The owner ends a grant now. Revoking a revoked grant changes nothing."""
    # The owner rule of document_revoke_check; a grant that has ended is not refused (see there).
    _owner_check(document=grant.document, actor=actor).enforce()
    locked = DocumentGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.revoked_at is not None:
        return locked
    _revoke(grant=locked, actor=actor, now=now, reason="revoked")
    return locked


# --- reading ------------------------------------------------------------------------------------------


def _read_right(*, document: MedicalDocument, reader: User | AnonymousUser, now: dt.datetime) -> dict[str, Any] | None:
    """How `reader` may read `document` (recorded in the audit event), or None."""
    if not reader.is_authenticated:
        return None
    if document.owner_id == reader.pk:
        return {"as": "owner"}
    grant = (
        DocumentGrant.objects.live(now=now)
        .filter(document_id=document.pk, provider__status=VerificationStatus.VERIFIED, provider__members__user=reader)
        .order_by("pk")
        .first()
    )
    if grant is not None:
        return {"as": "provider", "provider": grant.provider_id, "grant": grant.pk}
    if reader.in_group(StaffGroup.CARETEAM):
        # The careteam reviews the certificates sent to prove a legitimate reason for cancelling.
        # Looked up by name: bookings depends on documents, not the other way round.
        evidence = (
            apps.get_model("bookings", "CancellationEvidence")
            .objects.filter(document_id=document.pk)
            .values_list("pk", "booking_id")
            .first()
        )
        if evidence is not None:
            return {"as": "careteam", "evidence": evidence[0], "booking": evidence[1]}
    for receiver in document_read_rights:
        right = receiver(document_id=document.pk, reader=reader, now=now)
        if right is not None:
            return dict(right)
    return None


def _read_blob(path: str) -> bytes:
    try:
        with default_storage.open(path, "rb") as blob:
            data: bytes = blob.read()  # opened "rb": bytes
            return data
    except OSError:
        raise
    except Exception as exc:
        # A remote bucket's client raises errors of its own (botocore's): treated as the disk's.
        raise _StorageUnreachable(type(exc).__name__) from exc


def _decrypt_blob(document: MedicalDocument, token: bytes) -> bytes:
    """The plaintext of `token`: with the document's own data key, or with the ring for a legacy
    document (no wrapped key yet); checked against the SHA-256 taken at upload."""
    if document.wrapped_key:
        data = crypto.decrypt_with(crypto.unwrap_key(document.wrapped_key), token)
    else:
        data = crypto.decrypt(token)
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise _IntegrityMismatch
    return data


def _plaintext(document: MedicalDocument) -> bytes:
    """Decrypt the stored bytes and check them against the SHA-256 taken at upload."""
    try:
        token = _read_blob(document.storage_path)
    except FileNotFoundError:
        # A key rotation may have just moved the blob to a new name (with a key of its own), or the
        # document may have just been shredded: read the row again, once.
        document.refresh_from_db(fields=["stored_name", "wrapped_key", "shredded_at"])
        if document.is_shredded:
            raise _Shredded from None
        token = _read_blob(document.storage_path)
    return _decrypt_blob(document, token)


def _audit_refused_read(*, document: MedicalDocument, reader: User | AnonymousUser, ip: str, now: dt.datetime) -> None:
    """Audit a refused read, and count it against the client's address (document_probes).

    A probe of an id no document has is audited at most once per client address per minute: a
    script trying random ids must not fill the append-only trail, and one event a minute with the
    address is enough to see it and block it. A refused read of a document that exists is audited
    every time, whoever asks: that document's trail stays complete
    (docs/decisions.md#anonymous-document-probes). Past the `document_probes` rate of refusals the
    address gets `throttled` (the refusal that crossed it is still audited).
    """
    probe = document._state.adding  # the stand-in of selectors.document_for_read: no such document
    minute = int(now.timestamp() // 60)
    if not probe or cache.add(f"documents:probe-audited:{ip or 'unknown'}:{minute}", 1, timeout=61):
        audit_record(actor=reader, action="documents.document.read_denied", target=document, now=now, ip=ip)
    throttle_hit(scope="document_probes", key=ip or "unknown")


def document_read(*, document: MedicalDocument, reader: User | AnonymousUser, now: dt.datetime, ip: str = "") -> bytes:
    """The plaintext of `document`, for its owner, a member of a provider holding a live grant, or
    the careteam when the document was sent as evidence for a cancellation.

    Anyone else gets NotFound, whether or not the document exists, or `core.throttling.Throttled`
    once their address has been refused too often. Each call writes one audit event, with the
    client's address `ip`: "read", "read_denied" or "read_failed" (stored bytes missing, altered,
    or under a key no longer in DOCUMENT_KEYS: DocumentUnavailable) — except repeated probes,
    audited once a minute per address (`_audit_refused_read`).

    Not atomic on purpose, and callers must not run it inside a transaction that the refusal rolls
    back (the page and API views are `non_atomic_requests`): the event of a refused read has to stay.
    """
    right = _read_right(document=document, reader=reader, now=now)
    if right is None:
        _audit_refused_read(document=document, reader=reader, ip=ip, now=now)
        raise NotFound(_("No document you may read has this id."))
    return _read_audited(document=document, actor=reader, right=right, ip=ip, now=now)


def _read_audited(
    *, document: MedicalDocument, actor: User | AnonymousUser | None, right: dict[str, Any], ip: str, now: dt.datetime
) -> bytes:
    """Decrypt `document` for a reader whose `right` was checked, and audit the read ("read", or
    "read_failed" with DocumentUnavailable when the stored bytes cannot be opened, DocumentErased
    when the document was shredded)."""
    try:
        if document.is_shredded:
            raise _Shredded
        data = _plaintext(document)
    except _Shredded:
        audit_record(
            actor=actor,
            action="documents.document.read_failed",
            target=document,
            after={**right, "error": "Shredded"},
            now=now,
            ip=ip,
        )
        raise DocumentErased(
            _("This document was erased at its owner's request: it can no longer be opened by anyone.")
        ) from None
    except (crypto.UndecryptableError, _IntegrityMismatch, OSError) as exc:
        logger.error("document %s cannot be read: %s", document.pk, type(exc).__name__)
        audit_record(
            actor=actor,
            action="documents.document.read_failed",
            target=document,
            after={**right, "error": type(exc).__name__},
            now=now,
            ip=ip,
        )
        raise DocumentUnavailable(
            _("This document cannot be opened at the moment. Our team has been told; please try again later."),
        ) from exc
    audit_record(actor=actor, action="documents.document.read", target=document, after=right, now=now, ip=ip)
    return data


def document_read_shared(*, document: MedicalDocument, via: dict[str, Any], ip: str, now: dt.datetime) -> bytes:
    """The plaintext of `document` for a caller that has checked its own right to it, with no
    signed-in reader: a live second-opinion share link opened by the patient's own doctor.

    It checks no right itself. The "read" event names no actor and records `via` (what the
    caller checked, e.g. `{"link": 12, "case": 3}`) after `"as": "share_link"`, with the client's
    address; stored bytes that cannot be opened are audited as "read_failed" and raise
    DocumentUnavailable, as `document_read` does.
    """
    return _read_audited(document=document, actor=None, right={"as": "share_link", **via}, ip=ip, now=now)


# --- key rotation ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RotationReport:
    migrated: int  # legacy documents (under the ring itself) moved to a data key of their own by this run
    rotated: int  # data keys re-wrapped under the newest key by this run (their blobs left as they are)
    current: int  # already with a data key wrapped under the newest key: left alone
    failed: int  # could not be read with any key in the ring, or did not match their SHA-256

    @property
    def total(self) -> int:
        return self.migrated + self.rotated + self.current + self.failed


def _migrate_legacy(document: MedicalDocument, *, now: dt.datetime) -> str:
    """Move a legacy document (its blob under the ring itself) to a data key of its own: the blob is
    rewritten under a new name, then the row switched to it and the old blob removed."""
    old_path = document.storage_path
    try:
        try:
            token = _read_blob(old_path)
        except FileNotFoundError:
            # Another run may have just moved it (or it was shredded): carry on from the row as it is now.
            fresh = MedicalDocument.objects.filter(pk=document.pk).first()
            if fresh is None:
                return "current"
            if fresh.stored_name != document.stored_name or fresh.wrapped_key or fresh.is_shredded:
                return _rotate_one(fresh, now=now)
            raise
        data = crypto.decrypt(token)
        if hashlib.sha256(data).hexdigest() != document.sha256:
            raise _IntegrityMismatch
    except (crypto.UndecryptableError, _IntegrityMismatch, OSError) as exc:
        logger.error("document %s cannot be moved to its own key: %s", document.pk, type(exc).__name__)
        return "failed"
    # A new blob under a new name, then the row switched to it: a crash at any point leaves the row
    # pointing at a complete blob it can open (at worst an unreferenced one is left behind).
    data_key = crypto.new_data_key()
    new_name = new_stored_name()
    new_path = f"{old_path.rsplit('/', 1)[0]}/{new_name}"
    try:
        _write_blob(new_path, crypto.encrypt_with(data_key, data))
    except DocumentUnavailable:
        return "failed"  # the storage refused the write (logged); the row still points at the legacy blob
    with transaction.atomic():
        switched = MedicalDocument.objects.filter(
            pk=document.pk, stored_name=document.stored_name, wrapped_key="", shredded_at__isnull=True
        ).update(stored_name=new_name, wrapped_key=crypto.wrap_key(data_key))
        if switched != 1:  # another run got there first, or the document was shredded or is gone
            transaction.on_commit(lambda: default_storage.delete(new_path))
            return "current"
        audit_record(
            actor=None, action="documents.document.rekeyed", target=document, after={"how": "own_key"}, now=now
        )
        transaction.on_commit(lambda: default_storage.delete(old_path))
    return "migrated"


def _rewrap(document: MedicalDocument, *, now: dt.datetime) -> str:
    """Wrap the document's data key under the newest key of the ring; the blob is not touched."""
    if crypto.is_under_newest_key(document.wrapped_key.encode("ascii")):
        return "current"
    try:
        data_key = crypto.unwrap_key(document.wrapped_key)
    except crypto.UndecryptableError:
        logger.error("document %s: its data key cannot be unwrapped with any key in the ring", document.pk)
        return "failed"
    with transaction.atomic():
        switched = MedicalDocument.objects.filter(
            pk=document.pk, wrapped_key=document.wrapped_key, shredded_at__isnull=True
        ).update(wrapped_key=crypto.wrap_key(data_key))
        if switched != 1:  # another run re-wrapped it first, or it was shredded
            return "current"
        audit_record(
            actor=None, action="documents.document.rekeyed", target=document, after={"how": "rewrapped"}, now=now
        )
    return "rotated"


def _rotate_one(document: MedicalDocument, *, now: dt.datetime) -> str:
    if document.is_shredded:
        return "current"  # nothing left to rotate
    if not document.wrapped_key:
        return _migrate_legacy(document, now=now)
    return _rewrap(document, now=now)


def documents_rotate(*, now: dt.datetime, batch_size: int = 100) -> RotationReport:
    """Bring every document under the newest key in DOCUMENT_KEYS.

    A legacy document (its blob encrypted with the ring itself, from before per-document keys) gets
    a data key of its own: its blob is rewritten under a new name. Any other document only has its
    data key re-wrapped under the newest key; its blob stays as it is. Shredded documents are left
    alone (they have no key left).

    Safe to run again, or after being stopped half-way: documents already done are left alone, so a
    second run reports them all as current. Once it reports no failure, the older keys can be
    removed from DOCUMENT_KEYS.
    """
    counts = {"migrated": 0, "rotated": 0, "current": 0, "failed": 0}
    ids = list(MedicalDocument.objects.filter(shredded_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        for document in MedicalDocument.objects.filter(pk__in=ids[start : start + batch_size]).order_by("pk"):
            counts[_rotate_one(document, now=now)] += 1
    return RotationReport(**counts)


# --- shredding ---------------------------------------------------------------------------------------------


def _delete_blob(path: str) -> None:
    try:
        default_storage.delete(path)
    except Exception as exc:
        # The disk, or a remote bucket's own errors. The key is already destroyed, so the blob can
        # no longer be read; shredding again deletes it.
        logger.error("the blob of a shredded document could not be deleted yet: %s (%s)", path, type(exc).__name__)


def document_shred(*, document: MedicalDocument, now: dt.datetime) -> None:
    """Erase `document` for good (crypto-shredding), as the erasure of its owner asks.

    Its data key is destroyed (the wrapped key emptied), so no copy of its blob, backups included,
    can be decrypted any more; its blob is deleted from the storage once that is committed; its
    title becomes a neutral text and its SHA-256 is forgotten; the grants still in force end
    (reason "erased"); one audit event `documents.document.shredded` names it by id. The row stays,
    so the audit trail and the records pointing at it keep their ids.

    Idempotent and safe to run again after being interrupted: a second call changes nothing in the
    database and deletes the blob again (in case the first call stopped before it could).
    A legacy document (no data key of its own yet) is shredded too, but a backup of its blob stays
    readable with the ring: `rotate_document_keys` moves every document to a key of its own.
    """
    with transaction.atomic():
        locked = MedicalDocument.objects.select_for_update().get(pk=document.pk)
        path = locked.storage_path
        if locked.shredded_at is None:
            locked.wrapped_key = ""
            locked.title = _("Erased document")
            locked.sha256 = ""
            locked.shredded_at = now
            locked.save(update_fields=["wrapped_key", "title", "sha256", "shredded_at"])
            grants = list(DocumentGrant.objects.live(now=now).filter(document=locked).order_by("pk"))
            for grant in grants:
                _revoke(grant=grant, actor=None, now=now, reason="erased")
            audit_record(
                actor=None,
                action="documents.document.shredded",
                target=locked,
                after={"grants_ended": [grant.pk for grant in grants]},
                now=now,
            )
        transaction.on_commit(lambda: _delete_blob(path))
    for field in ("wrapped_key", "title", "sha256", "shredded_at"):
        setattr(document, field, getattr(locked, field))
