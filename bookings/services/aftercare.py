"""Aftercare: a booking's discharge pack and the links the patient gives their home doctor
(docs/decisions.md#discharge-pack).

1. From the first appointment's start until `PACK_WINDOW_AFTER` after completion, a member of the
   booking's provider uploads each item of the checklist (`DischargeItemKind`). The document goes
   through `documents` (type read from the bytes, encrypted, audited) and is owned by the patient;
   the provider's members read it through `document_read_rights` (`discharge_document_read_right`).
   A file of a type the item does not take is refused before anything is written.
2. The deposit of a booking that requires the pack (`discharge_pack_required`) is not released
   while an item is missing: payments' release checks ask `discharge_pack_release_check`.
3. The patient creates 7-day links, one per recipient, revocable; only the SHA-256 of the token is
   stored. Each opening is counted and audited with the link's id and the booking's, no address;
   an unknown token is "not found", a revoked or expired one "gone" (410).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from rest_framework import status

from accounts.models import User
from bookings.models import Booking, BookingStatus, DischargeItem, DischargeItemKind, PackShareLink
from bookings.notifications import notify_discharge_pack_complete, notify_pack_link_created
from bookings.services.common import first_appointment, lock_booking
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from core.share_links import (
    link_is_live,
    link_refused_audit,
    link_refused_reason,
    token_hash,
    token_looks_valid,
    token_new,
)
from documents.models import DocumentKind, MedicalDocument
from documents.services import document_read_shared, document_upload
from documents.sniff import HEAD_BYTES, sniff
from providers.models import OfferingKind, VerificationStatus
from providers.services.permissions import member_role

# How long after the booking is completed its provider may still add to the pack.
PACK_WINDOW_AFTER = dt.timedelta(days=30)
PACK_LINK_LIFETIME = dt.timedelta(days=7)
PACK_LINKS_LIVE_MAX = 10
RECIPIENT_MAX_LENGTH = 200

# What each item takes, read from the bytes: scans and photos of the implant card are fine for the
# operative report and the implant details; the other items are written documents, PDF only. No
# item takes DICOM images (they are not what a home doctor needs to read).
SCANS = frozenset({DocumentKind.PDF, DocumentKind.JPEG, DocumentKind.PNG})
PDF_ONLY = frozenset({DocumentKind.PDF})
ITEM_DOCUMENT_KINDS: dict[str, frozenset[DocumentKind]] = {
    DischargeItemKind.OPERATIVE_REPORT: SCANS,
    DischargeItemKind.IMPLANTS: SCANS,
    DischargeItemKind.DISCHARGE_INSTRUCTIONS: PDF_ONLY,
    DischargeItemKind.FOLLOW_UP: PDF_ONLY,
    DischargeItemKind.INVOICE: PDF_ONLY,
    DischargeItemKind.TRANSLATION: PDF_ONLY,
}
# The items the provider may state do not apply: no implant was used; the documents are already in
# the patient's language.
MAY_NOT_APPLY = frozenset({DischargeItemKind.IMPLANTS, DischargeItemKind.TRANSLATION})


class LinkGone(DomainError):
    """The link existed but was revoked or has expired."""

    code = "pack_link_gone"
    http_status = status.HTTP_410_GONE


# --- reading the pack ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackLine:
    """One line of the checklist: the item's kind, its current upload (if any) and what it takes."""

    kind: str
    label: str
    item: DischargeItem | None
    accepts: str
    may_not_apply: bool

    @property
    def done(self) -> bool:
        return self.item is not None


def _accepts_text(kind: str) -> str:
    return _("PDF, JPEG or PNG") if ITEM_DOCUMENT_KINDS[kind] == SCANS else _("PDF")


def discharge_pack_required(booking: Booking) -> bool:
    """Whether the deposit of `booking` waits for its complete pack: the provider's setting (the
    careteam's), for a procedure or a booking made from a quote (quotes are how procedures are
    sold); a consultation never waits."""
    if not booking.provider.discharge_pack_required:
        return False
    return booking.offering is None or booking.offering.kind == OfferingKind.PROCEDURE


def discharge_items_current(booking: Booking) -> QuerySet[DischargeItem]:
    return DischargeItem.objects.filter(booking=booking, replaced_at__isnull=True).select_related("document")


def discharge_pack(booking: Booking) -> list[PackLine]:
    """The checklist in order, each line with its current item or None."""
    current = {item.kind: item for item in discharge_items_current(booking)}
    return [
        PackLine(
            kind=kind.value,
            label=str(kind.label),
            item=current.get(kind.value),
            accepts=_accepts_text(kind.value),
            may_not_apply=kind in MAY_NOT_APPLY,
        )
        for kind in DischargeItemKind
    ]


