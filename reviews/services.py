"""Every write of reviews, with the `<entity>_<action>_check` that pages and the API read first.

- Writing: the patient of a completed booking reviews its provider once, within 90 days of the
  completion (`Booking.completed_at`); the patient of a fulfilled add-on order with an interpreter
  or driver assigned reviews that supplier once, within 90 days of the fulfilment.
- Moderation: the careteam publishes or rejects (naming the charter's rule) within 10 working days
  of the submission (`moderation_due_at`, shown on the queue and on the case board).
- The provider's members reply once, publicly, to a published review, or report it as abusive:
  the review is hidden, the author is told and has 7 days to answer, then the careteam keeps or
  removes it.

Refusals: someone else's booking, order or review is "not found" (404); a state that does not allow
the action is a conflict (409); stars or text out of bounds are invalid (400); a staff action by
someone outside the careteam is forbidden (403).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus
from concierge.models import AddonOrder, AddonOrderStatus, Supplier
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.state import Machine, transition, transition_check
from core.when import when_text
from providers.cases import working_days_after
from reviews import notifications
from reviews.access import REVIEW_WINDOW, REVIEWED_SUPPLIER_KINDS, is_careteam, is_provider_member, signed_in
from reviews.models import (
    DIMENSIONS,
    NOTE_MAX_LENGTH,
    SUPPLIER_DIMENSIONS,
    TEXT_MAX_LENGTH,
    RejectionReason,
    ReportStatus,
    Review,
    ReviewReport,
    ReviewStatus,
    SupplierReview,
)

MODERATION_WORKING_DAYS = 10
RESPONSE_WINDOW = dt.timedelta(days=7)
TEXT_MIN_LENGTH = 20

REVIEW = Machine(
    model=Review,
    table={
        ReviewStatus.SUBMITTED: {ReviewStatus.PUBLISHED, ReviewStatus.REJECTED},
        ReviewStatus.PUBLISHED: {ReviewStatus.REPORTED},
        ReviewStatus.REPORTED: {ReviewStatus.PUBLISHED, ReviewStatus.REMOVED},
    },
)
SUPPLIER_REVIEW = Machine(
    model=SupplierReview,
    table={ReviewStatus.SUBMITTED: {ReviewStatus.PUBLISHED, ReviewStatus.REJECTED}},
)
REPORT = Machine(
    model=ReviewReport,
    table={
        ReportStatus.AWAITING_AUTHOR: {ReportStatus.AWAITING_DECISION, ReportStatus.KEPT, ReportStatus.REMOVED},
        ReportStatus.AWAITING_DECISION: {ReportStatus.KEPT, ReportStatus.REMOVED},
    },
)


# --- who ------------------------------------------------------------------------------------------------


def _careteam_check(actor: Any) -> Check:
    if not is_careteam(actor):
        return refuse(Forbidden(_("Only the careteam moderates reviews.")))
    return ALLOWED


def _member_check(review: Review, actor: Any) -> Check:
    if not is_provider_member(provider_id=review.provider_id, actor=actor):
        return refuse(NotFound(_("No review of your provider has this id.")))
    return ALLOWED


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


def _clean_stars(stars: dict[str, Any], names: tuple[str, ...]) -> dict[str, int]:
    """Each named dimension 1 to 5; every wrong one named with its field."""
    details: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for name in names:
        value = stars.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            details[name] = [_("Give 1 to 5 stars.")]
        else:
            clean[name] = value
    if details:
        raise ValidationFailed(_("Give each rating 1 to 5 stars."), code="stars_out_of_range", details=details)
    return clean


def _clean_text(
    text: str, *, field: str = "text", minimum: int = TEXT_MIN_LENGTH, maximum: int = TEXT_MAX_LENGTH
) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise _invalid(
            field,
            _("Write at least %(min)d characters about your experience.") % {"min": minimum}
            if minimum > 1
            else _("This field is required."),
            code="too_short" if text else "required",
        )
    if len(text) > maximum:
        raise _invalid(
            field,
            _("At most %(max)d characters; yours has %(count)d. Shorten it.") % {"max": maximum, "count": len(text)},
            code="too_long",
        )
    return text


def moderation_due(submitted_at: dt.datetime) -> dt.datetime:
    """10 working days (Monday to Friday) after the submission: the charter's promise."""
    return working_days_after(submitted_at, MODERATION_WORKING_DAYS)


