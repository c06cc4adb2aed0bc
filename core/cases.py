"""What an app declares to the careteam's case board (`core.hooks.case_items`).

Each app with careteam work registers one function in its `AppConfig.ready()`:
`case_items(*, now) -> list[CaseItem]`, every open piece of that app's careteam work at `now`
(concierge orders to fulfil, evidence to review, providers awaiting verification, …). The board
(`careteam`) gathers them, adds its own owner and notes by `key`, and reads a case's timeline from
the audit trail by its `audit_targets`. Plain values only, so neither side imports the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CaseLink:
    """A link from a case to where something lives (a document stays in `documents`: never copied)."""

    label: str
    url: str


@dataclass(frozen=True)
class CaseItem:
    key: str  # stable across calls: "<app>.<what>:<pk>", e.g. "concierge.order:12"
    queue: str  # what kind of work (a `CaseQueue` value below)
    title: str  # one line, no health information
    stage: str  # the board's column (a `CaseStage` value below)
    opened_at: dt.datetime
    url: str  # the page where the work is done; "" when it is done from the board's case page itself
    due_at: dt.datetime | None = None
    city: str = ""
    timezone: str = ""  # the place's IANA timezone, to show times in with the city named; "" → UTC
    patient_id: int | None = None
    summary: str = ""
    # (target_type, target_id) of the audit events that make the case's timeline ("app_label.model", pk).
    audit_targets: tuple[tuple[str, str], ...] = ()
    links: tuple[CaseLink, ...] = field(default_factory=tuple)


class CaseQueue:
    ADDON_ORDER = "addon_order"
    VIP_PACKAGE = "vip_package"
    ASSISTANCE = "assistance"
    EVIDENCE = "evidence"
    VERIFICATION = "verification"
    UNANSWERED_QUOTE = "unanswered_quote"
    FAILED_MESSAGE = "failed_message"
    SECOND_OPINION = "second_opinion"  # the medical coordinators' triage queue
    DATA_REQUEST = "data_request"  # a person's data-rights request and its legal deadline
    UNANSWERED_MESSAGE = "unanswered_message"  # a patient's message unanswered for 48 hours (messaging)
    DISPUTE = "dispute"  # a dispute awaiting an answer, the careteam's decision or finance's approval


class CaseStage:
    """The board's columns, left to right."""

    NEW = "new"  # nobody has acted yet
    IN_PROGRESS = "in_progress"  # the careteam is working on it
    WAITING = "waiting"  # waiting on the patient, a provider or a supplier
    SCHEDULED = "scheduled"  # arranged, happens on its due date

    ORDER = (NEW, IN_PROGRESS, WAITING, SCHEDULED)
