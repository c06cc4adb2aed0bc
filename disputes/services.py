"""Disputes (docs/decisions.md#disputes): opening, answering, evidence, the careteam's decision,
finance's approval and its posting through payments; card chargebacks recorded from payments.

1. A patient opens a dispute on their booking (its deposit held) or their paid add-on order; a
   provider's member on a booking of their provider. Within DISPUTE_WINDOW_DAYS of the booking's
   last appointment or the order's fulfilment; one open dispute per booking or order.
2. The other side of a booking's dispute answers before `answer_due_at` (DISPUTE_ANSWER_DAYS);
   an add-on order's goes straight to the careteam (the platform sold it). Without an answer in
   time, `disputes_close_answer_windows` hands it to the careteam all the same.
3. The careteam decides: a rejection at once; a refund (full or partial) or a release is proposed
   and waits for finance, someone other than the proposer, who approves it (posted through
   payments: `deposit_settle_dispute`, concierge's `order_refund` / `order_refund_part`) or sends
   it back.
4. While a dispute is open the booking's deposit is not released (`release_holds_of`, a receiver of
   `core.hooks.release_holds`).

Every status change goes through `core.state.transition` with the `DISPUTE` machine; each action a
page offers has its `dispute_<action>_check`, which the service enforces first under the row lock.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from bookings.models import Booking, BookingStatus
from concierge.models import AddonOrder, AddonOrderStatus
from concierge.services.orders import order_refund, order_refund_part, priced
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.money import bps_share, charge_step
from core.state import Machine, transition, transition_check
from disputes import notifications
from disputes.models import (
    DISPUTE_TRANSITIONS,
    MONEY_OUTCOMES,
    OPEN_STATUSES,
    Dispute,
    DisputeEvidence,
    DisputeKind,
    DisputeReason,
    DisputeSide,
    DisputeStatus,
    EvidenceKind,
    Outcome,
)
from documents.services import document_upload
from payments.models import Deposit, DepositStatus
from payments.services.settlements import deposit_held_for_settlement, deposit_settle_dispute
from providers.services.permissions import member_role

STATEMENT_MAX = 5000
PAYABLE_ORDER = (AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS, AddonOrderStatus.FULFILLED)


def _refuse_dispute(current: str, target: str) -> Conflict:
    if current == DisputeStatus.DECIDED:
        return Conflict(_("This dispute is already decided."), code="dispute_decided")
    if current in (DisputeStatus.WITH_CARD_ISSUER, DisputeStatus.CLOSED):
        return Conflict(_("A card chargeback is decided by the card issuer, not here."), code="dispute_is_chargeback")
    if current == DisputeStatus.WITHDRAWN:
        return Conflict(_("This dispute was withdrawn."), code="dispute_withdrawn")
    return Conflict(
        _("This dispute is at “%(status)s”: it cannot move to “%(target)s” now.")
        % {"status": DisputeStatus(current).label.lower(), "target": DisputeStatus(target).label.lower()},
        code="invalid_transition",
    )


# A decision is made once: deciding a decided dispute again is refused (409), never posted twice.
DISPUTE = Machine(model=Dispute, table=DISPUTE_TRANSITIONS, refuse=_refuse_dispute, repeat_is_noop=False)


# --- who is who ------------------------------------------------------------------------------------


def _signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _staff(actor: Any, *groups: str) -> bool:
    return _signed_in(actor) and any(actor.in_group(group) for group in groups)


def side_of(*, dispute: Dispute, actor: User | AnonymousUser) -> str | None:
    """The side `actor` is on in `dispute`: its patient, its provider's member, or None."""
    if not _signed_in(actor):
        return None
    if dispute.patient_id == actor.pk:
        return DisputeSide.PATIENT
    if dispute.booking is not None and member_role(user=actor, provider=dispute.booking.provider) is not None:
        return DisputeSide.PROVIDER
    return None


def can_see(*, dispute: Dispute, actor: User | AnonymousUser) -> bool:
    return side_of(dispute=dispute, actor=actor) is not None or _staff(actor, StaffGroup.CARETEAM, StaffGroup.FINANCE)


