"""Helpers for the patient side's tests: a second-opinion price, a draft, a paid case, and a case
moved to the shortlist (the coordinator's steps are written here directly through the case
machine, as the triage services are another side's)."""

from __future__ import annotations

import datetime as dt

from concierge.models import PriceList, PriceListStatus
from concierge.services.orders import order_pay, order_start
from core.state import transition
from payments.tests.conftest import CARD_OK
from secondopinion.models import Candidate, CaseStatus, DocumentRole, OpinionCase
from secondopinion.services.machine import CASE
from secondopinion.services.requests import case_draft_save, case_send
from secondopinion.services.timing import pause_open


def opinion_price(careteam, specialty, now, *, currency="EUR", amount=45_000) -> PriceList:
    """A second-opinion price in force for `specialty` (finance's approval written directly)."""
    return PriceList.objects.create(
        kind="second_opinion",
        specialty=specialty,
        city="",
        country="",
        currency=currency,
        unit_amount=amount,
        status=PriceListStatus.ACTIVE,
        proposed_by=careteam,
        proposed_at=now,
        decided_by=careteam,
        decided_at=now,
    )


def draft(patient, specialty, diagnosis, now, **changes) -> OpinionCase:
    arguments = {
        "patient": patient,
        "specialty": specialty,
        "questions": ["Is surgery needed now, or can it wait a year?"],
        "language": "en",
        "meeting_requested": False,
        "documents": [(diagnosis, DocumentRole.FIRST_DIAGNOSIS)],
        "consent": True,
        "currency": "EUR",
        "now": now,
        **changes,
    }
    return case_draft_save(**arguments)


def pay(emulator, patient, order, now):
    checkout = order_start(order=order, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    return order_pay(order=order, actor=patient, payment_method=payment_method, now=now)


def paid_case(emulator, patient, specialty, diagnosis, now) -> OpinionCase:
    case = draft(patient, specialty, diagnosis, now)
    order = case_send(case=case, actor=patient, now=now)
    assert pay(emulator, patient, order, now).status == "succeeded"
    case.refresh_from_db()
    return case


def _move(case: OpinionCase, target: str, actor, now, **fields) -> OpinionCase:
    return transition(
        machine=CASE, instance=case, target=target, actor=actor, action="test.moved", now=now, fields=fields
    ).instance


def under_triage(case: OpinionCase, coordinator, now) -> OpinionCase:
    return _move(case, CaseStatus.UNDER_TRIAGE, coordinator, now, coordinator=coordinator)


def awaiting_documents(
    case: OpinionCase, coordinator, now, message="Please add your latest blood test."
) -> OpinionCase:
    case = _move(under_triage(case, coordinator, now), CaseStatus.AWAITING_DOCUMENTS, coordinator, now)
    pause_open(case=case, reason="documents", message=message, now=now)
    return case


def shortlisted(case: OpinionCase, coordinator, specialists, now) -> tuple[OpinionCase, list[Candidate]]:
    case = under_triage(case, coordinator, now)
    candidates = [
        Candidate.objects.create(case=case, specialist=specialist, proposed_by=coordinator, proposed_at=now)
        for specialist in specialists
    ]
    case = _move(case, CaseStatus.SHORTLISTED, coordinator, now)
    pause_open(case=case, reason="choice", now=now)
    return case, candidates


def later(now: dt.datetime, **delta) -> dt.datetime:
    return now + dt.timedelta(**delta)
