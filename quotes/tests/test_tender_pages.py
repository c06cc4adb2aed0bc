"""The tender pages: the careteam starts one, reads its log, sends the comparison; the patient reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import sign_in
from concierge.tests.support import paid_assistance
from quotes.models import QuoteRequest, Tender
from quotes.tests.test_tenders import _answer, _start

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.fixture
def order(stripe_emulator, patient, careteam):
    return paid_assistance(stripe_emulator, patient, careteam, timezone.now())


def test_the_careteam_starts_a_tender_from_the_page(order, careteam, clinic, rival):
    now = timezone.now()
    response = _client(careteam).post(
        f"/quotes/tenders/new/{order.pk}/",
        {
            "subject": "Knee arthroscopy",
            "message": "Torn meniscus",
            "desired_from": (now + dt.timedelta(days=40)).date().isoformat(),
            "desired_to": (now + dt.timedelta(days=70)).date().isoformat(),
            "answer_by": (now + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "providers": [clinic.pk, rival.pk],
        },
    )

    tender = Tender.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quotes/tenders/{tender.pk}/"
    assert tender.request.recipients.count() == 2


def test_six_providers_are_refused_on_the_page_and_nothing_is_sent(order, careteam):
    from providers.tests.factories import ProviderFactory

    now = timezone.now()
    providers = [ProviderFactory().pk for _ in range(6)]
    response = _client(careteam).post(
        f"/quotes/tenders/new/{order.pk}/",
        {
            "subject": "Knee",
            "message": "Torn meniscus",
            "desired_from": (now + dt.timedelta(days=40)).date().isoformat(),
            "desired_to": (now + dt.timedelta(days=70)).date().isoformat(),
            "answer_by": (now + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "providers": providers,
        },
    )

    assert response.status_code == 400
    assert "5 providers at most" in response.content.decode()
    assert (QuoteRequest.objects.count(), Tender.objects.count()) == (0, 0)


def test_a_revoked_mandate_shows_why_no_tender_can_start(order, patient, careteam):
    _client(patient).post(f"/services/packages/{order.pk}/revoke-mandate/")

    response = _client(careteam).get(f"/quotes/tenders/new/{order.pk}/")

    assert 'data-testid="tender-refused"' in response.content.decode()


def test_the_log_shows_invitations_and_answers_and_the_comparison_reaches_the_patient(
    order, patient, careteam, clinic, rival, django_capture_on_commit_callbacks
):
    now = timezone.now()
    tender = _start(order, careteam, [clinic, rival], now)
    _answer(tender.request, clinic, now + dt.timedelta(hours=3))
    staff = _client(careteam)

    log = staff.get(f"/quotes/tenders/{tender.pk}/").content.decode()
    assert "Clinique du Lac" in log
    assert "not yet" in log
    with django_capture_on_commit_callbacks(execute=True):
        sent = staff.post(f"/quotes/tenders/{tender.pk}/")
    assert sent.status_code == 302

    page = _client(patient).get(f"/quotes/tenders/{tender.pk}/comparison/")
    assert page.status_code == 200
    assert 'data-testid="tender-comparison"' in page.content.decode()
    order_page = _client(patient).get(f"/services/packages/{order.pk}/").content.decode()
    assert f"/quotes/tenders/{tender.pk}/comparison/" in order_page


def test_someone_elses_comparison_is_not_found(order, other_patient, careteam, clinic, rival):
    tender = _start(order, careteam, [clinic, rival], timezone.now())

    assert _client(other_patient).get(f"/quotes/tenders/{tender.pk}/comparison/").status_code == 404
