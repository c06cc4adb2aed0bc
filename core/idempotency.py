"""`Idempotency-Key` for API POSTs that create bookings or move money.

A client that retries a POST with the same key gets the first answer again instead of a second
booking. The rules:
- same user, same key, same request (method, path, body) → the stored response, replayed with the
  header `Idempotent-Replayed: true`;
- same key while the first request is still running → 409 `idempotency_in_flight`;
- same key with another request → 422 `idempotency_key_reused`;
- no header → the view runs as usual.

The key is claimed in its own committed transaction before the work runs, so a second request
sees the claim at once; the work runs in a transaction of its own, and its response (success or a
refusal below 500) is stored. When the work fails with an unexpected error, the claim is removed
so the client may retry. A claim older than `STALE_AFTER` whose request never finished (a worker
killed mid-request) is taken over.

Views using it must be `non_atomic_requests`: `ATOMIC_REQUESTS` would hold the claim invisible
until the end of the request.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import error_body
from core.models import IdempotencyRecord, IdempotencyStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import _User  # AUTH_USER_MODEL, as django-stubs' plugin resolves it

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
STALE_AFTER = dt.timedelta(minutes=5)

_View = TypeVar("_View", bound=APIView)
_P = ParamSpec("_P")

# For `extend_schema(parameters=[IDEMPOTENCY_PARAMETER])` on the views that take it.
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description="A unique key per intended action (a UUID): retrying with it never repeats the action.",
)


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _refusal(code: str, message: str, http_status: int) -> Response:
    return Response(error_body(code=code, message=message), status=http_status)


def _claim(
    *, user: _User, key: str, request: Request, fingerprint: str, now: dt.datetime
) -> IdempotencyRecord | Response:
    """The new claim of (user, key), or the response to give instead of running the view."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user=user,
                key=key,
                method=request.method or "",
                path=request.path,
                fingerprint=fingerprint,
                created_at=now,
            )
    except IntegrityError:
        pass
    with transaction.atomic():
        existing = IdempotencyRecord.objects.select_for_update().get(user=user, key=key)
        if existing.fingerprint != fingerprint:
            return _refusal(
                "idempotency_key_reused",
                _("This Idempotency-Key was already used for a different request. Use a new key for a new action."),
                status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        if existing.status == IdempotencyStatus.DONE:
            response = Response(existing.response_body, status=existing.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
        if existing.created_at > now - STALE_AFTER:
            return _refusal(
                "idempotency_in_flight",
                _("A request with this Idempotency-Key is still being processed. Try again in a moment."),
                status.HTTP_409_CONFLICT,
            )
        existing.created_at = now  # abandoned by a request that never finished: take it over
        existing.save(update_fields=["created_at"])
        return existing


def _run(
    view: APIView,
    view_method: Callable[..., Response],
    request: Request,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Response:
    """The view's response, its work committed, or rolled back when it answers with an error.

    Errors become responses inside the transaction, so that DRF's handler marks this transaction
    for rollback rather than an enclosing one (the test's, or none at all in production).
    """
    with transaction.atomic():
        try:
            return view_method(view, request, *args, **kwargs)
        except Exception as exc:  # DRF turns it into a response, or raises it again
            transaction.set_rollback(True)
            return view.handle_exception(exc)


def idempotent(
    view_method: Callable[Concatenate[_View, Request, _P], Response],
) -> Callable[Concatenate[_View, Request, _P], Response]:
    """Decorate an `APIView.post` so that it honours the Idempotency-Key header (see the module)."""

    @functools.wraps(view_method)
    def wrapper(self: _View, request: Request, /, *args: _P.args, **kwargs: _P.kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return _run(self, view_method, request, args, kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _refusal(
                "invalid_idempotency_key",
                _("The Idempotency-Key header must be 1 to %(max)d printable characters.") % {"max": MAX_KEY_LENGTH},
                status.HTTP_400_BAD_REQUEST,
            )
        user = request.user
        if not user.is_authenticated:  # the views' permissions let only signed-in users reach this
            raise NotAuthenticated
        claim = _claim(user=user, key=key, request=request, fingerprint=_fingerprint(request), now=timezone.now())
        if isinstance(claim, Response):
            return claim
        try:
            response = _run(self, view_method, request, args, kwargs)
        except Exception:
            IdempotencyRecord.objects.filter(pk=claim.pk).delete()  # unexpected: let the client retry
            raise
        if response.status_code >= 500:
            IdempotencyRecord.objects.filter(pk=claim.pk).delete()
            return response
        try:
            _store(claim, response)
        except Exception:
            # The answer stands even when it cannot be kept; the key is released so a retry runs
            # again (rather than 409 "in flight" until the claim goes stale).
            logger.exception("Could not store the idempotent response of %s %s", request.method, request.path)
            _release(claim)
        return response

    return wrapper


def _storable(value: Any) -> Any:
    """`value` as jsonb can hold it: PostgreSQL refuses the NUL character (\\u0000) in jsonb."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _store(claim: IdempotencyRecord, response: Response) -> None:
    body = _storable(json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)))
    with transaction.atomic():
        IdempotencyRecord.objects.filter(pk=claim.pk).update(
            status=IdempotencyStatus.DONE, response_status=response.status_code, response_body=body
        )


def _release(claim: IdempotencyRecord) -> None:
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.filter(pk=claim.pk).delete()
    except Exception:  # the database is gone: the claim goes stale after STALE_AFTER
        logger.exception("Could not release the Idempotency-Key claim %s", claim.pk)


# Class decorator for views whose POST is `idempotent`.
non_atomic = method_decorator(transaction.non_atomic_requests, name="dispatch")


def idempotency_records_purge(*, now: dt.datetime, batch_size: int | None = None) -> int:
    """Retention (docs/decisions.md, "Retention"): delete the records older than
    RETENTION_IDEMPOTENCY_DAYS (a client retries within minutes, not days; the stored answers may
    name a person). At most `batch_size` per run, oldest first; returns how many went."""
    from django.conf import settings

    cutoff = now - dt.timedelta(days=settings.RETENTION_IDEMPOTENCY_DAYS)
    limit = batch_size or settings.RETENTION_BATCH_SIZE
    ids = list(
        IdempotencyRecord.objects.filter(created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    deleted, _by_model = IdempotencyRecord.objects.filter(pk__in=ids).delete()
    logger.info("retention: %d idempotency records deleted (older than %s)", deleted, cutoff.isoformat())
    return deleted
