from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Nightly: delete expired sessions (beat schedule in settings)."""
    call_command("clearsessions")
