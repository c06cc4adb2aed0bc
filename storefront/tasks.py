"""Background work of the storefront: the published ranking's table (storefront.ranking)."""

from celery import shared_task
from django.utils import timezone

from storefront.services import provider_rankings_refresh


@shared_task(acks_late=True)
def refresh_rankings() -> int:
    """Periodically: score every verified provider again (reviews, quotes, bookings and profiles
    change all day; search reads the stored score)."""
    return provider_rankings_refresh(now=timezone.now())
