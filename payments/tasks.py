"""Background work of payments: thin wrappers over the services, run by Celery (beat)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from payments.services.orphans import charges_orphaned_refund_pending
from payments.services.reconciliation import reconcile_day
from payments.services.refunds import refunds_settle_pending
from payments.services.releases import releases_retry_transfers
from payments.webhooks import (
    stripe_event_process,
    stripe_events_fetch_missed,
    stripe_events_purge_payloads,
    stripe_events_retry,
)


@shared_task(acks_late=True)
def process_stripe_event(event_id: str) -> bool:
    """After a webhook stored an event: process it (a failure leaves it for the retry job)."""
    return stripe_event_process(event_id=event_id, now=timezone.now())


@shared_task(acks_late=True)
def retry_stripe_events() -> int:
    """Every five minutes (beat): events whose processing failed are tried again."""
    return stripe_events_retry(now=timezone.now())


@shared_task(acks_late=True)
def fetch_missed_stripe_events() -> int:
    """Every hour (beat): events of the last three days that never reached the webhook."""
    return stripe_events_fetch_missed(now=timezone.now())


@shared_task(acks_late=True)
def settle_cancellations() -> int:
    """Every minute (beat): cancelled and no-show bookings whose decision is final are settled
    (refund to the card, fee to the provider); refunds Stripe never acknowledged are sent again."""
    return refunds_settle_pending(now=timezone.now())


@shared_task(acks_late=True)
def reconcile_with_stripe() -> int:
    """Every day (beat), for the UTC day before: the ledger against Stripe; returns the problems."""
    now = timezone.now()
    return reconcile_day(day=now.date() - dt.timedelta(days=1), now=now).problems


@shared_task(acks_late=True)
def retry_release_transfers() -> int:
    """Every five minutes (beat): approved releases whose transfer was never answered are sent
    again under the same key; failed ones are looked up at Stripe. Returns how many were paid."""
    return releases_retry_transfers(now=timezone.now())


@shared_task(acks_late=True)
def refund_orphaned_charges() -> int:
    """Every five minutes (beat): orphaned charges whose refund Stripe did not answer, sent again."""
    return charges_orphaned_refund_pending(now=timezone.now())


@shared_task(acks_late=True)
def purge_stripe_payloads() -> int:
    """Nightly (beat): payloads of processed Stripe events past RETENTION_STRIPE_PAYLOAD_DAYS are reduced to ids."""
    return stripe_events_purge_payloads(now=timezone.now())
