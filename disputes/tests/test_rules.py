"""Who may open, answer, add evidence to and decide a dispute, and the bad input of the issue:
after 90 days 409, not yours 404, an amount above the deposit 400, a decision twice 409,
releasing a deposit under dispute 409; card chargebacks shown as disputes; the case board."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import Conflict, Forbidden, NotFound
from core.hooks import case_items
from disputes.models import Dispute, DisputeKind, DisputeStatus, Outcome
from disputes.services import (
    dispute_answer,
    dispute_decide,
    dispute_evidence_add,
    dispute_open,
    dispute_withdraw,
    disputes_close_answer_windows,
)
from documents.services import document_read
from documents.tests import samples
from payments import gateway
from payments.models import Deposit
from payments.models import DisputeStatus as CardDisputeStatus
from payments.services.disputes import dispute_close_won
from payments.services.disputes import dispute_open as card_dispute_open

from .support import AFTER, LAST_END, held_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(stripe_emulator, patient, clinic):
    return held_booking(stripe_emulator, patient, clinic)


@pytest.fixture(autouse=True)
def _documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def _open(booking, actor, now=AFTER):
    return dispute_open(booking=booking, actor=actor, reason="quality", statement="It went wrong.", now=now)


def test_a_dispute_more_than_90_days_after_the_last_appointment_is_refused(booking, patient):
    with pytest.raises(Conflict) as late:
        _open(booking, patient, now=LAST_END + dt.timedelta(days=90, minutes=1))
    assert late.value.code == "dispute_window_closed"
    assert "90 days" in late.value.message
    assert not Dispute.objects.exists()
    assert _open(booking, patient, now=LAST_END + dt.timedelta(days=89)).status == DisputeStatus.AWAITING_ANSWER


def test_someone_else_s_booking_is_not_found_and_a_second_open_dispute_is_refused(
    booking, patient, other_patient, rival_member, clinic_admin
):
    for stranger in (other_patient, rival_member):
        with pytest.raises(NotFound):
            _open(booking, stranger)
    dispute = _open(booking, clinic_admin)  # a provider's member may open one too
    assert dispute.opened_by_side == "provider"
    with pytest.raises(Conflict) as again:
        _open(booking, patient)
    assert again.value.code == "dispute_exists"


def test_the_other_side_answers_before_its_deadline_and_the_opener_cannot(booking, patient, clinic_admin):
    dispute = _open(booking, patient)
    with pytest.raises(Forbidden):
        dispute_answer(dispute=dispute, actor=patient, answer="Me again", now=AFTER)
    with pytest.raises(Conflict) as late:
        dispute_answer(dispute=dispute, actor=clinic_admin, answer="Late", now=AFTER + dt.timedelta(days=11))
    assert late.value.code == "answer_closed"
    answered = dispute_answer(dispute=dispute, actor=clinic_admin, answer="We did it right.", now=AFTER)
    assert (answered.status, answered.answer) == (DisputeStatus.UNDER_REVIEW, "We did it right.")


def test_an_unanswered_dispute_goes_to_the_careteam_when_its_deadline_passes(booking, patient):
    dispute = _open(booking, patient)
    assert disputes_close_answer_windows(now=AFTER + dt.timedelta(days=9)) == 0
    assert disputes_close_answer_windows(now=AFTER + dt.timedelta(days=11)) == 1
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UNDER_REVIEW


def test_only_the_careteam_decides_and_not_before_the_answer_s_deadline(booking, patient, finance, careteam):
    dispute = _open(booking, patient)
    with pytest.raises(Forbidden):
        dispute_decide(dispute=dispute, actor=finance, outcome=Outcome.REJECT, note="No", now=AFTER)
    with pytest.raises(Conflict) as early:
        dispute_decide(dispute=dispute, actor=careteam, outcome=Outcome.REJECT, note="No", now=AFTER)
    assert early.value.code == "awaiting_answer"


def test_evidence_is_read_by_the_parties_the_careteam_and_finance_only(
    booking, patient, clinic_admin, rival_member, other_patient, careteam, finance, coordinator
):
    dispute = _open(booking, patient)
    evidence = dispute_evidence_add(
        dispute=dispute,
        actor=patient,
        upload=SimpleUploadedFile("invoice.pdf", samples.pdf("Invoice"), content_type="application/pdf"),
        title="Invoice",
        kind="invoice",
        now=AFTER,
    )
    for reader in (patient, clinic_admin, careteam, finance):
        assert document_read(document=evidence.document, reader=reader, now=AFTER)
    for stranger in (rival_member, other_patient, coordinator):
        with pytest.raises(NotFound):
            document_read(document=evidence.document, reader=stranger, now=AFTER)
    with pytest.raises(NotFound):  # not a party: nothing is uploaded
        dispute_evidence_add(
            dispute=dispute,
            actor=other_patient,
            upload=SimpleUploadedFile("x.pdf", samples.pdf(), content_type="application/pdf"),
            title="Mine",
            kind="other",
            now=AFTER,
        )
    assert dispute.evidence.count() == 1


def test_a_withdrawn_dispute_no_longer_holds_the_deposit(booking, patient, clinic_admin):
    from payments.services.releases import release_request_check

    dispute = _open(booking, patient)
    assert release_request_check(booking=booking, actor=clinic_admin, now=AFTER).refusal.code == "deposit_in_dispute"
    with pytest.raises(Forbidden):
        dispute_withdraw(dispute=dispute, actor=clinic_admin, now=AFTER)
    dispute_withdraw(dispute=dispute, actor=patient, now=AFTER)
    assert release_request_check(booking=booking, actor=clinic_admin, now=AFTER).allowed


def _card_dispute(booking, status):
    deposit = Deposit.objects.get(booking=booking)
    return gateway.Dispute(
        id="dp_1",
        charge_id=deposit.charge_id,
        payment_intent_id=deposit.payment_intent_id,
        status=status,
        amount=50_000,
        currency="EUR",
        reason="product_not_received",
    )


def test_a_card_chargeback_shows_as_a_dispute_closed_by_the_issuer_s_outcome(booking):
    card_dispute_open(dispute=_card_dispute(booking, "needs_response"), now=AFTER)

    chargeback = Dispute.objects.get(booking=booking)
    assert (chargeback.kind, chargeback.status, chargeback.amount) == (
        DisputeKind.CHARGEBACK,
        DisputeStatus.WITH_CARD_ISSUER,
        50_000,
    )
    assert chargeback.card_reason == "product_not_received"
    card_dispute_open(dispute=_card_dispute(booking, "needs_response"), now=AFTER)  # delivered twice
    assert Dispute.objects.count() == 1

    dispute_close_won(dispute=_card_dispute(booking, "won"), now=AFTER + dt.timedelta(days=30))
    chargeback.refresh_from_db()
    assert (chargeback.status, chargeback.outcome) == (DisputeStatus.CLOSED, Outcome.CARD_WON)
    assert Deposit.objects.get(booking=booking).dispute_status == CardDisputeStatus.WON


def test_open_disputes_are_on_the_case_board_with_their_deadlines(booking, patient):
    dispute = _open(booking, patient)
    items = [item for receiver in case_items for item in receiver(now=AFTER) if item.key.startswith("disputes.")]
    assert [(item.key, item.due_at, item.stage) for item in items] == [
        (f"disputes.dispute:{dispute.pk}", dispute.answer_due_at, "waiting")
    ]
    assert "It went wrong" not in items[0].title  # no statement on the board


def test_opening_tells_the_clinic_by_e_mail_without_the_statement(booking, patient, clinic_admin, mailoutbox):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        dispute = _open(booking, patient)

    to_clinic = [message for message in mailoutbox if clinic_admin.email in message.to]
    assert len(to_clinic) == 1
    assert f"no. {dispute.pk}" in to_clinic[0].subject
    assert "went wrong" not in to_clinic[0].subject + to_clinic[0].body  # read on the page, signed in
    assert not [message for message in mailoutbox if patient.email in message.to]
