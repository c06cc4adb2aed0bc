"""Background work for notifications: thin wrappers over the services."""

from celery import shared_task
from django.utils import timezone

from notifications.reminders import evidence_reminders_send_due, reminders_send_due
from notifications.services import TransientSendError, message_send, messages_requeue_stale

MAX_RETRIES = 6


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_message(self, message_id: int) -> str:
    """Send one recorded message; transient errors are retried with backoff (30 s, 1, 2, 4, 8, 16 min)."""
    final = self.request.retries >= self.max_retries
    try:
        return message_send(message_id=message_id, now=timezone.now(), final_attempt=final)
    except TransientSendError as error:
        if self.request.is_eager:
            # No broker to bring it back later (the embedded run, tests): try again at once.
            return self.apply(args=[message_id], retries=self.request.retries + 1).get()
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task(acks_late=True)
def send_due_reminders() -> dict[str, int]:
    """Every 15 minutes (beat): appointment reminders (7 days, 24 hours), evidence deadlines, and
    messages left queued (a broker that was down when they were recorded) sent again."""
    now = timezone.now()
    return {
        "appointments": reminders_send_due(now=now),
        "evidence": evidence_reminders_send_due(now=now),
        "requeued": messages_requeue_stale(now=now),
    }
