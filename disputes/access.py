"""Who besides its owner reads a document given as evidence in a dispute (`core.hooks.document_read_rights`).

- the dispute's parties: its patient, and the members of the booking's provider (a booking's dispute);
- the careteam, who decides, and finance, who approves the money it moves.

Nobody else: not another provider, not a medical coordinator. The uploader reads it as its owner
(documents' own rule).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from accounts.models import StaffGroup
from disputes.models import DisputeEvidence
from providers.services.permissions import member_role


def document_read_right(*, document_id: uuid.UUID | str, reader: Any, now: dt.datetime) -> dict[str, Any] | None:
    """Why `reader` may read `document_id` as a dispute's evidence, or None."""
    if not getattr(reader, "is_authenticated", False):
        return None
    document = uuid.UUID(str(document_id))
    for evidence in DisputeEvidence.objects.filter(document_id=document).select_related("dispute__booking__provider"):
        dispute = evidence.dispute
        if dispute.patient_id == reader.pk:
            return {"as": "patient", "dispute": dispute.pk}
        if dispute.booking is not None and member_role(user=reader, provider=dispute.booking.provider):
            return {"as": "provider", "dispute": dispute.pk}
        if reader.in_group(StaffGroup.CARETEAM):
            return {"as": "careteam", "dispute": dispute.pk}
        if reader.in_group(StaffGroup.FINANCE):
            return {"as": "finance", "dispute": dispute.pk}
    return None
