"""The currency a visitor sees prices in, for pages and API calls alike."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from core.money import CURRENCY_EXPONENTS

CURRENCY_SESSION_KEY = "display_currency"


def patient_currency(request: HttpRequest | Request, asked: str | None, *, remember: bool = True) -> str:
    """The currency prices are shown in: as asked (then remembered for the visit on pages), else
    the one asked earlier in the visit, else the patient's preference, else euros."""
    if asked:
        if remember:
            request.session[CURRENCY_SESSION_KEY] = asked
        return asked
    if remember and request.session.get(CURRENCY_SESSION_KEY) in CURRENCY_EXPONENTS:
        remembered: str = request.session[CURRENCY_SESSION_KEY]
        return remembered
    profile = getattr(request.user, "patient_profile", None) if request.user.is_authenticated else None
    preferred: str = profile.preferred_currency if profile else "EUR"
    return preferred
