"""One answer to "may this person do this now?" for each action payments' pages offer: the
`<entity>_<action>_check` functions, allowed and refused with the service's own code; the pages offer
a button only when its check allows it; and every status change goes through a `core.state` machine
whose refusals read as before."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel
from bookings.tests.support import FOUR_WEEKS_ON, NOW, awaiting, paris
from core.checks import Check
from core.errors import Conflict
from core.models import AuditEvent
from core.state import transition_check
from payments import gateway, ledger
from payments.ledger import ledger_check
from payments.models import Deposit, DepositStatus, DisputeStatus, PayoutAccount, Refund, RefundStatus, Release
from payments.models import ReleaseStatus as RS
from payments.services.deposits import DEPOSIT, deposit_confirmation_check, deposit_pay_check
from payments.services.disputes import DISPUTE, dispute_open
from payments.services.refunds import REFUND
from payments.services.releases import (
    RELEASE,
    release_approve,
    release_approve_check,
    release_record_wire,
    release_reject,
    release_reject_check,
    release_request,
    release_request_check,
    release_transfer,
    release_wire_check,
)
from payments.tests.support import paid_booking
from providers.tests.factories import MemberFactory, ProviderFactory

pytestmark = pytest.mark.django_db

AFTER_FIRST_APPOINTMENT = paris(10, day=FOUR_WEEKS_ON) + dt.timedelta(hours=1)


def refused(check: Check) -> str:
    """The refusal's code (a check that allows is a test failure here)."""
    assert not check.allowed, "expected a refusal"
    assert check.reason == check.refusal.message
    return check.refusal.code


# --- deposit_pay_check --------------------------------------------------------------------------------


def test_the_patient_may_pay_a_booking_awaiting_its_deposit(patient):
    booking = awaiting(patient, ProviderFactory())

    check = deposit_pay_check(booking=booking, actor=patient, now=NOW)

    assert check.allowed
    assert check.reason == ""


def test_paying_is_refused_for_someone_else_and_for_each_state_that_takes_no_deposit(patient, other_patient):
    booking = awaiting(patient, ProviderFactory())
    due = booking.deposit_due_at

    assert refused(deposit_pay_check(booking=booking, actor=other_patient, now=NOW)) == "not_found"
    assert refused(deposit_pay_check(booking=booking, actor=patient, now=due)) == "booking_expired"
    unsaved = {"patient": patient, "deposit_amount": 50_000, "currency": "EUR"}
    cases = {
        "already_paid": Booking(status=BookingStatus.CONFIRMED, paid_at=NOW, **unsaved),
        "booking_expired": Booking(status=BookingStatus.EXPIRED, **unsaved),
        "booking_cancelled": Booking(status=BookingStatus.CANCELLED, **unsaved),
        "not_payable": Booking(status=BookingStatus.COMPLETED, **unsaved),
        "no_deposit": Booking(
            status=BookingStatus.AWAITING_DEPOSIT, deposit_due_at=due, **{**unsaved, "deposit_amount": 0}
        ),
    }
    for code, case in cases.items():
        assert refused(deposit_pay_check(booking=case, actor=patient, now=NOW)) == code, code


def test_the_payment_confirmation_is_offered_once_the_deposit_is_held(stripe_emulator, patient, other_patient):
    unpaid = awaiting(patient, ProviderFactory())
    assert refused(deposit_confirmation_check(booking=unpaid, actor=patient)) == "not_found"

    booking = paid_booking(stripe_emulator, patient)

    assert deposit_confirmation_check(booking=booking, actor=patient).allowed
    assert refused(deposit_confirmation_check(booking=booking, actor=other_patient)) == "not_found"


def test_the_pay_page_of_an_expired_booking_has_no_card_form_and_its_steps_are_refused(
    client, stripe_emulator, patient
):
    booking = awaiting(patient, ProviderFactory())
    page_url = reverse("payments:pay", args=[booking.pk])

    with time_machine.travel(booking.deposit_due_at + dt.timedelta(minutes=1), tick=False):
        client.force_login(patient)
        page = client.get(page_url).content.decode()
        start = client.post(reverse("payments:pay_start", args=[booking.pk]))

    assert 'id="payment-form"' not in page
    assert "/static/js/payment.js" not in page
    assert 'data-testid="not-payable"' in page
    assert "This booking expired before its deposit was paid" in page
    assert start.status_code == 409
    assert start.json()["code"] == "booking_expired"
    assert stripe_emulator.get("/v1/setup_intents")["data"] == []


