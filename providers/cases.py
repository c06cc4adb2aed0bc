"""Providers' work for the careteam's case board (`core.hooks.case_items`): verification.

A provider that applied is due a decision two working days later (Monday to Friday, counted in
UTC): it can take no booking or quote until then, and docs/decisions.md ("Case board") says why
two days.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from core.cases import CaseItem, CaseQueue, CaseStage
from providers.models import Provider, VerificationStatus

VERIFY_WITHIN_WORKING_DAYS = 2


def working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """`start` moved on by `days` working days (Monday to Friday), keeping its time of day."""
    moment = start
    counted = 0
    while counted < days:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            counted += 1
    return moment


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    providers = (
        Provider.objects.filter(status=VerificationStatus.PENDING).prefetch_related("locations").order_by("created_at")
    )
    items = []
    for provider in providers:
        locations = sorted(provider.locations.all(), key=lambda location: (location.city, location.pk))
        items.append(
            CaseItem(
                key=f"providers.verification:{provider.pk}",
                queue=CaseQueue.VERIFICATION,
                title=_("Verify %(provider)s") % {"provider": provider.name},
                stage=CaseStage.NEW,
                opened_at=provider.created_at,
                url=reverse("providers:verification_review", args=[provider.pk]),
                due_at=working_days_after(provider.created_at, VERIFY_WITHIN_WORKING_DAYS),
                city=locations[0].city if locations else "",
                timezone=locations[0].timezone if locations else "",
                summary=_("%(register)s %(number)s")
                % {
                    "register": provider.get_register_display(),
                    "number": provider.registration_number,
                },
                audit_targets=(("providers.provider", str(provider.pk)),),
            )
        )
    return items
