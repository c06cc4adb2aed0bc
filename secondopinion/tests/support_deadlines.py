"""Cases at a given step of the clock, for the deadline tests. The patient's and the triage's
services are another side's: the case and its concierge order are set up here directly (test setup),
the order paid through the Stripe emulator as a patient would."""

from __future__ import annotations

import datetime as dt

from concierge.models import AddonOrder
from concierge.services.orders import order_create, order_pay, order_start
from core.money import Money
from payments.tests.conftest import CARD_OK
from secondopinion.models import CaseStatus, ClockPause, OpinionCase, SpecialistProfile
from secondopinion.services.timing import case_due_at_refresh


def paid_order(emulator, patient, now, *, amount: int = 45_000, currency: str = "EUR") -> AddonOrder:
    """A second-opinion order paid by card through the emulator."""
    order = order_create(patient=patient, kind="second_opinion", description="", price=Money(amount, currency), now=now)
    checkout = order_start(order=order, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    assert order_pay(order=order, actor=patient, payment_method=payment_method, now=now).status == "succeeded"
    order.refresh_from_db()
    return order


def case_at(
    patient,
    specialty,
    started: dt.datetime,
    *,
    status: str = CaseStatus.ACCEPTED,
    order: AddonOrder | None = None,
    coordinator=None,
    specialist: SpecialistProfile | None = None,
    pauses: list[tuple[dt.datetime, dt.datetime | None, str]] | None = None,
    **fields,
) -> OpinionCase:
    """A sent case whose clock started at `started`, at `status`, with its pauses and `due_at` stored."""
    case = OpinionCase.objects.create(
        patient=patient,
        specialty=specialty,
        language="en",
        status=status,
        consent_at=started,
        order=order,
        coordinator=coordinator,
        specialist=specialist,
        clock_started_at=started,
        created_at=started,
        updated_at=started,
        **fields,
    )
    for start, end, reason in pauses or []:
        ClockPause.objects.create(case=case, reason=reason, started_at=start, ended_at=end)
    case_due_at_refresh(case=case)
    case.refresh_from_db()
    return case
