"""Cancelling a booking under its policy, and the evidence of a legitimate reason.

The decision comes from `bookings.policy.decide` with the policy version the booking was sold
under, its first appointment (a calendar date in the provider's timezone) and its payment date.
The amounts are recorded here; giving the refund back is the payments app's job.

A legitimate reason (docs/decisions.md#cancellation-rules) leaves the decision pending: the patient has
`EVIDENCE_WINDOW` (14 days) after cancelling to send a certificate, the careteam accepts (whole
deposit refunded) or rejects it. Without accepted evidence by then, the ordinary rules apply
(`booking_apply_evidence_deadlines`). Evidence sent in time and still awaiting review is left to
the careteam: the terms' condition is that the certificate reaches us in time, not that we read it
in time.

Each action a page offers has its check (`booking_cancel_check`, `booking_evidence_send_check`,
`booking_evidence_review_check`), which the service enforces under the booking's lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bookings import policy
from bookings.models import (
    EVIDENCE_REVIEW_TRANSITIONS,
    Booking,
    BookingStatus,
    CancellationEvidence,
    EvidenceReview,
    EvidenceStatus,
)
from bookings.notifications import notify_booking_cancelled
from bookings.policy import EVIDENCE_WINDOW
from bookings.services.common import BOOKING, EVIDENCE, free_time, is_careteam, lock_booking
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, ValidationFailed
from core.hooks import booking_changed
from core.money import Money
from core.state import Machine, transition, transition_check
from core.when import when_text
from documents.models import MedicalDocument

NOT_PAID_RULE = "not_paid"


def _reason(value: policy.Reason | str) -> policy.Reason:
    try:
        return policy.Reason(value)
    except ValueError:
        message = _("Choose one of the reasons offered.")
        raise ValidationFailed(message, code="invalid_reason", details={"reason": [message]}) from None


def decision_for(
    booking: Booking,
    *,
    cancelled_at: dt.datetime,
    reason: policy.Reason = policy.Reason.NONE,
    evidence: policy.Evidence = policy.Evidence.NONE,
    no_show: bool = False,
) -> policy.Decision:
    """What the policy decides for this paid booking (first appointment, payment date, version)."""
    first = booking.appointments.order_by("start").first()
    if first is None or booking.paid_at is None:
        raise Conflict(
            _("Only a paid booking with an appointment has a cancellation decision."),
            code="invalid_transition",
            details={"booking": booking.pk},
        )
    tz = booking.tz
    return policy.decide(
        policy=booking.cancellation_policy.terms,
        deposit=booking.deposit,
        first_appointment=first.start.astimezone(tz).date(),
        tz=tz,
        paid_at=booking.paid_at,
        cancelled_at=cancelled_at,
        reason=reason,
        evidence=evidence,
        no_show=no_show,
    )


def decision_fields(decision: policy.Decision) -> dict[str, Any]:
    return {
        "cancellation_fee": decision.fee.amount,
        "cancellation_refund": decision.refund.amount,
        "cancellation_rule": str(decision.rule),
        "cancellation_explanation": decision.explanation,
        "cancellation_final": decision.final,
    }


def _decision_audit(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "fee": fields["cancellation_fee"],
        "refund": fields["cancellation_refund"],
        "rule": fields["cancellation_rule"],
        "final": fields["cancellation_final"],
    }


# --- cancelling -----------------------------------------------------------------------------------


def _cancel_actor(*, booking: Booking, actor: User | AnonymousUser | None) -> Check:
    if actor is None or (actor.pk != booking.patient_id and not is_careteam(actor)):
        return refuse(Forbidden(_("Only the patient or the careteam can cancel this booking.")))
    return ALLOWED


def _cancel_state(booking: Booking) -> Check:
    messages: dict[str, tuple[str, str]] = {
        BookingStatus.CANCELLED: (_("This booking is already cancelled."), "already_cancelled"),
        BookingStatus.COMPLETED: (
            _("This booking is completed: its appointments took place and it can no longer be cancelled."),
            "booking_completed",
        ),
        BookingStatus.NO_SHOW: (
            _("This booking was closed as a no-show and can no longer be cancelled."),
            "booking_no_show",
        ),
        BookingStatus.EXPIRED: (_("This booking expired and has nothing left to cancel."), "booking_expired"),
    }
    if booking.status in messages:
        message, code = messages[booking.status]
        return refuse(Conflict(message, code=code, details={"booking": booking.pk}))
    return Check(transition_check(machine=BOOKING, instance=booking, target=BookingStatus.CANCELLED))


def booking_cancel_check(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Check:
    """May `actor` cancel `booking` now? Its patient or the careteam may, while it is held, awaiting
    its deposit or confirmed; a completed, no-show, expired or cancelled booking cannot be."""
    return first_refusal(_cancel_actor(booking=booking, actor=actor), _cancel_state(booking))


@dataclass(frozen=True)
class CancelQuote:
    """What cancelling now, for no particular reason, would keep and refund: shown before the button."""

    fee: Money
    refund: Money
    explanation: str
    paid: bool


def booking_cancel_quote(*, booking: Booking, now: dt.datetime) -> CancelQuote:
    """The amounts `booking_cancel` would record if the patient cancelled `booking` at `now` for no
    particular reason: the policy's decision for a paid booking, nothing for an unpaid one."""
    if booking.paid_at is None:
        zero = Money(0, booking.currency)
        return CancelQuote(
            zero, zero, _("The deposit was not paid: nothing is kept and nothing is refunded."), paid=False
        )
    decision = decision_for(booking, cancelled_at=now, reason=policy.Reason.NONE)
    return CancelQuote(decision.fee, decision.refund, decision.explanation, paid=True)


