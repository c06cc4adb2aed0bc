"""Background work for concierge: thin wrappers over the services, run by Celery beat."""

from celery import shared_task
from django.utils import timezone

from concierge.reminders import transfer_reminders_send


@shared_task(acks_late=True)
def send_transfer_reminders() -> int:
    """Every 15 minutes (beat): the reminder the day before each paid transfer leg's pickup."""
    return transfer_reminders_send(now=timezone.now())
