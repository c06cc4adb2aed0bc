"""Background work for providers: keeping each offering's search index and next free slot fresh."""

from celery import shared_task
from django.utils import timezone

from providers import services


@shared_task(acks_late=True)
def refresh_offerings(offering_ids: list[int], index: bool = True, slots: bool = True) -> int:
    """After a change: rebuild the search index and/or the next free slot of these offerings."""
    if index:
        from marketplace.search import search_reindex

        search_reindex(offering_ids=offering_ids)
    if slots:
        services.offerings_refresh_next_slot(offering_ids=offering_ids, now=timezone.now())
    return len(offering_ids)


@shared_task(acks_late=True)
def refresh_stale_next_slots() -> int:
    """Periodically: recompute next free slots that time has made stale (past the minimum notice)."""
    return services.offerings_refresh_next_slot(offering_ids=None, now=timezone.now(), only_stale=True)
