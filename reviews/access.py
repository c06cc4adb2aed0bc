"""Who is who for reviews, and the windows the rules count: read by services and selectors alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import StaffGroup
from concierge.models import SupplierKind
from providers.models import ProviderMember

REVIEW_WINDOW = dt.timedelta(days=90)  # after the booking's completion, or the order's fulfilment
REVIEWED_SUPPLIER_KINDS: frozenset[str] = frozenset({SupplierKind.INTERPRETER.value, SupplierKind.DRIVER.value})


def signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def is_careteam(actor: Any) -> bool:
    return signed_in(actor) and actor.in_group(StaffGroup.CARETEAM)


def is_provider_member(*, provider_id: int, actor: Any) -> bool:
    return signed_in(actor) and ProviderMember.objects.filter(provider_id=provider_id, user_id=actor.pk).exists()
