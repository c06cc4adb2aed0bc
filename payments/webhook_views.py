"""The two webhook endpoints: the platform's account and Connect (see payments.webhooks)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import gateway
from payments.tasks import process_stripe_event
from payments.webhooks import stripe_event_store

logger = logging.getLogger(__name__)


def _receive(request, *, secret: str, connect: bool) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature")
    if not signature:
        return HttpResponseBadRequest("Missing Stripe-Signature header.")
    try:
        # The raw body, never re-serialised: the signature covers its exact bytes.
        event = gateway.webhook_event(payload=request.body, signature=signature, secret=secret)
    except (ValueError, gateway.SignatureVerificationError) as error:
        logger.warning("Stripe webhook refused: %s", type(error).__name__)
        return HttpResponseBadRequest("Invalid signature or payload.")
    stored, _new = stripe_event_store(event=event, connect=connect, now=timezone.now())
    if stored.processed_at is None and stored.dead_at is None:
        # A duplicate of an event still unprocessed is processed again (its earlier try failed);
        # a dead-lettered one waits for finance's retry (docs/decisions.md#dead-letters).
        transaction.on_commit(lambda: process_stripe_event.delay(stored.pk))
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def platform_webhook(request):
    return _receive(request, secret=settings.STRIPE_WEBHOOK_SECRET, connect=False)


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def connect_webhook(request):
    return _receive(request, secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET, connect=True)
