"""Read replicas: which database a read goes to (docs/decisions.md "Read replicas").

With `DATABASE_REPLICA_URL` set, settings add the `replica` alias and this module's router sends
to it the reads of the views marked with `replica_view`: the search (page and API), the public
pages and the finance reports, which show what was committed a moment ago and write nothing.
Everything else stays on the primary (`default`):

- every write (`db_for_write` never names the replica);
- any read inside a transaction on the primary, so that a service that locks, reads and writes
  sees its own writes (a marked view that writes opens one);
- a marked view's POST, PUT, PATCH or DELETE, which runs in a transaction as every request does;
- the accounts, sessions and second-factor tables, read right after they are written (a sign-in,
  a new session, an API token): a replica a second behind would sign the person out.

Without the alias (the embedded default, and production without replicas), the router answers
None and Django uses `default` for everything.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest

REPLICA = "replica"

# Apps whose rows are read right after they are written by the same person: never from a replica.
PRIMARY_ONLY_APPS = frozenset(
    {"accounts", "auth", "sessions", "account", "mfa", "usersessions", "socialaccount", "authtoken", "otp_totp"}
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)

View = TypeVar("View", bound=Callable[..., Any])


def replica_configured() -> bool:
    """Whether a replica alias exists and reads may go to it (`REPLICA_READS`, on by default)."""
    return REPLICA in settings.DATABASES and bool(getattr(settings, "REPLICA_READS", True))


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Inside the block, reads that may go to the replica do (the router decides, read by read)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_view(view: View) -> View:
    """Marks a view that only reads: its GET and HEAD run outside a transaction on the primary
    (ATOMIC_REQUESTS would otherwise hold one open for nothing, and keep every read there) and
    read from the replica; any other method runs in a transaction on the primary, as every
    request does. The marks of the view (DRF's `cls`, `csrf_exempt`, the API twins) are kept."""

    # DRF's error handling marks the innermost atomic block for rollback: called inside a
    # transaction (a test's, a caller's), an API view gets a savepoint of its own to mark.
    rolls_back_on_error = getattr(view, "cls", None) is not None

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method in SAFE_METHODS:
            with reads_from_replica():
                if rolls_back_on_error and connections[DEFAULT_DB_ALIAS].in_atomic_block:
                    with transaction.atomic():
                        return view(request, *args, **kwargs)
                return view(request, *args, **kwargs)
        with transaction.atomic():
            return view(request, *args, **kwargs)

    return transaction.non_atomic_requests(wrapped)  # type: ignore[return-value]


def read_alias(app_label: str) -> str | None:
    """The alias a read of `app_label`'s rows goes to now: the replica, or None (the primary)."""
    if not _replica_reads.get() or not replica_configured():
        return None
    if app_label in PRIMARY_ONLY_APPS:
        return None
    # A read inside a transaction on the primary may depend on what it wrote or locked.
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return None
    return REPLICA


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads as `read_alias` says, writes and migrations on the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return read_alias(model._meta.app_label)

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read there may be tied to one from here.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA
