"""Fake declarations for the erasure's tests: the registry holds only these while a test runs, so the
tests say what the erasure does with any app's declaration (the apps' own are tested in the apps)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from accounts.personal_data import erase as accounts_erase
from core.hooks import personal_data
from core.personal_data import Blocker, Declaration, Kept, Subject

DEPOSIT_BLOCKER = Blocker(
    what="Booking MB-12 with Clinique du Lac: €300 deposit held in trust",
    action="Cancel the booking: €200 is refunded, €100 is kept under the policy.",
    url="/bookings/12/",
)
LEDGER_KEPT = Kept(
    what="Ledger entries and invoices of your payments, under a pseudonym",
    why="Accounting law: 10 years",
    until=dt.date(2036, 12, 4),
)


@dataclass
class Fakes:
    """What the fake apps were asked, and switches: a deposit held, an erase that fails once."""

    blocked: bool = False
    fail_once: set[str] = field(default_factory=set)
    calls: dict[str, int] = field(default_factory=dict)
    subjects: list[Subject] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def eraser(self, app: str, then=None):
        def erase(subject: Subject, now: dt.datetime) -> None:
            self.calls[app] = self.calls.get(app, 0) + 1
            self.subjects.append(subject)
            if app in self.fail_once:
                self.fail_once.discard(app)
                raise RuntimeError(f"{app}: worker killed")
            self.order.append(app)
            if then is not None:
                then(subject, now)

        return erase


@pytest.fixture
def fakes(monkeypatch) -> Fakes:
    state = Fakes()

    def blockers(person, now):
        return [DEPOSIT_BLOCKER] if state.blocked else []

    registry = [
        Declaration(
            app="fake_payments",
            models={},
            export=lambda person, now: {},
            erase=state.eraser("fake_payments"),
            erased="Your card payments' details",
            kept=lambda person, now: [LEDGER_KEPT],
            blockers=blockers,
            order=50,
        ),
        Declaration(
            app="fake_quotes",
            models={},
            export=lambda person, now: {},
            erase=state.eraser("fake_quotes"),
            erased="Your quote requests' texts and documents",
            order=100,
        ),
        Declaration(
            app="accounts",
            models={},
            export=lambda person, now: {},
            erase=state.eraser("accounts", then=accounts_erase),  # the real one: it closes the account
            erased="Your profile: name, phone, date of birth",
            order=1000,
        ),
    ]
    monkeypatch.setattr(personal_data, "_receivers", registry)
    return state
