"""Demo data of quotes for `manage.py seed_demo`: a quote request, answered by one provider."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from providers.models import Procedure, Provider
from quotes.models import QuoteRequest
from quotes.services import LineInput, SlotInput, quote_request_submit, quote_submit


def seed_quotes() -> QuoteRequest | None:
    """Amelia's hip request to two hospitals, answered by one: the quote flow to try in the demo.

    Skipped when she already has a request (running the seed again changes nothing).
    """
    patient = User.objects.get(email="amelia.hughes@example.test")
    if QuoteRequest.objects.filter(patient=patient).exists():
        return None
    now = timezone.now()
    anadolu = Provider.objects.get(slug="anadolu-health-hospital")
    bangkok = Provider.objects.get(slug="bangkok-smile-dental-clinic")
    hip = Procedure.objects.filter(code="hip-replacement").first()
    request = quote_request_submit(
        patient=patient,
        providers=[anadolu, bangkok],
        documents=[],
        subject="Total hip replacement",
        description="Osteoarthritis of the right hip; my surgeon in Leeds recommends a replacement.",
        desired_from=(now + dt.timedelta(days=45)).date(),
        desired_to=(now + dt.timedelta(days=90)).date(),
        specialty=hip.specialty if hip else None,
        procedure=hip,
        travel_constraints="Direct flights from Manchester only.",
        now=now,
    )
    surgeon = User.objects.get(email="international@anadolu.test")
    start = dt.datetime.combine((now + dt.timedelta(days=60)).date(), dt.time(7), tzinfo=dt.UTC)  # 10:00 Istanbul
    quote_submit(
        request=request,
        provider=anadolu,
        actor=surgeon,
        currency="TRY",
        lines=[
            LineInput("consultation", "Pre-operative consultation and tests", 1, 1_500_000),
            LineInput("procedure", "Total hip replacement (ceramic implant)", 1, 32_000_000),
            LineInput("stay", "Private room, per night", 5, 800_000),
        ],
        deposit_amount=10_000_000,
        valid_until=(now + dt.timedelta(days=21)).date(),
        slots=[
            SlotInput(start=start, end=start + dt.timedelta(hours=1)),
            SlotInput(start=start + dt.timedelta(days=1), end=start + dt.timedelta(days=1, hours=3)),
        ],
        payment_days=7,
        max_variation_bps=1000,
        timezone="Europe/Istanbul",
        excluded="Flights, hotel after discharge, physiotherapy at home",
        message="Dr Yılmaz has reviewed your X-ray; we propose these dates.",
        now=now,
    )
    return request