def test_a_paid_booking_offers_its_confirmation_and_no_card_form(client, stripe_emulator, patient):
    booking = paid_booking(stripe_emulator, patient)
    client.force_login(patient)

    page = client.get(reverse("payments:pay", args=[booking.pk])).content.decode()

    assert 'id="payment-form"' not in page
    assert reverse("payments:confirmation", args=[booking.pk]) in page
    assert client.get(reverse("payments:confirmation", args=[booking.pk])).status_code == 200
    booking_page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()
    assert reverse("payments:confirmation", args=[booking.pk]) in booking_page


def test_a_booking_not_paid_yet_has_no_confirmation_to_download(client, patient):
    booking = awaiting(patient, ProviderFactory())
    client.force_login(patient)

    page = client.get(reverse("payments:pay", args=[booking.pk])).content.decode()

    assert reverse("payments:confirmation", args=[booking.pk]) not in page
    assert client.get(reverse("payments:confirmation", args=[booking.pk])).status_code == 404
    booking_page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()
    assert reverse("payments:confirmation", args=[booking.pk]) not in booking_page


# --- release_request_check ----------------------------------------------------------------------------


def test_a_member_may_ask_for_the_deposit_once_the_first_appointment_began(
    stripe_emulator, patient, clinic, clinic_admin
):
    booking = paid_booking(stripe_emulator, patient, clinic)

    check = release_request_check(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)

    assert check.allowed
    assert check.can_ask
    assert (check.held, check.deposit.booking_id, check.live) == (50_000, booking.pk, None)


