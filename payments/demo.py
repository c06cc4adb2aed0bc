"""The demo pays with the test card through the local Stripe emulator, as a browser would.

`manage.py seed_demo` (never in production) gives Amelia a paid booking and paid add-ons, so the
demo shows money held in trust and add-ons being fulfilled. The card goes to the emulator the way
Stripe.js sends it (straight to Stripe, never through our server); against Stripe itself a server
cannot do that, so without the emulator the seed skips its payments.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from bookings.demo import demo_offering, seed_discharge_pack
from bookings.models import Booking, BookingStatus, CancellationPolicy
from bookings.services.appointments import booking_complete
from bookings.services.holds import booking_hold
from payments.services.deposits import deposit_pay, deposit_start
from providers.availability import offering_free_slots
from providers.models import MemberRole, Offering, ProviderMember

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


# --- past bookings that took place (reviews, disputes and the discharge pack need them) --------------------

KARIM = "karim.benali@example.test"
BANGKOK = "manager@bangkoksmile.test"
IMPLANT = "Dental implant with crown"


def demo_completed_booking(*, patient: User, offering: Offering, days_ago: int) -> Booking | None:
    """A booking `patient` held and paid `days_ago` + 3 days ago for a slot about `days_ago` days ago,
    marked completed by the provider's admin three hours after it began. None without the emulator or
    without a free slot then. Not idempotent on its own: callers look for what they made first."""
    if not demo_payments_possible():
        return None
    booked_at = timezone.now() - dt.timedelta(days=days_ago + 3)
    # Not before its cancellation policy was published (the booking would be refused).
    published = (
        CancellationPolicy.objects.filter(code=offering.cancellation_policy)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if published is not None and booked_at < published:
        booked_at = published + dt.timedelta(hours=1)
    first = (booked_at + dt.timedelta(days=3)).date()
    slots = offering_free_slots(
        offering=offering, first_day=first, last_day=first + dt.timedelta(days=7), now=booked_at
    )
    if not slots:
        return None
    start = slots[0].start
    booking = booking_hold(patient=patient, offering=offering, start=start, now=booked_at)
    checkout = deposit_start(booking=booking, actor=patient, now=booked_at)
    deposit_pay(
        booking=booking,
        actor=patient,
        payment_method=demo_card_collect(setup_client_secret=checkout.setup_client_secret),
        now=booked_at,
    )
    member = (
        ProviderMember.objects.filter(provider=offering.provider, role=MemberRole.ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    booking.refresh_from_db()
    if member is None:
        return booking
    return booking_complete(booking=booking, actor=member.user, now=start + dt.timedelta(hours=3))


def seed_aftercare() -> str:
    """Karim's dental implant in Bangkok, completed ten days ago, with four of the six items of its
    discharge pack. Idempotent. Returns a line for the seed's output."""
    karim = User.objects.get(email=KARIM)
    offering = demo_offering(admin_email=BANGKOK, title=IMPLANT)
    if offering is None:
        return "no discharge pack (the Bangkok demo clinic has no implant offering)"
    booking = (
        Booking.objects.filter(patient=karim, offering=offering, status=BookingStatus.COMPLETED).order_by("pk").first()
    )
    if booking is None:
        if not demo_payments_possible():
            return "no discharge pack (the Stripe emulator is not running: `make run` starts it)"
        booking = demo_completed_booking(patient=karim, offering=offering, days_ago=10)
        if booking is None:
            return "no discharge pack (no free slot at the Bangkok demo clinic)"
    return seed_discharge_pack(booking)
