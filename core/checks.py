"""One answer to "may this person do this now?", read by the page, the API and the service alike.

Every action a page offers (cancel, pay, accept, withdraw, approve, verify…) has a function
`<entity>_<action>_check(...) -> Check` next to its service. The service calls it first and
raises its refusal; the page shows the button only when it is allowed (and may show the reason
when it is not); the API lists it in the object's `available_actions`. So a rule is written once,
and a button is never offered for something the service would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from core.errors import DomainError


@dataclass(frozen=True)
class Check:
    """Allowed when `refusal` is None; otherwise `refusal` is the error the service raises."""

    refusal: DomainError | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str:
        """Why not, in the words the service would use (empty when allowed)."""
        return "" if self.refusal is None else str(self.refusal.message)

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        """Raise the refusal, if any: the first line of the service the check belongs to."""
        if self.refusal is not None:
            raise self.refusal


ALLOWED = Check()


def refuse(error: DomainError) -> Check:
    return Check(refusal=error)


def first_refusal(*checks: Check) -> Check:
    """The first check that refuses, or ALLOWED: for an action that needs several rules to hold."""
    for check in checks:
        if not check.allowed:
            return check
    return ALLOWED


class ActionState(TypedDict):
    allowed: bool
    code: str | None
    reason: str


def actions_payload(checks: Mapping[str, Check]) -> dict[str, ActionState]:
    """The API's `available_actions`: for each action, whether it is allowed now and, if not, why."""
    return {
        name: {
            "allowed": check.allowed,
            "code": None if check.refusal is None else check.refusal.code,
            "reason": check.reason,
        }
        for name, check in checks.items()
    }
