"""Who besides the patient reads a second-opinion case's documents (`core.hooks.document_read_rights`).

- the medical coordinator who took the case, while it is open;
- the chosen specialist's practice members, once the specialist accepted, until the case closes
  (follow-up questions included).

Nobody else: not another coordinator, not another specialist on the shortlist, not the careteam,
not finance. The patient reads their own documents as their owner (documents' own rule).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q

from accounts.models import StaffGroup
from providers.models import VerificationStatus
from secondopinion.models import CaseStatus, OpinionCase

COORDINATOR_READS = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.UNDER_TRIAGE,
        CaseStatus.AWAITING_DOCUMENTS,
        CaseStatus.SHORTLISTED,
        CaseStatus.SPECIALIST_CHOSEN,
        CaseStatus.DECLINED_BY_SPECIALIST,
        CaseStatus.ACCEPTED,
        CaseStatus.OPINION_DELIVERED,
        CaseStatus.FOLLOW_UP,
    }
)
SPECIALIST_READS = frozenset({CaseStatus.ACCEPTED, CaseStatus.OPINION_DELIVERED, CaseStatus.FOLLOW_UP})


def _cases_with(document_id: uuid.UUID | str) -> Any:
    return OpinionCase.objects.filter(
        Q(documents__document_id=document_id) | Q(opinion__document_id=document_id), consent_at__isnull=False
    ).distinct()


def document_read_right(*, document_id: uuid.UUID | str, reader: Any, now: dt.datetime) -> dict[str, Any] | None:
    """Why `reader` may read `document_id` as part of a second-opinion case, or None."""
    if not getattr(reader, "is_authenticated", False):
        return None
    cases = _cases_with(document_id)
    if reader.in_group(StaffGroup.MEDICAL_COORDINATOR):
        case_id = cases.filter(coordinator=reader, status__in=COORDINATOR_READS).values_list("pk", flat=True).first()
        if case_id is not None:
            return {"as": "coordinator", "case": case_id}
    case_id = (
        cases.filter(
            status__in=SPECIALIST_READS,
            accepted_at__isnull=False,
            specialist__provider__members__user=reader,
            specialist__provider__status=VerificationStatus.VERIFIED,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if case_id is not None:
        return {"as": "specialist", "case": case_id}
    return None
