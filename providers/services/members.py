"""The provider's profile, its members and its photos."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, replace
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from core import hooks
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, ValidationFailed
from providers.languages import clean_language_codes
from providers.models import (
    MemberRole,
    Procedure,
    Provider,
    ProviderMember,
    ProviderPhoto,
    Register,
    Specialty,
)
from providers.services.derived import offerings_changed
from providers.services.joining import (
    ProviderDetails,
    Registration,
    check_provider_details,
    identity_diff,
    provider_identity,
    provider_identity_changed,
)
from providers.services.permissions import membership_check


def provider_update_check(*, provider: Provider, actor: User) -> Check:
    """Its administrators change a provider's profile."""
    return membership_check(user=actor, provider=provider, admin=True)


@transaction.atomic
def provider_update(
    *,
    provider: Provider,
    actor: User,
    details: ProviderDetails,
    specialties: list[Specialty] | None = None,
    procedures: list[Procedure] | None = None,
    registration: Registration | None = None,
    now: dt.datetime,
) -> Provider:
    """Change the profile. A change to the provider's identity (name, type of facility,
    specialties, register, country or number) sends a verified provider back to the careteam's
    review (`provider_identity_changed`); other fields (biography, contact…) just change."""
    provider_update_check(provider=provider, actor=actor).enforce()
    # Re-read under lock: the save below writes every field, the status among them.
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if details.kind != provider.kind:
        raise ValidationFailed(
            _("A practitioner cannot become a facility, or the reverse: join again instead."),
            details={"kind": [_("A practitioner cannot become a facility, or the reverse: join again instead.")]},
        )
    check_provider_details(details)
    details = replace(details, languages=clean_language_codes(details.languages))
    if registration is not None:
        _check_registration(registration)
    identity_before = provider_identity(provider)
    before = {name: getattr(provider, name) for name in asdict(details)}
    for name, value in asdict(details).items():
        setattr(provider, name, value)
    if registration is not None:
        for name, value in asdict(registration).items():
            setattr(provider, name, value)
    provider.save()
    if specialties is not None:
        provider.specialties.set(specialties)
    if procedures is not None:
        provider.procedures.set(procedures)
    provider.spoken_languages = spoken_languages_refresh(provider_id=provider.pk)
    audit_record(
        actor=actor, action="providers.provider.updated", target=provider, before=before, after=asdict(details), now=now
    )
    changes = identity_diff(identity_before, provider_identity(provider))
    if changes:
        provider = provider_identity_changed(provider=provider, actor=actor, changes=changes, now=now)
    offerings_changed(offering_ids=list(provider.offerings.values_list("pk", flat=True)), slots=False)
    return provider


def _check_registration(registration: Registration) -> None:
    errors: dict[str, list[str]] = {}
    if registration.register not in Register.values:
        errors["register"] = [_("Choose the register your number is in.")]
    if registration.register_country not in dict(countries):
        errors["register_country"] = [_("Choose the country of the register.")]
    if not registration.registration_number.strip():
        errors["registration_number"] = [_("Enter your registration number.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)


def _admins_locked(provider: Provider) -> int:
    """How many administrators `provider` has, their rows locked until the transaction ends.

    The rows are fetched, not counted: Django drops FOR UPDATE from `.count()`, which would let two
    administrators remove (or demote) each other at the same moment and leave none.
    """
    admins = ProviderMember.objects.select_for_update().filter(provider=provider, role=MemberRole.ADMIN)
    return len(admins.values_list("pk", flat=True))


def _last_admin() -> Conflict:
    return Conflict(_("A provider keeps at least one administrator."), code="last_admin")


def member_add_check(*, provider: Provider, actor: User) -> Check:
    """Its administrators bring colleagues in, by invitation only (services.invitations)."""
    return membership_check(user=actor, provider=provider, admin=True)


def member_remove_check(*, member: ProviderMember, actor: User) -> Check:
    """An administrator removes a member, but never the provider's last administrator.

    The count is read without locks; the service counts again under them.
    """
    admin = membership_check(user=actor, provider=member.provider, admin=True)
    if not admin:
        return admin
    admins = ProviderMember.objects.filter(provider_id=member.provider_id, role=MemberRole.ADMIN)
    if member.role == MemberRole.ADMIN and admins.count() == 1:
        return refuse(_last_admin())
    return ALLOWED


@transaction.atomic
def member_remove(*, member: ProviderMember, actor: User, now: dt.datetime) -> None:
    member_remove_check(member=member, actor=actor).enforce()
    if member.role == MemberRole.ADMIN and _admins_locked(member.provider) == 1:
        raise _last_admin()  # the check's rule again, under the administrators' row locks
    audit_record(actor=actor, action="providers.member.removed", target=member, before={"role": member.role}, now=now)
    member.delete()
    spoken_languages_refresh(provider_id=member.provider_id)


# --- languages (docs/decisions.md#matching-on-language) ---------------------------------------------


def spoken_languages_refresh(*, provider_id: int) -> list[str]:
    """Store what the provider speaks in all: its own languages and every member's (search reads it)."""
    provider = Provider.objects.only("languages").get(pk=provider_id)
    spoken = set(provider.languages or [])
    for languages in ProviderMember.objects.filter(provider_id=provider_id).values_list("languages", flat=True):
        spoken.update(languages or [])
    result = sorted(spoken)
    Provider.objects.filter(pk=provider_id).update(spoken_languages=result)
    hooks.listing_stale.call(provider_ids=[provider_id])
    return result


def member_languages_set_check(*, member: ProviderMember, actor: User) -> Check:
    """A member says which languages they speak; the provider's administrators may say it for them."""
    if member.user_id == actor.pk:
        return membership_check(user=actor, provider=member.provider)
    return membership_check(user=actor, provider=member.provider, admin=True)


@transaction.atomic
def member_languages_set(
    *, member: ProviderMember, actor: User, languages: list[str], now: dt.datetime
) -> ProviderMember:
    member_languages_set_check(member=member, actor=actor).enforce()
    cleaned = clean_language_codes(languages)
    before = list(member.languages or [])
    member.languages = cleaned
    member.save(update_fields=["languages"])
    spoken_languages_refresh(provider_id=member.provider_id)
    audit_record(
        actor=actor,
        action="providers.member.languages_set",
        target=member,
        before={"languages": before},
        after={"languages": cleaned},
        now=now,
    )
    return member


# --- photos --------------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 1600


def photo_add_check(*, provider: Provider, actor: User) -> Check:
    """Any member adds photos to the provider's page."""
    return membership_check(user=actor, provider=provider)


def photo_add(*, provider: Provider, actor: User, upload: Any, caption: str = "", now: dt.datetime) -> ProviderPhoto:
    """Check an uploaded image with Pillow and store it re-encoded as JPEG (metadata dropped)."""
    photo_add_check(provider=provider, actor=actor).enforce()
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
            rgb = image.convert("RGB")
            rgb.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            rgb.save(out, format="JPEG", quality=85)
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
