"""Background work for data rights: thin wrappers over the services (beat schedule in settings)."""

from celery import shared_task
from django.utils import timezone

from privacy.services.export import export_build, exports_expired_delete


@shared_task(acks_late=True)
def build_export(request_id: int) -> str:
    """Build a person's export (a ZIP, encrypted, in storage); safe to run twice."""
    request = export_build(request_id=request_id, now=timezone.now())
    return request.status


@shared_task(acks_late=True)
def delete_expired_exports() -> int:
    """Daily (beat): the blobs of export links that expired unused."""
    return exports_expired_delete(now=timezone.now())


# --- erasure (helper D2) --------------------------------------------------------------------------


ERASURE_MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=ERASURE_MAX_RETRIES)
def run_erasure(self, request_id: int) -> str:
    """Erase the person of one erasure request; a failure is retried with backoff (30 s, 1, 2, 4…
    min, 30 min at most), and each run skips the steps already done (privacy.services.erasure.erasure_run).
    Run eagerly (no broker: the embedded run, tests), a failure is not retried at once: the request
    stays in progress and the beat job `resume_erasures` runs it again."""
    from privacy.services.erasure import erasure_run

    try:
        return str(erasure_run(request_id=request_id, now=timezone.now()).status)
    except Exception as error:
        if self.request.is_eager:
            raise
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 30 * 60)) from error


@shared_task(acks_late=True)
def resume_erasures() -> int:
    """Every 15 minutes (beat): erasure requests left in progress (a worker killed half-way, a
    broker down) are run again from where they stopped. Returns how many were enqueued."""
    from privacy.services.erasure import erasures_resume_stale

    ids = erasures_resume_stale(now=timezone.now())
    for request_id in ids:
        run_erasure.delay(request_id)
    return len(ids)


# --- retention -------------------------------------------------------------------------


@shared_task(acks_late=True)
def close_inactive_accounts() -> dict[str, int]:
    """Nightly (beat): patients inactive for RETENTION_INACTIVE_ACCOUNT_DAYS are warned, then closed
    RETENTION_INACTIVE_WARNING_DAYS later if still inactive and nothing blocks (privacy.services.retention)."""
    from privacy.services.retention import inactive_accounts_process

    run = inactive_accounts_process(now=timezone.now())
    return {"warned": run.warned, "closed": run.closed, "blocked": run.blocked}
