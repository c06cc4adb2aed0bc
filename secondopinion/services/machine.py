"""The one state machine of a second-opinion case (`CASE_TRANSITIONS`), and how a refusal reads."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import Conflict
from core.state import Machine
from secondopinion.models import CASE_TRANSITIONS, CaseStatus, OpinionCase

CLOSED_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.REFUNDED, CaseStatus.WITHDRAWN})


def _refuse_case(current: str, target: str) -> Conflict:
    if current in CLOSED_STATUSES:
        return Conflict(
            _("This request is %(status)s: nothing more can change.") % {"status": CaseStatus(current).label.lower()},
            code="case_closed",
        )
    if current == CaseStatus.DRAFT:
        return Conflict(_("This request has not been sent and paid yet."), code="not_submitted")
    if target in {CaseStatus.WITHDRAWN, CaseStatus.REFUNDED}:
        return Conflict(
            _("The specialist has accepted this request: it can no longer be withdrawn or refunded."),
            code="already_accepted",
        )
    return Conflict(
        _("This request is at the step “%(current)s”: it cannot move to “%(target)s”.")
        % {"current": CaseStatus(current).label, "target": CaseStatus(target).label},
        code="invalid_transition",
    )


CASE = Machine(model=OpinionCase, table=CASE_TRANSITIONS, refuse=_refuse_case)
