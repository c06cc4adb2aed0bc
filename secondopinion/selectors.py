"""Reads about second opinions: whose calendar a case's clock counts, its pauses, and a
specialist's record (median turnaround on past opinions)."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.conf import settings

from core.hooks import subject_sections
from secondopinion.clock import Pause, WorkingCalendar
from secondopinion.models import OpinionCase, SpecialistProfile


def default_calendar() -> WorkingCalendar:
    """The coordinators' working days, which count until a specialist is chosen."""
    return WorkingCalendar(timezone=settings.SECOND_OPINION_TIMEZONE, country=settings.SECOND_OPINION_COUNTRY)


def specialist_calendar(specialist: SpecialistProfile) -> WorkingCalendar:
    return WorkingCalendar(timezone=specialist.timezone, country=specialist.country)


def case_calendar(case: OpinionCase) -> WorkingCalendar:
    """The chosen specialist's working days and timezone, else the coordinators'."""
    return specialist_calendar(case.specialist) if case.specialist is not None else default_calendar()


def case_pauses(case: OpinionCase) -> list[Pause]:
    return [(pause.started_at, pause.ended_at) for pause in case.pauses.all()]


def specialist_turnaround_hours(specialist: SpecialistProfile) -> float | None:
    """The median time, in hours, from acceptance to the delivered opinion over the specialist's
    past opinions, or None for a specialist with none yet ("new")."""
    rows = OpinionCase.objects.filter(
        specialist=specialist, accepted_at__isnull=False, delivered_at__isnull=False
    ).values_list("accepted_at", "delivered_at")
    spans = [(delivered - accepted) / dt.timedelta(hours=1) for accepted, delivered in rows if accepted and delivered]
    return statistics.median(spans) if spans else None


def case_sections(*, case: OpinionCase, viewer_id: int) -> list[tuple[str, dict[str, Any]]]:
    """What higher apps show on a case's pages (`core.hooks.subject_sections`: messaging's conversation)."""
    found = subject_sections.call(subject="opinion_case", subject_id=case.pk, viewer_id=viewer_id)
    return [pair for answer in found for pair in answer]