# --- writing a provider's review ---------------------------------------------------------------------------


def review_window_ends(booking: Booking) -> dt.datetime | None:
    return None if booking.completed_at is None else booking.completed_at + REVIEW_WINDOW


def review_submit_check(*, booking: Booking, actor: Any, now: dt.datetime) -> Check:
    """The booking's patient, the booking completed less than 90 days ago, not reviewed yet."""
    if not signed_in(actor) or booking.patient_id != actor.pk:
        return refuse(NotFound(_("You have no booking with this id.")))
    if booking.status != BookingStatus.COMPLETED or booking.completed_at is None:
        return refuse(
            Conflict(
                _("You can review a booking once its care has taken place and the provider marked it completed."),
                code="booking_not_completed",
            )
        )
    if Review.objects.filter(booking_id=booking.pk).exists():
        return refuse(Conflict(_("You have already reviewed this booking."), code="already_reviewed"))
    ends = review_window_ends(booking)
    if ends is not None and now >= ends:
        return refuse(
            Conflict(
                _("A booking can be reviewed within 90 days of its completion (until %(date)s).")
                % {"date": when_text(ends, date_only=True)},
                code="review_window_closed",
            )
        )
    return ALLOWED


def review_submit(*, booking: Booking, actor: Any, stars: dict[str, Any], text: str, now: dt.datetime) -> Review:
    """The patient's review of their completed booking, awaiting moderation (nothing is public yet)."""
    review_submit_check(booking=booking, actor=actor, now=now).enforce()
    clean = _clean_stars(stars, DIMENSIONS)
    text = _clean_text(text)
    try:
        with transaction.atomic():
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            review_submit_check(booking=locked, actor=actor, now=now).enforce()
            review = Review.objects.create(
                booking=locked,
                provider_id=locked.provider_id,
                author=actor,
                text=text,
                submitted_at=now,
                updated_at=now,
                moderation_due_at=moderation_due(now),
                **clean,
            )
            audit_record(
                actor=actor,
                action="reviews.review.submitted",
                target=review,
                after={"status": review.status, "booking": locked.pk},
                now=now,
            )
    except IntegrityError as exc:  # the same booking reviewed at the same moment
        raise Conflict(_("You have already reviewed this booking."), code="already_reviewed") from exc
    return review


# --- moderation ---------------------------------------------------------------------------------------------


def review_publish_check(*, review: Review, actor: Any) -> Check:
    return first_refusal(
        _careteam_check(actor),
        _moderation_state_check(review, ReviewStatus.PUBLISHED, REVIEW),
    )


def review_reject_check(*, review: Review, actor: Any) -> Check:
    return first_refusal(
        _careteam_check(actor),
        _moderation_state_check(review, ReviewStatus.REJECTED, REVIEW),
    )


def _moderation_state_check(review: Review | SupplierReview, target: str, machine: Machine) -> Check:
    if review.status != ReviewStatus.SUBMITTED:
        return refuse(Conflict(_("This review has already been moderated."), code="already_moderated"))
    return Check(transition_check(machine=machine, instance=review, target=target))


def _clean_rejection(reason: str, note: str) -> tuple[str, str]:
    if reason not in RejectionReason.values:
        raise _invalid("reason", _("Choose the rule of the charter the review breaks."), code="invalid_choice")
    return reason, _clean_note(note)


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise _invalid(
            "note",
            _("At most %(max)d characters; yours has %(count)d. Shorten it.")
            % {"max": NOTE_MAX_LENGTH, "count": len(note)},
            code="too_long",
        )
    return note


R = TypeVar("R", Review, SupplierReview)


