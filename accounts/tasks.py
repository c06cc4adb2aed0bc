from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Nightly: delete expired sessions (beat schedule in settings)."""
    call_command("clearsessions")


@shared_task
def delete_expired_api_tokens() -> int:
    """Nightly: delete the API tokens past their expiry (they no longer work; beat schedule in settings)."""
    from django.utils import timezone

    from accounts.services import api_tokens_delete_expired

    return api_tokens_delete_expired(now=timezone.now())


@shared_task(acks_late=True)
def delete_unverified_accounts() -> int:
    """Nightly (beat): accounts never verified after RETENTION_UNVERIFIED_ACCOUNT_DAYS, holding nothing, are deleted."""
    from django.utils import timezone

    from accounts.services import unverified_accounts_delete

    return unverified_accounts_delete(now=timezone.now())
