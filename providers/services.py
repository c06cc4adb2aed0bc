"""Writes for providers: joining, verification, profile, members, locations, offerings, availability."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import StaffGroup, User
from marketplace.audit import audit_record
from marketplace.errors import Conflict, Forbidden, ValidationFailed
from marketplace.money import Money
from providers.models import (
    AvailabilityException,
    BookingMode,
    CancellationPolicyChoice,
    ContractAcceptance,
    ContractKind,
    ContractVersion,
    ExceptionKind,
    FacilityType,
    Location,
    MemberRole,
    Offering,
    OfferingKind,
    Procedure,
    Provider,
    ProviderKind,
    ProviderMember,
    ProviderPhoto,
    Specialty,
    VerificationStatus,
    VerificationStep,
    WeeklyRule,
)

# --- permissions ---------------------------------------------------------------------------------


def member_role(*, user: User, provider: Provider) -> str | None:
    if not user.is_authenticated:
        return None
    return ProviderMember.objects.filter(provider=provider, user=user).values_list("role", flat=True).first()


def require_member(*, user: User, provider: Provider, admin: bool = False) -> None:
    """Raise Forbidden unless `user` works for `provider` (as an administrator when `admin`)."""
    role = member_role(user=user, provider=provider)
    if role is None or (admin and role != MemberRole.ADMIN):
        raise Forbidden(
            _("Only administrators of this provider can do this.")
            if role
            else _("You are not a member of this provider.")
        )


def require_careteam(*, user: User) -> None:
    if not (user.is_authenticated and user.in_group(StaffGroup.CARETEAM)):
        raise Forbidden(_("Only the careteam can verify providers."))


# --- joining ---------------------------------------------------------------------------------------


def contracts_current(*, now: dt.datetime) -> dict[str, ContractVersion]:
    """The membership contract and code of ethics in force, by kind."""
    current: dict[str, ContractVersion] = {}
    for contract in ContractVersion.objects.filter(published_at__lte=now).order_by("kind", "-published_at"):
        current.setdefault(contract.kind, contract)
    return current


@dataclass(frozen=True, kw_only=True)
class ProviderDetails:
    kind: str
    name: str
    facility_type: str = ""
    biography: str = ""
    languages: list[str] = field(default_factory=list)
    default_currency: str = "EUR"
    email: str = ""
    phone: str = ""
    website: str = ""


@dataclass(frozen=True, kw_only=True)
class Registration:
    register: str
    register_country: str
    registration_number: str


def _check_details(details: ProviderDetails) -> None:
    errors: dict[str, list[str]] = {}
    if details.kind == ProviderKind.FACILITY and details.facility_type not in FacilityType.values:
        errors["facility_type"] = [_("Say whether the facility is a hospital or a clinic.")]
    if details.kind == ProviderKind.PRACTITIONER and details.facility_type:
        errors["facility_type"] = [_("Only a facility has a type of facility.")]
    if not details.name.strip():
        errors["name"] = [_("Enter the name patients will see.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "provider"
    slug, n = base, 1
    while Provider.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _create_with_unique_slug(details: ProviderDetails, registration: Registration) -> Provider:
    """Create a pending provider; two providers of the same name joining at once get distinct slugs."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                return Provider.objects.create(
                    **asdict(details),
                    **asdict(registration),
                    slug=_unique_slug(details.name),
                    status=VerificationStatus.PENDING,
                )
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def provider_join(
    *,
    user: User,
    details: ProviderDetails,
    registration: Registration,
    accepted_contracts: bool,
    now: dt.datetime,
) -> Provider:
    """A provider joins: it accepts the contracts in force and waits for verification.

    The user who joins becomes its first administrator.
    """
    if not accepted_contracts:
        raise ValidationFailed(
            _("Accept the membership contract and the code of ethics to join."),
            details={"accept_contracts": [_("Accept the membership contract and the code of ethics to join.")]},
        )
    contracts = contracts_current(now=now)
    if set(contracts) != set(ContractKind.values):
        raise Conflict(_("Joining is closed until the contracts are published."), code="no_contracts")
    _check_details(details)
    provider = _create_with_unique_slug(details, registration)
    ProviderMember.objects.create(provider=provider, user=user, role=MemberRole.ADMIN)
    for contract in contracts.values():
        ContractAcceptance.objects.create(provider=provider, contract=contract, accepted_by=user, accepted_at=now)
    audit_record(
        actor=user,
        action="providers.provider.joined",
        target=provider,
        after={"contracts": sorted(f"{c.kind}:{c.version}" for c in contracts.values())},
        now=now,
    )
    return provider


