"""Joining the platform and the careteam's verification of a provider."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.state import Machine, transition
from providers.models import (
    ContractAcceptance,
    ContractKind,
    ContractVersion,
    FacilityType,
    MemberRole,
    Provider,
    ProviderKind,
    ProviderMember,
    VerificationStatus,
    VerificationStep,
)
from providers.services.permissions import require_careteam


def contracts_current(*, now: dt.datetime) -> dict[str, ContractVersion]:
    """The membership contract and code of ethics in force, by kind."""
    current: dict[str, ContractVersion] = {}
    for contract in ContractVersion.objects.filter(published_at__lte=now).order_by("kind", "-published_at"):
        current.setdefault(contract.kind, contract)
    return current


@transaction.atomic
def contract_publish(*, actor: User | None, kind: str, version: str, summary: str, now: dt.datetime) -> ContractVersion:
    """Publish a new version of the membership contract or the code of ethics, in force from `now`:
    providers who join from then on accept it. Publishing the same version again changes nothing."""
    if kind not in ContractKind.values:
        raise ValidationFailed(
            _("Choose the membership contract or the code of ethics."), details={"kind": [_("Unknown contract.")]}
        )
    contract, created = ContractVersion.objects.get_or_create(
        kind=kind, version=version, defaults={"published_at": now, "summary": summary}
    )
    if created:
        audit_record(
            actor=actor,
            action="providers.contract.published",
            target=contract,
            after={"kind": kind, "version": version},
            now=now,
        )
    return contract


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


def check_provider_details(details: ProviderDetails) -> None:
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
    others = Provider.objects.all() if exclude_pk is None else Provider.objects.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists():
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
    check_provider_details(details)
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


def _refuse_verification(current: str, target: str) -> Conflict:
    return Conflict(
        _("A provider that is “%(current)s” cannot become “%(target)s”.")
        % {"current": VerificationStatus(current).label, "target": VerificationStatus(target).label},
        code="invalid_transition",
    )


VERIFICATION = Machine(model=Provider, table=ALLOWED_TRANSITIONS, refuse=_refuse_verification)


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
        from_status = locked.status
        verified = {"verified_at": now, "verified_by": actor} if to_status == VerificationStatus.VERIFIED else {}
        moved = transition(
            machine=VERIFICATION,
            instance=locked,
            locked=True,
            target=to_status,
            actor=actor,
            action=f"providers.verification.{to_status}",
            now=now,
            fields=verified,
            audit_after={"checked": checked, "note": note},
        )
        if moved.changed:
            VerificationStep.objects.create(
                provider=moved.instance,
                from_status=from_status,
                to_status=to_status,
                actor=actor,
                checked=checked,
                note=note,
                at=now,
            )
    return moved.instance


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
