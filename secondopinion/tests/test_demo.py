"""The demo's second opinions: two orthopaedic surgeons who give them, the careteam's price approved
by finance, Karim's paid request waiting for triage, and Amelia's with its signed PDF, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from concierge.models import PriceList, PriceListStatus
from documents.services import document_read
from secondopinion.models import CaseStatus, OpinionCase, SpecialistProfile

pytestmark = pytest.mark.django_db


def _seed() -> None:
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_without_the_emulator_the_demo_has_the_specialists_and_the_price_but_no_requests(settings):
    settings.STRIPE_EMULATED = False
    _seed()
    assert sorted(SpecialistProfile.objects.values_list("provider__name", flat=True)) == [
        "Dr Claire Dupont",
        "Dr Javier Ortega",
    ]
    price = PriceList.objects.get(kind="second_opinion", status=PriceListStatus.ACTIVE)
    assert (price.specialty.code, price.unit_amount, price.currency) == ("orthopaedic-surgery", 45_000, "EUR")
    assert price.proposed_by.email == "careteam@medibroker.test"
    assert price.decided_by.email == "finance@medibroker.test"
    assert not OpinionCase.objects.exists()


def test_with_the_emulator_karim_waits_for_triage_and_amelia_has_her_signed_opinion_once(stripe_emulator, settings):
    settings.STRIPE_EMULATED = True
    _seed()
    _seed()
    karim = OpinionCase.objects.get(patient__email="karim.benali@example.test")
    amelia = OpinionCase.objects.get(patient__email="amelia.hughes@example.test")
    assert karim.status == CaseStatus.SUBMITTED
    assert karim.clock_started_at is not None
    assert amelia.status == CaseStatus.OPINION_DELIVERED
    assert amelia.specialist.provider.name == "Dr Javier Ortega"
    assert amelia.choice_refund_amount == 5_000  # €450 paid, Dr Ortega asks €400
    pdf = document_read(document=amelia.opinion.document, reader=amelia.patient, now=amelia.delivered_at)
    assert pdf.startswith(b"%PDF-")
    assert OpinionCase.objects.count() == 2