def discharge_pack_missing(booking: Booking) -> list[str]:
    """The labels of the items not there yet, in checklist order."""
    return [line.label for line in discharge_pack(booking) if not line.done]


def discharge_pack_release_check(booking: Booking) -> Check:
    """Payments' release request and approval ask this: a booking that requires the pack is not
    released while an item is missing, with a sentence naming what is missing."""
    if not discharge_pack_required(booking):
        return ALLOWED
    missing = discharge_pack_missing(booking)
    if not missing:
        return ALLOWED
    return refuse(
        Conflict(
            _(
                "The deposit can be released once the discharge pack is complete. Missing: %(items)s. "
                "Add them on the booking's page."
            )
            % {"items": ", ".join(missing)},
            code="discharge_pack_incomplete",
            details={"missing": [line.kind for line in discharge_pack(booking) if not line.done]},
        )
    )


def discharge_document_read_right(*, document_id: Any, reader: User, now: dt.datetime) -> dict[str, Any] | None:
    """Answers `core.hooks.document_read_rights`: the members of a verified provider read the pack
    documents of their provider's bookings (the documents are the patient's)."""
    if not getattr(reader, "is_authenticated", False):
        return None
    item = (
        DischargeItem.objects.filter(
            document_id=document_id,
            booking__provider__status=VerificationStatus.VERIFIED,
            booking__provider__members__user=reader,
        )
        .order_by("pk")
        .values_list("pk", "booking_id")
        .first()
    )
    if item is None:
        return None
    return {"as": "provider", "discharge_item": item[0], "booking": item[1]}


# --- the provider adds to the pack ----------------------------------------------------------------------


def discharge_item_upload_check(*, booking: Booking, actor: Any, now: dt.datetime) -> Check:
    """May `actor` add to `booking`'s pack now: a member of its provider, the booking confirmed or
    completed, from its first appointment's start until 30 days after completion."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return refuse(Forbidden(_("Only the provider's members can add to the discharge pack.")))
    if member_role(user=actor, provider=booking.provider) is None:
        return refuse(Forbidden(_("Only the provider's members can add to the discharge pack.")))
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return refuse(
            Conflict(
                _("A booking that is %(status)s has no discharge pack.")
                % {"status": BookingStatus(booking.status).label.lower()},
                code="discharge_pack_closed",
            )
        )
    first = first_appointment(booking)
    if first is None or first.start > now:
        return refuse(
            Conflict(_("The discharge pack opens when the first appointment begins."), code="discharge_pack_too_early")
        )
    if booking.completed_at is not None and now > booking.completed_at + PACK_WINDOW_AFTER:
        return refuse(
            Conflict(
                _("The discharge pack closed %(days)d days after the booking was completed.")
                % {"days": PACK_WINDOW_AFTER.days},
                code="discharge_pack_closed",
            )
        )
    return ALLOWED


def _kind(kind: str) -> DischargeItemKind:
    if kind not in DischargeItemKind.values:
        message = _("Choose one of the items of the checklist.")
        raise ValidationFailed(message, code="invalid_item", details={"item": [message]})
    return DischargeItemKind(kind)


def _check_type(kind: DischargeItemKind, upload: IO[bytes]) -> None:
    """Refuse a file the item does not take (read from its bytes), before anything is written."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    head = upload.read(HEAD_BYTES)
    if hasattr(upload, "seek"):
        upload.seek(0)
    found = sniff(head) if head else None
    if head and found not in ITEM_DOCUMENT_KINDS[kind]:
        message = _("The %(item)s must be a %(types)s file; this file is not. Export or scan it as %(types)s.") % {
            "item": kind.label.lower(),
            "types": _accepts_text(kind),
        }
        raise ValidationFailed(message, code="wrong_document_type", details={"file": [message]})


def _replace_current(*, booking: Booking, kind: str, now: dt.datetime) -> None:
    DischargeItem.objects.filter(booking=booking, kind=kind, replaced_at__isnull=True).update(replaced_at=now)


def _was_complete(booking: Booking) -> bool:
    return not discharge_pack_missing(booking)


def _add(
    *, booking: Booking, actor: User, kind: str, document: MedicalDocument | None, now: dt.datetime
) -> DischargeItem:
    """Record the item under the booking's lock (the caller holds it), audit it, and tell the
    patient when this item completes the pack."""
    complete_before = _was_complete(booking)
    _replace_current(booking=booking, kind=kind, now=now)
    item = DischargeItem.objects.create(
        booking=booking,
        kind=kind,
        document=document,
        not_applicable=document is None,
        uploaded_by=actor,
        uploaded_at=now,
    )
    audit_record(
        actor=actor,
        action="bookings.discharge_item.added",
        target=item,
        after={"booking": booking.pk, "kind": kind, "document": str(document.pk) if document else None},
        now=now,
    )
    if not complete_before and _was_complete(booking):
        audit_record(actor=actor, action="bookings.discharge_pack.completed", target=booking, now=now)
        notify_discharge_pack_complete(booking=booking, now=now)
    return item


