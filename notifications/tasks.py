"""Background work for notifications: thin wrappers over the services."""

from celery import shared_task
from django.utils import timezone

from notifications.services import TransientSendError, message_send, messages_purge_bodies, messages_requeue_stale

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
def requeue_stale_messages() -> int:
    """Every 15 minutes (beat): messages left queued (a broker that was down when they were
    recorded, a task lost) are enqueued again."""
    return messages_requeue_stale(now=timezone.now())


@shared_task(acks_late=True)
def purge_message_bodies() -> int:
    """Nightly (beat): the texts of messages past RETENTION_MESSAGE_BODY_DAYS are emptied; the log row stays."""
    return messages_purge_bodies(now=timezone.now())
