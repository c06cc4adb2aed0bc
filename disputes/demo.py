"""Demo data of disputes for `manage.py seed_demo`: Amelia's health check-up in Tokyo, which took
place three weeks ago and whose deposit is still held, disputed over an extra charge; the clinic has
yet to answer. Through bookings', payments' and disputes' services; needs the Stripe emulator (the
deposit is paid with the test card), as concierge's demo does. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from bookings.demo import demo_offering
from disputes.models import Dispute, DisputeReason
from disputes.services import dispute_open
from payments.demo import demo_completed_booking, demo_payments_possible

AMELIA = "amelia.hughes@example.test"
TOKYO = "desk@tokyo-preventive.test"


def seed_disputes() -> str:
    """Returns a line for the seed's output."""
    amelia = User.objects.get(email=AMELIA)
    dispute = Dispute.objects.filter(patient=amelia, booking__provider__members__user__email=TOKYO).first()
    if dispute is None:
        if not demo_payments_possible():
            return "none (disputes hold a paid deposit: the Stripe emulator is not running, `make run` starts it)"
        offering = demo_offering(admin_email=TOKYO)
        booking = None if offering is None else demo_completed_booking(patient=amelia, offering=offering, days_ago=21)
        if booking is None:
            return "none (no free slot at the Tokyo demo clinic)"
        dispute = dispute_open(
            actor=amelia,
            booking=booking,
            reason=DisputeReason.WRONG_AMOUNT,
            statement=(
                "The clinic added a second set of tests on the day that I did not ask for and that was not in "
                "the price I booked. I would like the difference refunded from my deposit."
            ),
            now=timezone.now() - dt.timedelta(days=2),
        )
    return (
        f"Amelia's dispute #{dispute.pk} over booking #{dispute.booking_id} in Tokyo, "
        f"{dispute.get_status_display().lower()} (desk@tokyo-preventive.test answers at /disputes/{dispute.pk}/); "
        "its deposit cannot be released meanwhile"
    )