def booking_cancel(*, booking: Booking, actor: User, reason: policy.Reason | str, now: dt.datetime) -> Booking:
    """The patient (or the careteam for them) cancels `booking` at `now` for `reason`.

    1. Refuse what `booking_cancel_check` refuses (Forbidden, or Conflict for a booking that is
       completed, closed, expired or already cancelled).
    2. Unpaid (held or awaiting its deposit): nothing is kept or refunded.
    3. Paid: record the policy's decision. A legitimate reason leaves it pending until evidence
       is accepted (`EVIDENCE_WINDOW` to send it); the amounts recorded are then those of the
       ordinary rules, which apply if the evidence is not accepted.
    4. The appointments free their time.
    """
    reason = _reason(reason)
    with transaction.atomic():
        locked = lock_booking(booking)
        booking_cancel_check(booking=locked, actor=actor, now=now).enforce()
        legitimate = reason in policy.LEGITIMATE_REASONS
        if locked.paid_at is None:
            fields: dict[str, Any] = {
                "cancellation_fee": 0,
                "cancellation_refund": 0,
                "cancellation_rule": NOT_PAID_RULE,
                "cancellation_explanation": _("The deposit was not paid: nothing is kept and nothing is refunded."),
                "cancellation_final": True,
            }
            legitimate = False
        else:
            evidence = policy.Evidence.PENDING if legitimate else policy.Evidence.NONE
            fields = decision_fields(decision_for(locked, cancelled_at=now, reason=reason, evidence=evidence))
        fields.update(
            {
                "cancelled_at": now,
                "cancelled_by": actor,
                "cancellation_reason": reason.value,
                "evidence_status": EvidenceStatus.NONE,
                "evidence_due_at": now + EVIDENCE_WINDOW if legitimate else None,
            }
        )
        transition(
            machine=BOOKING,
            instance=locked,
            target=BookingStatus.CANCELLED,
            actor=actor,
            action="bookings.booking.cancelled",
            now=now,
            fields=fields,
            audit_after={"reason": reason.value, **_decision_audit(fields)},
            locked=True,
        )
        free_time(booking=locked)
        booking_changed.call(booking_id=locked.pk, change="cancelled", now=now)
        notify_booking_cancelled(booking=locked, now=now)
    return locked


# --- evidence of a legitimate reason -----------------------------------------------------------------

# The careteam's review of each document: pending, then accepted or rejected, once.
EVIDENCE_REVIEW = Machine(model=CancellationEvidence, table=EVIDENCE_REVIEW_TRANSITIONS)


def _evidence_open(booking: Booking) -> Conflict | None:
    """Why evidence can no longer matter for `booking`, if it cannot."""
    if booking.status != BookingStatus.CANCELLED or booking.cancellation_reason not in policy.LEGITIMATE_REASONS:
        return Conflict(
            _("Evidence is only needed for a booking cancelled for one of the legitimate reasons."),
            code="evidence_not_expected",
        )
    if booking.cancellation_final:
        return Conflict(
            _("The decision on this cancellation is final; evidence can no longer change it."),
            code="evidence_decided",
        )
    return None


