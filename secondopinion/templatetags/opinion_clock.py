"""`{% opinion_clock case %}`: a case's clock, as `secondopinion/_clock.html` shows it, at the time of the request.

A page that already has the `ClockView` (its view called `case_clock_view`) includes the template
itself: `{% include "secondopinion/_clock.html" with clock=clock %}`.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from secondopinion.models import OpinionCase
from secondopinion.services.deadlines import case_clock_view

register = template.Library()


@register.inclusion_tag("secondopinion/_clock.html")
def opinion_clock(case: OpinionCase) -> dict[str, Any]:
    return {"clock": case_clock_view(case=case, now=timezone.now())}
