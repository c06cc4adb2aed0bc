"""The privacy tests' scenario builds (tests/privacy_scenario.py): each of its pieces exists, as
the canary and the export tests expect them. Runs on any branch: it needs no privacy service."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus
from concierge.models import AddonOrder
from core.models import AuditEvent
from documents.services import document_read
from notifications.models import Message
from payments import ledger
from payments.ledger import ledger_check
from payments.models import ReleaseStatus
from payments.tests.conftest import stripe_emulator, stripe_emulator_base  # noqa: F401 -- the local Stripe emulator
from quotes.models import QuoteStatus
from secondopinion.models import CaseStatus
from tests.privacy_scenario import (
    CANARY_DOC_MARKERS,
    CANARY_EMAIL,
    CANARY_FIRST_NAME,
    CANARY_PASSPORT,
    CANARY_PHONE_E164,
    build_scenario,
    media_settings,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    media_settings(settings, tmp_path)
    return tmp_path


def test_the_scenario_builds_with_every_piece(stripe_emulator, twilio):  # noqa: F811
    scenario = build_scenario(emulator=stripe_emulator)
    patient = scenario.patient

    assert scenario.profile.first_name == CANARY_FIRST_NAME
    assert patient.email == CANARY_EMAIL
    assert {c.purpose for c in scenario.consents} == {"terms", "health_data", "marketing"}

    # Two documents, shared with both providers, read by the clinic's nurse (audited).
    for document, marker in zip(scenario.documents, CANARY_DOC_MARKERS, strict=True):
        plain = document_read(document=document, reader=patient, now=scenario.erase_at)
        assert marker.encode() in plain
        assert plain == scenario.document_bytes[str(document.pk)]
    assert set(scenario.quote_request.documents.all()) == set(scenario.documents)
    reads = AuditEvent.objects.filter(actor=scenario.clinic_nurse, action__startswith="documents.document.read")
    assert reads.count() >= 2, list(AuditEvent.objects.values_list("action", flat=True).distinct())

    # The quote accepted, the booking completed, the deposit released and paid out: nothing in trust.
    assert scenario.quote.status == QuoteStatus.ACCEPTED
    assert scenario.booking.status == BookingStatus.COMPLETED
    assert scenario.release.status == ReleaseStatus.PAID
    assert ledger.held(booking=scenario.booking, currency="EUR") == 0
    assert ledger_check() == []

    # The visa letters, paid, with the passport number.
    assert scenario.visa_order is not None
    order = AddonOrder.objects.get(pk=scenario.visa_order.pk)
    assert order.patient_id == patient.pk
    letters = list(order.visa_letters.all())
    assert [letter.passport_number for letter in letters] == [CANARY_PASSPORT]
    assert letters[0].issued_at is not None, "the letter is issued once paid"

    # The second opinion, delivered, asked about once, and closed.
    assert scenario.case.status == CaseStatus.CLOSED
    assert scenario.case.delivered_at is not None
    assert scenario.case.follow_ups.filter(answered_at__isnull=False).count() == 1
    assert scenario.opinion_document is not None
    assert scenario.opinion_document.owner_id == patient.pk
    assert scenario.case.patient_id == patient.pk

    # Messages to her (e-mail and SMS, her address and number in `to`), and messages to the
    # providers' people about her request and booking (they say "a patient", never her name).
    to_her = Message.objects.filter(recipient=patient)
    assert to_her.filter(channel="email", to=CANARY_EMAIL).count() >= 3
    assert to_her.filter(channel="sms", to=CANARY_PHONE_E164).exists()
    about_her = Message.objects.exclude(recipient=patient).filter(
        quote_request_id=scenario.quote_request.pk
    ) | Message.objects.exclude(recipient=patient).filter(booking_id=scenario.booking.pk)
    assert about_her.filter(recipient=scenario.clinic_admin).exists()
    assert not about_her.filter(body__icontains=CANARY_FIRST_NAME).exists()


def test_the_export_test_lists_items_that_are_true_of_her(stripe_emulator, twilio):  # noqa: F811
    """Each item the export test looks for is a fact of the scenario (not a typo that could never be found)."""
    from tests.test_privacy_export import expected_items

    scenario = build_scenario(emulator=stripe_emulator)
    items = expected_items(scenario)
    assert len([name for name in items if name.startswith("message sent to her")]) >= 5
    for name, forms in items.items():
        assert forms, name
        assert all(form not in (None, "") for form in forms), name
    assert scenario.quote.total_amount == items["quote: the clinic's answer (its total)"][0] == 400_000
    assert items["payment: the deposit's amount"][0] == 50_000
    assert items["payment: the card payment's reference"][0].startswith("pi_")
    assert scenario.booking.appointments.first().start.date().isoformat() == "2030-02-04"
