"""Reads for providers, scoped to who asks: the public sees verified providers only; members see
their own providers; the careteam sees the verification queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import NotFound
from providers.availability import Slot, offering_busy_intervals, offering_free_slots
from providers.models import (
    Accreditation,
    Location,
    Offering,
    Provider,
    ProviderInvitation,
    ProviderMember,
    VerificationStatus,
)


def providers_public() -> QuerySet[Provider]:
    """Providers a patient may see, book or ask for a quote: verified ones only."""
    return Provider.objects.filter(status=VerificationStatus.VERIFIED)


def offerings_public() -> QuerySet[Offering]:
    """Published offerings of verified providers."""
    return Offering.objects.filter(provider__status=VerificationStatus.VERIFIED, is_active=True)


def provider_public_get(*, slug: str) -> Provider:
    """A verified provider with everything its public page shows, in a fixed number of queries."""
    provider = (
        providers_public()
        .prefetch_related(
            "specialties",
            "procedures",
            "credentials",
            "photos",
            Prefetch("accreditations", queryset=Accreditation.objects.order_by("-valid_until")),
            Prefetch(
                "locations", queryset=Location.objects.prefetch_related("weekly_rules", "exceptions").order_by("city")
            ),
            # Each offering's location is one of the locations above (with their hours), set below.
            Prefetch(
                "offerings",
                queryset=Offering.objects.filter(is_active=True)
                .select_related("specialty", "procedure")
                .order_by("title"),
            ),
            Prefetch("affiliations__facility", queryset=Provider.objects.filter(status=VerificationStatus.VERIFIED)),
        )
        .filter(slug=slug)
        .first()
    )
    if provider is None:
        raise NotFound(_("No verified provider has this page."))
    locations = {location.pk: location for location in provider.locations.all()}
    for offering in provider.offerings.all():
        if offering.location_id in locations:
            offering.location = locations[offering.location_id]
    return provider


def providers_of_member(*, user: User) -> QuerySet[Provider]:
    """The providers `user` works for, whatever their verification status."""
    if not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(members__user=user).distinct()


def provider_for_member(*, user: User, provider_id: int) -> Provider:
    """One of `user`'s providers; another provider's id is "not found", never "forbidden"."""
    provider = providers_of_member(user=user).filter(pk=provider_id).first()
    if provider is None:
        raise NotFound(_("You have no provider with this id."))
    return provider


def member_of(*, user: User, provider: Provider) -> ProviderMember | None:
    return ProviderMember.objects.filter(user=user, provider=provider).first()


def provider_members_to_notify(*, provider_id: int) -> list[User]:
    """The people who hear of what happens to a provider (quote requests, bookings, payouts): its
    active members, whatever their role, oldest membership first, with the profile that says
    their language."""
    return [
        member.user
        for member in ProviderMember.objects.filter(provider_id=provider_id, user__is_active=True)
        .select_related("user__patient_profile")
        .order_by("pk")
    ]


def invitations_pending(*, provider: Provider, now: dt.datetime) -> QuerySet[ProviderInvitation]:
    """The provider's invitations not answered, withdrawn or expired at `now`, newest first."""
    return ProviderInvitation.objects.filter(
        provider=provider,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).select_related("provider", "invited_by")


def providers_awaiting_verification() -> QuerySet[Provider]:
    """The careteam's queue: pending providers first, oldest first, with what they declared."""
    return (
        Provider.objects.filter(status=VerificationStatus.PENDING)
        .prefetch_related("credentials", "accreditations", "contract_acceptances__contract", "members__user")
        .order_by("created_at")
    )


def providers_decided() -> QuerySet[Provider]:
    """The careteam's providers already decided on (verified, rejected, suspended), by status and name."""
    return Provider.objects.exclude(status=VerificationStatus.PENDING).order_by("status", "name")


# The next slots are looked for this many days at a time: the first days usually hold `limit` of them.
NEXT_SLOTS_CHUNK_DAYS = 3


def offering_next_slots(
    *, offering: Offering, now: dt.datetime, days: int = 14, limit: int = 5, busy: Iterable[Slot] | None = None
) -> list[Slot]:
    """The next few free slots of an offering within `days`, for the public page.

    The times taken (`busy`, else one query for the whole range) are read once; the slots are cut a
    few days at a time and the search stops once `limit` are found."""
    tz = ZoneInfo(offering.location.timezone)
    today = now.astimezone(tz).date()
    last = today + dt.timedelta(days=days)
    if busy is None:
        busy = offering_busy_intervals(
            offering=offering,
            start=dt.datetime.combine(today, dt.time.min, tzinfo=tz),
            end=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
            now=now,
        )
    busy = list(busy)
    found: list[Slot] = []
    day = today
    while day <= last and len(found) < limit:
        end = min(day + dt.timedelta(days=NEXT_SLOTS_CHUNK_DAYS - 1), last)
        found += offering_free_slots(offering=offering, first_day=day, last_day=end, now=now, busy=busy)
        day = end + dt.timedelta(days=1)
    return found[:limit]


def member_privileged_roles(user: User) -> list[str]:
    """Answers `core.hooks.privileged_roles`: a member of any provider reads its patients' files."""
    if user.is_authenticated and ProviderMember.objects.filter(user=user).exists():
        return ["provider_member"]
    return []
