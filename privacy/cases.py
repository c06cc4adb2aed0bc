"""Data-rights requests on the careteam's case board (`core.hooks.case_items`)."""

from __future__ import annotations

import datetime as dt

from core.cases import CaseItem


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    """Every open data-rights request, due by its legal deadline."""
    return []
