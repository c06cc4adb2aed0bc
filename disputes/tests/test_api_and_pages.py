"""The disputes' API and pages: the codes of the issue's bad input (after 90 days 409, not yours
404, an amount above the deposit 400, a decision twice 409), nothing written on a refusal; a
dispute opened from the booking page and decided on its page; an add-on order refunded in part
through concierge, with the consumer mediator in the decision."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from core.errors import Conflict
from disputes.models import Dispute, DisputeStatus, Outcome
from disputes.services import dispute_approve, dispute_decide, dispute_open
from payments import ledger
from payments.ledger import ledger_check

from .support import AFTER, LAST_END, held_booking, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(stripe_emulator, patient, clinic):
    return held_booking(stripe_emulator, patient, clinic)


def _body(booking, **extra):
    return {"booking": booking.pk, "reason": "quality", "statement": "It went wrong.", **extra}


def test_the_api_opens_a_dispute_once_and_refuses_it_after_90_days(booking, patient, api_as):
    client = api_as(patient)
    with time_machine.travel(LAST_END + dt.timedelta(days=91), tick=False):
        late = client.post("/api/v1/disputes/", _body(booking), format="json")
    assert late.status_code == 409
    assert late.json()["code"] == "dispute_window_closed"
    assert not Dispute.objects.exists()

    with time_machine.travel(AFTER, tick=False):
        opened = client.post("/api/v1/disputes/", _body(booking), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        replayed = client.post("/api/v1/disputes/", _body(booking), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert opened.status_code == 201, opened.json()
    assert replayed.json()["id"] == opened.json()["id"]
    assert opened.json()["available_actions"]["withdraw"]["allowed"] is True
    assert Dispute.objects.count() == 1


def test_someone_else_s_booking_or_dispute_is_404_and_bad_input_400(booking, patient, other_patient, api_as):
    stranger = api_as(other_patient)
    with time_machine.travel(AFTER, tick=False):
        assert stranger.post("/api/v1/disputes/", _body(booking), format="json").status_code == 404
        assert stranger.post("/api/v1/disputes/", _body(booking, reason="chargeback"), format="json").status_code == 400
        assert api_as(patient).post("/api/v1/disputes/", {"reason": "quality"}, format="json").status_code == 400
        dispute = dispute_open(booking=booking, actor=patient, reason="quality", statement="Wrong.", now=AFTER)
        assert stranger.get(f"/api/v1/disputes/{dispute.pk}/").status_code == 404
        assert stranger.post(f"/api/v1/disputes/{dispute.pk}/withdraw/").status_code == 404


def test_a_refund_above_the_deposit_is_400_and_a_second_decision_409(
    booking, patient, careteam, finance, api_as, django_capture_on_commit_callbacks
):
    dispute = dispute_open(booking=booking, actor=patient, reason="quality", statement="Wrong.", now=AFTER)
    later = AFTER + dt.timedelta(days=11)
    with time_machine.travel(later, tick=False):
        above = api_as(careteam).post(
            f"/api/v1/disputes/{dispute.pk}/decide/",
            {"outcome": "refund_partial", "refund_amount": 50_001, "note": "Too much"},
            format="json",
        )
        assert above.status_code == 400
        assert above.json()["code"] == "amount_above_deposit"
        assert Dispute.objects.get().outcome == ""
        decided = api_as(careteam).post(
            f"/api/v1/disputes/{dispute.pk}/decide/", {"outcome": "release", "note": "Care given."}, format="json"
        )
        assert decided.json()["status"] == DisputeStatus.AWAITING_FINANCE
        with django_capture_on_commit_callbacks(execute=True):
            approved = api_as(finance).post(f"/api/v1/disputes/{dispute.pk}/approve/")
        assert approved.status_code == 200, approved.json()
        again = api_as(finance).post(f"/api/v1/disputes/{dispute.pk}/approve/")
        assert again.status_code == 409
        assert again.json()["code"] == "dispute_decided"
    assert ledger.held(booking=booking, currency="EUR") == 0  # released to the clinic
    assert ledger_check() == []


def test_a_release_of_a_deposit_under_dispute_is_409_on_finance_s_page(booking, patient, clinic_admin, finance, client):
    from payments.models import ReleaseStatus
    from payments.services.releases import release_request

    release = release_request(booking=booking, actor=clinic_admin, now=AFTER)
    dispute_open(booking=booking, actor=patient, reason="quality", statement="Wrong.", now=AFTER)
    client.force_login(finance)
    response = client.post(reverse("finance:release_approve", args=[release.pk]), follow=True)
    assert "A dispute is open on this booking" in response.content.decode()
    release.refresh_from_db()
    assert release.status == ReleaseStatus.REQUESTED
    assert ledger.held(booking=booking, currency="EUR") == 50_000


def test_the_patient_opens_a_dispute_from_the_booking_page_and_the_careteam_decides_on_its_page(
    booking, patient, careteam, client
):
    with time_machine.travel(AFTER, tick=False):
        client.force_login(patient)  # signed in at the travelled time: a session from today would be expired
        page = client.get(reverse("bookings:detail", args=[booking.pk]))
        assert reverse("disputes:open_booking", args=[booking.pk]) in page.content.decode()
        empty = client.post(reverse("disputes:open_booking", args=[booking.pk]), {"reason": "quality"})
        assert empty.status_code == 400
        assert not Dispute.objects.exists()
        opened = client.post(
            reverse("disputes:open_booking", args=[booking.pk]), {"reason": "quality", "statement": "Not as agreed."}
        )
    dispute = Dispute.objects.get()
    assert opened.url == reverse("disputes:detail", args=[dispute.pk])

    with time_machine.travel(AFTER + dt.timedelta(days=11), tick=False):
        client.force_login(careteam)
        page = client.get(reverse("disputes:detail", args=[dispute.pk]))
        assert "Not as agreed." in page.content.decode()
        assert 'id="dispute-decide-form"' in page.content.decode()
        above = client.post(
            reverse("disputes:decide", args=[dispute.pk]),
            {"outcome": "refund_partial", "refund_amount": "600.00", "note": "Too much"},
        )
        assert above.status_code == 400
        assert "cannot be more than" in above.content.decode()
        client.post(
            reverse("disputes:decide", args=[dispute.pk]),
            {"outcome": "refund_partial", "refund_percent": "40", "note": "Half-done."},
        )
    dispute.refresh_from_db()
    assert (dispute.status, dispute.refund_amount) == (DisputeStatus.AWAITING_FINANCE, 20_000)


def test_an_order_refunded_in_part_tells_of_the_consumer_mediator(
    stripe_emulator, patient, careteam, finance, django_capture_on_commit_callbacks, settings
):
    settings.CONSUMER_MEDIATOR_NAME = "Médiateur Test"
    order = paid_order(stripe_emulator, patient, now=AFTER)
    dispute = dispute_open(order=order, actor=patient, reason="no_show", statement="The driver never came.", now=AFTER)
    assert dispute.status == DisputeStatus.UNDER_REVIEW  # nobody else to answer: the careteam reviews it
    dispute = dispute_decide(
        dispute=dispute, actor=careteam, outcome=Outcome.REFUND_PARTIAL, refund_amount=4_500, note="Half.", now=AFTER
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dispute = dispute_approve(dispute=dispute, actor=finance, now=AFTER)

    refund = stripe_emulator.get(f"/v1/refunds/{dispute.order_refund_id}")
    assert (refund["amount"], refund["status"]) == (4_500, "succeeded")
    assert -ledger.income("addon:transfer", "EUR").balance == 4_500  # half the income went back
    assert ledger_check() == []
    decided = [m for m in mail.outbox if patient.email in m.to]
    assert decided
    assert "Médiateur Test" in decided[0].body
    assert "driver" not in decided[0].subject
    with pytest.raises(Conflict) as again:  # settled: a second dispute could refund it twice
        dispute_open(order=order, actor=patient, reason="quality", statement="And more.", now=AFTER)
    assert again.value.code == "dispute_decided"
