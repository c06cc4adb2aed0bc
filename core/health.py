"""Health of the parts a request depends on: database, cache and (when configured) the broker;
`/healthz` reports it to load balancers and monitoring."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.db import REPLICA, replica_configured

logger = logging.getLogger(__name__)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("the value written was not read back")
    cache.delete(key)
    backend: str = settings.CACHES["default"]["BACKEND"]
    return backend.rsplit(".", 1)[-1]


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager (no broker configured)"
    # The project's Celery app (config/celery.py), found without importing the floor above.
    from celery import current_app

    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "connected"


def check_replica() -> str:
    """The read replica answers (core/db.py): the search and the public pages read there."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connections[REPLICA].vendor


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def _checks() -> dict[str, Callable[[], str]]:
    if replica_configured():
        return {**CHECKS, "replica": check_replica}
    return CHECKS


def health_report() -> tuple[bool, dict[str, dict[str, str]]]:
    """Each part's status and what it answered; a failure's detail is only the exception's class,
    its text (host names, paths, SQL) goes to the log, never into the answer."""
    report: dict[str, dict[str, str]] = {}
    healthy = True
    for name, check in _checks().items():
        try:
            report[name] = {"status": "ok", "detail": check()}
        except Exception as exc:
            healthy = False
            logger.exception("Health check %s failed", name)
            report[name] = {"status": "error", "detail": type(exc).__name__}
    return healthy, report


@never_cache
@require_GET
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """200 `{"status": "ok"}` when every part answers, 503 `{"status": "down"}` otherwise. Which
    part failed is shown to staff only: anyone may call this address (load balancers do)."""
    healthy, report = health_report()
    body: dict[str, object] = {"status": "ok" if healthy else "down"}
    if request.user.is_authenticated and request.user.is_staff:
        body["checks"] = report
    return JsonResponse(body, status=200 if healthy else 503)
