"""Background work of core: thin wrappers over its services (beat schedule in settings)."""

from celery import shared_task
from django.utils import timezone

from core.idempotency import idempotency_records_purge


@shared_task(acks_late=True)  # type: ignore[untyped-decorator]  # celery is untyped
def purge_idempotency_records() -> int:
    """Nightly (beat): Idempotency-Key records past RETENTION_IDEMPOTENCY_DAYS are deleted."""
    return idempotency_records_purge(now=timezone.now())
