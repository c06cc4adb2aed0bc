"""Domain errors and the one place where the API turns any error into `{code, message, details}`.

Services raise a `DomainError` subclass with a stable machine `code` and a message translated in
the language active when it is raised (the request's). Pages show `message`; the API returns it
with the status the subclass names.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DEFAULT_DB_ALIAS, DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule said no. `code` is stable for clients; `message` is for people."""

    code: str = "invalid"
    http_status: int = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        self.details = details or {}

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    """Input that breaks a rule; `details` maps field names to lists of messages."""

    code = "invalid"


class NotFound(DomainError):
    code = "not_found"
    http_status = status.HTTP_404_NOT_FOUND


class Forbidden(DomainError):
    code = "forbidden"
    http_status = status.HTTP_403_FORBIDDEN


class Conflict(DomainError):
    """The request is well formed but the current state does not allow it (already paid, taken)."""

    code = "conflict"
    http_status = status.HTTP_409_CONFLICT


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def _flatten_first_message(details: Any) -> str | None:
    """The first human message in DRF's nested error structure, to use as the summary."""
    if isinstance(details, dict):
        for value in details.values():
            found = _flatten_first_message(value)
            if found:
                return found
    elif isinstance(details, list):
        for value in details:
            found = _flatten_first_message(value)
            if found:
                return found
    elif details:
        return str(details)
    return None


def _roll_back_request(context: dict[str, Any]) -> None:
    """Mark the request's transaction (ATOMIC_REQUESTS) for rollback, as DRF does for its errors.

    A `non_atomic_requests` view manages its own transactions (core.idempotency rolls back
    its work itself), so there is nothing of the request's to roll back; marking an enclosing block
    would be wrong (under test, that block is the test's).
    """
    view = context.get("view")
    if DEFAULT_DB_ALIAS in getattr(getattr(view, "dispatch", None), "_non_atomic_requests", set()):
        return
    set_rollback()


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error body has the same three keys."""
    if isinstance(exc, DomainError):
        _roll_back_request(context)  # ATOMIC_REQUESTS must not commit half the work
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        exc = drf_exceptions.APIException(
            _("The request body is too large (DATA_UPLOAD_MAX_MEMORY_SIZE)."), code="too_large"
        )
        exc.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    elif isinstance(exc, OverflowError | DataError):
        # The last guard of the input limits: a value beyond what a column or the calendar holds
        # (a serializer field without bounds) is the client's error, not a 500. Logged, as the
        # field should say so itself.
        logger.warning("Input out of range reached %s: %s", type(exc).__name__, exc)
        exc = drf_exceptions.ValidationError(
            {"non_field_errors": [_("A value is out of the range this service accepts.")]}, code="out_of_range"
        )
    if not isinstance(exc, drf_exceptions.APIException):
        return None  # an unexpected exception: Django's 500 handling and logging take over

    # What DRF's own handler does, with the rollback above.
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)  # NotAuthenticated, AuthenticationFailed
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)  # Throttled
    if wait:
        headers["Retry-After"] = "%d" % wait  # noqa: UP031 - as DRF writes it
    _roll_back_request(context)
    if isinstance(exc, drf_exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        summary = _flatten_first_message(details) or _("The request is not valid.")
        body = error_body("invalid", summary, details)
    else:
        detail = getattr(exc, "detail", "")
        code: str = getattr(detail, "code", None) or exc.default_code
        body = error_body(code, str(detail) or _("The request failed."))
    return Response(body, status=exc.status_code, headers=headers)