def _evidence_sender(*, booking: Booking, actor: User | AnonymousUser | None) -> Check:
    if actor is None or actor.pk != booking.patient_id:
        return refuse(Forbidden(_("Only the patient or their representative can send evidence for this booking.")))
    return ALLOWED


def booking_evidence_send_check(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Check:
    """May `actor` send evidence for `booking` now? Its patient (or their representative, who holds
    the account) may, for a legitimate reason whose decision is pending, within `EVIDENCE_WINDOW`
    of the cancellation."""
    who = _evidence_sender(booking=booking, actor=actor)
    if not who:
        return who
    refusal = _evidence_open(booking)
    due = booking.evidence_due_at
    if refusal is None and due is None:
        refusal = Conflict(
            _("Evidence is only needed for a booking cancelled for one of the legitimate reasons."),
            code="evidence_not_expected",
        )
    if refusal is None and due is not None and now > due:
        refusal = Conflict(
            _(
                "Evidence had to reach us within %(days)s days of the cancellation, by %(date)s. "
                "The ordinary cancellation rules apply."
            )
            % {
                "days": EVIDENCE_WINDOW.days,
                "date": when_text(due),  # a deadline: in the reader's own timezone
            },
            code="evidence_late",
        )
    if refusal is None:
        refusal = transition_check(machine=EVIDENCE, instance=booking, target=EvidenceStatus.PENDING)
    return Check(refusal)


def booking_submit_evidence(
    *, booking: Booking, actor: User, document: MedicalDocument, now: dt.datetime
) -> CancellationEvidence:
    """The patient (or their legal representative, who holds the account) sends `document` as
    evidence of the legitimate reason for cancelling, within `EVIDENCE_WINDOW` of the cancellation
    (`booking_evidence_send_check`).

    Sending the same document again changes nothing.
    """
    with transaction.atomic():
        locked = lock_booking(booking)
        _evidence_sender(booking=locked, actor=actor).enforce()
        if document.owner_id != actor.pk:
            message = _("Choose one of your own documents.")
            raise ValidationFailed(message, code="document_not_yours", details={"document": [message]})
        existing = CancellationEvidence.objects.filter(booking=locked, document=document).first()
        if existing is not None:
            return existing
        booking_evidence_send_check(booking=locked, actor=actor, now=now).enforce()
        evidence = CancellationEvidence.objects.create(
            booking=locked, document=document, submitted_by=actor, submitted_at=now
        )
        transition(
            machine=EVIDENCE,
            instance=locked,
            target=EvidenceStatus.PENDING,
            actor=actor,
            action="bookings.evidence.submitted",
            now=now,
            audit_after={"document": str(document.pk), "evidence_id": evidence.pk},
            locked=True,
        )
    return evidence


def _finalise(
    *,
    booking: Booking,
    evidence: policy.Evidence,
    status: str,
    actor: User | None,
    action: str,
    now: dt.datetime,
    **extra: Any,
) -> None:
    """Record the final decision for a cancelled booking (locked) whose evidence is `evidence`."""
    if booking.cancelled_at is None:
        raise Conflict(
            _("Evidence is only needed for a booking cancelled for one of the legitimate reasons."),
            code="evidence_not_expected",
        )
    decision = decision_for(
        booking, cancelled_at=booking.cancelled_at, reason=policy.Reason(booking.cancellation_reason), evidence=evidence
    )
    fields = decision_fields(decision)
    transition(
        machine=EVIDENCE,
        instance=booking,
        target=status,
        actor=actor,
        action=action,
        now=now,
        fields=fields,
        audit_after={**_decision_audit(fields), **extra},
        locked=True,
    )


def _evidence_reviewer(actor: User | AnonymousUser | None) -> Check:
    if not is_careteam(actor):
        return refuse(Forbidden(_("Only the careteam can review cancellation evidence.")))
    return ALLOWED


def booking_evidence_review_check(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Check:
    """May `actor` review the evidence of `booking` now? The careteam may, while evidence awaits
    review and the decision is pending (after the deadline too: evidence sent in time waits)."""
    who = _evidence_reviewer(actor)
    if not who:
        return who
    refusal = _evidence_open(booking)
    if refusal is None and not any(e.status == EvidenceReview.PENDING for e in booking.evidence.all()):
        refusal = Conflict(_("No evidence awaits review for this booking."), code="no_evidence_pending")
    return Check(refusal)


def booking_review_evidence(
    *, booking: Booking, actor: User, accepted: bool, note: str = "", now: dt.datetime
) -> Booking:
    """The careteam accepts or rejects the evidence awaiting review for `booking`
    (`booking_evidence_review_check`).

    Accepted: the whole deposit is refunded, final. Rejected: the patient may still send other
    evidence until the deadline; after it, the ordinary rules apply at once. Reviewing again
    what is already accepted changes nothing.
    """
    _evidence_reviewer(actor).enforce()
    note = (note or "").strip()
    if not accepted and not note:
        message = _("Say why the evidence is rejected: the patient will read it.")
        raise ValidationFailed(message, code="note_required", details={"note": [message]})
    with transaction.atomic():
        locked = lock_booking(booking)
        if accepted and locked.evidence_status == EvidenceStatus.ACCEPTED:
            return locked
        booking_evidence_review_check(booking=locked, actor=actor, now=now).enforce()
        # Evidence is added only under the booking's lock, which this transaction holds.
        pending = list(
            CancellationEvidence.objects.select_for_update().filter(booking=locked, status=EvidenceReview.PENDING)
        )
        review = EvidenceReview.ACCEPTED if accepted else EvidenceReview.REJECTED
        if not EVIDENCE_REVIEW.allows(EvidenceReview.PENDING, review):
            raise EVIDENCE_REVIEW.refusal(EvidenceReview.PENDING, review)
        evidence_ids = [e.pk for e in pending]
        CancellationEvidence.objects.filter(pk__in=evidence_ids, status=EvidenceReview.PENDING).update(
            status=review, reviewed_by=actor, reviewed_at=now, note=note
        )
        if accepted:
            _finalise(
                booking=locked,
                evidence=policy.Evidence.ACCEPTED,
                status=EvidenceStatus.ACCEPTED,
                actor=actor,
                action="bookings.evidence.accepted",
                now=now,
                evidence_ids=evidence_ids,
            )
        elif locked.evidence_due_at is not None and now >= locked.evidence_due_at:
            _finalise(
                booking=locked,
                evidence=policy.Evidence.REJECTED,
                status=EvidenceStatus.REJECTED,
                actor=actor,
                action="bookings.evidence.rejected",
                now=now,
                evidence_ids=evidence_ids,
                note=note,
            )
        else:
            transition(
                machine=EVIDENCE,
                instance=locked,
                target=EvidenceStatus.REJECTED,
                actor=actor,
                action="bookings.evidence.rejected",
                now=now,
                audit_after={"final": False, "evidence_ids": evidence_ids, "note": note},
                locked=True,
            )
    return locked


def booking_apply_evidence_deadlines(*, now: dt.datetime, batch_size: int = 200) -> int:
    """Apply the ordinary rules to legitimate-reason cancellations with no accepted evidence
    `EVIDENCE_WINDOW` after cancelling (none sent, or all rejected); returns how many this call
    decided.

    Safe to run twice and concurrently: rows are claimed with `SKIP LOCKED` and each is decided
    only while its decision is still pending.
    """
    decided = 0
    while True:
        with transaction.atomic():
            due = list(
                Booking.objects.select_for_update(skip_locked=True)
                .filter(status=BookingStatus.CANCELLED, cancellation_final=False, evidence_due_at__lte=now)
                .exclude(evidence_status=EvidenceStatus.PENDING)
                .order_by("pk")[:batch_size]
            )
            for booking in due:
                late = booking.evidence_status == EvidenceStatus.NONE
                _finalise(
                    booking=booking,
                    evidence=policy.Evidence.LATE if late else policy.Evidence.REJECTED,
                    status=EvidenceStatus.LATE if late else EvidenceStatus.REJECTED,
                    actor=None,
                    action="bookings.evidence.deadline_passed",
                    now=now,
                )
            decided += len(due)
        if len(due) < batch_size:
            return decided
