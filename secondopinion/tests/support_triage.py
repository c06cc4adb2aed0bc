"""Second-opinion cases at a given step, for the triage tests, built as rows (the patient's and the
specialist's services are written elsewhere): a paid order, the case with its questions and
documents, the clock started at payment."""

from __future__ import annotations

import itertools

from concierge.models import AddonKind, AddonOrder, AddonOrderStatus
from concierge.services.orders import order_create, order_pay, order_start
from core.money import Money
from documents.tests import samples
from documents.tests.helpers import upload_file
from payments.tests.conftest import CARD_OK
from secondopinion.models import CaseDocument, CaseQuestion, CaseStatus, ClockPause, OpinionCase
from secondopinion.services.timing import case_due_at_refresh

PRICE = 45_000
_serial = itertools.count(1)


def order_row(patient, now, *, amount=PRICE, currency="EUR", status=AddonOrderStatus.CONFIRMED) -> AddonOrder:
    """An order marked paid without Stripe (for tests that never refund)."""
    return AddonOrder.objects.create(
        patient=patient,
        kind=AddonKind.SECOND_OPINION,
        description="Remote second opinion",
        amount=amount,
        currency=currency,
        status=status,
        payment_intent_id=f"pi_test_triage_{next(_serial)}",
        paid_at=now,
        created_at=now,
        updated_at=now,
    )


def paid_order(emulator, patient, now, *, amount=PRICE, currency="EUR") -> AddonOrder:
    """An order paid by card through the Stripe emulator."""
    order = order_create(
        patient=patient,
        kind=AddonKind.SECOND_OPINION,
        description="Remote second opinion",
        price=Money(amount, currency),
        now=now,
    )
    checkout = order_start(order=order, actor=patient, now=now)
    payment_method = emulator.collect_card(checkout.setup_client_secret, CARD_OK)
    assert order_pay(order=order, actor=patient, payment_method=payment_method, now=now).status == "succeeded"
    order.refresh_from_db()
    return order


def imaging_of(patient):
    return upload_file(patient, samples.pdf("Cardiac MRI, 2 December"), name="mri.pdf", title="Cardiac MRI")


def case_at(
    status,
    *,
    patient,
    specialty,
    now,
    documents=(),
    order=None,
    coordinator=None,
    specialist=None,
    language="en",
    skills="",
    candidates=(),
) -> OpinionCase:
    """A paid case at `status`: `documents` are (MedicalDocument, role) pairs; `candidates` are
    specialist profiles already on its shortlist (proposed by `coordinator`)."""
    order = order if order is not None else order_row(patient, now)
    accepted = status in {CaseStatus.ACCEPTED, CaseStatus.OPINION_DELIVERED, CaseStatus.FOLLOW_UP}
    case = OpinionCase.objects.create(
        patient=patient,
        specialty=specialty,
        language=language,
        status=status,
        consent_at=now,
        order=order,
        coordinator=coordinator,
        skills_needed=skills,
        specialist=specialist,
        chosen_at=now if specialist is not None else None,
        accepted_at=now if accepted else None,
        clock_started_at=now,
        created_at=now,
        updated_at=now,
    )
    CaseQuestion.objects.create(case=case, position=1, text="Is surgery needed now, or can it wait?")
    for document, role in documents:
        CaseDocument.objects.create(case=case, document=document, role=role, added_at=now)
    for profile in candidates:
        case.candidates.create(specialist=profile, proposed_by=coordinator, proposed_at=now)
    if status in {CaseStatus.AWAITING_DOCUMENTS, CaseStatus.SHORTLISTED, CaseStatus.DECLINED_BY_SPECIALIST}:
        ClockPause.objects.create(
            case=case, reason="documents" if status == CaseStatus.AWAITING_DOCUMENTS else "choice", started_at=now
        )
    case_due_at_refresh(case=case)
    case.refresh_from_db()
    return case