def discharge_item_upload(
    *, booking: Booking, actor: User, kind: str, upload: IO[bytes], title: str = "", now: dt.datetime
) -> DischargeItem:
    """A member of the provider uploads one item of the pack (replacing the current one, if any).

    The item's kind and the file's type are checked first; the document is stored through
    `documents` for the patient; nothing is written when a check fails.
    """
    item_kind = _kind(kind)
    with transaction.atomic():
        locked = lock_booking(booking)
        discharge_item_upload_check(booking=locked, actor=actor, now=now).enforce()
        _check_type(item_kind, upload)
        document = document_upload(
            owner=locked.patient,
            upload=upload,
            title=(title or "").strip()
            or _("%(item)s, booking %(number)s") % {"item": item_kind.label, "number": locked.pk},
            now=now,
        )
        return _add(booking=locked, actor=actor, kind=item_kind.value, document=document, now=now)


def discharge_item_not_applicable(*, booking: Booking, actor: User, kind: str, now: dt.datetime) -> DischargeItem:
    """A member of the provider states that an item does not apply (no implant; documents already
    in the patient's language)."""
    item_kind = _kind(kind)
    if item_kind not in MAY_NOT_APPLY:
        message = _("The %(item)s is needed for every procedure: upload it.") % {"item": item_kind.label.lower()}
        raise ValidationFailed(message, code="item_required", details={"not_applicable": [message]})
    with transaction.atomic():
        locked = lock_booking(booking)
        discharge_item_upload_check(booking=locked, actor=actor, now=now).enforce()
        return _add(booking=locked, actor=actor, kind=item_kind.value, document=None, now=now)


# --- the patient's links for their home doctor ----------------------------------------------------------


def pack_link_is_live(link: PackShareLink, *, now: dt.datetime) -> bool:
    return link_is_live(link, now=now)


def pack_links_live(*, booking: Booking, now: dt.datetime) -> QuerySet[PackShareLink]:
    return PackShareLink.objects.filter(booking=booking, revoked_at__isnull=True, expires_at__gt=now)


def pack_links_of(*, booking: Booking) -> QuerySet[PackShareLink]:
    return PackShareLink.objects.filter(booking=booking).order_by("-created_at", "-pk")


def pack_link_of(*, booking: Booking, link_id: int) -> PackShareLink:
    link = PackShareLink.objects.select_related("booking").filter(booking=booking, pk=link_id).first()
    if link is None:
        raise NotFound(_("This booking has no such link."))
    return link


def _patient_check(booking: Booking, actor: Any) -> Check:
    if actor is None or not getattr(actor, "is_authenticated", False) or booking.patient_id != actor.pk:
        return refuse(NotFound(_("You have no booking with this number.")))
    return ALLOWED


def pack_link_create_check(*, booking: Booking, actor: Any, now: dt.datetime) -> Check:
    """The patient sends the pack to their doctor: once a document is in it, ten live links at most."""
    found = _patient_check(booking, actor)
    if not found:
        return found
    if not discharge_items_current(booking).filter(document__isnull=False).exists():
        return refuse(
            Conflict(
                _("Your discharge pack has no document yet: you can send it once your provider adds one."),
                code="discharge_pack_empty",
            )
        )
    if pack_links_live(booking=booking, now=now).count() >= PACK_LINKS_LIVE_MAX:
        return refuse(
            Conflict(
                _("You have %(max)d links in force: revoke one you no longer need before making another.")
                % {"max": PACK_LINKS_LIVE_MAX},
                code="pack_link_limit",
            )
        )
    return ALLOWED


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


def _clean_recipient(recipient: str, email: str) -> tuple[str, str]:
    recipient = " ".join((recipient or "").split())
    email = (email or "").strip()
    if not recipient:
        raise _invalid("recipient", _("Say who the link is for, such as “Dr Dupont, my family doctor”."))
    if len(recipient) > RECIPIENT_MAX_LENGTH:
        raise _invalid("recipient", _("Keep it to %(max)d characters.") % {"max": RECIPIENT_MAX_LENGTH}, "too_long")
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise _invalid("email", _("Enter a valid e-mail address, or leave it empty.")) from None
    return recipient, email


