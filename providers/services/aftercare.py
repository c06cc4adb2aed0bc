"""The careteam's aftercare setting of a provider: whether the deposit of its procedures waits for
the discharge pack (docs/decisions.md#discharge-pack). Bookings own the pack and its rule."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Forbidden
from providers.models import Provider
from providers.services.permissions import careteam_check


def provider_discharge_pack_set_check(*, provider: Provider, actor: User) -> Check:
    """The careteam sets it, for any provider."""
    if not careteam_check(user=actor):
        return refuse(Forbidden(_("Only the careteam can change the aftercare setting of a provider.")))
    return ALLOWED


@transaction.atomic
def provider_discharge_pack_set(*, provider: Provider, actor: User, required: bool, now: dt.datetime) -> Provider:
    """Set whether the deposit of `provider`'s procedures waits for the discharge pack. Setting it to
    what it is changes nothing and writes no event."""
    provider_discharge_pack_set_check(provider=provider, actor=actor).enforce()
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    if locked.discharge_pack_required == required:
        return locked
    before = locked.discharge_pack_required
    Provider.objects.filter(pk=locked.pk).update(discharge_pack_required=required)
    locked.discharge_pack_required = required
    audit_record(
        actor=actor,
        action="providers.provider.discharge_pack_set",
        target=locked,
        before={"discharge_pack_required": before},
        after={"discharge_pack_required": required},
        now=now,
    )
    return locked
