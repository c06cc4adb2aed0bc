"""What every page that runs a service does with its answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction

from marketplace.errors import DomainError, Forbidden


def run_service(request, action: Callable[[], Any], success_message: str) -> bool:
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
