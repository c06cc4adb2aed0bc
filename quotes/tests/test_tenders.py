"""The provider competition: the careteam sends a request in the patient's name to several providers
under the patient's mandate, logs who answered when, and sends the patient the comparison."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from concierge.models import AddonOrderStatus
from concierge.services.assistance import mandate_revoke
from concierge.tests.support import paid_assistance
from core.errors import Conflict, Forbidden, ValidationFailed
from notifications.models import Message
from providers.tests.factories import MemberFactory, ProviderFactory
from quotes.models import QuoteRequest, QuoteRequestStatus, Tender
from quotes.services import LineInput, SlotInput, quote_submit, tender_comparison_send, tender_start

pytestmark = pytest.mark.django_db


def _start(order, careteam, providers, now, **changes):
    values = {
        "subject": "Knee arthroscopy",
        "message": "Torn meniscus; spring preferred.",
        "answer_by": now + dt.timedelta(days=5),
        "desired_from": (now + dt.timedelta(days=40)).date(),
        "desired_to": (now + dt.timedelta(days=70)).date(),
        **changes,
    }
    return tender_start(order=order, actor=careteam, providers=providers, now=now, **values)


def _answer(request, provider, at, total=400_000):
    member = MemberFactory(provider=provider, user=UserFactory()).user
    start = at + dt.timedelta(days=45)
    return quote_submit(
        request=request,
        provider=provider,
        actor=member,
        currency="EUR",
        lines=[LineInput(kind="procedure", description="Arthroscopy", quantity=1, unit_amount=total)],
        deposit_amount=total // 4,
        valid_until=(at + dt.timedelta(days=20)).date(),
        slots=[SlotInput(start=start, end=start + dt.timedelta(hours=2))],
        payment_days=7,
        max_variation_bps=1000,
        now=at,
    )


@pytest.fixture
def order(stripe_emulator, patient, careteam):
    return paid_assistance(stripe_emulator, patient, careteam, timezone.now())


def test_a_tender_sends_one_request_in_the_patients_name_and_logs_the_invitation(order, careteam, clinic, rival):
    now = timezone.now()

    tender = _start(order, careteam, [clinic, rival], now)

    request = tender.request
    assert (request.patient_id, request.status) == (order.patient_id, QuoteRequestStatus.SENT)
    assert sorted(r.provider_id for r in request.recipients.all()) == sorted([clinic.pk, rival.pk])
    assert (tender.invited_by, tender.invited_at, tender.answer_by) == (careteam, now, now + dt.timedelta(days=5))
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.IN_PROGRESS


def test_the_log_records_when_each_provider_answered(order, careteam, clinic, rival):
    now = timezone.now()
    tender = _start(order, careteam, [clinic, rival], now)

    _answer(tender.request, clinic, now + dt.timedelta(hours=3))

    answered = {r.provider_id: r.first_answered_at for r in tender.request.recipients.all()}
    assert answered == {clinic.pk: now + dt.timedelta(hours=3), rival.pk: None}


def test_the_comparison_reaches_the_patient_by_email(
    order, careteam, clinic, rival, django_capture_on_commit_callbacks
):
    now = timezone.now()
    tender = _start(order, careteam, [clinic, rival], now)
    _answer(tender.request, clinic, now + dt.timedelta(hours=3))
    _answer(tender.request, rival, now + dt.timedelta(hours=4), total=350_000)

    with django_capture_on_commit_callbacks(execute=True):
        sent = tender_comparison_send(tender=tender, actor=careteam, now=now + dt.timedelta(hours=5))

    assert (sent.comparison_sent_at, sent.comparison_sent_by) == (now + dt.timedelta(hours=5), careteam)
    assert Message.objects.filter(event="tender_comparison", recipient=order.patient).count() == 1


def test_a_comparison_without_any_answer_is_refused(order, careteam, clinic, rival):
    tender = _start(order, careteam, [clinic, rival], timezone.now())

    with pytest.raises(Conflict) as refused:
        tender_comparison_send(tender=tender, actor=careteam, now=timezone.now())

    assert refused.value.code == "no_quotes"


def test_a_revoked_mandate_refuses_the_tender(order, patient, careteam, clinic, rival):
    mandate_revoke(order=order, actor=patient, now=timezone.now())

    with pytest.raises(Conflict) as refused:
        _start(order, careteam, [clinic, rival], timezone.now())

    assert refused.value.code == "mandate_not_valid"
    assert (QuoteRequest.objects.count(), Tender.objects.count()) == (0, 0)


def test_an_expired_mandate_refuses_the_tender(order, careteam, clinic, rival):
    with pytest.raises(Conflict) as refused:
        _start(order, careteam, [clinic, rival], timezone.now() + dt.timedelta(days=31))

    assert refused.value.code == "mandate_not_valid"
    assert Tender.objects.count() == 0


def test_only_the_careteam_starts_a_tender(order, patient, clinic, rival):
    with pytest.raises(Forbidden):
        _start(order, patient, [clinic, rival], timezone.now())


@pytest.mark.parametrize(
    ("count", "changes", "field"),
    [
        (1, {}, "providers"),
        (6, {}, "providers"),
        (2, {"answer_by": "past"}, "answer_by"),
        (2, {"answer_by": "far"}, "answer_by"),
    ],
)
def test_a_bad_tender_is_refused_and_nothing_written(order, careteam, count, changes, field):
    now = timezone.now()
    providers = [ProviderFactory() for _ in range(count)]
    deadline = {"past": now - dt.timedelta(hours=1), "far": now + dt.timedelta(days=31)}
    if "answer_by" in changes:
        changes = {"answer_by": deadline[changes["answer_by"]]}

    with pytest.raises(ValidationFailed) as refused:
        _start(order, careteam, providers, now, **changes)

    assert field in refused.value.details
    assert (QuoteRequest.objects.count(), Tender.objects.count()) == (0, 0)


def test_a_mandate_that_does_not_cover_quotes_refuses_the_tender(order, careteam, clinic, rival):
    from concierge.models import CareMandate

    CareMandate.objects.filter(order=order).update(scope="qualify,find_providers")

    with pytest.raises(Conflict) as refused:
        _start(order, careteam, [clinic, rival], timezone.now())

    assert refused.value.code == "mandate_not_valid"
    assert Tender.objects.count() == 0