# --- verification ----------------------------------------------------------------------------------

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    VerificationStatus.PENDING: {VerificationStatus.VERIFIED, VerificationStatus.REJECTED},
    VerificationStatus.VERIFIED: {VerificationStatus.SUSPENDED},
    VerificationStatus.SUSPENDED: {VerificationStatus.VERIFIED},
    VerificationStatus.REJECTED: set(),
}


def _verification_transition(
    *, provider: Provider, actor: User, to_status: str, checked: str, note: str, now: dt.datetime
) -> Provider:
    require_careteam(user=actor)
    if not checked.strip():
        raise ValidationFailed(
            _("Say what you checked (register, number, documents)."),
            details={"checked": [_("Say what you checked (register, number, documents).")]},
        )
    with transaction.atomic():
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        if locked.status == to_status:
            return locked  # already done: running it twice changes nothing
        if to_status not in ALLOWED_TRANSITIONS[locked.status]:
            raise Conflict(
                _("A provider that is “%(current)s” cannot become “%(target)s”.")
                % {
                    "current": VerificationStatus(locked.status).label,
                    "target": VerificationStatus(to_status).label,
                },
                code="invalid_transition",
            )
        from_status = locked.status
        locked.status = to_status
        if to_status == VerificationStatus.VERIFIED:
            locked.verified_at, locked.verified_by = now, actor
        locked.save(update_fields=["status", "verified_at", "verified_by", "updated_at"])
        VerificationStep.objects.create(
            provider=locked,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            checked=checked,
            note=note,
            at=now,
        )
        audit_record(
            actor=actor,
            action=f"providers.verification.{to_status}",
            target=locked,
            before={"status": from_status},
            after={"status": to_status, "checked": checked, "note": note},
            now=now,
        )
    return locked


def provider_verify(*, provider: Provider, actor: User, checked: str, note: str = "", now: dt.datetime) -> Provider:
    """pending → verified, or suspended → verified (reinstated)."""
    return _verification_transition(
        provider=provider, actor=actor, to_status=VerificationStatus.VERIFIED, checked=checked, note=note, now=now
    )


def provider_reject(*, provider: Provider, actor: User, checked: str, note: str, now: dt.datetime) -> Provider:
    return _verification_transition(
        provider=provider, actor=actor, to_status=VerificationStatus.REJECTED, checked=checked, note=note, now=now
    )


def provider_suspend(*, provider: Provider, actor: User, checked: str, note: str, now: dt.datetime) -> Provider:
    return _verification_transition(
        provider=provider, actor=actor, to_status=VerificationStatus.SUSPENDED, checked=checked, note=note, now=now
    )


# --- profile and members -----------------------------------------------------------------------------


@transaction.atomic
def provider_update(
    *,
    provider: Provider,
    actor: User,
    details: ProviderDetails,
    specialties: list[Specialty] | None = None,
    procedures: list[Procedure] | None = None,
    now: dt.datetime,
) -> Provider:
    require_member(user=actor, provider=provider, admin=True)
    if details.kind != provider.kind:
        raise ValidationFailed(
            _("A practitioner cannot become a facility, or the reverse: join again instead."),
            details={"kind": [_("A practitioner cannot become a facility, or the reverse: join again instead.")]},
        )
    _check_details(details)
    before = {name: getattr(provider, name) for name in asdict(details)}
    for name, value in asdict(details).items():
        setattr(provider, name, value)
    provider.save()
    if specialties is not None:
        provider.specialties.set(specialties)
    if procedures is not None:
        provider.procedures.set(procedures)
    audit_record(
        actor=actor, action="providers.provider.updated", target=provider, before=before, after=asdict(details), now=now
    )
    offerings_changed(offering_ids=list(provider.offerings.values_list("pk", flat=True)), slots=False)
    return provider


def _admins_locked(provider: Provider) -> int:
    """How many administrators `provider` has, their rows locked until the transaction ends.

    The rows are fetched, not counted: Django drops FOR UPDATE from `.count()`, which would let two
    administrators remove (or demote) each other at the same moment and leave none.
    """
    admins = ProviderMember.objects.select_for_update().filter(provider=provider, role=MemberRole.ADMIN)
    return len(admins.values_list("pk", flat=True))


