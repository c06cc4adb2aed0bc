"""Joining the platform and the careteam's verification of a provider."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from core import hooks
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, ValidationFailed
from core.state import Machine, transition, transition_check
from providers.languages import clean_language_codes
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
from providers.services.permissions import careteam_check


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
    interpreter_available: bool = False
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
    try:
        clean_language_codes(details.languages)
    except ValidationFailed as refused:
        errors.update(refused.details)
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
                    spoken_languages=sorted(clean_language_codes(details.languages)),
                    **asdict(registration),
                    slug=_unique_slug(details.name),
                    status=VerificationStatus.PENDING,
                )
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def provider_join_check(*, now: dt.datetime) -> Check:
    """Whether joining is open: the membership contract and the code of ethics are both in force."""
    if set(contracts_current(now=now)) != set(ContractKind.values):
        return refuse(Conflict(_("Joining is closed until the contracts are published."), code="no_contracts"))
    return ALLOWED


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
    provider_join_check(now=now).enforce()
    contracts = contracts_current(now=now)
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
    # verified → pending: the provider changed its identity and is reviewed again
    # (members.provider_update; docs/decisions.md#provider-identity-changes).
    VerificationStatus.VERIFIED: {VerificationStatus.SUSPENDED, VerificationStatus.PENDING},
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


def _already(status: str) -> Conflict:
    return Conflict(
        _("This provider is already “%(status)s”.") % {"status": VerificationStatus(status).label},
        code="invalid_transition",
    )


def _decision_check(*, provider: Provider, actor: User, to_status: str) -> Check:
    """The careteam may move `provider` to `to_status` now (VERIFICATION's table).

    A decision that would change nothing is refused here, so that no page offers it; the service
    still treats it as done and changes nothing (VERIFICATION.repeat_is_noop).
    """
    if provider.status == to_status:
        refusal: Conflict | None = _already(to_status)
    else:
        refusal = transition_check(machine=VERIFICATION, instance=provider, target=to_status)
    return first_refusal(careteam_check(user=actor), ALLOWED if refusal is None else refuse(refusal))


def provider_verify_check(*, provider: Provider, actor: User) -> Check:
    """pending → verified, or suspended → verified (reinstated); careteam only."""
    return _decision_check(provider=provider, actor=actor, to_status=VerificationStatus.VERIFIED)


def provider_reject_check(*, provider: Provider, actor: User) -> Check:
    """pending → rejected; careteam only."""
    return _decision_check(provider=provider, actor=actor, to_status=VerificationStatus.REJECTED)


def provider_suspend_check(*, provider: Provider, actor: User) -> Check:
    """verified → suspended; careteam only."""
    return _decision_check(provider=provider, actor=actor, to_status=VerificationStatus.SUSPENDED)


def _verification_transition(
    *, provider: Provider, actor: User, to_status: str, checked: str, note: str, now: dt.datetime
) -> Provider:
    careteam_check(user=actor).enforce()
    if not checked.strip():
        raise ValidationFailed(
            _("Say what you checked (register, number, documents)."),
            details={"checked": [_("Say what you checked (register, number, documents).")]},
        )
    with transaction.atomic():
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        if locked.status == to_status:
            return locked  # already so: nothing to record
        _decision_check(provider=locked, actor=actor, to_status=to_status).enforce()
        from_status = locked.status
        verified = {"verified_at": now, "verified_by": actor} if to_status == VerificationStatus.VERIFIED else {}
        if to_status in (VerificationStatus.VERIFIED, VerificationStatus.REJECTED):
            # The decision covers the identity as it stands, changes included.
            verified["identity_changes"] = {}
        reviewed = dict(locked.identity_changes)
        moved = transition(
            machine=VERIFICATION,
            instance=locked,
            locked=True,
            target=to_status,
            actor=actor,
            action=f"providers.verification.{to_status}",
            now=now,
            fields=verified,
            audit_after={"checked": checked, "note": note, **({"changes": reviewed} if reviewed else {})},
        )
        if moved.changed:
            # Listed or not from now on (storefront.listing), in this transaction.
            hooks.listing_stale.call(provider_ids=[locked.pk])
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


# --- identity changes -----------------------------------------------------------------------------------

# What patients rely on when they see "verified": who the provider is, what it is, what it does,
# and the registration the careteam checked. A change to any of them is checked again.
IDENTITY_FIELDS = ("name", "facility_type", "specialties", "register", "register_country", "registration_number")


def provider_identity(provider: Provider) -> dict[str, Any]:
    """The provider's identity as the careteam checks it, in JSON values (specialties by code)."""
    return {
        "name": provider.name,
        "facility_type": provider.facility_type,
        "specialties": sorted(provider.specialties.values_list("code", flat=True)),
        "register": provider.register,
        "register_country": str(provider.register_country or ""),
        "registration_number": provider.registration_number,
    }


def identity_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"from": before[name], "to": after[name]} for name in IDENTITY_FIELDS if before[name] != after[name]}


