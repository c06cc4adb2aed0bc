"""A booking made from a quote names its care (the request's procedure, else its subject) through
`core.hooks.booking_care`, for the booking page and the payment confirmation."""

from __future__ import annotations

import pytest

from bookings.selectors import booking_care_name
from quotes.models import Quote
from quotes.services import quote_accept
from quotes.tests.test_checks import NOW, _quote, _sent

pytestmark = pytest.mark.django_db


def test_a_quote_booking_is_named_after_the_request(patient, clinic, clinic_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member)

    quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=NOW)

    booking = Quote.objects.get(pk=quote.pk).booking
    assert booking is not None
    assert booking.offering is None
    assert booking_care_name(booking=booking) == "Knee arthroscopy"