@transaction.atomic
def member_add(*, provider: Provider, actor: User, email: str, role: str, now: dt.datetime) -> ProviderMember:
    require_member(user=actor, provider=provider, admin=True)
    if role not in MemberRole.values:
        raise ValidationFailed(_("Choose a role: administrator or staff."), details={"role": [_("Unknown role.")]})
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationFailed(
            _("No account uses %(email)s: ask your colleague to create one first.") % {"email": email},
            details={"email": [_("No account uses this e-mail address.")]},
        )
    member, created = ProviderMember.objects.get_or_create(provider=provider, user=user, defaults={"role": role})
    if not created:
        if member.role == role:
            return member  # already so: nothing to record
        if member.role == MemberRole.ADMIN and _admins_locked(provider) == 1:
            raise Conflict(_("A provider keeps at least one administrator."), code="last_admin")
        member.role = role
        member.save(update_fields=["role"])
    audit_record(actor=actor, action="providers.member.added", target=member, after={"role": role}, now=now)
    return member


@transaction.atomic
def member_remove(*, member: ProviderMember, actor: User, now: dt.datetime) -> None:
    require_member(user=actor, provider=member.provider, admin=True)
    if member.role == MemberRole.ADMIN and _admins_locked(member.provider) == 1:
        raise Conflict(_("A provider keeps at least one administrator."), code="last_admin")
    audit_record(actor=actor, action="providers.member.removed", target=member, before={"role": member.role}, now=now)
    member.delete()


# --- photos --------------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 1600


def photo_add(*, provider: Provider, actor: User, upload: Any, caption: str = "", now: dt.datetime) -> ProviderPhoto:
    """Check an uploaded image with Pillow and store it re-encoded as JPEG (metadata dropped)."""
    require_member(user=actor, provider=provider)
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationFailed(
            _("The photo is larger than 5 MB: send a smaller one."), details={"image": [_("Larger than 5 MB.")]}
        )
    try:
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in {"JPEG", "PNG", "WEBP"}:
                raise UnidentifiedImageError
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
    # Pillow's verify() reports a damaged PNG chunk (bad checksum) as SyntaxError.
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationFailed(
            _("This file is not a JPEG, PNG or WebP image."), details={"image": [_("Not a JPEG, PNG or WebP image.")]}
        ) from None
    with transaction.atomic():
        photo = ProviderPhoto(provider=provider, caption=caption, position=provider.photos.count())
        # The ContentFile needs a name: unnamed, Django reads no width/height and the save fails.
        photo.image.save("photo.jpg", ContentFile(out.getvalue(), name="photo.jpg"), save=False)
        photo.save()
        audit_record(actor=actor, action="providers.photo.added", target=photo, now=now)
    return photo


# --- locations -------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LocationDetails:
    name: str
    country: str
    city: str
    address: str
    timezone: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None


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


@transaction.atomic
def location_save(
    *, provider: Provider, actor: User, details: LocationDetails, location: Location | None = None, now: dt.datetime
) -> Location:
    require_member(user=actor, provider=provider, admin=True)
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


@transaction.atomic
def offering_save(
    *, provider: Provider, actor: User, details: OfferingDetails, offering: Offering | None = None, now: dt.datetime
) -> Offering:
    require_member(user=actor, provider=provider)
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
    offering.save()
    audit_record(
        actor=actor,
        action="providers.offering.saved",
        target=offering,
        before=before,
        after=_offering_snapshot(offering),
        now=now,
    )
    offerings_changed(offering_ids=[offering.pk])
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


# --- availability ------------------------------------------------------------------------------------------


def _check_hours(opens: dt.time, closes: dt.time) -> None:
    if closes <= opens:
        raise ValidationFailed(
            _("The closing time must be after the opening time."),
            details={"end": [_("The closing time must be after the opening time.")]},
        )


