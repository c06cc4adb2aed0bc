"""Fixtures of the messaging tests: a booking with Clinique du Lac, its provider opted in or not."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.tests.support import awaiting, bookable
from messaging.models import ProviderMessaging

# Monday 7 January 2030, 10:00 in Paris: inside office hours (Monday to Friday, 09:00–18:00).
OFFICE = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
# Monday, 22:00 in Paris: outside them.
NIGHT = dt.datetime(2030, 1, 7, 21, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def offering(clinic):
    return bookable(provider=clinic)


@pytest.fixture
def booking(patient, clinic, clinic_admin, offering):
    return awaiting(patient, clinic, offering=offering)


@pytest.fixture
def opted_in(clinic, offering):
    """Clinique du Lac takes messages about the offering, Monday to Friday 09:00–18:00 in Paris."""
    return ProviderMessaging.objects.create(
        provider=clinic, offering_ids=[offering.pk], quote_requests=True, updated_at=OFFICE
    )
