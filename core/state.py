"""One way to move a stateful record from one state to another.

Every stateful model (bookings, quote requests, quotes, deposits, refunds, releases, add-on
orders, disputes, provider verification) declares a `Machine`: which field holds the state, the
allowed-transitions table, and how a refused move is told to people. Its services then call
`transition()`, which

1. locks the row (`select_for_update`) unless the caller already holds the lock,
2. returns early, changing nothing, when the record is already in the target state (running a
   service twice is safe) — unless the machine says a repeat is an error,
3. checks the move against the table and raises the machine's `Conflict` when it is not allowed,
4. sets the state and any other fields, saves only those fields,
5. writes one audit event: actor, from, to, and the reason when one is given.

`transition_check()` answers the same question without changing anything, for the
`<entity>_<action>_check` functions that pages and the API read before offering a button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict

M = TypeVar("M", bound=models.Model)


def _label(model: type[models.Model], field: str, value: str) -> str:
    model_field = model._meta.get_field(field)  # a state field, never a reverse relation (which has no choices)
    choices = dict(model_field.choices or []) if isinstance(model_field, models.Field) else {}
    return str(choices.get(value, value))


@dataclass(frozen=True)
class Machine:
    """The states of one model's `field`: the allowed moves and how a refusal reads.

    `refuse(current, target)` builds the `Conflict` raised for a move the table does not allow;
    by default "A booking that is Held cannot become Completed." with the code
    `invalid_transition`. `repeat_is_noop=False` makes a move to the state the record is already
    in a refusal too (accepting a quote twice is an error the patient should hear about).
    """

    model: type[models.Model]
    table: Mapping[str, Collection[str]]
    field: str = "status"
    refuse: Callable[[str, str], Conflict] | None = None
    repeat_is_noop: bool = True

    def allows(self, current: str, target: str) -> bool:
        return target in self.table.get(current, ())

    def refusal(self, current: str, target: str) -> Conflict:
        if self.refuse is not None:
            return self.refuse(current, target)
        return Conflict(
            _("A %(model)s that is %(current)s cannot become %(target)s.")
            % {
                "model": self.model._meta.verbose_name,
                "current": _label(self.model, self.field, current),
                "target": _label(self.model, self.field, target),
            },
            code="invalid_transition",
        )


def transition_check(*, machine: Machine, instance: models.Model, target: str) -> Conflict | None:
    """Why `instance` may not move to `target` now, or None when it may (reads, never writes)."""
    current = getattr(instance, machine.field)
    if current == target and machine.repeat_is_noop:
        return None
    if not machine.allows(current, target):
        return machine.refusal(current, target)
    return None


@dataclass(frozen=True)
class Moved(Generic[M]):
    """What `transition()` did: the (locked, saved) record, and whether it changed."""

    instance: M
    changed: bool


def transition(
    *,
    machine: Machine,
    instance: M,
    target: str,
    actor: Any,
    action: str,
    now: dt.datetime,
    fields: Mapping[str, Any] | None = None,
    reason: str = "",
    audit_after: Mapping[str, Any] | None = None,
    locked: bool = False,
) -> Moved[M]:
    """Move `instance` to `target` under its row lock, save, and audit (steps in the module doc).

    `fields` are set and saved with the state (`updated_at` too when the model has it);
    `audit_after` adds facts to the audit event's "after". Pass `locked=True` when the caller
    already re-read the row with `select_for_update` in this transaction.
    """
    with transaction.atomic():
        row = instance if locked else type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        current = getattr(row, machine.field)
        if current == target and machine.repeat_is_noop:
            return Moved(row, changed=False)
        if not machine.allows(current, target):
            raise machine.refusal(current, target)
        setattr(row, machine.field, target)
        update = [machine.field]
        for name, value in (fields or {}).items():
            setattr(row, name, value)
            update.append(name)
        if "updated_at" not in update and any(f.name == "updated_at" for f in row._meta.concrete_fields):
            row.updated_at = now  # type: ignore[attr-defined]
            update.append("updated_at")
        row.save(update_fields=update)
        after: dict[str, Any] = {machine.field: target, **(audit_after or {})}
        if reason:
            after["reason"] = reason
        audit_record(actor=actor, action=action, target=row, before={machine.field: current}, after=after, now=now)
    return Moved(row, changed=True)
