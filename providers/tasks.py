"""Background work for providers: keeping each offering's search index (through the
`offerings_changed` hook, which the storefront answers), next free slot and price in euros fresh."""

from celery import shared_task
from django.utils import timezone

from core import hooks
from providers import services


@shared_task(acks_late=True)
def refresh_offerings(offering_ids: list[int], index: bool = True, slots: bool = True, prices: bool = False) -> int:
    """After a change: rebuild the search index, the next free slot and/or the price in euros of these offerings."""
    if prices:
        services.offerings_refresh_prices(offering_ids=offering_ids, now=timezone.now())
    if index:
        hooks.offerings_changed.call(offering_ids=offering_ids)
    if slots:
        services.offerings_refresh_next_slot(offering_ids=offering_ids, now=timezone.now())
    return len(offering_ids)


@shared_task(acks_late=True)
def refresh_stale_next_slots() -> int:
    """Periodically: recompute next free slots that time has made stale (past the minimum notice)."""
    return services.offerings_refresh_next_slot(offering_ids=None, now=timezone.now(), only_stale=True)


@shared_task(acks_late=True)
def refresh_offering_prices() -> int:
    """Daily, just after midnight UTC: prices in euros at the rates now in force (a rate published
    for today takes over from yesterday's). Rate changes made through the services refresh them at
    once; this catches the change of day. Writes only the offerings whose price in euros changes."""
    return services.offerings_refresh_prices(offering_ids=None, now=timezone.now())
