"""The case's clock as stored state: pauses opened and closed, and `due_at` recomputed from them.

The arithmetic is `secondopinion.clock` (pure); this module only feeds it the case's start, its
pauses and whose working days count (`selectors.case_calendar`), and stores the answer in
`OpinionCase.due_at` (None while a pause is open) for lists, alerts and the breach refund.
Callers hold the case's row lock.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from secondopinion import clock
from secondopinion.models import ClockPause, OpinionCase
from secondopinion.selectors import case_calendar, case_pauses


def case_due_at_refresh(*, case: OpinionCase) -> dt.datetime | None:
    """Recompute and store `case.due_at` from its start, pauses and calendar."""
    due = None
    if case.clock_started_at is not None:
        due = clock.due_at(
            start=case.clock_started_at,
            hours=settings.SECOND_OPINION_HOURS,
            calendar=case_calendar(case),
            pauses=case_pauses(case),
        )
    if case.due_at != due:
        case.due_at = due
        case.save(update_fields=["due_at"])
    return due


def pause_open(*, case: OpinionCase, reason: str, now: dt.datetime, message: str = "") -> ClockPause:
    """Stop the clock (one open pause at a time: an open one is kept, its message updated)."""
    current = ClockPause.objects.filter(case=case, ended_at__isnull=True).first()
    if current is not None:
        if message and current.message != message:
            current.message = message
            current.save(update_fields=["message"])
        return current
    pause = ClockPause.objects.create(case=case, reason=reason, message=message, started_at=now)
    case_due_at_refresh(case=case)
    return pause


def pause_close(*, case: OpinionCase, now: dt.datetime) -> ClockPause | None:
    """Start the clock again (nothing to do when it runs)."""
    current = ClockPause.objects.filter(case=case, ended_at__isnull=True).first()
    if current is None:
        return None
    current.ended_at = max(now, current.started_at)
    current.save(update_fields=["ended_at"])
    case_due_at_refresh(case=case)
    return current
