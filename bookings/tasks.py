"""Background work for bookings: thin wrappers over the services, run by Celery beat."""

from celery import shared_task
from django.utils import timezone

from bookings.reminders import evidence_reminders_send_due, reminders_send_due
from bookings.services import booking_apply_evidence_deadlines, booking_expire_holds, booking_expire_unpaid


@shared_task(acks_late=True)
def expire_held_bookings() -> int:
    """Every minute (beat): held bookings past their hold expire and free their slot."""
    return booking_expire_holds(now=timezone.now())


@shared_task(acks_late=True)
def expire_unpaid_bookings() -> int:
    """Every five minutes (beat): bookings still awaiting their deposit after the deadline expire."""
    return booking_expire_unpaid(now=timezone.now())


@shared_task(acks_late=True)
def apply_evidence_deadlines() -> int:
    """Every hour (beat): legitimate-reason cancellations without evidence 14 days on fall under the ordinary rules."""
    return booking_apply_evidence_deadlines(now=timezone.now())


@shared_task(acks_late=True)
def send_due_reminders() -> dict[str, int]:
    """Every 15 minutes (beat): appointment reminders (7 days, 24 hours) and evidence deadlines."""
    now = timezone.now()
    return {
        "appointments": reminders_send_due(now=now),
        "evidence": evidence_reminders_send_due(now=now),
    }