def _moderate(
    *,
    machine: Machine,
    review: R,
    actor: Any,
    now: dt.datetime,
    rejection: tuple[str, str] | None,
    action: str,
    notify: Callable[..., None],
) -> R:
    """The careteam's decision on a review or a supplier review: published (counts from now), or
    rejected naming the charter's rule (`rejection`: the rule and a note); `notify` tells whom it
    concerns, once, when the status changed."""
    fields: dict[str, Any] = {"moderated_at": now, "moderated_by": actor}
    audit_after: dict[str, Any] | None = None
    if rejection is None:
        target = ReviewStatus.PUBLISHED
        fields["published_at"] = now
    else:
        target = ReviewStatus.REJECTED
        fields["rejection_reason"], fields["rejection_note"] = rejection
        audit_after = {"rule": rejection[0]}
    with transaction.atomic():
        moved = transition(
            machine=machine,
            instance=review,
            target=target,
            actor=actor,
            action=action,
            now=now,
            fields=fields,
            audit_after=audit_after,
        )
        if moved.changed:
            notify(review_id=review.pk, now=now)
    return moved.instance


def review_publish(*, review: Review, actor: Any, now: dt.datetime) -> Review:
    """The careteam publishes a review that keeps to the charter: it counts in the rating from now;
    its author and the provider's members are told."""
    review_publish_check(review=review, actor=actor).enforce()
    return _moderate(
        machine=REVIEW,
        review=review,
        actor=actor,
        now=now,
        rejection=None,
        action="reviews.review.published",
        notify=notifications.notify_review_published,
    )


def review_reject(*, review: Review, actor: Any, reason: str, note: str, now: dt.datetime) -> Review:
    """The careteam refuses a review that breaks the charter, naming the rule; the author is told why."""
    review_reject_check(review=review, actor=actor).enforce()
    return _moderate(
        machine=REVIEW,
        review=review,
        actor=actor,
        now=now,
        rejection=_clean_rejection(reason, note),
        action="reviews.review.rejected",
        notify=notifications.notify_review_rejected,
    )


# --- the provider's reply and report -----------------------------------------------------------------------


def review_reply_check(*, review: Review, actor: Any) -> Check:
    """A member of the reviewed provider replies once to a published review."""
    found = _member_check(review, actor)
    if not found:
        return found
    if review.reply_at is not None:
        return refuse(Conflict(_("Your provider has already replied to this review."), code="already_replied"))
    if review.status != ReviewStatus.PUBLISHED:
        return refuse(Conflict(_("Only a published review can be answered."), code="review_not_published"))
    return ALLOWED


def review_reply(*, review: Review, actor: Any, text: str, now: dt.datetime) -> Review:
    """The provider's public reply, shown under the review on its page."""
    review_reply_check(review=review, actor=actor).enforce()
    text = _clean_text(text, minimum=1)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        review_reply_check(review=locked, actor=actor).enforce()
        locked.reply_text = text
        locked.reply_by = actor
        locked.reply_at = now
        locked.updated_at = now
        locked.save(update_fields=["reply_text", "reply_by", "reply_at", "updated_at"])
        audit_record(actor=actor, action="reviews.review.replied", target=locked, after={"replied": True}, now=now)
    return locked


def review_report_check(*, review: Review, actor: Any) -> Check:
    """A member of the reviewed provider reports a published review as abusive, once."""
    found = _member_check(review, actor)
    if not found:
        return found
    if review.status == ReviewStatus.REPORTED:
        return refuse(Conflict(_("This review has been reported and awaits a decision."), code="already_reported"))
    if ReviewReport.objects.filter(review_id=review.pk).exists():
        return refuse(Conflict(_("This review was reported before and the careteam kept it."), code="already_decided"))
    return Check(transition_check(machine=REVIEW, instance=review, target=ReviewStatus.REPORTED))


