"""Background work for bookings: releasing slots whose hold lapsed unpaid."""

from celery import shared_task
from django.utils import timezone

from bookings.services import booking_expire_holds


@shared_task(acks_late=True)
def expire_held_bookings() -> int:
    """Every minute (beat): held bookings past their hold expire and free their slot."""
    return booking_expire_holds(now=timezone.now())
