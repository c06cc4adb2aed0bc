"""Each action's check: who may do it and when, with the refusal code its service raises; and the
service refusing exactly what its check refuses (the rule is written once)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from bookings.models import Booking, BookingStatus, EvidenceStatus
from bookings.policy import EVIDENCE_WINDOW, Reason
from bookings.services import (
    BOOKING_ACTIONS,
    booking_actions,
    booking_apply_evidence_deadlines,
    booking_cancel,
    booking_cancel_check,
    booking_complete,
    booking_complete_check,
    booking_confirm_deposit,
    booking_evidence_review_check,
    booking_evidence_send_check,
    booking_expire_holds,
    booking_hold,
    booking_mark_no_show,
    booking_no_show_check,
    booking_pay_check,
    booking_reschedule,
    booking_reschedule_check,
    booking_review_evidence,
    booking_submit_evidence,
)
from bookings.services.common import BOOKING, EVIDENCE
from bookings.tests.support import MONDAY, NOW, awaiting, bookable, paris
from core.checks import Check
from core.errors import DomainError
from core.models import AuditEvent
from core.money import Money
from documents.services import document_upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def held(patient, offering, hour=10) -> Booking:
    """Held at 07:00 Paris for a 10:00 slot: the hold lapses at 07:15."""
    return booking_hold(patient=patient, offering=offering, start=paris(hour), now=NOW)


def confirmed(patient, offering, hour=10) -> Booking:
    booking = held(patient, offering, hour)
    return booking_confirm_deposit(booking=booking, payment_reference=f"pi_{hour}", paid_at=NOW, now=NOW)


def cancelled_for(patient, offering, reason=Reason.UNFIT_TO_TRAVEL) -> Booking:
    """Paid, then cancelled at NOW for `reason` (evidence due 14 days on)."""
    return booking_cancel(booking=confirmed(patient, offering), actor=patient, reason=reason, now=NOW)


def certificate(owner, title="Certificate"):
    return document_upload(owner=owner, upload=io.BytesIO(PDF), title=title, now=NOW)


def refused(check: Check) -> str:
    assert not check.allowed, "expected a refusal"
    assert check.reason  # says why, in the service's words
    return check.refusal.code


def set_status(booking: Booking, status: str) -> Booking:
    Booking.objects.filter(pk=booking.pk).update(status=status)
    booking.refresh_from_db()
    return booking


# --- pay ---------------------------------------------------------------------------------------------


def test_a_held_booking_may_be_paid_by_its_patient_within_its_hold(patient, offering):
    booking = held(patient, offering)

    assert booking_pay_check(booking=booking, actor=patient, now=NOW + dt.timedelta(minutes=14)).allowed
    lapsed = booking_pay_check(booking=booking, actor=patient, now=NOW + dt.timedelta(minutes=15))
    assert refused(lapsed) == "booking_expired"


def test_a_booking_awaiting_its_deposit_may_be_paid_until_its_deadline(patient, offering):
    booking = awaiting(patient, offering.provider, offering=offering)

    assert booking_pay_check(booking=booking, actor=patient, now=booking.deposit_due_at - dt.timedelta(seconds=1))
    assert refused(booking_pay_check(booking=booking, actor=patient, now=booking.deposit_due_at)) == "booking_expired"


def test_only_the_patient_may_pay(patient, other_patient, clinic_admin, careteam, offering):
    booking = held(patient, offering)

    for actor in (other_patient, clinic_admin, careteam, None):
        assert refused(booking_pay_check(booking=booking, actor=actor, now=NOW)) == "forbidden"


def test_nothing_is_payable_once_paid_expired_or_cancelled(patient, other_patient, offering):
    paid = confirmed(patient, offering)
    expired = held(other_patient, offering, hour=11)
    booking_expire_holds(now=NOW + dt.timedelta(minutes=20))
    expired.refresh_from_db()
    cancelled = booking_cancel(booking=held(patient, offering, hour=12), actor=patient, reason="none", now=NOW)

    assert refused(booking_pay_check(booking=paid, actor=patient, now=NOW)) == "already_paid"
    later = NOW + dt.timedelta(minutes=20)
    assert refused(booking_pay_check(booking=expired, actor=other_patient, now=later)) == "booking_expired"
    assert refused(booking_pay_check(booking=cancelled, actor=patient, now=NOW)) == "booking_cancelled"


def test_a_booking_that_is_not_waiting_or_has_no_deposit_is_not_payable(patient, offering):
    closed = set_status(held(patient, offering), BookingStatus.COMPLETED)
    free = awaiting(patient, offering.provider, deposit=Money(0, "EUR"), total=Money(0, "EUR"))

    assert refused(booking_pay_check(booking=closed, actor=patient, now=NOW)) == "not_payable"
    assert refused(booking_pay_check(booking=free, actor=patient, now=NOW)) == "no_deposit"


# --- cancel ------------------------------------------------------------------------------------------


def test_the_patient_or_the_careteam_may_cancel_a_live_booking(
    patient, careteam, other_patient, clinic_admin, offering
):
    booking = held(patient, offering)

    assert booking_cancel_check(booking=booking, actor=patient, now=NOW).allowed
    assert booking_cancel_check(booking=booking, actor=careteam, now=NOW).allowed
    for actor in (other_patient, clinic_admin, None):
        assert refused(booking_cancel_check(booking=booking, actor=actor, now=NOW)) == "forbidden"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (BookingStatus.CANCELLED, "already_cancelled"),
        (BookingStatus.COMPLETED, "booking_completed"),
        (BookingStatus.NO_SHOW, "booking_no_show"),
        (BookingStatus.EXPIRED, "booking_expired"),
    ],
)
def test_a_closed_booking_cannot_be_cancelled_and_the_service_says_the_same(patient, offering, status, code):
    booking = set_status(confirmed(patient, offering), status)

    assert refused(booking_cancel_check(booking=booking, actor=patient, now=NOW)) == code
    with pytest.raises(DomainError) as error:
        booking_cancel(booking=booking, actor=patient, reason="none", now=NOW)
    assert error.value.code == code


# --- reschedule --------------------------------------------------------------------------------------


def test_the_patient_the_provider_or_the_careteam_may_move_an_appointment(
    patient, careteam, clinic_admin, other_patient, rival_member, offering
):
    booking = confirmed(patient, offering)

    for actor in (patient, clinic_admin, careteam):
        assert booking_reschedule_check(booking=booking, actor=actor, now=NOW).allowed
    for actor in (other_patient, rival_member, None):
        assert refused(booking_reschedule_check(booking=booking, actor=actor, now=NOW)) == "forbidden"


def test_a_closed_a_quote_or_a_started_booking_cannot_be_moved(patient, offering):
    cancelled = booking_cancel(booking=confirmed(patient, offering), actor=patient, reason="none", now=NOW)
    from_quote = awaiting(patient, offering.provider)
    started = confirmed(patient, offering, hour=11)

    assert refused(booking_reschedule_check(booking=cancelled, actor=patient, now=NOW)) == "invalid_transition"
    assert refused(booking_reschedule_check(booking=from_quote, actor=patient, now=NOW)) == "reschedule_needs_offering"
    assert refused(booking_reschedule_check(booking=started, actor=patient, now=paris(11))) == "appointment_started"
    with pytest.raises(DomainError) as error:
        booking_reschedule(booking=started, actor=patient, start=paris(14, day=TUESDAY), now=paris(11))
    assert error.value.code == "appointment_started"


# --- complete and no-show ----------------------------------------------------------------------------


@pytest.mark.parametrize("check", [booking_complete_check, booking_no_show_check])
def test_a_member_closes_a_confirmed_booking_once_its_first_appointment_began(
    patient, clinic_admin, other_patient, careteam, rival_member, offering, check
):
    booking = confirmed(patient, offering)

    assert check(booking=booking, actor=clinic_admin, now=paris(10)).allowed
    assert refused(check(booking=booking, actor=clinic_admin, now=paris(9, 59))) == "appointment_not_started"
    for actor in (patient, other_patient, careteam, rival_member, None):
        assert refused(check(booking=booking, actor=actor, now=paris(11))) == "forbidden"


@pytest.mark.parametrize("check", [booking_complete_check, booking_no_show_check])
def test_an_unpaid_booking_cannot_be_closed(patient, clinic_admin, offering, check):
    booking = held(patient, offering)

    assert refused(check(booking=booking, actor=clinic_admin, now=paris(11))) == "invalid_transition"


def test_a_closed_booking_is_not_offered_again_though_its_service_may_run_twice(patient, clinic_admin, offering):
    completed = booking_complete(booking=confirmed(patient, offering), actor=clinic_admin, now=paris(10, 5))
    no_show = booking_mark_no_show(booking=confirmed(patient, offering, 11), actor=clinic_admin, now=paris(11, 5))

    assert refused(booking_complete_check(booking=completed, actor=clinic_admin, now=paris(12))) == "already_completed"
    assert refused(booking_no_show_check(booking=no_show, actor=clinic_admin, now=paris(12))) == "already_no_show"
    assert refused(booking_no_show_check(booking=completed, actor=clinic_admin, now=paris(12))) == "invalid_transition"
    assert refused(booking_complete_check(booking=no_show, actor=clinic_admin, now=paris(12))) == "invalid_transition"
    # Running the service again is still safe and changes nothing.
    assert booking_complete(booking=completed, actor=clinic_admin, now=paris(12)).completed_at == paris(10, 5)
    assert booking_mark_no_show(booking=no_show, actor=clinic_admin, now=paris(12)).completed_at == paris(11, 5)


# --- evidence ----------------------------------------------------------------------------------------


def test_the_patient_may_send_evidence_for_a_legitimate_reason_until_the_deadline(
    patient, other_patient, careteam, offering
):
    booking = cancelled_for(patient, offering)
    deadline = NOW + EVIDENCE_WINDOW

    assert booking_evidence_send_check(booking=booking, actor=patient, now=deadline).allowed
    late = booking_evidence_send_check(booking=booking, actor=patient, now=deadline + dt.timedelta(seconds=1))
    assert refused(late) == "evidence_late"
    assert f"within {EVIDENCE_WINDOW.days} days" in late.reason
    for actor in (other_patient, careteam, None):
        assert refused(booking_evidence_send_check(booking=booking, actor=actor, now=NOW)) == "forbidden"


def test_no_evidence_is_expected_for_an_ordinary_cancellation_or_a_final_decision(patient, careteam, offering):
    ordinary = cancelled_for(patient, offering, reason=Reason.NONE)
    accepted = booking_cancel(booking=confirmed(patient, offering, 11), actor=patient, reason="death", now=NOW)
    booking_submit_evidence(booking=accepted, actor=patient, document=certificate(patient), now=NOW)
    accepted = booking_review_evidence(booking=accepted, actor=careteam, accepted=True, now=NOW)

    assert refused(booking_evidence_send_check(booking=ordinary, actor=patient, now=NOW)) == "evidence_not_expected"
    assert refused(booking_evidence_send_check(booking=accepted, actor=patient, now=NOW)) == "evidence_decided"


def test_the_careteam_may_review_evidence_awaiting_review(patient, careteam, clinic_admin, offering):
    booking = cancelled_for(patient, offering)

    assert refused(booking_evidence_review_check(booking=booking, actor=careteam, now=NOW)) == "no_evidence_pending"
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=NOW)
    # After the deadline too: evidence sent in time waits for its review.
    assert booking_evidence_review_check(booking=booking, actor=careteam, now=NOW + EVIDENCE_WINDOW * 2).allowed
    for actor in (patient, clinic_admin, None):
        assert refused(booking_evidence_review_check(booking=booking, actor=actor, now=NOW)) == "forbidden"
    booking_review_evidence(booking=booking, actor=careteam, accepted=True, now=NOW)
    booking.refresh_from_db()
    assert refused(booking_evidence_review_check(booking=booking, actor=careteam, now=NOW)) == "evidence_decided"


def test_evidence_moves_through_its_table_and_each_move_is_audited(patient, careteam, offering):
    booking = cancelled_for(patient, offering)
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient), now=NOW)
    booking_review_evidence(booking=booking, actor=careteam, accepted=False, note="Unsigned", now=NOW)
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient, "Signed"), now=NOW)
    booking_submit_evidence(booking=booking, actor=patient, document=certificate(patient, "Stamped"), now=NOW)

    moves = [
        (e.action, e.before, e.after["evidence_status"])
        for e in AuditEvent.objects.filter(action__startswith="bookings.evidence.").order_by("pk")
    ]
    assert moves == [
        ("bookings.evidence.submitted", {"evidence_status": "none"}, "pending"),
        ("bookings.evidence.rejected", {"evidence_status": "pending"}, "rejected"),
        ("bookings.evidence.submitted", {"evidence_status": "rejected"}, "pending"),
        ("bookings.evidence.submitted", {"evidence_status": "pending"}, "pending"),
    ]
    assert not EVIDENCE.allows(EvidenceStatus.ACCEPTED, EvidenceStatus.PENDING)
    assert not EVIDENCE.allows(EvidenceStatus.LATE, EvidenceStatus.PENDING)


def test_the_deadline_finalises_through_the_evidence_table(patient, offering):
    booking = cancelled_for(patient, offering)

    assert booking_apply_evidence_deadlines(now=NOW + EVIDENCE_WINDOW) == 1

    booking.refresh_from_db()
    assert (booking.evidence_status, booking.cancellation_final) == (EvidenceStatus.LATE, True)
    event = AuditEvent.objects.get(action="bookings.evidence.deadline_passed")
    assert event.before == {"evidence_status": "none"}
    assert event.after["evidence_status"] == "late"
    assert event.after["final"] is True


# --- the machine and every action at once ------------------------------------------------------------


def test_a_move_the_table_refuses_keeps_the_bookings_own_words(patient, offering):
    refusal = BOOKING.refusal(BookingStatus.HELD, BookingStatus.COMPLETED)

    assert refusal.code == "invalid_transition"
    assert refusal.message == "A booking that is Held while paying cannot become Completed."


def test_booking_actions_answers_every_action_for_one_person(patient, clinic_admin, offering):
    booking = confirmed(patient, offering)

    for_patient = booking_actions(booking=booking, actor=patient, now=NOW)
    for_member = booking_actions(booking=booking, actor=clinic_admin, now=paris(10, 30), only=["complete", "cancel"])

    assert set(for_patient) == set(BOOKING_ACTIONS)
    assert {name for name, check in for_patient.items() if check} == {"cancel", "reschedule"}
    assert {name: bool(check) for name, check in for_member.items()} == {"complete": True, "cancel": False}


def test_a_quote_booking_awaiting_its_deposit_offers_pay_and_cancel(patient):
    booking = awaiting(patient, bookable().provider)

    allowed = {name for name, check in booking_actions(booking=booking, actor=patient, now=NOW).items() if check}

    assert allowed == {"pay", "cancel"}
