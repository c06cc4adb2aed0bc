"""Cancelling bookings under their policy version, evidence of a legitimate reason, and its deadline."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.utils import timezone

from bookings.models import Booking, BookingStatus, CancellationEvidence, CancellationPolicy, EvidenceStatus
from bookings.policy import Reason
from bookings.services import (
    booking_apply_evidence_deadlines,
    booking_cancel,
    booking_confirm_deposit,
    booking_hold,
    booking_review_evidence,
    booking_submit_evidence,
)
from bookings.tasks import apply_evidence_deadlines
from bookings.tests.support import FOUR_WEEKS_ON, NOW, PARIS, awaiting, bookable, paris
from core.errors import Conflict, Forbidden, ValidationFailed
from core.models import AuditEvent
from core.money import Money
from documents.services import document_upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def paid(patient, *, paid_at=None, **changes) -> Booking:
    """A confirmed booking: €500 deposit paid on 18 January 2030 (unless told), first appointment
    Monday 4 February 2030 09:00 Paris."""
    paid_at = paid_at or on(18, hour=8)
    changes.setdefault("payment_deadline", paid_at + dt.timedelta(days=1))
    booking = awaiting(patient, bookable().provider, now=NOW, **changes)
    return booking_confirm_deposit(booking=booking, payment_reference="pi_test", paid_at=paid_at, now=paid_at)


def on(day: int, month: int = 1, hour: int = 12) -> dt.datetime:
    return dt.datetime(2030, month, day, hour, tzinfo=PARIS)


def certificate(owner, title="Medical certificate"):
    return document_upload(owner=owner, upload=io.BytesIO(PDF), title=title, now=NOW)


@pytest.fixture(autouse=True)
def _document_keys(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- ordinary cancellations ---------------------------------------------------------------------------


def test_cancelling_sixteen_days_before_refunds_everything_and_frees_the_time(patient):
    booking = paid(patient)

    cancelled = booking_cancel(booking=booking, actor=patient, reason=Reason.NONE, now=on(19))

    cancelled.refresh_from_db()
    assert cancelled.status == BookingStatus.CANCELLED
    assert (cancelled.cancellation_fee_money, cancelled.cancellation_refund_money) == (
        Money(0, "EUR"),
        Money(50_000, "EUR"),
    )
    assert cancelled.cancellation_rule == "tier"
    assert cancelled.cancellation_final
    assert "16 days before" in cancelled.cancellation_explanation
    assert (cancelled.cancelled_at, cancelled.cancelled_by) == (on(19), patient)
    assert not cancelled.appointments.filter(live=True).exists()
    event = AuditEvent.objects.get(action="bookings.booking.cancelled")
    assert event.after["fee"] == 0
    assert event.after["refund"] == 50_000


def test_cancelling_ten_days_before_keeps_half_the_deposit(patient):
    booking = paid(patient)

    cancelled = booking_cancel(booking=booking, actor=patient, reason="none", now=on(25))

    assert (cancelled.cancellation_fee, cancelled.cancellation_refund) == (25_000, 25_000)


def test_the_policy_version_sold_is_the_one_applied(patient):
    booking = paid(patient)
    current = CancellationPolicy.objects.get(code="platform_default", version=1)
    CancellationPolicy.objects.create(
        code="platform_default",
        version=2,
        name="Stricter",
        tiers=[{"days": 0, "fee_bps": 10_000}],
        no_show_fee_bps=10_000,
        published_at=NOW,
    )

    cancelled = booking_cancel(booking=booking, actor=patient, reason="none", now=on(19))

    assert cancelled.cancellation_policy == current
    assert cancelled.cancellation_fee == 0


def test_cancelling_after_the_refund_window_keeps_everything(patient):
    booking = paid(patient, paid_at=on(7, hour=8))

    # 13 days before (half kept), but 15 days after payment: nothing is refunded then.
    cancelled = booking_cancel(booking=booking, actor=patient, reason="none", now=on(22))

    assert (cancelled.cancellation_fee, cancelled.cancellation_rule) == (50_000, "refund_window")


def test_cancelling_an_unpaid_booking_keeps_and_refunds_nothing(patient):
    booking = awaiting(patient, bookable().provider)

    cancelled = booking_cancel(booking=booking, actor=patient, reason="none", now=NOW)

    assert (cancelled.cancellation_fee, cancelled.cancellation_refund, cancelled.cancellation_rule) == (
        0,
        0,
        "not_paid",
    )
    assert cancelled.cancellation_final


def test_cancelling_a_completed_booking_is_a_conflict_and_changes_nothing(patient):
    booking = paid(patient)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.COMPLETED)

    with pytest.raises(Conflict) as error:
        booking_cancel(booking=booking, actor=patient, reason="none", now=on(19))

    assert error.value.code == "booking_completed"
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_at, booking.cancellation_fee) == (BookingStatus.COMPLETED, None, None)
    assert booking.appointments.get().live


def test_cancelling_twice_is_a_conflict_and_keeps_the_first_decision(patient):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason="none", now=on(19))

    with pytest.raises(Conflict) as error:
        booking_cancel(booking=booking, actor=patient, reason="none", now=on(30))

    assert error.value.code == "already_cancelled"
    booking.refresh_from_db()
    assert (booking.cancelled_at, booking.cancellation_fee) == (on(19), 0)
    assert AuditEvent.objects.filter(action="bookings.booking.cancelled").count() == 1


def test_an_expired_booking_cannot_be_cancelled(patient):
    booking = booking_hold(patient=patient, offering=bookable(), start=paris(10), now=NOW)
    from bookings.services import booking_expire_holds

    booking_expire_holds(now=NOW + dt.timedelta(hours=1))

    with pytest.raises(Conflict) as error:
        booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(hours=1))

    assert error.value.code == "booking_expired"


def test_another_patient_cannot_cancel_but_the_careteam_can(patient, other_patient, careteam):
    booking = paid(patient)

    with pytest.raises(Forbidden):
        booking_cancel(booking=booking, actor=other_patient, reason="none", now=on(19))

    assert booking_cancel(booking=booking, actor=careteam, reason="none", now=on(19)).status == "cancelled"


def test_an_unknown_reason_is_refused(patient):
    booking = paid(patient)

    with pytest.raises(ValidationFailed) as error:
        booking_cancel(booking=booking, actor=patient, reason="bored", now=on(19))

    assert "reason" in error.value.details


# --- legitimate reasons and evidence ------------------------------------------------------------------


def test_a_legitimate_reason_leaves_the_decision_pending_with_the_ordinary_amounts_shown(patient):
    booking = paid(patient)

    cancelled = booking_cancel(booking=booking, actor=patient, reason=Reason.UNFIT_TO_TRAVEL, now=on(30))

    assert cancelled.status == BookingStatus.CANCELLED
    assert not cancelled.cancellation_final
    assert cancelled.cancellation_rule == "evidence_pending"
    assert cancelled.cancellation_fee == 50_000  # 5 days before, if the evidence is not accepted
    assert cancelled.evidence_due_at == on(30) + dt.timedelta(days=14)
    assert cancelled.evidence_status == EvidenceStatus.NONE


def test_accepted_evidence_refunds_the_whole_deposit(patient, careteam):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.DOCTOR_DECLINES, now=on(30))
    document = certificate(patient)

    evidence = booking_submit_evidence(booking=booking, actor=patient, document=document, now=on(31))
    again = booking_submit_evidence(booking=booking, actor=patient, document=document, now=on(31))
    reviewed = booking_review_evidence(booking=booking, actor=careteam, accepted=True, note="", now=on(2, 2))

    assert again == evidence
    assert CancellationEvidence.objects.count() == 1
    assert (reviewed.cancellation_fee, reviewed.cancellation_refund) == (0, 50_000)
    assert (reviewed.cancellation_rule, reviewed.cancellation_final) == ("legitimate_reason", True)
    assert reviewed.evidence_status == EvidenceStatus.ACCEPTED
    evidence.refresh_from_db()
    assert (evidence.status, evidence.reviewed_by) == ("accepted", careteam)
    assert booking_review_evidence(booking=booking, actor=careteam, accepted=True, note="", now=on(3, 2)) == reviewed
    assert AuditEvent.objects.filter(action="bookings.evidence.accepted").count() == 1


def test_rejected_evidence_within_the_window_lets_the_patient_send_another(patient, careteam):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.FORCE_MAJEURE, now=on(30))
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=on(31))

    rejected = booking_review_evidence(booking=booking, actor=careteam, accepted=False, note="Unsigned", now=on(1, 2))

    assert rejected.evidence_status == EvidenceStatus.REJECTED
    assert not rejected.cancellation_final
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient, "Signed"), now=on(2, 2))
    booking.refresh_from_db()
    assert booking.evidence_status == EvidenceStatus.PENDING


def test_rejecting_needs_a_note_for_the_patient(patient, careteam):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.FORCE_MAJEURE, now=on(30))
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=on(31))

    with pytest.raises(ValidationFailed) as error:
        booking_review_evidence(booking=booking, actor=careteam, accepted=False, note=" ", now=on(1, 2))

    assert "note" in error.value.details


def test_evidence_after_fourteen_days_is_refused(patient):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.UNFIT_TO_TRAVEL, now=on(20))

    with pytest.raises(Conflict) as error:
        booking_submit_evidence(
            booking=booking, actor=patient, document=certificate(patient), now=on(20) + dt.timedelta(days=14, seconds=1)
        )

    assert error.value.code == "evidence_late"
    assert CancellationEvidence.objects.count() == 0


def test_evidence_for_an_ordinary_cancellation_is_refused(patient):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason="none", now=on(20))

    with pytest.raises(Conflict) as error:
        booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=on(21))

    assert error.value.code == "evidence_not_expected"


def test_only_the_patient_may_send_evidence_and_only_their_own_document(patient, other_patient):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.DEATH, now=on(20))

    with pytest.raises(Forbidden):
        booking_submit_evidence(booking=booking, actor=other_patient, document=certificate(other_patient), now=on(21))
    with pytest.raises(ValidationFailed) as error:
        booking_submit_evidence(booking=booking, actor=patient, document=certificate(other_patient), now=on(21))

    assert error.value.code == "document_not_yours"


def test_only_the_careteam_reviews_evidence(patient):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.DEATH, now=on(20))
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=on(21))

    with pytest.raises(Forbidden):
        booking_review_evidence(booking=booking, actor=patient, accepted=True, note="", now=on(22))


def test_without_evidence_the_ordinary_rules_apply_at_the_deadline_once(patient):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.UNFIT_TO_TRAVEL, now=on(25))
    deadline = on(25) + dt.timedelta(days=14)

    assert booking_apply_evidence_deadlines(now=deadline - dt.timedelta(seconds=1)) == 0
    assert booking_apply_evidence_deadlines(now=deadline) == 1
    assert booking_apply_evidence_deadlines(now=deadline) == 0

    booking.refresh_from_db()
    assert booking.cancellation_final
    assert booking.evidence_status == EvidenceStatus.LATE
    assert (booking.cancellation_fee, booking.cancellation_rule) == (25_000, "tier")  # 10 days before
    assert AuditEvent.objects.filter(action="bookings.evidence.deadline_passed").count() == 1


def test_rejected_evidence_falls_to_the_ordinary_rules_at_the_deadline(patient, careteam):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.UNFIT_TO_TRAVEL, now=on(25))
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=on(26))
    booking_review_evidence(booking=booking, actor=careteam, accepted=False, note="Not a doctor", now=on(27))

    assert booking_apply_evidence_deadlines(now=on(25) + dt.timedelta(days=15)) == 1

    booking.refresh_from_db()
    assert (booking.evidence_status, booking.cancellation_final, booking.cancellation_fee) == (
        EvidenceStatus.REJECTED,
        True,
        25_000,
    )


def test_evidence_sent_in_time_still_awaits_its_review_after_the_deadline(patient, careteam):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.UNFIT_TO_TRAVEL, now=on(25))
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=on(26))

    assert booking_apply_evidence_deadlines(now=on(25) + dt.timedelta(days=20)) == 0
    reviewed = booking_review_evidence(
        booking=booking, actor=careteam, accepted=True, note="", now=on(25) + dt.timedelta(days=21)
    )
    assert reviewed.cancellation_refund == 50_000


def test_a_late_review_rejecting_evidence_applies_the_ordinary_rules_at_once(patient, careteam):
    booking = paid(patient)
    booking_cancel(booking=booking, actor=patient, reason=Reason.UNFIT_TO_TRAVEL, now=on(25))
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=on(26))

    reviewed = booking_review_evidence(
        booking=booking, actor=careteam, accepted=False, note="Illegible", now=on(25) + dt.timedelta(days=21)
    )

    assert reviewed.cancellation_final
    assert reviewed.cancellation_fee == 25_000
    with pytest.raises(Conflict):
        booking_review_evidence(
            booking=booking, actor=careteam, accepted=True, note="", now=on(25) + dt.timedelta(days=22)
        )


def test_the_evidence_deadline_task_runs_hourly(patient):
    real_now = timezone.now()
    start = real_now + dt.timedelta(days=20)
    booking = awaiting(
        patient,
        bookable().provider,
        slots=[(start, start + dt.timedelta(hours=1))],
        now=real_now - dt.timedelta(days=16),
    )
    booking_confirm_deposit(
        booking=booking, payment_reference="pi", paid_at=real_now - dt.timedelta(days=16), now=real_now
    )
    booking_cancel(booking=booking, actor=patient, reason=Reason.DEATH, now=real_now - dt.timedelta(days=15))

    assert apply_evidence_deadlines.delay().get() == 1
    assert apply_evidence_deadlines.delay().get() == 0
    entry = settings.CELERY_BEAT_SCHEDULE["apply-evidence-deadlines"]
    assert entry["task"] == "bookings.tasks.apply_evidence_deadlines"
    assert entry["schedule"] == dt.timedelta(hours=1)


def test_first_appointment_date_is_counted_in_the_provider_timezone(patient):
    # 4 February 00:30 in Paris is still 3 February in UTC: 15 days from 20 January in Paris.
    start = dt.datetime(2030, 2, 4, 0, 30, tzinfo=PARIS)
    booking = paid(patient, slots=[(start, start + dt.timedelta(hours=1))])

    cancelled = booking_cancel(booking=booking, actor=patient, reason="none", now=on(20, hour=1))

    assert cancelled.cancellation_fee == 0
    assert start.date() == FOUR_WEEKS_ON


def test_days_are_counted_on_paris_calendar_dates_across_the_spring_dst_change(patient):
    # Clocks go forward in Paris on Sunday 31 March 2030. 17 March 00:30 in Paris is still
    # 16 March in UTC: 14 days before in Paris (half kept), 15 in UTC (free).
    start = dt.datetime(2030, 3, 31, 9, 0, tzinfo=PARIS)
    booking = paid(patient, paid_at=on(10, month=3), slots=[(start, start + dt.timedelta(hours=1))])

    cancelled = booking_cancel(
        booking=booking, actor=patient, reason="none", now=on(17, month=3, hour=0) + dt.timedelta(minutes=30)
    )

    assert start.utcoffset() == dt.timedelta(hours=2)
    assert cancelled.cancellation_fee == 25_000
    assert "14 days before" in cancelled.cancellation_explanation
