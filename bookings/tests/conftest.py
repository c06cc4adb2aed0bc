"""Fixtures of the booking tests: the offering they book (the provider personas are the root conftest's)."""

from __future__ import annotations

import pytest

from bookings.tests.support import bookable


@pytest.fixture
def offering(clinic):
    """Clinique du Lac's 30-minute consultation, bookable online Monday to Friday 09:00–17:00 in Paris."""
    return bookable(provider=clinic)
