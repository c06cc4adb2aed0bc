"""Locations and offerings with their fees."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, Forbidden, ValidationFailed
from core.money import Money
from core.rates import rates_on
from providers.models import (
    BookingMode,
    CancellationPolicyChoice,
    Location,
    Offering,
    OfferingKind,
    Procedure,
    Provider,
    Specialty,
)
from providers.services.derived import offerings_changed
from providers.services.permissions import membership_check


@dataclass(frozen=True, kw_only=True)
class LocationDetails:
    name: str
    country: str
    city: str
    address: str
    timezone: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    arrival_instructions: str = ""


def _check_location(details: LocationDetails) -> None:
    errors: dict[str, list[str]] = {}
    if details.timezone not in zoneinfo.available_timezones():
        errors["timezone"] = [
            _("“%(tz)s” is not a timezone: use an IANA name such as Europe/Paris.") % {"tz": details.timezone}
        ]
    if details.latitude is not None and not -90 <= details.latitude <= 90:
        errors["latitude"] = [_("A latitude lies between -90 and 90.")]
    if details.longitude is not None and not -180 <= details.longitude <= 180:
        errors["longitude"] = [_("A longitude lies between -180 and 180.")]
    if (details.latitude is None) != (details.longitude is None):
        errors["longitude"] = [_("Give both the latitude and the longitude, or neither.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)


def location_save_check(*, provider: Provider, actor: User) -> Check:
    """Its administrators add and change a provider's locations."""
    return membership_check(user=actor, provider=provider, admin=True)


@transaction.atomic
def location_save(
    *, provider: Provider, actor: User, details: LocationDetails, location: Location | None = None, now: dt.datetime
) -> Location:
    location_save_check(provider=provider, actor=actor).enforce()
    _check_location(details)
    if location is None:
        location = Location(provider=provider)
    elif location.provider_id != provider.pk:
        raise Forbidden(_("This location belongs to another provider."))
    for name, value in asdict(details).items():
        setattr(location, name, value)
    location.save()
    audit_record(
        actor=actor,
        action="providers.location.saved",
        target=location,
        after={k: str(v) for k, v in asdict(details).items()},
        now=now,
    )
    # The timezone moves every slot; the city and country are searched.
    offerings_changed(offering_ids=list(location.offerings.values_list("pk", flat=True)))
    return location


# --- offerings ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OfferingDetails:
    """An offering as entered: prices already read as Money in the offering's currency."""

    location: Location
    kind: str
    title: str
    specialty: Specialty
    price: Money
    duration_minutes: int
    slot_minutes: int
    booking_mode: str
    procedure: Procedure | None = None
    description: str = ""
    price_upper: Money | None = None
    deposit_bps: int | None = None
    deposit_fixed: Money | None = None
    includes: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    cancellation_policy: str = "platform_default"
    min_notice_hours: int = 48
    horizon_days: int = 90
    is_active: bool = True


def _check_offering(provider: Provider, d: OfferingDetails) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if d.location.provider_id != provider.pk:
        add("location", _("Choose one of your own locations."))
    if d.kind not in OfferingKind.values:
        add("kind", _("Choose consultation or procedure."))
    if d.booking_mode not in BookingMode.values:
        add("booking_mode", _("Choose online booking or quote only."))
    if d.cancellation_policy not in CancellationPolicyChoice.values:
        add("cancellation_policy", _("Choose one of the platform's cancellation policies."))
    if not 0 <= d.min_notice_hours <= 24 * 365:
        add("min_notice_hours", _("The minimum notice lies between 0 hours and one year."))
    if d.procedure is not None and d.procedure.specialty_id != d.specialty.pk:
        add("procedure", _("This procedure does not belong to the chosen specialty."))
    if d.price.amount < 0:
        add("price", _("A price cannot be negative."))
    if d.price_upper is not None:
        if d.price_upper.currency != d.price.currency:
            add("price_upper", _("Both ends of a price range are in the same currency."))
        elif d.price_upper < d.price:
            add("price_upper", _("The upper price must not be below the lower price."))
    if d.deposit_bps is not None and d.deposit_fixed is not None:
        add("deposit_fixed", _("Give the deposit as a percentage or as an amount, not both."))
    if d.deposit_bps is not None and not 0 <= d.deposit_bps <= 10_000:
        add("deposit_percent", _("A deposit percentage lies between 0 and 100."))
    if d.deposit_fixed is not None:
        if d.deposit_fixed.currency != d.price.currency:
            add("deposit_fixed", _("The deposit is in the offering's currency."))
        elif d.deposit_fixed.amount < 0:
            add("deposit_fixed", _("A deposit cannot be negative."))
        elif d.price < d.deposit_fixed:
            add("deposit_fixed", _("The deposit cannot be larger than the price."))
    if d.booking_mode == BookingMode.ONLINE and d.deposit_bps is None and d.deposit_fixed is None:
        add("deposit_percent", _("An offering booked online needs a deposit rule."))
    if d.duration_minutes <= 0:
        add("duration_minutes", _("The duration must be at least one minute."))
    if not 5 <= d.slot_minutes <= 24 * 60:
        add("slot_minutes", _("A slot lasts between 5 minutes and 24 hours."))
    if d.horizon_days < 1 or d.horizon_days > 730:
        add("horizon_days", _("The booking horizon lies between 1 and 730 days."))
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)


def offering_save_check(*, provider: Provider, actor: User, offering: Offering | None = None) -> Check:
    """Any member adds offerings and changes them; a new one needs a location to take place at."""
    member = membership_check(user=actor, provider=provider)
    if not member:
        return member
    if offering is None and not provider.locations.exists():
        return refuse(Conflict(_("Add a location first: every offering takes place somewhere."), code="no_location"))
    return ALLOWED


@transaction.atomic
def offering_save(
    *, provider: Provider, actor: User, details: OfferingDetails, offering: Offering | None = None, now: dt.datetime
) -> Offering:
    offering_save_check(provider=provider, actor=actor, offering=offering).enforce()
    _check_offering(provider, details)
    if offering is None:
        offering = Offering(provider=provider)
    elif offering.provider_id != provider.pk:
        raise Forbidden(_("This offering belongs to another provider."))
    before = _offering_snapshot(offering) if offering.pk else None
    fields = asdict(details)
    for name in ("price", "price_upper", "deposit_fixed"):
        fields.pop(name)
    for name in ("location", "specialty", "procedure"):
        fields[name] = getattr(details, name)
    for name, value in fields.items():
        setattr(offering, name, value)
    offering.currency = details.price.currency
    offering.price_min = details.price.amount
    offering.price_max = details.price_upper.amount if details.price_upper else None
    offering.deposit_fixed = details.deposit_fixed.amount if details.deposit_fixed else None
    # At once, so that search sorts the offering right from the commit; refreshed again after it,
    # in case rates changed meanwhile.
    offering.price_eur_nano = rates_on(day=now.date()).in_nano_euros(offering.price_min, offering.currency)
    offering.save()
    audit_record(
        actor=actor,
        action="providers.offering.saved",
        target=offering,
        before=before,
        after=_offering_snapshot(offering),
        now=now,
    )
    offerings_changed(offering_ids=[offering.pk], prices=True)
    return offering


def _offering_snapshot(offering: Offering) -> dict[str, Any]:
    return {
        "title": offering.title,
        "currency": offering.currency,
        "price_min": offering.price_min,
        "price_max": offering.price_max,
        "deposit_bps": offering.deposit_bps,
        "deposit_fixed": offering.deposit_fixed,
        "booking_mode": offering.booking_mode,
        "is_active": offering.is_active,
    }
