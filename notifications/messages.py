"""What every app that sends messages shares: work registered for after the commit, amounts for templates.

The messages themselves live with the app that sends them (`bookings/notifications.py`,
`payments/notifications.py`, `quotes/notifications.py`): each `notify_*` function there is called
inside the service's transaction, at the point the change is made, and only registers work for
after the commit (`after_commit`). After the commit that work re-reads what it needs, asks the app
that owns the people who should hear of it, and records one message per person and channel
through `notifications.services.notify`. A rolled-back transaction notifies no one; a failure to
notify is logged and never undoes the change.

Health information never goes into a subject or an SMS: the templates name the provider, the
date and the booking number, never the offering, procedure, specialty or request subject.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction

from core.money import Money, format_money


def after_commit(function: Callable[..., None], /, **ids: Any) -> None:
    """Run `function(**ids)` once the current transaction commits (robust: a failure is logged)."""
    transaction.on_commit(functools.partial(function, **ids), robust=True)


def money_text(*, amount: int | None, currency: str, language: str) -> str:
    """An amount in minor units as a template shows it in `language`; "" when there is none."""
    return "" if amount is None else format_money(Money(amount, currency), language)
