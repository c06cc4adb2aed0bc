"""Booking on the pages: the provider page's slot buttons hold a slot and lead to the payment page;
the "more dates" picker; moving an appointment and cancelling from the booking page, the
consequence shown before the final button; where to go."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingStatus
from bookings.tests.support import PARIS
from providers.models import BookingMode
from providers.selectors import offering_next_slots
from providers.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db


def page_url(offering) -> str:
    return reverse("providers:public", kwargs={"slug": offering.provider.slug})


def hold_url(offering) -> str:
    return reverse("bookings:hold", args=[offering.pk])


def first_slot(offering):
    slots = offering_next_slots(offering=offering, now=timezone.now())
    assert slots, "the offering should have free slots in the next two weeks"
    return slots[0]


def confirmed_booking(patient, offering):
    """A booking held from the page's first slot, its deposit then paid."""
    now = timezone.now()
    booking = services.booking_hold(patient=patient, offering=offering, start=first_slot(offering).start, now=now)
    return services.booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=now, now=now)


def test_the_provider_page_shows_each_free_slot_as_a_button_that_holds_it(client, patient, offering):
    slot = first_slot(offering)
    client.force_login(patient)

    html = client.get(page_url(offering)).text

    assert f'action="{hold_url(offering)}"' in html
    assert f'value="{slot.start.isoformat()}"' in html
    assert "(Paris time)" in html  # the place's time, named

    response = client.post(hold_url(offering), {"start": slot.start.isoformat(), "next": page_url(offering)})

    booking = Booking.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:pay", args=[booking.pk])
    assert booking.status == BookingStatus.HELD
    assert booking.appointments.get().start == slot.start


def test_a_slot_taken_meanwhile_is_explained_on_the_page(client, patient, other_patient, offering):
    slot = first_slot(offering)
    services.booking_hold(patient=other_patient, offering=offering, start=slot.start, now=timezone.now())
    client.force_login(patient)

    response = client.post(
        hold_url(offering), {"start": slot.start.isoformat(), "next": page_url(offering)}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[0][0] == page_url(offering)
    assert "This time has just been taken by someone else" in response.text
    assert not Booking.objects.filter(patient=patient).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_to_the_page(client, offering):
    slot = first_slot(offering)

    html = client.get(page_url(offering)).text
    response = client.post(hold_url(offering), {"start": slot.start.isoformat(), "next": page_url(offering)})

    login = reverse("account_login")
    assert f'href="{login}?next={page_url(offering)}' in html
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == login
    assert parse_qs(target.query)["next"] == [page_url(offering)]
    assert not Booking.objects.exists()


def test_an_offering_on_quote_only_shows_no_slot_and_cannot_be_held_from_the_page(client, patient, offering):
    on_quote = OfferingFactory(
        provider=offering.provider, location=offering.location, title="Knee surgery", booking_mode=BookingMode.QUOTE
    )
    client.force_login(patient)

    html = client.get(page_url(offering)).text
    response = client.post(
        hold_url(on_quote), {"start": first_slot(offering).start.isoformat(), "next": page_url(offering)}, follow=True
    )

    assert f'action="{hold_url(on_quote)}"' not in html
    assert "on quote only" in response.text
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-a-date", "is not a date"),
        ("2001-01-01", "That day is past"),
        ("2999-01-01", "can be booked up to"),
    ],
)
def test_a_bad_date_in_the_picker_is_explained_beside_it(client, offering, value, message):
    response = client.get(page_url(offering), {"offering": offering.pk, "date": value})

    assert response.status_code == 200
    assert message in response.text
    assert 'aria-invalid="true"' in response.text


def test_the_picker_shows_the_free_times_of_the_week_asked(client, patient, offering):
    day = timezone.now().astimezone(PARIS).date() + dt.timedelta(days=30)
    client.force_login(patient)

    html = client.get(page_url(offering), {"offering": offering.pk, "date": day.isoformat()}).text

    starts = [dt.datetime.fromisoformat(part.split('"', 1)[0]) for part in html.split('name="start" value="')[1:]]
    assert starts
    assert all(day <= start.astimezone(PARIS).date() < day + dt.timedelta(days=7) for start in starts)