def test_asking_for_the_deposit_is_refused_with_the_services_codes(stripe_emulator, patient, clinic, clinic_admin):
    booking = paid_booking(stripe_emulator, patient, clinic)
    outsider = MemberFactory(provider=ProviderFactory()).user

    assert refused(release_request_check(booking=booking, actor=outsider, now=AFTER_FIRST_APPOINTMENT)) == "forbidden"
    assert refused(release_request_check(booking=booking, actor=patient, now=AFTER_FIRST_APPOINTMENT)) == "forbidden"
    assert refused(release_request_check(booking=booking, actor=clinic_admin, now=NOW)) == "release_too_early"

    release = release_request(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    twice = release_request_check(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    assert refused(twice) == "release_exists"
    assert twice.live == release


def test_a_cancelled_or_disputed_booking_has_no_deposit_to_ask_for(stripe_emulator, patient, clinic, clinic_admin):
    cancelled = paid_booking(stripe_emulator, patient, clinic)
    booking_cancel(booking=cancelled, actor=patient, reason="none", now=NOW + dt.timedelta(days=1))
    cancelled.refresh_from_db()
    disputed = paid_booking(stripe_emulator, patient, clinic)
    _open_dispute(Deposit.objects.get(booking=disputed))

    check = release_request_check(booking=cancelled, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    assert refused(check) == "release_not_allowed"
    check = release_request_check(booking=disputed, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    assert refused(check) == "deposit_not_held"


# --- finance's checks ---------------------------------------------------------------------------------


@pytest.fixture
def requested(stripe_emulator, patient, clinic, clinic_admin) -> Release:
    booking = paid_booking(stripe_emulator, patient, clinic)
    return release_request(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)


def _open_dispute(deposit: Deposit) -> None:
    dispute = gateway.Dispute(
        id="dp_1", charge_id=deposit.charge_id, payment_intent_id=None, status="needs_response", balance_transactions=()
    )
    dispute_open(dispute=dispute, now=NOW + dt.timedelta(days=1))


def test_finance_may_approve_or_reject_a_requested_release_and_nobody_else(requested, finance, clinic_admin, careteam):
    assert release_approve_check(release=requested, actor=finance).allowed
    assert release_reject_check(release=requested, actor=finance).allowed
    for someone in (clinic_admin, careteam):
        assert refused(release_approve_check(release=requested, actor=someone)) == "forbidden"
        assert refused(release_reject_check(release=requested, actor=someone)) == "forbidden"
        assert refused(release_wire_check(release=requested, actor=someone)) == "forbidden"
    # Nothing to wire before it is approved.
    assert refused(release_wire_check(release=requested, actor=finance)) == "release_decided"


def test_a_decided_release_is_neither_approved_nor_rejected_again(requested, finance):
    approved = release_approve(release=requested, actor=finance, now=AFTER_FIRST_APPOINTMENT)

    assert refused(release_approve_check(release=approved, actor=finance)) == "release_decided"
    assert refused(release_reject_check(release=approved, actor=finance)) == "release_decided"
    assert release_approve_check(release=approved, actor=finance).reason == (
        "This release is already approved, to pay by bank wire."
    )
    assert release_wire_check(release=approved, actor=finance).allowed

    paid = release_record_wire(release=approved, actor=finance, reference="WIRE-1", now=AFTER_FIRST_APPOINTMENT)
    assert refused(release_wire_check(release=paid, actor=finance)) == "release_decided"


def test_a_rejected_release_offers_nothing(requested, finance):
    rejected = release_reject(release=requested, actor=finance, reason="Not attended", now=AFTER_FIRST_APPOINTMENT)

    for check in (release_approve_check, release_reject_check, release_wire_check):
        assert refused(check(release=rejected, actor=finance)) == "release_decided"


def test_a_disputed_deposit_cannot_be_approved_but_may_be_rejected(requested, finance):
    _open_dispute(Deposit.objects.get(booking_id=requested.booking_id))

    assert refused(release_approve_check(release=requested, actor=finance)) == "deposit_disputed"
    assert release_reject_check(release=requested, actor=finance).allowed
    with pytest.raises(Conflict) as refusal:
        release_approve(release=requested, actor=finance, now=AFTER_FIRST_APPOINTMENT)
    assert refusal.value.code == "deposit_disputed"


def test_a_failed_transfer_is_paid_by_wire_instead(requested, finance, monkeypatch):
    """failed → awaiting wire → paid: two moves of the machine, each audited, the ledger as before."""
    PayoutAccount.objects.create(
        provider=requested.provider, stripe_account_id="acct_gone", payouts_enabled=True, transfers_active=True
    )
    approved = release_approve(release=requested, actor=finance, now=AFTER_FIRST_APPOINTMENT)
    assert approved.status == RS.APPROVED

    def refused(**_arguments):  # Stripe states its refusal (the emulator has no Connect)
        raise gateway.PaymentProviderError("No such destination: 'acct_gone'", code="payment_request_invalid")

    monkeypatch.setattr(gateway, "transfer_create", refused)
    monkeypatch.setattr(gateway, "transfers_of_group", lambda group: [])  # the look-up before a wire finds none
    failed = release_transfer(release=approved, now=AFTER_FIRST_APPOINTMENT)
    assert failed.status == RS.FAILED
    assert release_wire_check(release=failed, actor=finance).allowed

    paid = release_record_wire(release=failed, actor=finance, reference="WIRE-9", now=AFTER_FIRST_APPOINTMENT)

    assert (paid.status, paid.wire_reference) == (RS.PAID, "WIRE-9")
    moves = AuditEvent.objects.filter(target_type="payments.release", target_id=str(paid.pk)).order_by("pk")
    assert [(e.action, e.before and e.before.get("status"), e.after.get("status")) for e in moves] == [
        ("payments.release.requested", None, None),
        ("payments.release.approved", RS.REQUESTED, RS.APPROVED),
        ("payments.release.failed", RS.APPROVED, RS.FAILED),
        ("payments.release.wire_instead", RS.FAILED, RS.AWAITING_WIRE),
        ("payments.release.paid", RS.AWAITING_WIRE, RS.PAID),
    ]
    assert ledger.provider_payable(provider=paid.provider, currency="EUR").balance == 0
    assert ledger.bank_account("EUR").balance == -45_000
    assert ledger_check() == []


# --- finance's page offers only what the services accept -----------------------------------------------


def _forms(page: str) -> set[str]:
    return set(re.findall(r'<form method="post" action="([^"]+)"', page))


def test_the_release_queue_offers_approve_and_reject_only_while_the_release_is_to_decide(client, requested, finance):
    approve = reverse("finance:release_approve", args=[requested.pk])
    reject = reverse("finance:release_reject", args=[requested.pk])
    wire = reverse("finance:release_wire", args=[requested.pk])
    client.force_login(finance)

    assert {approve, reject} <= _forms(client.get(reverse("finance:releases")).content.decode())

    client.post(approve)
    page = client.get(reverse("finance:releases")).content.decode()

    assert approve not in _forms(page)
    assert reject not in _forms(page)
    assert wire in _forms(page)
    client.post(wire, {"reference": "WIRE-7"})
    page = client.get(reverse("finance:releases")).content.decode()
    assert not {approve, reject, wire} & _forms(page)


def test_the_release_queue_says_why_a_disputed_deposit_cannot_be_approved(client, requested, finance):
    _open_dispute(Deposit.objects.get(booking_id=requested.booking_id))
    client.force_login(finance)

    page = client.get(reverse("finance:releases")).content.decode()

    assert reverse("finance:release_approve", args=[requested.pk]) not in _forms(page)
    assert reverse("finance:release_reject", args=[requested.pk]) in _forms(page)
    assert "it cannot be released until the dispute is won" in page


def test_the_provider_is_offered_to_ask_only_when_the_request_would_be_accepted(
    client, stripe_emulator, patient, clinic, clinic_admin
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    _open_dispute(Deposit.objects.get(booking=booking))

    with time_machine.travel(AFTER_FIRST_APPOINTMENT, tick=False):
        client.force_login(clinic_admin)
        page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()
        asked = client.post(reverse("finance:release_request", args=[booking.pk]), follow=True)

    assert "Ask for the deposit" not in page
    assert "No deposit is held for this booking" in asked.content.decode()
    assert not Release.objects.exists()


# --- the machines -------------------------------------------------------------------------------------


def test_each_machine_refuses_in_the_words_and_codes_of_before():
    cases = [
        (DEPOSIT, Deposit(status=DepositStatus.HELD), DepositStatus.PENDING, "invalid_transition"),
        (RELEASE, Release(status=RS.PAID), RS.REJECTED, "release_decided"),
        (REFUND, Refund(status=RefundStatus.FAILED), RefundStatus.SUCCEEDED, "refund_final"),
        (DISPUTE, Deposit(dispute_status=DisputeStatus.WON), DisputeStatus.LOST, "dispute_closed"),
    ]
    messages = [
        "A deposit cannot go from “held” to “pending”.",
        "This release is already paid.",
        "This refund has already failed.",
        "The dispute of this deposit is already closed (won).",
    ]
    for (machine, row, target, code), message in zip(cases, messages, strict=True):
        refusal = transition_check(machine=machine, instance=row, target=target)
        assert (refusal.code, refusal.message) == (code, message)
    # A decision is made once; Stripe's answers and dispute events may repeat.
    assert transition_check(machine=RELEASE, instance=Release(status=RS.APPROVED), target=RS.APPROVED) is not None
    assert transition_check(machine=DEPOSIT, instance=Deposit(status=DepositStatus.HELD), target="held") is not None
    assert transition_check(machine=REFUND, instance=Refund(status="succeeded"), target="succeeded") is None
    assert transition_check(machine=DISPUTE, instance=Deposit(dispute_status="won"), target="won") is None


_ASSIGNS_A_STATE = re.compile(r"\.(status|dispute_status)\s*=(?!=)|setattr\([^)]*[\"'](status|dispute_status)[\"']")


def test_no_code_of_payments_or_concierge_assigns_a_state_itself():
    """Every status change goes through `core.state.transition` (docs/decisions.md#state-changes)."""
    root = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for app in ("payments", "concierge")
        for path in sorted((root / app).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(root).parts)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _ASSIGNS_A_STATE.search(line)
    ]
    assert offenders == []
