"""Comparing up to four offerings side by side; the choice is kept in the session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, NotFound
from core.money import Money
from core.rates import rates_on
from providers.models import Accreditation, Offering
from providers.selectors import offerings_public

MAX_COMPARED = 4
SESSION_KEY = "compare_offerings"


def compare_ids(request) -> list[int]:
    return [int(i) for i in request.session.get(SESSION_KEY, []) if str(i).isdigit()]


def compare_add_check(*, compared_ids: list[int]) -> Check:
    """Whether one more offering fits in the comparison: a fifth one is refused."""
    if len(compared_ids) >= MAX_COMPARED:
        return refuse(
            Conflict(
                _("You can compare up to %(n)d offerings: remove one first.") % {"n": MAX_COMPARED},
                code="compare_full",
            )
        )
    return ALLOWED


def compare_add(request, *, offering_id: int) -> list[int]:
    """Add a published offering to the comparison; one already there stays, a fifth one is refused."""
    if not offerings_public().filter(pk=offering_id).exists():
        raise NotFound(_("This offering is not published."))
    ids = compare_ids(request)
    if offering_id not in ids:
        compare_add_check(compared_ids=ids).enforce()
        ids.append(offering_id)
    request.session[SESSION_KEY] = ids
    return ids


def compare_remove(request, *, offering_id: int) -> list[int]:
    ids = [i for i in compare_ids(request) if i != offering_id]
    request.session[SESSION_KEY] = ids
    return ids


@dataclass(frozen=True)
class ComparedOffering:
    offering: Offering
    converted: Money | None
    converted_upper: Money | None
    rate_date: dt.date | None
    accreditations: list[Accreditation]


def compare_rows(*, offering_ids: list[int], currency: str, now: dt.datetime) -> list[ComparedOffering]:
    """The compared offerings that are still published, in the order they were chosen."""
    offerings = {
        o.pk: o
        for o in offerings_public()
        .filter(pk__in=offering_ids[:MAX_COMPARED])
        .select_related("provider", "location", "specialty", "procedure")
        .prefetch_related("provider__accreditations")
    }
    rates = rates_on(day=now.date())
    rows = []
    for pk in offering_ids:
        offering = offerings.get(pk)
        if offering is None:
            continue
        lower = rates.convert(offering.price, currency)
        upper = rates.convert(offering.price_upper, currency) if offering.price_upper else None
        same = offering.currency == currency
        rows.append(
            ComparedOffering(
                offering=offering,
                converted=None if same or lower is None else lower.money,
                converted_upper=None if same or upper is None else upper.money,
                rate_date=lower.rate_date if lower else None,
                accreditations=[a for a in offering.provider.accreditations.all() if a.valid_until >= now.date()],
            )
        )
    return rows