def review_report(*, review: Review, actor: Any, reason: str, now: dt.datetime) -> ReviewReport:
    """The review is hidden while the report is open; its author is told and may answer for 7 days."""
    review_report_check(review=review, actor=actor).enforce()
    reason = _clean_text(reason, field="reason", minimum=1, maximum=NOTE_MAX_LENGTH)
    try:
        with transaction.atomic():
            locked = Review.objects.select_for_update().get(pk=review.pk)
            review_report_check(review=locked, actor=actor).enforce()
            report = ReviewReport.objects.create(
                review=locked,
                reported_by=actor,
                reason=reason,
                reported_at=now,
                respond_by=now + RESPONSE_WINDOW,
                updated_at=now,
            )
            transition(
                machine=REVIEW,
                instance=locked,
                locked=True,
                target=ReviewStatus.REPORTED,
                actor=actor,
                action="reviews.review.reported",
                now=now,
                audit_after={"report": report.pk},
            )
            notifications.notify_review_reported(report_id=report.pk, now=now)
    except IntegrityError as exc:
        raise Conflict(_("This review has been reported and awaits a decision."), code="already_reported") from exc
    return report


def review_report_respond_check(*, report: ReviewReport, actor: Any, now: dt.datetime) -> Check:
    """The review's author answers the report, once, within 7 days."""
    if not signed_in(actor) or report.review.author_id != actor.pk:
        return refuse(NotFound(_("You have no review with this id.")))
    if report.status != ReportStatus.AWAITING_AUTHOR:
        return refuse(Conflict(_("This report no longer waits for your answer."), code="report_answered"))
    if now >= report.respond_by:
        return refuse(
            Conflict(
                _("The time to answer this report ended on %(date)s.") % {"date": when_text(report.respond_by)},
                code="response_window_closed",
            )
        )
    return ALLOWED


def review_report_respond(*, report: ReviewReport, actor: Any, response: str, now: dt.datetime) -> ReviewReport:
    review_report_respond_check(report=report, actor=actor, now=now).enforce()
    response = _clean_text(response, field="response", minimum=1, maximum=NOTE_MAX_LENGTH)
    moved = transition(
        machine=REPORT,
        instance=report,
        target=ReportStatus.AWAITING_DECISION,
        actor=actor,
        action="reviews.report.answered",
        now=now,
        fields={"response": response, "responded_at": now},
    )
    return moved.instance


def review_report_decide_check(*, report: ReviewReport, actor: Any, now: dt.datetime) -> Check:
    """The careteam decides once the author answered or their 7 days ended."""
    found = _careteam_check(actor)
    if not found:
        return found
    if report.status in (ReportStatus.KEPT, ReportStatus.REMOVED):
        return refuse(Conflict(_("This report has already been decided."), code="report_decided"))
    if report.status == ReportStatus.AWAITING_AUTHOR and now < report.respond_by:
        return refuse(
            Conflict(
                _("The author may answer until %(date)s: decide once they have answered, or after that date.")
                % {"date": when_text(report.respond_by)},
                code="author_may_answer",
            )
        )
    return ALLOWED


def review_report_decide(*, report: ReviewReport, actor: Any, keep: bool, note: str, now: dt.datetime) -> ReviewReport:
    """Keep (published again, counted) or remove the reported review; the author is told."""
    review_report_decide_check(report=report, actor=actor, now=now).enforce()
    note = _clean_note(note)
    with transaction.atomic():
        moved = transition(
            machine=REPORT,
            instance=report,
            target=ReportStatus.KEPT if keep else ReportStatus.REMOVED,
            actor=actor,
            action="reviews.report.decided",
            now=now,
            fields={"decided_by": actor, "decided_at": now, "decision_note": note},
        )
        transition(
            machine=REVIEW,
            instance=report.review,
            target=ReviewStatus.PUBLISHED if keep else ReviewStatus.REMOVED,
            actor=actor,
            action="reviews.review.kept" if keep else "reviews.review.removed",
            now=now,
            audit_after={"report": report.pk},
        )
        if moved.changed:
            notifications.notify_report_decided(report_id=report.pk, now=now)
    return moved.instance


