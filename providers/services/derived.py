"""What search reads from offerings: the index, the next free slot and the price in euros,
refreshed after changes."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Least, Round

from core import hooks
from core.rates import NANO_EURO_CAP, RateTable, rates_on
from providers.models import (
    Offering,
)


def offerings_changed(*, offering_ids: list[int], index: bool = True, slots: bool = True, prices: bool = False) -> None:
    """Once the transaction commits, refresh what search reads from these offerings; when their
    text changed (`index`), the search listing's rows (whether they are listed, and what they show)
    at once, in this transaction."""
    from providers.tasks import refresh_offerings

    ids = sorted(set(offering_ids))
    if ids and index:
        hooks.listing_stale.call(offering_ids=ids)
    if ids:
        transaction.on_commit(lambda: refresh_offerings.delay(ids, index, slots, prices))


def _price_in_nano_euros(rates: RateTable) -> Case:
    """SQL for `RateTable.in_nano_euros` of each offering's lower price: NULL without a rate."""
    whens = []
    for currency in sorted(rates.currencies):
        factor = rates.nano_euro_factor(currency)
        product = models.ExpressionWrapper(F("price_min") * Value(factor), output_field=models.DecimalField())
        nano = Cast(Round(product), models.BigIntegerField())
        whens.append(When(currency=currency, then=Least(nano, Value(NANO_EURO_CAP))))
    return Case(*whens, default=None, output_field=models.BigIntegerField())


def offerings_refresh_prices(*, offering_ids: list[int] | None, now: dt.datetime) -> int:
    """Store each offering's lower price in nano-euros at the rates in force on `now`'s day (UTC).

    One UPDATE for all of them, the factor chosen by currency (None where the currency has no
    rate); only the rows whose value changes are written. The rates are read from the database,
    not the cache, so that a service that changes rates can call this in its transaction.
    Returns how many offerings changed.
    """
    fresh = _price_in_nano_euros(rates_on(day=now.date(), cached=False))
    queryset = Offering.objects.all() if offering_ids is None else Offering.objects.filter(pk__in=offering_ids)
    changed = (
        Q(price_eur_nano__lt=F("fresh"))
        | Q(price_eur_nano__gt=F("fresh"))
        | Q(price_eur_nano__isnull=True, fresh__isnull=False)
        | Q(price_eur_nano__isnull=False, fresh__isnull=True)
    )
    updated = queryset.alias(fresh=fresh).filter(changed).update(price_eur_nano=fresh)
    if updated:
        hooks.listing_stale.call(offering_ids=offering_ids, columns=("price_eur_nano",))
    return updated


def offerings_refresh_next_slot(
    *, offering_ids: list[int] | None, now: dt.datetime, only_stale: bool = False, batch_size: int = 500
) -> int:
    """Store each offering's first free slot (None when there is none within its horizon, and for
    an offering booked on quote only: its patients ask for a quote, they do not pick a time).

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
            bookable = offering.is_active and offering.books_online
            slot = offering_first_free_slot(offering=offering, now=now) if bookable else None
            offering.next_slot_at = slot.start if slot else None
        Offering.objects.bulk_update(batch, ["next_slot_at"])
        hooks.listing_stale.call(offering_ids=[o.pk for o in batch], columns=("next_slot_at",))
        updated += len(batch)
    return updated