@transaction.atomic
def pack_link_create(
    *, booking: Booking, actor: User, recipient: str, email: str = "", now: dt.datetime
) -> tuple[PackShareLink, str]:
    """A 7-day link to the pack for one recipient (and, given an address, e-mailed to them). Returns
    the link and its token, which is stored nowhere: show it now, it cannot be shown again."""
    _patient_check(booking, actor).enforce()
    recipient, email = _clean_recipient(recipient, email)
    locked = lock_booking(booking)  # one count of live links at a time
    pack_link_create_check(booking=locked, actor=actor, now=now).enforce()
    live = pack_links_live(booking=locked, now=now)
    if live.filter(recipient__iexact=recipient).exists() or (email and live.filter(email__iexact=email).exists()):
        raise Conflict(
            _("This person already has a link in force: revoke it first to send a new one."),
            code="pack_link_exists",
            details={"recipient": [_("This person already has a link in force.")]},
        )
    token, hashed = token_new()
    link = PackShareLink.objects.create(
        booking=locked,
        token_hash=hashed,
        recipient=recipient,
        email=email,
        created_at=now,
        expires_at=now + PACK_LINK_LIFETIME,
    )
    audit_record(
        actor=actor,
        action="bookings.pack_link.created",
        target=link,
        after={"booking": locked.pk, "expires_at": link.expires_at.isoformat(), "emailed": bool(email)},
        now=now,
    )
    if email:
        notify_pack_link_created(link=link, token=token, now=now)
    return link, token


def pack_link_revoke_check(*, link: PackShareLink, actor: Any, now: dt.datetime) -> Check:
    return first_refusal(
        _patient_check(link.booking, actor),
        ALLOWED
        if pack_link_is_live(link, now=now)
        else refuse(Conflict(_("This link no longer works."), code="pack_link_ended")),
    )


@transaction.atomic
def pack_link_revoke(*, link: PackShareLink, actor: User, now: dt.datetime) -> PackShareLink:
    """The patient ends a link now; revoking a revoked or expired link changes nothing."""
    _patient_check(link.booking, actor).enforce()
    locked = PackShareLink.objects.select_for_update().get(pk=link.pk)
    if not pack_link_is_live(locked, now=now):
        return locked
    locked.revoked_at = now
    locked.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="bookings.pack_link.revoked", target=locked, after={"booking": locked.booking_id}, now=now
    )
    return locked


def pack_link_open(*, token: str, ip: str, now: dt.datetime) -> tuple[PackShareLink, list[PackLine]]:
    """The pack behind a live link; each opening is counted and audited (the link and the booking,
    never the token or an address). Unknown: NotFound; revoked or expired: LinkGone (410).

    Not atomic as a whole on purpose: the event of a refusal must outlive the error (the page is a
    `non_atomic_requests` view)."""
    link = None
    if token_looks_valid(token):
        link = PackShareLink.objects.select_related("booking__provider").filter(token_hash=token_hash(token)).first()
    refused = "unknown" if link is None else link_refused_reason(link, now=now)
    if refused:
        # The address keys the count of probes; the event does not hold it.
        link_refused_audit(
            action="bookings.pack_link.refused", link=link, model=PackShareLink, reason=refused, ip=ip, now=now
        )
    if link is None:
        raise NotFound(_("This link does not work. Check that it was copied whole, or ask the patient for a new one."))
    if refused:
        raise LinkGone(_("This link has ended: it was revoked or its 7 days are over. Ask the patient for a new one."))
    with transaction.atomic():
        PackShareLink.objects.filter(pk=link.pk).update(opened_count=F("opened_count") + 1)
        audit_record(
            actor=None,
            action="bookings.pack_link.opened",
            target=link,
            after={"link": link.pk, "booking": link.booking_id},
            now=now,
        )
    link.refresh_from_db(fields=["opened_count"])
    lines = [line for line in discharge_pack(link.booking) if line.item is not None]
    return link, lines


def pack_link_document(*, token: str, item_id: int, ip: str, now: dt.datetime) -> tuple[MedicalDocument, bytes]:
    """One document of the pack behind a live link: opened as `pack_link_open` (counted, audited),
    then read from `documents` in the link's name (its own "read" event, `as: share_link`)."""
    link, lines = pack_link_open(token=token, ip=ip, now=now)
    item = next((line.item for line in lines if line.item is not None and line.item.pk == item_id), None)
    if item is None or item.document is None:
        raise NotFound(_("This pack has no such document."))
    data = document_read_shared(
        document=item.document,
        via={"link": link.pk, "booking": link.booking_id, "discharge_item": item.pk},
        ip="",
        now=now,
    )
    return item.document, data
