"""What search reads from offerings: the index and the next free slot, refreshed after changes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from providers.models import (
    Offering,
)


def offerings_changed(*, offering_ids: list[int], index: bool = True, slots: bool = True) -> None:
    """Once the transaction commits, refresh what search reads from these offerings."""
    from providers.tasks import refresh_offerings

    ids = sorted(set(offering_ids))
    if ids:
        transaction.on_commit(lambda: refresh_offerings.delay(ids, index, slots))


def offerings_refresh_next_slot(
    *, offering_ids: list[int] | None, now: dt.datetime, only_stale: bool = False, batch_size: int = 500
) -> int:
    """Store each offering's first free slot (None when there is none within its horizon).

    `only_stale` limits the work to offerings whose stored slot is missing or has become too
    close to book (its start is before now + the minimum notice). Returns how many were updated.
    """
    from providers.availability import offering_first_free_slot

    queryset = Offering.objects.filter(is_active=True)
    if offering_ids is not None:
        queryset = Offering.objects.filter(pk__in=offering_ids)
    if only_stale:
        # Each offering has its own notice, so the comparison is made here rather than in SQL;
        # only the three columns are read, and only the stale offerings are recomputed.
        rows = queryset.values_list("pk", "next_slot_at", "min_notice_hours").order_by("pk")
        ids = [pk for pk, slot, notice in rows if slot is None or slot < now + dt.timedelta(hours=notice)]
    else:
        ids = list(queryset.values_list("pk", flat=True).order_by("pk"))
    updated = 0
    for start in range(0, len(ids), batch_size):
        batch = list(
            Offering.objects.filter(pk__in=ids[start : start + batch_size])
            .select_related("location")
            .prefetch_related("location__weekly_rules", "location__exceptions")
        )
        for offering in batch:
            slot = offering_first_free_slot(offering=offering, now=now) if offering.is_active else None
            offering.next_slot_at = slot.start if slot else None
        Offering.objects.bulk_update(batch, ["next_slot_at"])
        updated += len(batch)
    return updated