def provider_identity_changed(
    *, provider: Provider, actor: User, changes: dict[str, dict[str, Any]], now: dt.datetime
) -> Provider:
    """The provider changed its identity (`changes`: field → from, to): the careteam reviews it again.

    A verified provider goes back to pending — off every public page, search and booking, its
    "verified on" date gone — until the careteam verifies it again (or rejects it); the changes
    are kept on the provider for the queue, and audited with their old and new values. A pending
    or suspended provider stays as it is, its changes added to what the careteam will review.
    (docs/decisions.md#provider-identity-changes)
    """
    if not changes:
        return provider
    with transaction.atomic():
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        merged: dict[str, dict[str, Any]] = dict(locked.identity_changes)
        for name, change in changes.items():
            # Against what was last verified: a second change keeps the first "from".
            merged[name] = {"from": merged[name]["from"] if name in merged else change["from"], "to": change["to"]}
        if locked.status == VerificationStatus.VERIFIED:
            fields_changed = ", ".join(sorted(changes))
            moved = transition(
                machine=VERIFICATION,
                instance=locked,
                locked=True,
                target=VerificationStatus.PENDING,
                actor=actor,
                action="providers.verification.review_requested",
                now=now,
                fields={"identity_changes": merged, "verified_at": None, "verified_by": None},
                reason="identity_changed",
                audit_after={"changes": changes},
            )
            VerificationStep.objects.create(
                provider=moved.instance,
                from_status=VerificationStatus.VERIFIED,
                to_status=VerificationStatus.PENDING,
                actor=actor,
                checked="",
                note=_("Changed by the provider, to review again: %(fields)s.") % {"fields": fields_changed},
                at=now,
            )
            return moved.instance
        if locked.status == VerificationStatus.REJECTED:
            return locked  # nothing public, and no decision left to take
        locked.identity_changes = merged
        locked.save(update_fields=["identity_changes", "updated_at"])
        audit_record(
            actor=actor,
            action="providers.provider.identity_changed",
            target=locked,
            before={name: change["from"] for name, change in changes.items()},
            after={name: change["to"] for name, change in changes.items()},
            now=now,
        )
        return locked


# The careteam's three decisions, by the name pages and the admin give them: the service, its check.
VERIFICATION_DECISIONS: dict[str, tuple[Callable[..., Provider], Callable[..., Check]]] = {
    "verify": (provider_verify, provider_verify_check),
    "reject": (provider_reject, provider_reject_check),
    "suspend": (provider_suspend, provider_suspend_check),
}


def provider_decision_checks(*, provider: Provider, actor: User) -> dict[str, Check]:
    """Each verification decision ("verify", "reject", "suspend") → whether `actor` may take it now."""
    return {name: check(provider=provider, actor=actor) for name, (_service, check) in VERIFICATION_DECISIONS.items()}


# --- what verification gates -------------------------------------------------------------------------


def provider_bookable_check(*, provider: Provider) -> Check:
    """Whether patients may see, book and ask quotes of `provider`: verified providers only
    (docs/decisions.md#providers-and-verification). Read it as fresh as the decision needs: a
    service deciding a booking reads it on the provider's locked row."""
    if not provider.is_verified:
        return refuse(
            Conflict(
                _("%(provider)s is not verified yet and cannot take bookings.") % {"provider": provider.name},
                code="provider_unverified",
            )
        )
    return ALLOWED
