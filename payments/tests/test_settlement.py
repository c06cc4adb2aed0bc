"""Cancellations settled (refund to the card, fee to the provider less commission) and releases
(finance approves, the platform keeps its commission, the provider is paid by wire), through the
emulator for Stripe's side (docs/decisions.md#payments-acceptance-list: D2, D4, D6, A5)."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.models import BookingStatus
from bookings.services import booking_cancel, booking_complete
from bookings.tests.support import FOUR_WEEKS_ON, NOW, paris
from core.errors import Conflict, Forbidden
from payments import ledger
from payments.ledger import ledger_check
from payments.models import PayoutAccount, Refund, RefundStatus, Release, ReleaseStatus
from payments.services.refunds import refund_record, refund_settle, refunds_settle_pending
from payments.services.releases import release_approve, release_record_wire, release_reject, release_request
from payments.tests.support import paid_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_officer(finance):
    return finance


def _balances(booking):
    return {
        "trust": ledger.held(booking=booking, currency="EUR"),
        "provider": -ledger.provider_payable(provider=booking.provider, currency="EUR").balance,
        "commission": -ledger.income("commission", "EUR").balance,
        "refund_payable": -ledger.refund_payable(booking=booking, currency="EUR").balance,
    }


def test_a_paid_deposit_is_held_in_trust(stripe_emulator, patient, clinic):
    booking = paid_booking(stripe_emulator, patient, clinic)

    assert booking.status == BookingStatus.CONFIRMED
    assert ledger.held(booking=booking, currency="EUR") == 50_000
    assert ledger_check() == []


# Paid on NOW, appointment 28 days later (bookings' support): free until 15 days before, half
# from 14 to 8 days before, and nothing back once 15 days have passed since payment.
@pytest.mark.parametrize(
    ("days_after_payment", "refund", "fee"),
    [(1, 50_000, 0), (14, 25_000, 25_000), (20, 0, 50_000)],
)
def test_a_cancellation_refunds_the_card_and_the_fee_goes_to_the_provider_less_commission(
    stripe_emulator, patient, clinic, days_after_payment, refund, fee, django_capture_on_commit_callbacks
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    cancelled_at = NOW + dt.timedelta(days=days_after_payment)
    booking_cancel(booking=booking, actor=patient, reason="none", now=cancelled_at)
    booking.refresh_from_db()
    assert (booking.cancellation_refund, booking.cancellation_fee) == (refund, fee)

    with django_capture_on_commit_callbacks(execute=True):  # the refund goes to Stripe after commit
        settled = refund_settle(booking=booking, now=cancelled_at)

    commission = (fee * 1000 + 5000) // 10_000  # 10% by default, half up
    settled.refresh_from_db()
    assert (settled.amount, settled.fee, settled.fee_commission) == (refund, fee, commission)
    assert settled.status == RefundStatus.SUCCEEDED
    assert _balances(booking) == {
        "trust": 0,
        "provider": fee - commission,
        "commission": commission,
        "refund_payable": 0,
    }
    if refund:
        stripe_refund = stripe_emulator.get(f"/v1/refunds/{Refund.objects.get().stripe_refund_id}")
        assert (stripe_refund["amount"], stripe_refund["status"]) == (refund, "succeeded")
    assert refund + fee == 50_000
    assert ledger_check() == []


def test_settling_twice_refunds_once(stripe_emulator, patient, clinic, django_capture_on_commit_callbacks):
    booking = paid_booking(stripe_emulator, patient, clinic)
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        first = refund_settle(booking=booking, now=NOW + dt.timedelta(days=1))
        again = refund_settle(booking=booking, now=NOW + dt.timedelta(days=1))
    assert refunds_settle_pending(now=NOW + dt.timedelta(days=1)) == 0

    assert again.pk == first.pk
    assert len(stripe_emulator.get("/v1/refunds")["data"]) == 1
    assert ledger.stripe_balance("EUR").balance == 0  # the whole deposit went back (the emulator's fees are 0)


def test_a_pending_legitimate_reason_is_not_settled_until_the_decision_is_final(stripe_emulator, patient, clinic):
    booking = paid_booking(stripe_emulator, patient, clinic)
    booking_cancel(booking=booking, actor=patient, reason="unfit_to_travel", now=NOW + dt.timedelta(days=20))

    assert refund_settle(booking=booking, now=NOW + dt.timedelta(days=20)) is None
    assert ledger.held(booking=booking, currency="EUR") == 50_000
    assert not stripe_emulator.get("/v1/refunds")["data"]


def _after_first_appointment():
    return paris(10, day=FOUR_WEEKS_ON) + dt.timedelta(hours=1)


def test_a_release_approved_by_finance_keeps_the_commission_and_waits_for_a_wire(
    stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    later = _after_first_appointment()

    release = release_request(booking=booking, actor=clinic_admin, now=later)
    release = release_approve(release=release, actor=finance, now=later)

    assert release.status == ReleaseStatus.AWAITING_WIRE  # no connected account
    assert (release.amount, release.commission, release.payout) == (50_000, 5_000, 45_000)
    assert _balances(booking)["trust"] == 0
    assert _balances(booking)["provider"] == 45_000
    with pytest.raises(Conflict):  # the deposit left trust: a second release finds nothing
        release_request(booking=booking, actor=clinic_admin, now=later)

    paid = release_record_wire(release=release, actor=finance, reference="WIRE-2030-0042", now=later)
    assert paid.status == ReleaseStatus.PAID
    assert _balances(booking)["provider"] == 0
    assert ledger.bank_account("EUR").balance == -45_000
    assert ledger_check() == []


def test_the_commission_is_waived_when_the_collaboration_ended_after_the_first_meeting(
    stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    release = release_request(booking=booking, actor=clinic_admin, now=_after_first_appointment())
    release = release_approve(release=release, actor=finance, waive_commission=True, now=_after_first_appointment())
    assert (release.commission, release.payout) == (0, 50_000)


def test_a_release_cannot_be_asked_before_the_first_appointment_or_twice(
    stripe_emulator, patient, clinic, clinic_admin
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    with pytest.raises(Conflict) as early:
        release_request(booking=booking, actor=clinic_admin, now=NOW + dt.timedelta(days=1))
    assert early.value.code == "release_too_early"

    release_request(booking=booking, actor=clinic_admin, now=_after_first_appointment())
    with pytest.raises(Conflict) as twice:
        release_request(booking=booking, actor=clinic_admin, now=_after_first_appointment())
    assert twice.value.code == "release_exists"
    assert Release.objects.count() == 1


def test_only_finance_decides_and_a_decided_release_is_not_decided_again(
    stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    release = release_request(booking=booking, actor=clinic_admin, now=_after_first_appointment())
    with pytest.raises(Forbidden):
        release_approve(release=release, actor=clinic_admin, now=_after_first_appointment())
    release_reject(release=release, actor=finance, reason="Appointment not attended", now=_after_first_appointment())
    with pytest.raises(Conflict) as again:
        release_approve(release=release, actor=finance, now=_after_first_appointment())
    assert again.value.code == "release_decided"
    assert ledger.held(booking=booking, currency="EUR") == 50_000


def test_a_provider_with_automatic_releases_is_approved_at_once(stripe_emulator, patient, clinic, clinic_admin):
    PayoutAccount.objects.create(provider=clinic, auto_release=True, commission_bps=500)
    booking = paid_booking(stripe_emulator, patient, clinic)
    release = release_request(booking=booking, actor=clinic_admin, now=_after_first_appointment())
    assert (release.status, release.commission) == (ReleaseStatus.AWAITING_WIRE, 2_500)


def test_a_cancelled_booking_cannot_be_released_and_a_released_one_cannot_be_refunded(
    stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    release = release_request(booking=booking, actor=clinic_admin, now=_after_first_appointment())
    release_approve(release=release, actor=finance, now=_after_first_appointment())
    booking_complete(booking=booking, actor=clinic_admin, now=_after_first_appointment())

    with pytest.raises(Conflict):
        booking_cancel(booking=booking, actor=patient, reason="none", now=_after_first_appointment())
    assert refund_settle(booking=booking, now=_after_first_appointment()) is None
    assert ledger.held(booking=booking, currency="EUR") == 0


def test_a_refund_stripe_reports_failed_goes_back_to_trust_once(
    stripe_emulator, patient, clinic, django_capture_on_commit_callbacks
):
    """D3: a card that can no longer take the refund. The emulator's refunds always succeed, so
    this records what the `refund.failed` webhook hands over after re-fetching the refund."""
    booking = paid_booking(stripe_emulator, patient, clinic)
    booking_cancel(booking=booking, actor=patient, reason="none", now=NOW + dt.timedelta(days=1))
    refund = refund_settle(booking=booking, now=NOW + dt.timedelta(days=1))  # authorised, not yet sent

    for _ in range(2):
        refund_record(stripe_refund_id="re_failed_1", status="failed", refund=refund, now=NOW + dt.timedelta(days=2))

    refund.refresh_from_db()
    assert (refund.status, refund.failure_reason) == (RefundStatus.FAILED, "failed")
    assert ledger.held(booking=booking, currency="EUR") == 50_000
    assert _balances(booking)["refund_payable"] == 0
    assert ledger_check() == []
