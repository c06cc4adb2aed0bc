"""Background work of quotes: thin wrappers over the services, run by Celery beat."""

from celery import shared_task
from django.utils import timezone

from quotes.services import quotes_expire


@shared_task(acks_late=True)
def expire_quotes() -> int:
    """Every fifteen minutes (beat): quotes past their validity and requests past their open period
    expire; the document grants those requests created end with them."""
    return quotes_expire(now=timezone.now())
