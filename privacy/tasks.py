"""Background work for data rights: thin wrappers over the services."""

from celery import shared_task
from django.utils import timezone

# --- erasure (helper D2) --------------------------------------------------------------------------


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=False,
    max_retries=8,
)
def run_erasure(request_id: int) -> str:
    """Erase the person of one erasure request; a failure is retried with backoff (30 s, 1, 2, 4…
    min), and each run skips the steps already done (privacy.services.erasure.erasure_run)."""
    from privacy.services.erasure import erasure_run

    return str(erasure_run(request_id=request_id, now=timezone.now()).status)


@shared_task(acks_late=True)
def resume_erasures() -> int:
    """Every 15 minutes (beat): erasure requests left in progress (a worker killed half-way, a
    broker down) are run again from where they stopped. Returns how many were enqueued."""
    from privacy.services.erasure import erasures_resume_stale

    ids = erasures_resume_stale(now=timezone.now())
    for request_id in ids:
        run_erasure.delay(request_id)
    return len(ids)
