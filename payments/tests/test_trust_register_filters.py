"""The trust register shows each deposit's booking status and filters by status, currency, provider
and paid date; bad filter input is explained, never a server error."""

from __future__ import annotations

import csv
import io
import re

import pytest
import time_machine
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from payments.tests.support import NOW, paid_booking
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def lines(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-booking="(\d+)"', response.content.decode())]


@pytest.fixture
def register(stripe_emulator, patient, other_patient, clinic):
    """Two deposits in trust: Clinique du Lac's (confirmed) and Hospital Sur's (then cancelled)."""
    kept = paid_booking(stripe_emulator, patient, clinic)
    south = ProviderFactory(name="Hospital Sur")
    gone = paid_booking(stripe_emulator, other_patient, south)
    Booking.objects.filter(pk=gone.pk).update(status=BookingStatus.CANCELLED)
    return {"kept": kept, "gone": gone, "south": south}


def get(client, finance, **query):
    with time_machine.travel(NOW, tick=False):
        client.force_login(finance)
        return client.get(reverse("finance:trust_register"), query)


def test_each_line_shows_its_booking_status(client, finance, register):
    page = get(client, finance).content.decode()
    statuses = re.findall(r'data-testid="booking-status">([^<]+)<', page)
    assert sorted(statuses) == ["Cancelled", "Confirmed"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "cancelled"}, ["gone"]),
        ({"status": "confirmed"}, ["kept"]),
        ({"currency": "EUR"}, ["kept", "gone"]),
        ({"currency": "JPY"}, []),
        ({"paid_from": "2030-01-07", "paid_to": "2030-01-07"}, ["kept", "gone"]),
        ({"paid_from": "2030-01-08"}, []),
    ],
)
def test_filters_narrow_the_lines_and_the_totals(client, finance, register, query, expected):
    response = get(client, finance, **query)
    assert response.status_code == 200
    assert sorted(lines(response)) == sorted(register[key].pk for key in expected)
    totals = response.context["register"].totals
    assert totals == ({"EUR": 50_000 * len(expected)} if expected else {})


def test_the_provider_filter(client, finance, register):
    response = get(client, finance, provider=register["south"].pk)
    assert lines(response) == [register["gone"].pk]


def test_the_export_follows_the_filters_and_names_the_status(client, finance, register):
    with time_machine.travel(NOW, tick=False):
        client.force_login(finance)
        export = client.get(reverse("finance:trust_register_csv"), {"status": "cancelled"})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][-1] == "booking_status"
    assert [(int(row[0]), row[-1]) for row in rows[1:] if row[0] != "total"] == [(register["gone"].pk, "cancelled")]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "lost"}, "Choose a booking status from the list."),
        ({"currency": "XXX"}, "Choose a currency from the list."),
        ({"provider": "abc"}, "Choose a provider from the list."),
        ({"provider": "999999"}, "Choose a provider from the list."),
        ({"paid_from": "2030-02-30"}, "Enter the first day as a date"),
        ({"paid_from": "2030-02-01", "paid_to": "2030-01-01"}, "The last day must not be before the first day."),
    ],
)
def test_bad_filters_are_explained(client, finance, register, query, message):
    response = get(client, finance, **query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'data-testid="filter-errors"' in page
    assert lines(response) == []
