"""Disputes that move money, through the ledger and the Stripe emulator: a deposit under dispute
cannot be released; a 40 % refund decision refunds the card and releases the rest (commission as
any release); one decision per dispute; an amount above the deposit is refused, nothing written;
the ledger balances throughout (`ledger_check`, what `manage.py check_ledger` runs)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict, Forbidden, ValidationFailed
from disputes.models import Dispute, DisputeStatus, Outcome
from disputes.services import dispute_answer, dispute_approve, dispute_decide, dispute_open
from payments import ledger
from payments.ledger import ledger_check
from payments.models import Refund, RefundStatus, Release, ReleaseStatus
from payments.services.releases import release_approve, release_record_wire, release_request

from .support import AFTER, held_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(stripe_emulator, patient, clinic):
    return held_booking(stripe_emulator, patient, clinic)


def _open(booking, patient, now=AFTER):
    return dispute_open(
        booking=booking, actor=patient, reason="not_as_agreed", statement="The implant was not the one quoted.", now=now
    )


def test_a_deposit_under_dispute_cannot_be_asked_for_nor_approved(booking, patient, clinic_admin, finance):
    asked = release_request(booking=booking, actor=clinic_admin, now=AFTER)
    _open(booking, patient)

    with pytest.raises(Conflict) as approving:
        release_approve(release=asked, actor=finance, now=AFTER)
    assert approving.value.code == "deposit_in_dispute"
    assert "dispute is open" in approving.value.message
    asked.refresh_from_db()
    assert asked.status == ReleaseStatus.REQUESTED
    assert ledger.held(booking=booking, currency="EUR") == 50_000
    assert ledger_check() == []


def test_a_deposit_under_dispute_cannot_be_requested(booking, patient, clinic_admin):
    _open(booking, patient)

    with pytest.raises(Conflict) as asking:
        release_request(booking=booking, actor=clinic_admin, now=AFTER)
    assert asking.value.code == "deposit_in_dispute"
    assert not Release.objects.exists()


def test_a_forty_percent_refund_refunds_the_card_and_releases_the_rest(
    booking, patient, clinic_admin, careteam, finance, stripe_emulator, django_capture_on_commit_callbacks
):
    release_request(booking=booking, actor=clinic_admin, now=AFTER)  # asked before the dispute: set aside
    dispute = _open(booking, patient)
    later = AFTER + dt.timedelta(days=2)
    dispute = dispute_answer(dispute=dispute, actor=clinic_admin, answer="The implant was equivalent.", now=later)
    dispute = dispute_decide(
        dispute=dispute,
        actor=careteam,
        outcome=Outcome.REFUND_PARTIAL,
        refund_percent=40,
        note="The brand differed from the quote; the care was given.",
        now=later,
    )
    assert (dispute.status, dispute.refund_amount) == (DisputeStatus.AWAITING_FINANCE, 20_000)
    assert ledger.held(booking=booking, currency="EUR") == 50_000  # nothing moves before finance

    with django_capture_on_commit_callbacks(execute=True):
        dispute = dispute_approve(dispute=dispute, actor=finance, now=later)

    assert dispute.status == DisputeStatus.DECIDED
    refund = Refund.objects.get(booking=booking)
    assert (refund.amount, refund.fee, refund.status) == (20_000, 0, RefundStatus.SUCCEEDED)
    stripe_refund = stripe_emulator.get(f"/v1/refunds/{refund.stripe_refund_id}")
    assert (stripe_refund["amount"], stripe_refund["status"]) == (20_000, "succeeded")
    release = Release.objects.exclude(status=ReleaseStatus.REJECTED).get(booking=booking)
    assert (release.amount, release.commission, release.payout) == (30_000, 3_000, 27_000)
    assert release.status == ReleaseStatus.AWAITING_WIRE  # the clinic has no connected account
    assert Release.objects.filter(booking=booking, status=ReleaseStatus.REJECTED).count() == 1
    assert ledger.held(booking=booking, currency="EUR") == 0
    assert ledger.refund_payable(booking=booking, currency="EUR").balance == 0
    assert -ledger.provider_payable(provider=booking.provider, currency="EUR").balance == 27_000
    assert -ledger.income("commission", "EUR").balance == 3_000
    assert ledger_check() == []

    paid = release_record_wire(release=release, actor=finance, reference="WIRE-DISPUTE-1", now=later)
    assert paid.status == ReleaseStatus.PAID
    assert ledger_check() == []

    with pytest.raises(Conflict) as twice:  # one decision per dispute
        dispute_approve(dispute=dispute, actor=finance, now=later)
    assert twice.value.code in {"dispute_decided", "nothing_to_approve"}
    with pytest.raises(Conflict):
        dispute_decide(dispute=dispute, actor=careteam, outcome=Outcome.REJECT, note="Again", now=later)
    assert Refund.objects.filter(booking=booking).count() == 1
    assert len(stripe_emulator.get("/v1/refunds")["data"]) == 1


def test_a_refund_above_the_deposit_is_refused_and_nothing_is_written(booking, patient, careteam):
    dispute = _open(booking, patient)
    later = AFTER + dt.timedelta(days=11)  # no answer came: the careteam may decide

    with pytest.raises(ValidationFailed) as above:
        dispute_decide(
            dispute=dispute,
            actor=careteam,
            outcome=Outcome.REFUND_PARTIAL,
            refund_amount=60_000,
            note="Too much",
            now=later,
        )
    assert above.value.code == "amount_above_deposit"
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome, dispute.refund_amount) == (DisputeStatus.AWAITING_ANSWER, "", None)


def test_the_careteam_member_who_proposed_cannot_approve_and_only_finance_approves(booking, patient, careteam, finance):
    careteam.groups.add(*finance.groups.all())  # someone in both groups
    dispute = _open(booking, patient)
    later = AFTER + dt.timedelta(days=11)
    dispute = dispute_decide(
        dispute=dispute, actor=careteam, outcome=Outcome.REFUND_FULL, note="Not provided.", now=later
    )

    with pytest.raises(Forbidden):
        dispute_approve(dispute=dispute, actor=careteam, now=later)
    with pytest.raises(Forbidden):
        dispute_approve(dispute=dispute, actor=patient, now=later)
    assert Dispute.objects.get().status == DisputeStatus.AWAITING_FINANCE
    assert ledger.held(booking=booking, currency="EUR") == 50_000


def test_a_full_refund_gives_the_whole_deposit_back(
    booking, patient, careteam, finance, django_capture_on_commit_callbacks
):
    dispute = _open(booking, patient)
    later = AFTER + dt.timedelta(days=11)
    dispute = dispute_decide(dispute=dispute, actor=careteam, outcome=Outcome.REFUND_FULL, note="Not given.", now=later)
    with django_capture_on_commit_callbacks(execute=True):
        dispute_approve(dispute=dispute, actor=finance, now=later)

    assert Refund.objects.get(booking=booking).amount == 50_000
    assert not Release.objects.filter(booking=booking).exists()
    assert ledger.held(booking=booking, currency="EUR") == 0
    assert ledger_check() == []


def test_a_rejected_dispute_frees_the_deposit_for_its_release(booking, patient, careteam, clinic_admin, finance):
    dispute = _open(booking, patient)
    later = AFTER + dt.timedelta(days=11)
    dispute = dispute_decide(dispute=dispute, actor=careteam, outcome=Outcome.REJECT, note="No ground.", now=later)
    assert dispute.status == DisputeStatus.DECIDED

    release = release_approve(
        release=release_request(booking=booking, actor=clinic_admin, now=later), actor=finance, now=later
    )
    assert release.status == ReleaseStatus.AWAITING_WIRE
    assert ledger_check() == []


def test_a_release_approved_before_the_dispute_is_not_wired_while_it_is_open(
    booking, patient, clinic_admin, careteam, finance
):
    release = release_approve(
        release=release_request(booking=booking, actor=clinic_admin, now=AFTER), actor=finance, now=AFTER
    )
    dispute = _open(booking, patient)

    with pytest.raises(Conflict) as wiring:
        release_record_wire(release=release, actor=finance, reference="WIRE-1", now=AFTER)
    assert wiring.value.code == "deposit_in_dispute"
    assert ledger.bank_account("EUR").balance == 0
    later = AFTER + dt.timedelta(days=11)
    with pytest.raises(Conflict) as refund:  # the money left trust: only a rejection is possible
        dispute_decide(dispute=dispute, actor=careteam, outcome=Outcome.REFUND_FULL, note="Late", now=later)
    assert refund.value.code == "deposit_not_held"

    dispute_decide(dispute=dispute, actor=careteam, outcome=Outcome.REJECT, note="Care given.", now=later)
    assert release_record_wire(release=release, actor=finance, reference="WIRE-1", now=later).status == "paid"
    assert ledger_check() == []


def test_a_decision_s_release_waits_for_a_required_discharge_pack(
    booking, patient, clinic_admin, careteam, finance, django_capture_on_commit_callbacks
):
    import io

    from bookings.models import DischargeItemKind
    from bookings.services import discharge_item_not_applicable, discharge_item_upload
    from documents.tests import samples

    booking.provider.discharge_pack_required = True
    booking.provider.save(update_fields=["discharge_pack_required"])
    assert booking.offering is None  # made from a quote: a procedure's pack applies
    dispute = _open(booking, patient)
    later = AFTER + dt.timedelta(days=2)
    dispute = dispute_answer(dispute=dispute, actor=clinic_admin, answer="The implant was equivalent.", now=later)
    dispute = dispute_decide(
        dispute=dispute, actor=careteam, outcome=Outcome.REFUND_PARTIAL, refund_percent=40, note="Brand.", now=later
    )

    with django_capture_on_commit_callbacks(execute=True):
        dispute = dispute_approve(dispute=dispute, actor=finance, now=later)

    assert dispute.status == DisputeStatus.DECIDED
    assert Refund.objects.get(booking=booking).amount == 20_000
    waiting = Release.objects.get(booking=booking)
    assert (waiting.amount, waiting.status) == (30_000, ReleaseStatus.REQUESTED)
    assert ledger.held(booking=booking, currency="EUR") == 30_000  # the rest stays in trust
    with pytest.raises(Conflict) as approving:
        release_approve(release=waiting, actor=finance, now=later)
    assert approving.value.code == "discharge_pack_incomplete"

    # The clinic completes the pack; finance's approval of the waiting release then goes through.
    for kind in DischargeItemKind.values:
        if kind in {DischargeItemKind.IMPLANTS, DischargeItemKind.TRANSLATION}:
            discharge_item_not_applicable(booking=booking, actor=clinic_admin, kind=kind, now=later)
        else:
            upload = io.BytesIO(samples.pdf(f"{kind} of booking {booking.pk}"))
            discharge_item_upload(booking=booking, actor=clinic_admin, kind=kind, upload=upload, now=later)
    released = release_approve(release=waiting, actor=finance, now=later)
    assert released.status == ReleaseStatus.AWAITING_WIRE
    assert ledger.held(booking=booking, currency="EUR") == 0
    assert ledger_check() == []


def test_a_settled_deposit_cannot_be_disputed_again(
    booking, patient, careteam, finance, django_capture_on_commit_callbacks
):
    from disputes.services import dispute_open_booking_check

    dispute = _open(booking, patient)
    later = AFTER + dt.timedelta(days=11)
    dispute = dispute_decide(dispute=dispute, actor=careteam, outcome=Outcome.REFUND_FULL, note="Not given.", now=later)
    with django_capture_on_commit_callbacks(execute=True):
        dispute_approve(dispute=dispute, actor=finance, now=later)

    with pytest.raises(Conflict) as again:
        _open(booking, patient, now=later)
    assert again.value.code == "dispute_decided"
    assert Dispute.objects.filter(booking=booking).count() == 1
    assert not dispute_open_booking_check(booking=booking, actor=patient, now=later)