@transaction.atomic
def weekly_rule_add(
    *, location: Location, actor: User, weekday: int, start: dt.time, end: dt.time, now: dt.datetime
) -> WeeklyRule:
    """Open `location` every `weekday` from `start` to `end`; it may not overlap another rule."""
    require_member(user=actor, provider=location.provider)
    _check_hours(start, end)
    # Lock the location so two concurrent additions cannot both pass the overlap check.
    Location.objects.select_for_update().filter(pk=location.pk).first()
    for rule in WeeklyRule.objects.filter(location=location, weekday=weekday):
        if start < rule.end and rule.start < end:
            message = _("These hours overlap the hours already set on %(day)s, %(start)s–%(end)s.") % {
                "day": rule.get_weekday_display(),
                "start": f"{rule.start:%H:%M}",
                "end": f"{rule.end:%H:%M}",
            }
            raise ValidationFailed(message, details={"start": [message]})
    rule = WeeklyRule.objects.create(location=location, weekday=weekday, start=start, end=end)
    audit_record(
        actor=actor,
        action="providers.availability.rule_added",
        target=rule,
        after={"weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
        now=now,
    )
    _availability_changed(location)
    return rule


@transaction.atomic
def weekly_rule_remove(*, rule: WeeklyRule, actor: User, now: dt.datetime) -> None:
    require_member(user=actor, provider=rule.location.provider)
    audit_record(
        actor=actor, action="providers.availability.rule_removed", target=rule, before={"rule": str(rule)}, now=now
    )
    location = rule.location
    rule.delete()
    _availability_changed(location)


@transaction.atomic
def exception_add(
    *,
    location: Location,
    actor: User,
    date: dt.date,
    kind: str,
    start: dt.time | None = None,
    end: dt.time | None = None,
    note: str = "",
    now: dt.datetime,
) -> AvailabilityException:
    """Close a whole day, or open extra hours on a day."""
    require_member(user=actor, provider=location.provider)
    if kind == ExceptionKind.CLOSED:
        start = end = None
    else:
        if start is None or end is None:
            raise ValidationFailed(
                _("Give the opening and closing times of the extra opening."),
                details={"start": [_("Give the opening and closing times of the extra opening.")]},
            )
        _check_hours(start, end)
    exception = AvailabilityException.objects.create(
        location=location, date=date, kind=kind, start=start, end=end, note=note
    )
    audit_record(
        actor=actor,
        action="providers.availability.exception_added",
        target=exception,
        after={"date": date.isoformat(), "kind": kind},
        now=now,
    )
    _availability_changed(location)
    return exception


# --- derived data: search index and next free slot ---------------------------------------------------


def offerings_changed(*, offering_ids: list[int], index: bool = True, slots: bool = True) -> None:
    """Once the transaction commits, refresh what search reads from these offerings."""
    from providers.tasks import refresh_offerings

    ids = sorted(set(offering_ids))
    if ids:
        transaction.on_commit(lambda: refresh_offerings.delay(ids, index, slots))


def _availability_changed(location: Location) -> None:
    offerings_changed(offering_ids=list(location.offerings.values_list("pk", flat=True)), index=False)


def offerings_refresh_next_slot(
    *, offering_ids: list[int] | None, now: dt.datetime, only_stale: bool = False, batch_size: int = 500
) -> int:
    """Store each offering's first free slot (None when there is none within its horizon).

    `only_stale` limits the work to offerings whose stored slot is missing or has become too
    close to book (its start is before now + the minimum notice). Returns how many were updated.
    """
    from providers.availability import offering_first_free_slot

    queryset = Offering.objects.filter(is_active=True)
    if offering_ids is not None:
        queryset = Offering.objects.filter(pk__in=offering_ids)
    if only_stale:
        # Each offering has its own notice, so the comparison is made here rather than in SQL;
        # only the three columns are read, and only the stale offerings are recomputed.
        rows = queryset.values_list("pk", "next_slot_at", "min_notice_hours").order_by("pk")
        ids = [pk for pk, slot, notice in rows if slot is None or slot < now + dt.timedelta(hours=notice)]
    else:
        ids = list(queryset.values_list("pk", flat=True).order_by("pk"))
    updated = 0
    for start in range(0, len(ids), batch_size):
        batch = list(
            Offering.objects.filter(pk__in=ids[start : start + batch_size])
            .select_related("location")
            .prefetch_related("location__weekly_rules", "location__exceptions")
        )
        for offering in batch:
            slot = offering_first_free_slot(offering=offering, now=now) if offering.is_active else None
            offering.next_slot_at = slot.start if slot else None
        Offering.objects.bulk_update(batch, ["next_slot_at"])
        updated += len(batch)
    return updated
