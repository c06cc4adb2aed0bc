"""The provider's dashboard counts what awaits its members in the apps above it (through
`core.hooks.provider_dashboard_counts`), each with its link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.tests.support import bookable
from bookings.tests.test_provider_bookings import book
from core import hooks
from quotes.models import QuoteRecipient, QuoteRequest, QuoteRequestStatus

pytestmark = pytest.mark.django_db


def count(page: str, key: str) -> tuple[int, str]:
    found = re.search(rf'data-testid="count-{key}"><a href="([^"]+)"><span class="count[^"]*">(\d+)</span>', page)
    assert found, f"no count {key}"
    return int(found.group(2)), found.group(1).replace("&amp;", "&")


def test_the_hook_is_filled_by_quotes_bookings_and_payments():
    modules = {receiver.__module__ for receiver in hooks.provider_dashboard_counts}
    assert modules == {
        "quotes.dashboard",
        "bookings.dashboard",
        "payments.dashboard",
        "reviews.dashboard",
        "messaging.dashboard",
    }


def test_the_dashboard_counts_new_requests_and_bookings_awaiting_deposit(client, clinic, clinic_admin, patient):
    offering = bookable(provider=clinic)
    book(patient, offering, 20)
    book(patient, offering, 21)
    client.force_login(clinic_admin)
    page = client.get(reverse("providers:dashboard", args=[clinic.pk])).content.decode()
    awaiting, link = count(page, "bookings_awaiting_deposit")
    assert awaiting == 2
    assert link == reverse("bookings:provider_bookings", args=[clinic.pk]) + "?tab=upcoming&status=awaiting_deposit"
    listed = client.get(link).content.decode()
    assert listed.count("<tr data-booking=") == 2
    assert count(page, "quote_requests_new") == (0, reverse("quotes:inbox"))
    releases, _link = count(page, "releases_to_ask")
    assert releases == 0


def test_a_new_quote_request_is_counted_until_answered(client, clinic, clinic_admin, patient):
    now = timezone.now()
    quote_request = QuoteRequest.objects.create(
        patient=patient,
        subject="Hip replacement",
        description="Left hip",
        desired_from=now.date(),
        desired_to=now.date(),
        status=QuoteRequestStatus.SENT,
        created_at=now,
        sent_at=now,
    )
    recipient = QuoteRecipient.objects.create(request=quote_request, provider=clinic, sent_at=timezone.now())
    client.force_login(clinic_admin)
    url = reverse("providers:dashboard", args=[clinic.pk])
    assert count(client.get(url).content.decode(), "quote_requests_new")[0] == 1
    QuoteRecipient.objects.filter(pk=recipient.pk).update(first_answered_at=timezone.now())
    assert count(client.get(url).content.decode(), "quote_requests_new")[0] == 0
