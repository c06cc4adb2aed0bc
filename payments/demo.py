"""The demo pays with the test card through the local Stripe emulator, as a browser would.

`manage.py seed_demo` (never in production) gives Amelia a paid booking and paid add-ons, so the
demo shows money held in trust and add-ons being fulfilled. The card goes to the emulator the way
Stripe.js sends it (straight to Stripe, never through our server); against Stripe itself a server
cannot do that, so without the emulator the seed skips its payments.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings

TEST_CARD = "4242424242424242"


def demo_payments_possible() -> bool:
    """True when payments go to the local emulator and it answers."""
    if not settings.STRIPE_EMULATED or settings.PRODUCTION:
        return False
    try:
        with urlopen(f"{settings.STRIPE_API_BASE.rstrip('/')}/js.stripe.com/v3/", timeout=2) as response:  # noqa: S310 -- our local emulator
            return bool(response.status == 200)
    except OSError:
        return False


def demo_card_collect(*, setup_client_secret: str) -> str:
    """`stripe.confirmCardSetup` with the test card against the emulator: the PaymentMethod's id."""
    if not demo_payments_possible():
        raise RuntimeError("demo payments need the local Stripe emulator")
    setup_intent = setup_client_secret.split("_secret_")[0]
    data = urlencode(
        {
            "key": settings.STRIPE_PUBLISHABLE_KEY,
            "client_secret": setup_client_secret,
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": TEST_CARD,
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "2034",
            "payment_method_data[card][cvc]": "123",
        }
    ).encode()
    url = f"{settings.STRIPE_API_BASE.rstrip('/')}/v1/setup_intents/{setup_intent}/confirm"
    with urlopen(Request(url, data=data, method="POST"), timeout=10) as response:  # noqa: S310 -- our local emulator
        body = json.loads(response.read())
    payment_method = body.get("payment_method")
    if isinstance(payment_method, dict):
        payment_method = payment_method.get("id")
    if not payment_method:
        raise RuntimeError(f"the emulator did not collect the card: {body}")
    return str(payment_method)
