"""Background work for second opinions: thin wrappers over the services, run by Celery beat."""

from celery import shared_task
from django.utils import timezone

from secondopinion.services.deadlines import case_accept_timeouts, case_deadline_alerts, case_follow_up_windows_close


@shared_task(acks_late=True)
def run_deadlines() -> dict[str, int]:
    """Every five minutes (beat): the clock's alerts at 75 % and at the deadline with the breach
    refund, chosen specialists who did not answer in time, and follow-up windows that ended."""
    now = timezone.now()
    alerts = case_deadline_alerts(now=now)
    return {
        "alerted_75": alerts.alerted_75,
        "alerted_due": alerts.alerted_due,
        "breach_refunded": alerts.refunded,
        "accept_timed_out": case_accept_timeouts(now=now),
        "closed": case_follow_up_windows_close(now=now),
    }