def _not_found() -> NotFound:
    return NotFound(_("You have no dispute with this id."))


def _outsider(*, dispute: Dispute, actor: User | AnonymousUser) -> Check:
    """A refusal for who is not a party: 403 to the careteam and finance (they see the dispute,
    they do not act for a side), 404 to anyone else (its existence is not disclosed)."""
    if can_see(dispute=dispute, actor=actor):
        return refuse(Forbidden(_("Only the dispute's parties can do this.")))
    return refuse(_not_found())


# --- opening -----------------------------------------------------------------------------------------


def _window(now: dt.datetime) -> dt.timedelta:
    return dt.timedelta(days=settings.DISPUTE_WINDOW_DAYS)


def _window_closed(ended: dt.datetime) -> Conflict:
    return Conflict(
        _(
            "A dispute is opened within %(days)s days of the care or service; this one ended more than "
            "%(days)s days ago. Write to the careteam if you need help."
        )
        % {"days": settings.DISPUTE_WINDOW_DAYS},
        code="dispute_window_closed",
        details={"ended_at": ended.isoformat()},
    )


def _open_exists() -> Conflict:
    return Conflict(_("A dispute is already open on this; add to it instead."), code="dispute_exists")


def booking_last_end(booking: Booking) -> dt.datetime | None:
    last: dt.datetime | None = booking.appointments.aggregate(last=Max("end"))["last"]
    return last


def dispute_open_booking_check(*, booking: Booking, actor: User | AnonymousUser, now: dt.datetime) -> Check:
    """May `actor` open a dispute on `booking` now: its patient or its provider's member; a booking
    confirmed or completed whose deposit was paid; within the window after its last appointment;
    no dispute open on it."""
    if not _signed_in(actor):
        return refuse(NotFound(_("You have no booking with this id.")))
    if booking.patient_id != actor.pk and member_role(user=actor, provider=booking.provider) is None:
        return refuse(NotFound(_("You have no booking with this id.")))
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return refuse(
            Conflict(
                _("A booking that is %(status)s cannot be disputed; its cancellation has its own rules.")
                % {"status": BookingStatus(booking.status).label.lower()},
                code="dispute_not_allowed",
            )
        )
    if not Deposit.objects.filter(booking=booking, status=DepositStatus.HELD).exists():
        return refuse(Conflict(_("No deposit was paid for this booking."), code="nothing_paid"))
    ended = booking_last_end(booking)
    if ended is not None and now > ended + _window(now):
        return refuse(_window_closed(ended))
    if Dispute.objects.filter(booking=booking, kind=DisputeKind.CLAIM, status__in=OPEN_STATUSES).exists():
        return refuse(_open_exists())
    # A decided dispute settled the deposit: a second one could only hold back what it released.
    if Dispute.objects.filter(booking=booking, status=DisputeStatus.DECIDED).exists():
        return refuse(
            Conflict(
                _(
                    "A dispute over this booking was already decided; "
                    "write to the careteam if something else went wrong."
                ),
                code="dispute_decided",
            )
        )
    return ALLOWED


def dispute_open_order_check(*, order: AddonOrder, actor: User | AnonymousUser, now: dt.datetime) -> Check:
    """May `actor` open a dispute on `order` now: its patient; a paid order (being arranged or done);
    within the window after its fulfilment; no dispute open on it."""
    if not _signed_in(actor) or order.patient_id != actor.pk:
        return refuse(NotFound(_("You have no order with this id.")))
    if order.status not in PAYABLE_ORDER or order.amount is None:
        return refuse(Conflict(_("Only a paid order can be disputed."), code="nothing_paid"))
    if order.fulfilled_at is not None and now > order.fulfilled_at + _window(now):
        return refuse(_window_closed(order.fulfilled_at))
    if Dispute.objects.filter(order=order, kind=DisputeKind.CLAIM, status__in=OPEN_STATUSES).exists():
        return refuse(_open_exists())
    # A decided dispute settled the order: a second one could refund its price twice.
    if Dispute.objects.filter(order=order, status=DisputeStatus.DECIDED).exists():
        return refuse(
            Conflict(
                _("A dispute over this order was already decided; write to the careteam if something else went wrong."),
                code="dispute_decided",
            )
        )
    return ALLOWED


