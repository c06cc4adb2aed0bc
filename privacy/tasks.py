"""Background work for data rights: thin wrappers over the services (beat schedule in settings)."""

from celery import shared_task
from django.utils import timezone

# --- retention (helper E) -------------------------------------------------------------------------


@shared_task(acks_late=True)
def close_inactive_accounts() -> dict[str, int]:
    """Nightly (beat): patients inactive for RETENTION_INACTIVE_ACCOUNT_DAYS are warned, then closed
    RETENTION_INACTIVE_WARNING_DAYS later if still inactive and nothing blocks (privacy.services.retention)."""
    from privacy.services.retention import inactive_accounts_process

    run = inactive_accounts_process(now=timezone.now())
    return {"warned": run.warned, "closed": run.closed, "blocked": run.blocked}
