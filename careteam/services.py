"""The board's writes: who owns a case, and notes. Careteam only, audited.

A case is any open item an app declares on the board (`core.hooks.case_items`); the board keeps
nothing else about it, so these services check the key against the items open now.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from bookings.services.common import is_careteam
from careteam.models import CaseNote, CaseOwner
from careteam.selectors import case_card, require_careteam
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Forbidden, ValidationFailed

NOTE_MAX_LENGTH = 2000


def case_assign_check(*, actor: User, owner: User | None = None) -> Check:
    """The actor may give a case to themselves or a colleague of the careteam, or take it back
    (`owner` None); without an owner named, whether the actor may assign at all."""
    if not is_careteam(actor):
        return refuse(Forbidden(_("Only the careteam can assign cases."), code="careteam_only"))
    if owner is not None and not (owner.is_active and owner.in_group(StaffGroup.CARETEAM)):
        return refuse(
            ValidationFailed(
                _("A case can only be given to a member of the careteam."),
                code="owner_not_careteam",
                details={"owner": [_("Choose a member of the careteam.")]},
            )
        )
    return ALLOWED


def case_assign(*, actor: User, key: str, owner: User | None, now: dt.datetime) -> CaseOwner | None:
    """Give the open case `key` to `owner`, or leave it with nobody (`owner` None). Running it
    again with the same owner changes nothing and records nothing."""
    case_assign_check(actor=actor, owner=owner).enforce()
    case_card(user=actor, key=key, now=now)  # NotFound unless the case is open now
    with transaction.atomic():
        if owner is None:
            found = CaseOwner.objects.select_for_update().filter(key=key).first()
            if found is None:
                return None  # nobody owned it: nothing to record
            row = found
        else:
            # The first assignment of a case creates its row: two at once meet on the unique key,
            # and get_or_create then reads (and locks) the row the other one wrote.
            row, _created = CaseOwner.objects.select_for_update().get_or_create(
                key=key, defaults={"owner": None, "assigned_by": actor, "assigned_at": now}
            )
        before = row.owner_id
        new = owner.pk if owner is not None else None
        if before == new:
            return row
        row.owner = owner
        row.assigned_by = actor
        row.assigned_at = now
        row.save(update_fields=["owner", "assigned_by", "assigned_at"])
        audit_record(
            actor=actor,
            action="careteam.case.assigned" if owner is not None else "careteam.case.unassigned",
            target=row,
            before={"key": key, "owner": before},
            after={"key": key, "owner": new},
            now=now,
        )
    return row


def case_note_add_check(*, actor: User) -> Check:
    if not is_careteam(actor):
        return refuse(Forbidden(_("Only the careteam can write notes on cases."), code="careteam_only"))
    return ALLOWED


def case_note_add(*, actor: User, key: str, text: str, now: dt.datetime) -> CaseNote:
    """Add a note to the open case `key`. The text is the careteam's own: the audit event records
    that a note was written, not what it says."""
    case_note_add_check(actor=actor).enforce()
    text = text.strip()
    if not text:
        raise ValidationFailed(
            _("Write the note first."), code="note_empty", details={"text": [_("Write the note first.")]}
        )
    if len(text) > NOTE_MAX_LENGTH:
        message = _("A note is at most %(max)s characters.") % {"max": NOTE_MAX_LENGTH}
        raise ValidationFailed(message, code="note_too_long", details={"text": [message]})
    require_careteam(actor)
    case_card(user=actor, key=key, now=now)
    with transaction.atomic():
        note = CaseNote.objects.create(key=key, author=actor, text=text, created_at=now)
        audit_record(actor=actor, action="careteam.case.note_added", target=note, after={"key": key}, now=now)
    return note
