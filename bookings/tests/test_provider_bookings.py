"""A provider's bookings: the list (tabs, filters, pages, CSV, bad input), the API's same filters, and
the calendar by week and month (a booking three months out is found; bad dates are explained)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PatientProfile
from bookings.models import Booking, BookingStatus
from bookings.tests.support import PARIS, awaiting
from providers.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db


def in_days(days: int, hour: int = 10) -> tuple[dt.datetime, dt.datetime]:
    """A one-hour slot `days` from today at `hour` in Paris."""
    day = timezone.now().astimezone(PARIS).date() + dt.timedelta(days=days)
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)
    return start, start + dt.timedelta(hours=1)


def book(patient, offering, days: int, hour: int = 10) -> Booking:
    return awaiting(patient, offering.provider, offering=offering, slots=[in_days(days, hour)], now=timezone.now())


def named(user, first: str, last: str):
    PatientProfile.objects.filter(user=user).update(first_name=first, last_name=last)
    return user


@pytest.fixture
def amelia(patient):
    return named(patient, "Amelia", "Clarke")


@pytest.fixture
def bruno(other_patient):
    return named(other_patient, "Bruno", "Silva")


@pytest.fixture
def diary(offering, amelia, bruno):
    """Amelia booked in 3 months; Bruno in 2 weeks; a past completed one; a cancelled one."""
    far = book(amelia, offering, 91)
    soon = book(bruno, offering, 14, hour=11)
    done = book(bruno, offering, 20, hour=12)
    Booking.objects.filter(pk=done.pk).update(status=BookingStatus.COMPLETED)
    gone = book(amelia, offering, 30, hour=13)
    Booking.objects.filter(pk=gone.pk).update(status=BookingStatus.CANCELLED, cancelled_at=timezone.now())
    return {"far": far, "soon": soon, "done": done, "gone": gone}


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-booking="(\d+)"', response.content.decode())]


def bookings_url(provider, **query) -> str:
    url = reverse("bookings:provider_bookings", args=[provider.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- the list ---------------------------------------------------------------------------------------


def test_the_upcoming_tab_lists_live_bookings_soonest_first(client, clinic, clinic_admin, diary):
    client.force_login(clinic_admin)
    response = client.get(bookings_url(clinic))
    assert response.status_code == 200
    assert listed(response) == [diary["soon"].pk, diary["far"].pk]


@pytest.mark.parametrize(("tab", "expected"), [("cancelled", ["gone"]), ("past", ["done"])])
def test_the_cancelled_and_past_tabs(client, clinic, clinic_admin, diary, tab, expected):
    client.force_login(clinic_admin)
    assert listed(client.get(bookings_url(clinic, tab=tab))) == [diary[key].pk for key in expected]


def test_filters_by_patient_name_status_offering_and_dates(client, clinic, clinic_admin, diary, offering):
    client.force_login(clinic_admin)
    assert listed(client.get(bookings_url(clinic, tab="all", patient="amel"))) == [diary["far"].pk, diary["gone"].pk]
    assert listed(client.get(bookings_url(clinic, tab="all", status="completed"))) == [diary["done"].pk]
    far_day = in_days(91)[0].date()
    query = {"tab": "all", "date_from": far_day.isoformat(), "date_to": far_day.isoformat()}
    assert listed(client.get(bookings_url(clinic, **query))) == [diary["far"].pk]
    other = OfferingFactory(provider=clinic, location=offering.location, title="Other care")
    assert listed(client.get(bookings_url(clinic, tab="all", offering=other.pk))) == []
    assert len(listed(client.get(bookings_url(clinic, tab="all", offering=offering.pk)))) == 4


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2027-02-30"}, "Enter the first day as a date"),
        ({"date_from": "2027-03-01", "date_to": "2027-02-01"}, "The last day must not be before the first day."),
        ({"status": "lost"}, "Choose a status from the list."),
        ({"tab": "someday"}, "Choose upcoming, past, cancelled or all bookings."),
        ({"offering": "999999"}, "Choose one of your offerings from the list."),
        ({"offering": "abc"}, "Choose one of your offerings from the list."),
    ],
)
def test_bad_filters_are_explained_not_a_server_error(client, clinic, clinic_admin, diary, query, message):
    client.force_login(clinic_admin)
    response = client.get(bookings_url(clinic, **query))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'data-testid="filter-errors"' in page
    assert listed(response) == []


def test_another_providers_offering_is_not_a_filter(client, clinic, clinic_admin, diary, rival):
    foreign = OfferingFactory(provider=rival)
    client.force_login(clinic_admin)
    assert (
        "Choose one of your offerings from the list."
        in client.get(bookings_url(clinic, offering=foreign.pk)).content.decode()
    )


def test_the_list_is_paginated(client, clinic, clinic_admin, offering, amelia, monkeypatch):
    monkeypatch.setattr("bookings.views.BOOKINGS_PER_PAGE", 2)
    booked = [book(amelia, offering, 10 + i) for i in range(3)]
    client.force_login(clinic_admin)
    assert listed(client.get(bookings_url(clinic))) == [booked[0].pk, booked[1].pk]
    assert listed(client.get(bookings_url(clinic, page=2))) == [booked[2].pk]
    assert listed(client.get(bookings_url(clinic, page="x"))) == [booked[0].pk, booked[1].pk]


def test_a_member_of_another_provider_gets_not_found(client, clinic, rival_member, diary):
    client.force_login(rival_member)
    assert client.get(bookings_url(clinic)).status_code == 404
    assert client.get(reverse("bookings:provider_bookings_csv", args=[clinic.pk])).status_code == 404


# --- the CSV ----------------------------------------------------------------------------------------


def test_the_csv_has_the_filtered_rows_with_local_time_status_and_deposit(client, clinic, clinic_admin, diary):
    client.force_login(clinic_admin)
    response = client.get(reverse("bookings:provider_bookings_csv", args=[clinic.pk]) + "?tab=upcoming&patient=clarke")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Booking", "Patient", "Offering", "Appointment (local time)"]
    assert len(rows) == 2
    booking_id, name, offering, local, utc, status, deposit, currency = rows[1]
    far = diary["far"]
    assert (int(booking_id), name, offering) == (far.pk, "Amelia Clarke", far.offering.title)
    assert "10:00" in local
    assert "(Paris time)" in local
    assert dt.datetime.fromisoformat(utc) == in_days(91)[0]
    assert (status, deposit, currency) == ("Awaiting deposit", "500.00", "EUR")


def test_the_csv_does_not_run_names_as_formulas(client, clinic, clinic_admin, offering, patient):
    named(patient, "=HYPERLINK(1)", "X")
    book(patient, offering, 5)
    client.force_login(clinic_admin)
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("bookings:provider_bookings_csv", args=[clinic.pk])).content.decode())
        )
    )
    assert rows[1][1].startswith("'=")


def test_the_csv_with_bad_filters_goes_back_to_the_list_with_the_message(client, clinic, clinic_admin, diary):
    client.force_login(clinic_admin)
    response = client.get(reverse("bookings:provider_bookings_csv", args=[clinic.pk]) + "?date_to=soon", follow=True)
    assert response.redirect_chain
    assert "Enter the last day as a date" in response.content.decode()


# --- the API ----------------------------------------------------------------------------------------


def test_the_api_takes_the_same_filters(api_as, clinic, clinic_admin, diary):
    client = api_as(clinic_admin)
    url = reverse("api_provider_bookings", args=[clinic.pk])
    assert {row["id"] for row in client.get(url).json()} == {b.pk for b in diary.values()}
    assert [row["id"] for row in client.get(url, {"tab": "upcoming"}).json()] == [diary["soon"].pk, diary["far"].pk]
    assert [row["id"] for row in client.get(url, {"patient": "bruno", "status": "completed"}).json()] == [
        diary["done"].pk
    ]
    bad = client.get(url, {"date_from": "yesterday"})
    assert bad.status_code == 400
    assert "date_from" in bad.json()["details"]


# --- the calendar -----------------------------------------------------------------------------------


def calendar(client, provider, **query):
    return client.get(reverse("bookings:provider_calendar", args=[provider.pk]), query)


def test_the_calendar_shows_this_week_by_default(client, clinic, clinic_admin, offering, amelia):
    far = book(amelia, offering, 91)
    client.force_login(clinic_admin)
    response = calendar(client, clinic)
    assert response.status_code == 200
    assert far.pk not in listed(response)


def test_a_booking_three_months_out_is_found_by_month_navigation(client, clinic, clinic_admin, offering, amelia):
    far = book(amelia, offering, 91)
    client.force_login(clinic_admin)
    page = calendar(client, clinic, month=timezone.localdate().strftime("%Y-%m"))
    for _ in range(4):
        if far.pk in listed(page):
            break
        link = re.search(r'href="(\?month=[\d-]+)" rel="next"', page.content.decode()).group(1)
        page = client.get(reverse("bookings:provider_calendar", args=[clinic.pk]) + link)
    assert far.pk in listed(page)
    assert in_days(91)[0].strftime("%Y-%m") in page.content.decode()


def test_the_week_of_any_date_shows_its_appointments_in_local_time(client, clinic, clinic_admin, offering, amelia):
    far = book(amelia, offering, 91)
    start = in_days(91)[0]
    client.force_login(clinic_admin)
    response = calendar(client, clinic, week=start.date().isoformat())
    assert listed(response) == [far.pk]
    page = response.content.decode()
    assert f'datetime="{start.astimezone(dt.UTC).isoformat()}"' in page
    assert "10:00" in page
    next_week = calendar(client, clinic, week=(start.date() + dt.timedelta(days=7)).isoformat())
    assert listed(next_week) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"week": "2027-13-45"}, "Enter the week as a date, for example 2027-01-25."),
        ({"month": "2027-13"}, "Enter the month as year and month, for example 2027-01."),
        ({"month": "January"}, "Enter the month as year and month, for example 2027-01."),
        ({"month": "9999-12"}, "Choose a date between the years 2000 and 2100."),
        ({"week": "0001-01-01"}, "Choose a date between the years 2000 and 2100."),
        ({"week": "2027-01-25", "month": "2027-01"}, "Choose a week or a month, not both."),
    ],
)
def test_bad_calendar_dates_are_explained(client, clinic, clinic_admin, query, message):
    client.force_login(clinic_admin)
    response = calendar(client, clinic, **query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'data-testid="calendar-errors"' in page


@pytest.mark.parametrize("viewer_tz", ["Asia/Tokyo", "Europe/London"])
def test_the_calendar_and_list_agree_with_the_stored_instant_in_tokyo_and_london(
    client, clinic, clinic_admin, offering, amelia, viewer_tz
):
    far = book(amelia, offering, 91)
    start = far.appointments.get().start
    client.force_login(clinic_admin)
    client.cookies["tz"] = viewer_tz
    pages = [
        calendar(client, clinic, week=start.astimezone(PARIS).date().isoformat()),
        client.get(bookings_url(clinic)),
    ]
    for response in pages:
        page = response.content.decode()
        assert f'datetime="{start.astimezone(dt.UTC).isoformat()}"' in page
        assert "10:00 (Paris time)" in page
        viewer_hour = start.astimezone(ZoneInfo(viewer_tz)).strftime("%H:%M")
        assert f"{viewer_hour} your time" in page
