"""Stripe webhooks (docs/decisions.md#webhooks): verify, store once, process after commit.

1. The view checks the signature of the raw body (`stripe.Webhook.construct_event`, default
   tolerance, through the gateway) before anything is written: a missing, wrong or stale signature
   is a 400 and leaves no trace.
2. The event is stored once: its id is the primary key, so a duplicate delivery finds it.
3. After commit, the event is processed (a Celery task; inline without a broker). Processing locks
   the event row, re-fetches the object the event names from Stripe, and hands it to the service
   that owns it, which locks its own rows and posts only what is missing. Duplicates and events out
   of order therefore end in the same state.
4. A handler that fails rolls back everything it wrote; the event stays unprocessed with its error
   and is tried again (Stripe's retries, the periodic job). Unknown types are marked processed.
5. A periodic job fetches the events of the last days from Stripe and stores those never delivered.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, Forbidden, ValidationFailed
from core.hooks import payment_succeeded
from payments import gateway
from payments.models import Refund as RefundRow
from payments.models import StripeEvent
from payments.notifications import notify_finance_alert
from payments.services.deposits import deposit_record_paid
from payments.services.disputes import (
    dispute_close_lost,
    dispute_close_won,
    dispute_open,
    dispute_record_funds_reinstated,
    dispute_record_funds_withdrawn,
)
from payments.services.orphans import ChargeOrphaned
from payments.services.payouts import payout_account_refresh, payout_record
from payments.services.refunds import refund_record
from payments.services.releases import release_of_transfer, release_record_transfer

logger = logging.getLogger(__name__)


def _created(event: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(event.get("created") or 0), tz=dt.UTC)


def stripe_event_store(*, event: dict[str, Any], connect: bool, now: dt.datetime) -> tuple[StripeEvent, bool]:
    """Store a verified event once; returns (the event, whether this call stored it)."""
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                id=event["id"],
                type=event.get("type") or "",
                account=(event.get("account") or "") if connect else "",
                livemode=bool(event.get("livemode")),
                api_version=event.get("api_version") or "",
                created=_created(event),
                payload=event,
                received_at=now,
            )
    except IntegrityError:
        return StripeEvent.objects.get(pk=event["id"]), False
    return stored, True


# --- handlers: each re-fetches the object and calls the service that owns it ------------------------


def _object(event: StripeEvent) -> dict[str, Any]:
    return (event.payload.get("data") or {}).get("object") or {}


def _payment_intent_succeeded(event: StripeEvent, now: dt.datetime) -> None:
    """A card payment succeeded: the service registered for the key its metadata names (an add-on
    order's, `addon_order`, registered by concierge), else a deposit's."""
    obj = _object(event)
    try:
        for key in obj.get("metadata") or {}:
            record_paid = payment_succeeded.get(key)
            if record_paid is not None:
                record_paid(payment_intent_id=obj["id"], now=now)
                return
        deposit_record_paid(payment_intent_id=obj["id"], now=now)
    except ChargeOrphaned as orphaned:
        # Recorded and refunded (or left for the refund job): nothing more for this event to do.
        # Caught here, not by the caller, so what the handler wrote is kept.
        logger.warning("Stripe event %s: payment %s orphaned (%s)", event.id, obj.get("id"), orphaned.code)


def _refund_changed(event: StripeEvent, now: dt.datetime) -> None:
    obj = _object(event)
    refund_ids = [obj["id"]] if obj.get("object") == "refund" else []
    if obj.get("object") == "charge":  # charge.refunded lists the charge's refunds
        refund_ids = [r["id"] for r in ((obj.get("refunds") or {}).get("data") or [])]
    for refund_id in refund_ids:
        refund = gateway.refund_retrieve(refund_id)
        # Ours carry our id in metadata: it finds a refund whose answer from Stripe was lost.
        ours = refund.metadata.get("refund", "")
        known = RefundRow.objects.filter(pk=int(ours)).first() if ours.isdigit() else None
        refund_record(stripe_refund_id=refund.id, status=refund.status, refund=known, now=now)


def _transfer_created(event: StripeEvent, now: dt.datetime) -> None:
    transfer = gateway.transfer_retrieve(_object(event)["id"])
    # Ours name their release in metadata (their booking in the transfer group): recorded whatever
    # the release's state, so a transfer whose answer was lost is recorded, once, and never refused.
    release = release_of_transfer(transfer)
    if release is None:
        raise ValidationFailed(f"transfer {transfer.id} pays no release of ours", code="not_our_transfer")
    release_record_transfer(stripe_transfer_id=transfer.id, amount=transfer.amount, release=release, now=now)


def _dispute_created(event: StripeEvent, now: dt.datetime) -> None:
    dispute_open(dispute=gateway.dispute_of_event(_object(event)), now=now)


def _dispute_funds_withdrawn(event: StripeEvent, now: dt.datetime) -> None:
    dispute_record_funds_withdrawn(dispute=gateway.dispute_of_event(_object(event)), now=now)


def _dispute_funds_reinstated(event: StripeEvent, now: dt.datetime) -> None:
    dispute_record_funds_reinstated(dispute=gateway.dispute_of_event(_object(event)), now=now)


def _dispute_closed(event: StripeEvent, now: dt.datetime) -> None:
    dispute = gateway.dispute_of_event(_object(event))
    close = dispute_close_won if dispute.status == "won" else dispute_close_lost
    close(dispute=dispute, now=now)


def _account_updated(event: StripeEvent, now: dt.datetime) -> None:
    payout_account_refresh(stripe_account_id=_object(event)["id"], now=now)


def _payout(event: StripeEvent, now: dt.datetime) -> None:
    payout_record(stripe_payout_id=_object(event)["id"], now=now)


HANDLERS: dict[str, Callable[[StripeEvent, dt.datetime], None]] = {
    "payout.paid": _payout,
    "payout.failed": _payout,
    "payout.canceled": _payout,
    "payment_intent.succeeded": _payment_intent_succeeded,
    "refund.created": _refund_changed,
    "refund.updated": _refund_changed,
    "refund.failed": _refund_changed,
    "charge.refunded": _refund_changed,
    "transfer.created": _transfer_created,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.funds_withdrawn": _dispute_funds_withdrawn,
    "charge.dispute.funds_reinstated": _dispute_funds_reinstated,
    "charge.dispute.closed": _dispute_closed,
    "account.updated": _account_updated,
}


def stripe_event_process(*, event_id: str, now: dt.datetime, force: bool = False) -> bool:
    """Process a stored event once; returns True when it is (now or already) processed.

    A handler's failure rolls back what it wrote, records the error on the event and raises again
    (so the webhook answers 500 and Stripe retries, or the retry job tries later). A refusal that
    cannot change (ValidationFailed: the object is not ours) ends the event with its reason.

    After STRIPE_EVENT_MAX_ATTEMPTS failures the event is dead-lettered (`dead_at`): no delivery
    or job tries it again, finance is told and sees it in the dead letters, and only finance's
    "retry now" (`force`) processes it again (docs/decisions.md#dead-letters)."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return event is not None
        if event.dead_at is not None and not force:
            raise StripeEventFailed(event.last_error)
        handler = HANDLERS.get(event.type)
        # A live event reaching a test setup, or the reverse (Connect endpoints get both), is ignored.
        mode_ok = event.livemode == settings.STRIPE_SECRET_KEY.startswith("sk_live")
        failed, message = False, ""
        try:
            if handler is not None and mode_ok:
                with transaction.atomic():
                    handler(event, now)
        except ValidationFailed as error:
            # The object is not one of ours, or not what the event type says: trying again would
            # give the same answer, so the event is done, with the reason kept for finance.
            message = f"{type(error).__name__}: {error}"[:2000]
            logger.warning("Stripe event %s (%s) ignored: %s", event_id, event.type, message)
        except Exception as error:
            failed = True
            message = f"{type(error).__name__}: {error}"[:2000]
        event.attempts += 1
        event.last_error = message
        if not failed:
            event.processed_at = now
            event.dead_at = None
        elif event.dead_at is None and event.attempts >= settings.STRIPE_EVENT_MAX_ATTEMPTS:
            event.dead_at = now
            audit_record(
                actor=None,
                action="payments.stripe_event.dead_lettered",
                target=event,
                after={"type": event.type, "attempts": event.attempts, "error": message},
                now=now,
            )
            notify_finance_alert(
                subject=_("A Stripe event keeps failing: %(type)s") % {"type": event.type},
                detail=_("Stripe event %(id)s (%(type)s) failed %(count)s times and is no longer retried: %(error)s")
                % {"id": event.id, "type": event.type, "count": event.attempts, "error": message},
                key=f"stripe_event_dead:{event.id}",
                now=now,
                link="/finance/stripe-events/",
            )
        event.save(update_fields=["attempts", "last_error", "processed_at", "dead_at"])
    if failed:
        logger.error("Stripe event %s (%s) failed: %s", event_id, event.type, message)
        raise StripeEventFailed(message)
    return True


class StripeEventFailed(Exception):
    """A handler failed; the event stays unprocessed and will be tried again."""


def stripe_events_retry(*, now: dt.datetime, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Process events left unprocessed (a failed handler, a worker lost); returns how many succeeded."""
    done = 0
    pending = StripeEvent.objects.filter(
        processed_at__isnull=True, dead_at__isnull=True, received_at__lte=now - older_than
    )
    for event_id in pending.order_by("created").values_list("pk", flat=True)[:500]:
        try:
            done += stripe_event_process(event_id=event_id, now=now)
        except StripeEventFailed:
            continue
    return done


def stripe_event_retry_check(*, event: StripeEvent, actor: User) -> Check:
    """May `actor` process a dead-lettered (or still failing) event again now: finance, and an
    event not processed yet."""
    if not (getattr(actor, "is_authenticated", False) and actor.in_group(StaffGroup.FINANCE)):
        return refuse(Forbidden(_("Only finance can retry Stripe events.")))
    if event.processed_at is not None:
        return refuse(Conflict(_("This event is already processed."), code="event_processed"))
    return ALLOWED


def stripe_event_retry_now(*, event: StripeEvent, actor: User, now: dt.datetime) -> StripeEvent:
    """Finance processes a dead-lettered event again (after fixing its cause). Failing again keeps
    it in the dead letters with the new error; done, it leaves them."""
    stripe_event_retry_check(event=event, actor=actor).enforce()
    audit_record(actor=actor, action="payments.stripe_event.retried", target=event, now=now)
    try:
        stripe_event_process(event_id=event.pk, now=now, force=True)
    except StripeEventFailed as failed:
        raise Conflict(
            _("The event failed again: %(error)s") % {"error": str(failed)}, code="event_failed_again"
        ) from failed
    return StripeEvent.objects.get(pk=event.pk)


def stripe_events_dead() -> QuerySet[StripeEvent]:
    """The dead letters, newest first, for finance."""
    return StripeEvent.objects.filter(dead_at__isnull=False, processed_at__isnull=True).order_by("-dead_at", "id")


def stripe_events_fetch_missed(*, now: dt.datetime, days: int = 3) -> int:
    """Store and process the events of the last `days` that never reached the webhook."""
    since = int((now - dt.timedelta(days=days)).timestamp())
    stored = 0
    for event in gateway.events_list(created_gte=since, types=list(HANDLERS)):
        record, new = stripe_event_store(event=event, connect=bool(event.get("account")), now=now)
        if new:
            stored += 1
            try:
                stripe_event_process(event_id=record.pk, now=now)
            except StripeEventFailed:
                continue
    return stored


# --- retention -----------------------------------------------------------------------------------


def _payload_ids(payload: dict[str, Any]) -> dict[str, Any]:
    """What stays of an event's payload: its own id and type, and the id and kind of its object
    (enough to find it at Stripe again); the names, addresses and cards in it go."""
    obj = (payload.get("data") or {}).get("object") or {}
    kept: dict[str, Any] = {key: payload[key] for key in ("id", "type", "account") if key in payload}
    kept["data"] = {"object": {key: obj[key] for key in ("id", "object") if key in obj}}
    return kept


def stripe_events_purge_payloads(*, now: dt.datetime, batch_size: int | None = None) -> int:
    """Retention (docs/decisions.md, "Retention"): reduce to their ids the payloads of the events
    received more than RETENTION_STRIPE_PAYLOAD_DAYS ago and processed (an event not processed, a
    dead letter finance has not dealt with, keeps its payload: it is still needed). The row stays:
    the ledger's references to Stripe stay resolvable. At most `batch_size` per run; returns how many."""
    cutoff = now - dt.timedelta(days=settings.RETENTION_STRIPE_PAYLOAD_DAYS)
    limit = batch_size or settings.RETENTION_BATCH_SIZE
    due = StripeEvent.objects.filter(received_at__lt=cutoff, processed_at__isnull=False, payload_purged_at__isnull=True)
    count = 0
    for event in due.order_by("received_at")[:limit]:
        with transaction.atomic():
            updated = StripeEvent.objects.filter(pk=event.pk, payload_purged_at__isnull=True).update(
                payload=_payload_ids(event.payload or {}), payload_purged_at=now
            )
        count += updated
    logger.info("retention: %d Stripe event payloads reduced to ids (received before %s)", count, cutoff.isoformat())
    return count