def test_a_start_that_is_not_a_time_is_refused_with_a_message(client, patient, offering):
    client.force_login(patient)

    response = client.post(hold_url(offering), {"start": "tomorrow", "next": page_url(offering)}, follow=True)

    assert response.status_code == 200
    assert "This is not a time we offered" in response.text
    assert not Booking.objects.exists()


def test_a_next_that_leaves_the_site_is_not_followed(client, patient, offering):
    client.force_login(patient)

    response = client.post(hold_url(offering), {"start": "", "next": "https://evil.example/"})

    assert response["Location"] == page_url(offering)


def test_the_patient_moves_the_appointment_after_seeing_what_it_costs(client, patient, offering):
    booking = confirmed_booking(patient, offering)
    client.force_login(patient)
    detail = reverse("bookings:detail", args=[booking.pk])
    new_start = offering_next_slots(offering=offering, now=timezone.now())[0].start  # the first slot is taken

    page = client.get(detail).text
    asked = client.get(detail, {"move_to": new_start.isoformat()}).text
    response = client.post(reverse("bookings:reschedule", args=[booking.pk]), {"start": new_start.isoformat()})

    assert 'data-testid="reschedule"' in page
    assert f'data-start="{new_start.isoformat()}"' in page
    assert 'data-testid="move-confirm"' in asked
    assert "Moving it costs nothing" in asked
    assert response.status_code == 302
    assert booking.appointments.get().start == new_start


def test_a_slot_that_is_not_offered_is_not_moved_to(client, patient, offering):
    booking = confirmed_booking(patient, offering)
    before = booking.appointments.get().start
    client.force_login(patient)
    detail = reverse("bookings:detail", args=[booking.pk])
    odd = (before + dt.timedelta(minutes=7)).isoformat()

    client.post(reverse("bookings:reschedule", args=[booking.pk]), {"start": odd})
    page = client.get(detail).text

    assert booking.appointments.get().start == before
    assert "is not offered at that time" in page


def test_cancelling_shows_the_fee_and_refund_before_the_final_button(client, patient, offering):
    booking = confirmed_booking(patient, offering)  # paid today, the appointment within two weeks
    client.force_login(patient)
    quote = services.booking_cancel_quote(booking=booking, now=timezone.now())

    page = client.get(reverse("bookings:detail", args=[booking.pk])).text

    consequence = page[page.index('data-testid="cancel-consequence"') :]
    consequence = consequence[: consequence.index("</p>")]
    fee, refund = quote.fee.amount / 100, quote.refund.amount / 100
    assert f"€{fee:,.2f} is kept" in consequence
    assert f"€{refund:,.2f} is refunded" in consequence
    # The final button sits in the confirmation panel, after the consequence.
    assert page.index('data-testid="cancel-consequence"') < page.index('<details class="confirm">')
    assert page.index('<details class="confirm">') < page.index("Yes, cancel the booking")

    client.post(reverse("bookings:cancel", args=[booking.pk]), {"reason": "none"})

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert (booking.cancellation_fee, booking.cancellation_refund) == (quote.fee.amount, quote.refund.amount)


def test_the_booking_page_says_where_to_go(client, patient, offering):
    location = offering.location
    location.arrival_instructions = "Enter by the east door; bring your X-rays."
    location.latitude, location.longitude = 48.85, 2.35
    location.save()
    booking = confirmed_booking(patient, offering)
    client.force_login(patient)

    page = client.get(reverse("bookings:detail", args=[booking.pk])).text

    where = page[page.index('data-testid="where-to-go"') :]
    assert location.address in where
    assert location.name in where
    assert "https://www.openstreetmap.org/?mlat=48.850000&amp;mlon=2.350000" in where
    assert "Enter by the east door; bring your X-rays." in where


def test_the_payment_page_counts_the_hold_down_and_says_what_happens_when_it_runs_out(client, patient, offering):
    booking = services.booking_hold(
        patient=patient, offering=offering, start=first_slot(offering).start, now=timezone.now()
    )
    client.force_login(patient)

    page = client.get(reverse("payments:pay", args=[booking.pk])).text

    countdown = page[page.index('data-testid="hold-countdown"') :]
    assert f'data-countdown="{booking.hold_expires_at.isoformat()}"' in countdown
    assert f'<time datetime="{booking.hold_expires_at.astimezone(dt.UTC).isoformat()}">' in countdown
    assert "the hold ends: nothing is charged" in countdown
    assert "/static/js/countdown.js" in page
