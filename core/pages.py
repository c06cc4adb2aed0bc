"""What every page that runs a service does with its answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from core.errors import DomainError, Forbidden


def run_service(request: HttpRequest, action: Callable[[], Any], success_message: str) -> bool:
    """Run `action` (a service call) for a page and say how it went.

    Done → the success message, True. A refusal → its message, nothing written (the action runs in
    its own transaction), False. A refusal of access → 403, as Django's pages answer it.
    """
    try:
        with transaction.atomic():
            action()
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success_message)
    return True


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: per field where it names one, on top otherwise."""
    placed = False
    for name, field_messages in (exc.details or {}).items():
        for message in field_messages if isinstance(field_messages, list) else [field_messages]:
            form.add_error(name if name in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)