def _clean_text(text: str, *, field: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        message = _("Say what happened, in a few sentences.")
        raise ValidationFailed(message, code="required", details={field: [message]})
    if len(text) > STATEMENT_MAX:
        message = _("Keep it under %(max)s characters.") % {"max": STATEMENT_MAX}
        raise ValidationFailed(message, code="too_long", details={field: [message]})
    return text


def _clean_reason(reason: str) -> str:
    if reason not in DisputeReason.values or reason == DisputeReason.CHARGEBACK:
        message = _("Choose a reason from the list.")
        raise ValidationFailed(message, code="invalid_reason", details={"reason": [message]})
    return reason


def dispute_open(
    *,
    actor: User,
    reason: str,
    statement: str,
    now: dt.datetime,
    booking: Booking | None = None,
    order: AddonOrder | None = None,
) -> Dispute:
    """Open a dispute on `booking` or `order` (one of them); the other side is told."""
    if (booking is None) == (order is None):
        raise ValidationFailed(_("A dispute is about a booking or an order."), code="invalid_subject")
    reason = _clean_reason(reason)
    statement = _clean_text(statement, field="statement", required=True)
    with transaction.atomic():
        if booking is not None:
            booking = Booking.objects.select_for_update(of=("self",)).select_related("provider").get(pk=booking.pk)
            dispute_open_booking_check(booking=booking, actor=actor, now=now).enforce()
            deposit = Deposit.objects.get(booking=booking)
            side = DisputeSide.PATIENT if booking.patient_id == actor.pk else DisputeSide.PROVIDER
            dispute = Dispute.objects.create(
                booking=booking,
                patient_id=booking.patient_id,
                opened_by=actor,
                opened_by_side=side,
                reason=reason,
                statement=statement,
                status=DisputeStatus.AWAITING_ANSWER,
                opened_at=now,
                answer_due_at=now + dt.timedelta(days=settings.DISPUTE_ANSWER_DAYS),
                amount=deposit_held_for_settlement(booking=booking),
                currency=deposit.currency,
                created_at=now,
                updated_at=now,
            )
        elif order is not None:
            order = AddonOrder.objects.select_for_update().get(pk=order.pk)
            dispute_open_order_check(order=order, actor=actor, now=now).enforce()
            # The platform sold the add-on: no other side to wait for, the careteam reviews it.
            dispute = Dispute.objects.create(
                order=order,
                patient_id=order.patient_id,
                opened_by=actor,
                opened_by_side=DisputeSide.PATIENT,
                reason=reason,
                statement=statement,
                status=DisputeStatus.UNDER_REVIEW,
                opened_at=now,
                decision_due_at=now + dt.timedelta(days=settings.DISPUTE_DECISION_DAYS),
                amount=priced(order),
                currency=order.currency,
                created_at=now,
                updated_at=now,
            )
        audit_record(
            actor=actor,
            action="disputes.dispute.opened",
            target=dispute,
            after={"reason": reason, "side": dispute.opened_by_side, "status": dispute.status},
            now=now,
        )
        notifications.notify_dispute_opened(dispute=dispute, now=now)
    return dispute


# --- answering, evidence, withdrawing ---------------------------------------------------------------


def dispute_answer_check(*, dispute: Dispute, actor: User | AnonymousUser, now: dt.datetime) -> Check:
    """May `actor` answer `dispute` now: the side that did not open it, before the deadline."""
    side = side_of(dispute=dispute, actor=actor)
    if side is None:
        return _outsider(dispute=dispute, actor=actor)
    refusal = transition_check(machine=DISPUTE, instance=dispute, target=DisputeStatus.UNDER_REVIEW)
    if refusal is not None or dispute.status != DisputeStatus.AWAITING_ANSWER:
        return refuse(refusal or Conflict(_("This dispute is no longer waiting for an answer."), code="answer_closed"))
    if side == dispute.opened_by_side:
        return refuse(Forbidden(_("You opened this dispute: the other side answers it.")))
    if dispute.answer_due_at is not None and now > dispute.answer_due_at:
        return refuse(Conflict(_("The time to answer has passed: the careteam now decides."), code="answer_closed"))
    return ALLOWED


def dispute_answer(*, dispute: Dispute, actor: User, answer: str, now: dt.datetime) -> Dispute:
    answer = _clean_text(answer, field="answer", required=True)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update(of=("self",)).select_related("booking__provider").get(pk=dispute.pk)
        dispute_answer_check(dispute=dispute, actor=actor, now=now).enforce()
        dispute = transition(
            machine=DISPUTE,
            instance=dispute,
            locked=True,
            target=DisputeStatus.UNDER_REVIEW,
            actor=actor,
            action="disputes.dispute.answered",
            now=now,
            fields={
                "answer": answer,
                "answered_by": actor,
                "answered_at": now,
                "decision_due_at": now + dt.timedelta(days=settings.DISPUTE_DECISION_DAYS),
            },
        ).instance
    return dispute


def disputes_close_answer_windows(*, now: dt.datetime) -> int:
    """The periodic job: disputes whose answer did not come in time go to the careteam. Returns how many."""
    moved = 0
    overdue = Dispute.objects.filter(status=DisputeStatus.AWAITING_ANSWER, answer_due_at__lt=now)
    for pk in overdue.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            dispute = Dispute.objects.select_for_update().get(pk=pk)
            if dispute.status != DisputeStatus.AWAITING_ANSWER:
                continue  # answered meanwhile
            transition(
                machine=DISPUTE,
                instance=dispute,
                locked=True,
                target=DisputeStatus.UNDER_REVIEW,
                actor=None,
                action="disputes.dispute.unanswered",
                now=now,
                fields={"decision_due_at": now + dt.timedelta(days=settings.DISPUTE_DECISION_DAYS)},
            )
            moved += 1
    return moved


def dispute_evidence_add_check(*, dispute: Dispute, actor: User | AnonymousUser) -> Check:
    """May `actor` add evidence to `dispute` now: one of its parties, while a claim is open."""
    if side_of(dispute=dispute, actor=actor) is None:
        return _outsider(dispute=dispute, actor=actor)
    if dispute.kind != DisputeKind.CLAIM or dispute.status not in OPEN_STATUSES:
        return refuse(Conflict(_("This dispute is closed: nothing more can be added."), code="dispute_closed"))
    return ALLOWED


def dispute_evidence_add(
    *, dispute: Dispute, actor: User, upload: IO[bytes], title: str, kind: str, now: dt.datetime
) -> DisputeEvidence:
    """A party adds a document (checked, typed and encrypted by `documents`) as evidence; the
    dispute's parties, the careteam and finance may then read it (`disputes.access`)."""
    if kind not in EvidenceKind.values:
        message = _("Choose what the document is.")
        raise ValidationFailed(message, code="invalid_kind", details={"kind": [message]})
    dispute = Dispute.objects.select_related("booking__provider").get(pk=dispute.pk)
    dispute_evidence_add_check(dispute=dispute, actor=actor).enforce()
    with transaction.atomic():
        document = document_upload(owner=actor, upload=upload, title=title, now=now)
        dispute = Dispute.objects.select_for_update(of=("self",)).select_related("booking__provider").get(pk=dispute.pk)
        dispute_evidence_add_check(dispute=dispute, actor=actor).enforce()
        side = side_of(dispute=dispute, actor=actor) or DisputeSide.PATIENT
        evidence = DisputeEvidence.objects.create(
            dispute=dispute, document=document, kind=kind, side=side, added_by=actor, added_at=now
        )
        audit_record(
            actor=actor,
            action="disputes.evidence.added",
            target=dispute,
            after={"evidence": evidence.pk, "kind": kind, "side": side},
            now=now,
        )
    return evidence


def dispute_withdraw_check(*, dispute: Dispute, actor: User | AnonymousUser) -> Check:
    """May `actor` withdraw `dispute`: the side that opened it, before the careteam's decision."""
    side = side_of(dispute=dispute, actor=actor)
    if side is None:
        return _outsider(dispute=dispute, actor=actor)
    if side != dispute.opened_by_side:
        return refuse(Forbidden(_("Only the side that opened a dispute can withdraw it.")))
    return Check(transition_check(machine=DISPUTE, instance=dispute, target=DisputeStatus.WITHDRAWN))


def dispute_withdraw(*, dispute: Dispute, actor: User, now: dt.datetime) -> Dispute:
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update(of=("self",)).select_related("booking__provider").get(pk=dispute.pk)
        dispute_withdraw_check(dispute=dispute, actor=actor).enforce()
        return transition(
            machine=DISPUTE,
            instance=dispute,
            locked=True,
            target=DisputeStatus.WITHDRAWN,
            actor=actor,
            action="disputes.dispute.withdrawn",
            now=now,
            fields={"decided_at": now},
        ).instance


# --- the decision ------------------------------------------------------------------------------------


def dispute_decide_check(*, dispute: Dispute, actor: User | AnonymousUser, now: dt.datetime) -> Check:
    """May `actor` decide `dispute` now: the careteam; a claim under review, or awaiting an answer
    whose deadline passed."""
    if not _staff(actor, StaffGroup.CARETEAM):
        return refuse(Forbidden(_("Only the careteam decides disputes.")))
    if dispute.status == DisputeStatus.AWAITING_ANSWER and (
        dispute.answer_due_at is None or now <= dispute.answer_due_at
    ):
        return refuse(
            Conflict(_("The other side may answer until its deadline: decide after it."), code="awaiting_answer")
        )
    return Check(transition_check(machine=DISPUTE, instance=dispute, target=DisputeStatus.DECIDED))


def decision_basis(dispute: Dispute) -> int:
    """What a full refund gives back: the deposit held in trust now, or the order's price."""
    if dispute.booking is not None:
        return deposit_held_for_settlement(booking=dispute.booking)
    return priced(dispute.order) if dispute.order is not None else 0


def _refund_of(
    *, dispute: Dispute, outcome: str, basis: int, refund_amount: int | None, refund_percent: int | None
) -> int:
    """The amount a proposed outcome refunds (minor units), checked against `basis`."""
    if outcome == Outcome.REFUND_FULL:
        return basis
    if outcome in (Outcome.RELEASE, Outcome.REJECT):
        return 0
    if refund_percent is not None and refund_amount is not None:
        message = _("Give a percentage or an amount, not both.")
        raise ValidationFailed(message, code="amount_and_percent", details={"refund_amount": [message]})
    if refund_percent is not None:
        if not 1 <= refund_percent <= 99:
            message = _("A partial refund is between 1 and 99 percent.")
            raise ValidationFailed(message, code="invalid_percent", details={"refund_percent": [message]})
        return bps_share(basis, refund_percent * 100, step=charge_step(dispute.currency))
    if refund_amount is None:
        message = _("Give the percentage or the amount to refund.")
        raise ValidationFailed(message, code="amount_required", details={"refund_amount": [message]})
    if refund_amount > basis:
        message = _("The refund cannot be more than what was paid and is held.")
        raise ValidationFailed(message, code="amount_above_deposit", details={"refund_amount": [message]})
    if refund_amount <= 0 or refund_amount == basis:
        message = _("A partial refund is more than nothing and less than the whole; choose a full refund or a release.")
        raise ValidationFailed(message, code="invalid_amount", details={"refund_amount": [message]})
    return refund_amount


def dispute_decide(
    *,
    dispute: Dispute,
    actor: User,
    outcome: str,
    note: str,
    now: dt.datetime,
    refund_amount: int | None = None,
    refund_percent: int | None = None,
) -> Dispute:
    """The careteam decides: a rejection closes the dispute at once; a refund or a release is
    proposed to finance (`dispute_approve` posts it)."""
    if outcome not in (Outcome.REFUND_FULL, Outcome.REFUND_PARTIAL, Outcome.RELEASE, Outcome.REJECT):
        message = _("Choose a decision from the list.")
        raise ValidationFailed(message, code="invalid_outcome", details={"outcome": [message]})
    note = _clean_text(note, field="note", required=True)
    with transaction.atomic():
        dispute = (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("booking__provider", "order")
            .get(pk=dispute.pk)
        )
        dispute_decide_check(dispute=dispute, actor=actor, now=now).enforce()
        if dispute.order_id is not None and outcome == Outcome.RELEASE:
            message = _("An add-on order holds nothing to release: reject the dispute or refund it.")
            raise ValidationFailed(message, code="invalid_outcome", details={"outcome": [message]})
        basis = decision_basis(dispute)
        if outcome in MONEY_OUTCOMES and basis <= 0:
            raise Conflict(
                _(
                    "Nothing is held for this booking any more (its deposit was released): "
                    "only a rejection is possible."
                ),
                code="deposit_not_held",
            )
        refund = _refund_of(
            dispute=dispute, outcome=outcome, basis=basis, refund_amount=refund_amount, refund_percent=refund_percent
        )
        if dispute.status == DisputeStatus.AWAITING_ANSWER:  # its deadline passed (the check says so)
            dispute = transition(
                machine=DISPUTE,
                instance=dispute,
                locked=True,
                target=DisputeStatus.UNDER_REVIEW,
                actor=None,
                action="disputes.dispute.unanswered",
                now=now,
            ).instance
        fields = {
            "outcome": outcome,
            "refund_amount": refund,
            "decision_note": note,
            "proposed_by": actor,
            "proposed_at": now,
        }
        if outcome == Outcome.REJECT:
            dispute = transition(
                machine=DISPUTE,
                instance=dispute,
                locked=True,
                target=DisputeStatus.DECIDED,
                actor=actor,
                action="disputes.dispute.decided",
                now=now,
                fields={**fields, "decided_at": now},
                audit_after={"outcome": outcome},
            ).instance
            notifications.notify_dispute_decided(dispute=dispute, now=now)
            return dispute
        dispute = transition(
            machine=DISPUTE,
            instance=dispute,
            locked=True,
            target=DisputeStatus.AWAITING_FINANCE,
            actor=actor,
            action="disputes.dispute.proposed",
            now=now,
            fields=fields,
            audit_after={"outcome": outcome, "refund": refund},
        ).instance
        notifications.notify_finance_to_approve(dispute=dispute, now=now)
    return dispute


def _finance_other_than_proposer(*, dispute: Dispute, actor: User | AnonymousUser) -> Check:
    if not _staff(actor, StaffGroup.FINANCE):
        return refuse(Forbidden(_("Only finance approves a decision that moves money.")))
    if dispute.proposed_by_id == actor.pk:
        return refuse(Forbidden(_("A finance member other than the person who proposed the decision must approve it.")))
    return ALLOWED


def dispute_approve_check(*, dispute: Dispute, actor: User | AnonymousUser) -> Check:
    """May `actor` approve the proposed decision: finance, not its proposer, a decision awaiting finance."""
    return first_refusal(
        _finance_other_than_proposer(dispute=dispute, actor=actor),
        Check(
            None
            if dispute.status == DisputeStatus.AWAITING_FINANCE
            else transition_check(machine=DISPUTE, instance=dispute, target=DisputeStatus.DECIDED)
            or Conflict(_("No decision awaits finance on this dispute."), code="nothing_to_approve")
        ),
    )


def dispute_send_back_check(*, dispute: Dispute, actor: User | AnonymousUser) -> Check:
    """May `actor` send the proposed decision back to the careteam: as for approving it."""
    return dispute_approve_check(dispute=dispute, actor=actor)


def dispute_approve(*, dispute: Dispute, actor: User, now: dt.datetime) -> Dispute:
    """Finance approves the careteam's decision: the dispute is decided (so nothing holds the deposit
    back any more) and the money moves through payments or concierge, in one transaction."""
    with transaction.atomic():
        dispute = (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("booking__provider", "order")
            .get(pk=dispute.pk)
        )
        dispute_approve_check(dispute=dispute, actor=actor).enforce()
        dispute = transition(
            machine=DISPUTE,
            instance=dispute,
            locked=True,
            target=DisputeStatus.DECIDED,
            actor=actor,
            action="disputes.dispute.decided",
            now=now,
            fields={"approved_by": actor, "decided_at": now},
            audit_after={"outcome": dispute.outcome, "refund": dispute.refund_amount},
        ).instance
        refund = dispute.refund_amount or 0
        reference = f"dispute:{dispute.pk}"
        order = dispute.order
        if dispute.booking is not None:
            settled = deposit_settle_dispute(
                booking=dispute.booking, refund_amount=refund, reference=reference, actor=actor, now=now
            )
            dispute.refund, dispute.release = settled.refund, settled.release
            dispute.save(update_fields=["refund", "release"])
        elif order is not None and refund and refund >= priced(order):
            refunded = order_refund(order=order, actor=actor, now=now)
            dispute.order_refund_id = refunded.stripe_refund_id or ""
            dispute.save(update_fields=["order_refund_id"])
        elif order is not None and refund:
            dispute.order_refund_id = order_refund_part(
                order=order,
                amount=refund,
                actor=actor,
                idempotency_key=f"dispute-refund:{dispute.pk}",
                now=now,
            )
            dispute.save(update_fields=["order_refund_id"])
        notifications.notify_dispute_decided(dispute=dispute, now=now)
    return dispute


def dispute_send_back(*, dispute: Dispute, actor: User, reason: str, now: dt.datetime) -> Dispute:
    """Finance sends the proposal back to the careteam with its reason; nothing moved."""
    reason = _clean_text(reason, field="reason", required=True)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        dispute_send_back_check(dispute=dispute, actor=actor).enforce()
        return transition(
            machine=DISPUTE,
            instance=dispute,
            locked=True,
            target=DisputeStatus.UNDER_REVIEW,
            actor=actor,
            action="disputes.dispute.sent_back",
            now=now,
            fields={"outcome": "", "refund_amount": None, "proposed_by": None, "proposed_at": None},
            reason=reason,
        ).instance


# --- hooks' receivers -------------------------------------------------------------------------------


def release_holds_of(*, booking_id: int, now: dt.datetime) -> list[str]:
    """`core.hooks.release_holds`: a dispute open on the booking holds its deposit back."""
    if Dispute.objects.filter(booking_id=booking_id, status__in=OPEN_STATUSES).exists():
        return [str(_("A dispute is open on this booking: its deposit is not released until it is decided."))]
    return []


# Stripe's status of the deposit's card dispute → the chargeback's status and outcome here.
_CARD_OUTCOMES = {"won": Outcome.CARD_WON, "lost": Outcome.CARD_LOST}


def chargeback_changed(
    *, booking_id: int, status: str, amount: int, currency: str, reason: str, now: dt.datetime
) -> Dispute | None:
    """`core.hooks.card_dispute_changed`: record the chargeback of a deposit as a dispute of kind
    chargeback (opened, then closed by the issuer's outcome), in payments' transaction. A closing
    that arrives first records it closed; a late opening after its closing changes nothing."""
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return None
    dispute = Dispute.objects.select_for_update().filter(booking=booking, kind=DisputeKind.CHARGEBACK).first()
    if dispute is None:
        dispute = Dispute.objects.create(
            kind=DisputeKind.CHARGEBACK,
            booking=booking,
            patient_id=booking.patient_id,
            opened_by_side=DisputeSide.CARD_ISSUER,
            reason=DisputeReason.CHARGEBACK,
            card_reason=(reason or "")[:60],
            status=DisputeStatus.WITH_CARD_ISSUER,
            opened_at=now,
            amount=max(amount, 0),
            currency=currency,
            created_at=now,
            updated_at=now,
        )
        audit_record(actor=None, action="disputes.chargeback.opened", target=dispute, after={"status": status}, now=now)
    outcome = _CARD_OUTCOMES.get(status)
    if outcome is not None and dispute.status == DisputeStatus.WITH_CARD_ISSUER:
        dispute = transition(
            machine=DISPUTE,
            instance=dispute,
            locked=True,
            target=DisputeStatus.CLOSED,
            actor=None,
            action="disputes.chargeback.closed",
            now=now,
            fields={"outcome": outcome, "decided_at": now},
        ).instance
    return dispute
