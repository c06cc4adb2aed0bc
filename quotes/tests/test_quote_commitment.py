"""No commitment before the rules are shown: an open quote states what cancelling would cost, as
dates and amounts, and accepting it asks first, with the deposit and the first date from which
nothing is refunded in view. The API carries the same schedule."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from bookings.models import Booking
from core.models import ExchangeRate
from core.rates import rates_changed
from core.when import date_text
from quotes.models import Quote, QuoteStatus
from quotes.services import LineInput, SlotInput, quote_accept, quote_request_submit, quote_submit

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _quoted(patient, clinic, member, *, days_ahead: int, policy: str = "platform_default", deposit=50_000) -> Quote:
    """A request answered now with one date `days_ahead` days away, in Istanbul, €3,000 total."""
    now = timezone.now()
    request = quote_request_submit(
        patient=patient,
        providers=[clinic],
        documents=[],
        subject="Hip replacement",
        description="Arthritis.",
        desired_from=now.date() + dt.timedelta(days=10),
        desired_to=now.date() + dt.timedelta(days=90),
        now=now,
    )
    start = (
        (now + dt.timedelta(days=days_ahead)).astimezone(ISTANBUL).replace(hour=9, minute=0, second=0, microsecond=0)
    )
    return quote_submit(
        request=request,
        provider=clinic,
        actor=member,
        currency="EUR",
        lines=[LineInput(kind="procedure", description="Total hip replacement", quantity=1, unit_amount=300_000)],
        deposit_amount=deposit,
        valid_until=now.date() + dt.timedelta(days=5),
        slots=[SlotInput(start=start, end=start + dt.timedelta(hours=3))],
        payment_days=7,
        max_variation_bps=1000,
        cancellation_policy=policy,
        timezone="Europe/Istanbul",
        now=now,
    )


def _today_there() -> dt.date:
    return timezone.now().astimezone(ISTANBUL).date()


def _long(day: dt.date) -> str:
    return date_text(day)


def _accept_panel(body: str, quote: Quote) -> str:
    found = re.search(r'<details class="confirm" data-testid="accept-quote">(.*?)</details>', body, re.DOTALL)
    assert found, "no confirm panel for accepting"
    panel = found.group(1)
    assert f'action="/quotes/quote/{quote.pk}/accept/"' in panel
    return panel


def test_an_open_quote_shows_its_cancellation_schedule_as_dates_and_amounts(patient, clinic, clinic_member):
    # Platform default, first date 40 days away: free until 15 days after paying (the refund
    # window ends before the 15-days-before tier), then the whole €500 is kept.
    quote = _quoted(patient, clinic, clinic_member, days_ahead=40)
    today = _today_there()

    body = _as(patient).get(f"/quotes/{quote.request_id}/").content.decode()

    schedule = body.split('data-testid="cancellation-schedule"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr data-testid="schedule-period">(.*?)</tr>', schedule, re.DOTALL)
    cells = [
        [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in re.findall(r"<td>(.*?)</td>", r, re.DOTALL)] for r in rows
    ]
    assert cells == [
        [f"until {_long(today + dt.timedelta(days=14))}", "€0.00", "€500.00"],
        [f"from {_long(today + dt.timedelta(days=15))}, or if you do not come", "€500.00", "€0.00"],
    ]
    assert "These dates assume you accept this quote and pay its deposit today." in schedule
    # The dates carry the day itself, for any reader to check.
    assert f'<time datetime="{(today + dt.timedelta(days=15)).isoformat()}">' in schedule


def test_accepting_asks_first_with_the_deposit_and_the_first_non_refundable_date(patient, clinic, clinic_member):
    quote = _quoted(patient, clinic, clinic_member, days_ahead=40)
    no_refund = _today_there() + dt.timedelta(days=15)

    body = _as(patient).get(f"/quotes/{quote.request_id}/").content.decode()
    panel = _accept_panel(body, quote)

    # The first control is a summary that opens the panel: it cannot submit anything.
    assert '<summary class="button">Accept this quote</summary>' in panel
    assert not re.search(r"<button[^>]*>\s*Accept this quote", body)
    # The panel's own button is the only way to accept, below the deposit and the date.
    assert re.findall(r"<button[^>]*>(.*?)</button>", panel) == ["Yes, accept and book"]
    assert '<strong data-testid="confirm-deposit">€500.00</strong>' in panel
    non_refundable = panel.split('data-testid="confirm-non-refundable"', 1)[1].split("</p>", 1)[0]
    assert (
        f'From <bdi><time datetime="{no_refund.isoformat()}">{_long(no_refund)}</time></bdi>,'
        " the deposit is no longer refunded" in non_refundable
    )
    assert "part of it is kept" not in non_refundable  # the first fee is the whole deposit here
    assert panel.index("confirm-non-refundable") < panel.index("Yes, accept and book")


def test_a_schedule_with_a_partial_fee_first_names_both_dates(patient, clinic, clinic_member):
    # Strict, first date 20 days away: half the deposit is kept from the start (15–29 days before),
    # all of it from 14 days before.
    quote = _quoted(patient, clinic, clinic_member, days_ahead=20, policy="strict")
    today = _today_there()
    first_day = (quote.slots.get().start.astimezone(ISTANBUL)).date()

    body = _as(patient).get(f"/quotes/{quote.request_id}/").content.decode()
    panel = _accept_panel(body, quote)

    no_refund = first_day - dt.timedelta(days=14)
    assert (
        f'From <bdi><time datetime="{no_refund.isoformat()}">{_long(no_refund)}</time></bdi>,'
        " the deposit is no longer refunded" in panel
    )
    assert f'From <bdi><time datetime="{today.isoformat()}">{_long(today)}</time></bdi>, part of it is kept.' in panel


def test_the_deposit_is_converted_to_the_patients_currency_on_the_quote_and_in_the_panel(
    patient, clinic, clinic_member
):
    ExchangeRate.objects.create(currency="USD", rate="1.0800", date=timezone.now().date() - dt.timedelta(days=1))
    rates_changed()
    patient.patient_profile.preferred_currency = "USD"
    patient.patient_profile.save()
    quote = _quoted(patient, clinic, clinic_member, days_ahead=40)

    body = _as(patient).get(f"/quotes/{quote.request_id}/").content.decode()

    assert '<strong data-testid="quote-deposit">€500.00</strong> (≈ $540.00)' in body
    assert "€500.00</strong> (≈ $540.00)." in _accept_panel(body, quote)


def test_the_first_button_alone_accepts_nothing_and_the_panels_button_does(patient, clinic, clinic_member):
    quote = _quoted(patient, clinic, clinic_member, days_ahead=40)
    client = _as(patient)

    # Opening the panel is the browser's business (a <details>): no request, nothing booked.
    client.get(f"/quotes/{quote.request_id}/")
    assert not Booking.objects.exists()

    response = client.post(f"/quotes/quote/{quote.pk}/accept/")

    quote.refresh_from_db()
    assert response.status_code == 302
    assert quote.status == QuoteStatus.ACCEPTED
    assert Booking.objects.get().deposit_amount == 50_000


def test_declining_and_withdrawing_ask_first_in_danger_style(patient, clinic, clinic_member):
    quote = _quoted(patient, clinic, clinic_member, days_ahead=40)

    body = _as(patient).get(f"/quotes/{quote.request_id}/").content.decode()

    for label, confirm, url in [
        ("Decline", "Yes, decline this quote", f"/quotes/quote/{quote.pk}/decline/"),
        ("Withdraw the request", "Yes, withdraw the request", f"/quotes/{quote.request_id}/withdraw/"),
    ]:
        panel = re.search(
            rf'<details class="confirm">\s*<summary class="button button-danger">{label}</summary>(.*?)</details>',
            body,
            re.DOTALL,
        )
        assert panel, label
        assert f'action="{url}"' in panel.group(1)
        assert f'<button type="submit" class="button-danger">{confirm}</button>' in panel.group(1)


def test_an_accepted_quote_no_longer_shows_a_schedule_the_booking_has_its_own(patient, clinic, clinic_member):
    quote = _quoted(patient, clinic, clinic_member, days_ahead=40)
    quote = quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=timezone.now())

    body = _as(patient).get(f"/quotes/{quote.request_id}/").content.decode()

    assert 'data-testid="cancellation-schedule"' not in body
    assert 'data-testid="accept-quote"' not in body
    assert 'data-testid="cancellation-schedule"' in _as(patient).get(f"/bookings/{quote.booking_id}/").content.decode()


def test_the_api_gives_the_same_schedule_while_the_quote_is_open(api_as, patient, clinic, clinic_member):
    quote = _quoted(patient, clinic, clinic_member, days_ahead=40)
    today = _today_there()

    body = api_as(patient).get(f"/api/v1/quote-requests/{quote.request_id}/").json()

    schedule = body["quotes"][0]["cancellation_schedule"]
    assert schedule["if_paid_today"] is True
    assert schedule["periods"] == [
        {
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=14)).isoformat(),
            "fee": {"amount": "0.00", "currency": "EUR", "minor": 0},
            "refund": {"amount": "500.00", "currency": "EUR", "minor": 50_000},
        },
        {
            "start": (today + dt.timedelta(days=15)).isoformat(),
            "end": None,
            "fee": {"amount": "500.00", "currency": "EUR", "minor": 50_000},
            "refund": {"amount": "0.00", "currency": "EUR", "minor": 0},
        },
    ]

    quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=timezone.now())
    after = api_as(patient).get(f"/api/v1/quote-requests/{quote.request_id}/").json()
    assert after["quotes"][0]["cancellation_schedule"] is None