# --- interpreters and drivers ------------------------------------------------------------------------------


def supplier_review_window_ends(order: AddonOrder) -> dt.datetime | None:
    return None if order.fulfilled_at is None else order.fulfilled_at + REVIEW_WINDOW


def supplier_review_submit_check(*, order: AddonOrder, actor: Any, now: dt.datetime) -> Check:
    """The order's patient reviews its interpreter or driver once the order is fulfilled, within 90 days."""
    if not signed_in(actor) or order.patient_id != actor.pk:
        return refuse(NotFound(_("You have no order with this id.")))
    if order.status != AddonOrderStatus.FULFILLED or order.fulfilled_at is None:
        return refuse(Conflict(_("You can review an order once it has been carried out."), code="order_not_fulfilled"))
    if order.supplier is None or order.supplier.kind not in REVIEWED_SUPPLIER_KINDS:
        return refuse(
            Conflict(_("Only an order's interpreter or driver can be reviewed."), code="no_supplier_to_review")
        )
    if SupplierReview.objects.filter(order_id=order.pk).exists():
        return refuse(Conflict(_("You have already reviewed this order."), code="already_reviewed"))
    ends = supplier_review_window_ends(order)
    if ends is not None and now >= ends:
        return refuse(
            Conflict(
                _("An order can be reviewed within 90 days of being carried out (until %(date)s).")
                % {"date": when_text(ends, date_only=True)},
                code="review_window_closed",
            )
        )
    return ALLOWED


def supplier_review_submit(
    *, order: AddonOrder, actor: Any, stars: dict[str, Any], text: str, now: dt.datetime
) -> SupplierReview:
    supplier_review_submit_check(order=order, actor=actor, now=now).enforce()
    clean = _clean_stars(stars, SUPPLIER_DIMENSIONS)
    text = _clean_text(text)
    try:
        with transaction.atomic():
            locked = AddonOrder.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=order.pk)
            supplier_review_submit_check(order=locked, actor=actor, now=now).enforce()
            review = SupplierReview.objects.create(
                order=locked,
                supplier=cast(Supplier, locked.supplier),  # the check refused an order without one
                author=actor,
                text=text,
                submitted_at=now,
                updated_at=now,
                moderation_due_at=moderation_due(now),
                **clean,
            )
            audit_record(
                actor=actor,
                action="reviews.supplier_review.submitted",
                target=review,
                after={"status": review.status, "order": locked.pk},
                now=now,
            )
    except IntegrityError as exc:
        raise Conflict(_("You have already reviewed this order."), code="already_reviewed") from exc
    return review


def supplier_review_publish_check(*, review: SupplierReview, actor: Any) -> Check:
    return first_refusal(
        _careteam_check(actor), _moderation_state_check(review, ReviewStatus.PUBLISHED, SUPPLIER_REVIEW)
    )


def supplier_review_reject_check(*, review: SupplierReview, actor: Any) -> Check:
    return first_refusal(
        _careteam_check(actor), _moderation_state_check(review, ReviewStatus.REJECTED, SUPPLIER_REVIEW)
    )


def supplier_review_publish(*, review: SupplierReview, actor: Any, now: dt.datetime) -> SupplierReview:
    supplier_review_publish_check(review=review, actor=actor).enforce()
    return _moderate(
        machine=SUPPLIER_REVIEW,
        review=review,
        actor=actor,
        now=now,
        rejection=None,
        action="reviews.supplier_review.published",
        notify=notifications.notify_supplier_review_moderated,
    )


def supplier_review_reject(
    *, review: SupplierReview, actor: Any, reason: str, note: str, now: dt.datetime
) -> SupplierReview:
    supplier_review_reject_check(review=review, actor=actor).enforce()
    return _moderate(
        machine=SUPPLIER_REVIEW,
        review=review,
        actor=actor,
        now=now,
        rejection=_clean_rejection(reason, note),
        action="reviews.supplier_review.rejected",
        notify=notifications.notify_supplier_review_moderated,
    )
