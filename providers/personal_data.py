"""What providers holds about a person (`core.personal_data`): their memberships of providers, the
invitations sent to their address, the contracts they accepted for a provider.

The providers themselves, their places, offers and credentials are a business's public details, not
a person's: they are declared `not_personal` with why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import erased_email
from core.audit import audit_record
from core.personal_data import Blocker, Declaration, Kept, Subject
from providers.models import (
    ContractAcceptance,
    MemberRole,
    ProviderInvitation,
    ProviderMember,
    VerificationStep,
)

# A contract's proof is kept for the limitation period of a claim under it (French Civil Code,
# article 2224: 5 years), counted from its acceptance.
CONTRACT_PROOF_YEARS = 5


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(person: User, now: dt.datetime) -> dict[str, Any]:
    return {
        "memberships": [
            {
                "provider_id": member.provider_id,
                "provider": member.provider.name,
                "role": member.role,
                "added_at": _iso(member.added_at),
            }
            for member in ProviderMember.objects.filter(user=person).select_related("provider").order_by("pk")
        ],
        "invitations_received": [
            {
                "provider_id": invitation.provider_id,
                "provider": invitation.provider.name,
                "email": invitation.email,
                "role": invitation.role,
                "sent_at": _iso(invitation.created_at),
                "expires_at": _iso(invitation.expires_at),
                "status": invitation.status_at(now),
            }
            for invitation in ProviderInvitation.objects.filter(email__iexact=person.email)
            .select_related("provider")
            .order_by("created_at", "pk")
        ],
        "contracts_accepted": [
            {
                "provider_id": acceptance.provider_id,
                "contract": acceptance.contract.kind,
                "version": acceptance.contract.version,
                "accepted_at": _iso(acceptance.accepted_at),
            }
            for acceptance in ContractAcceptance.objects.filter(accepted_by=person)
            .select_related("contract")
            .order_by("accepted_at", "pk")
        ],
        "verification_decisions_made": [
            {"provider_id": step.provider_id, "from": step.from_status, "to": step.to_status, "at": _iso(step.at)}
            for step in VerificationStep.objects.filter(actor=person).order_by("at", "pk")
        ],
    }


def _last_admin_of(person: User) -> list[ProviderMember]:
    """The person's administrator memberships of providers that have no other administrator."""
    mine = ProviderMember.objects.filter(user=person, role=MemberRole.ADMIN).select_related("provider")
    return [
        member
        for member in mine
        if not ProviderMember.objects.filter(provider_id=member.provider_id, role=MemberRole.ADMIN)
        .exclude(pk=member.pk)
        .exists()
    ]


def blockers(person: User, now: dt.datetime) -> list[Blocker]:
    return [
        Blocker(
            what=_("You are the only administrator of %(provider)s.") % {"provider": member.provider.name},
            action=_(
                "Hand over the provider first: invite a colleague as administrator, and once they have "
                "accepted, ask again."
            ),
            url=reverse("providers:dashboard", args=[member.provider_id]),
        )
        for member in _last_admin_of(person)
    ]


@transaction.atomic
def erase(subject: Subject, now: dt.datetime) -> None:
    """Remove the person's memberships, and put the pseudonym's address on invitations sent to
    theirs (the open ones are revoked). Safe to run again."""
    for member in ProviderMember.objects.select_for_update().filter(user_id=subject.user_id):
        audit_record(
            actor=None, action="providers.member.removed", target=member, before={"role": member.role}, now=now
        )
        member.delete()
    address = erased_email(user_id=subject.user_id)
    invited = ProviderInvitation.objects.select_for_update().filter(email__iexact=subject.email)
    if subject.email and subject.email.lower() != address:
        for invitation in invited:
            invitation.email = address
            if invitation.status_at(now) == "pending":
                invitation.revoked_at = max(now, invitation.created_at)
            invitation.save(update_fields=["email", "revoked_at"])


def kept(person: User, now: dt.datetime) -> list[Kept]:
    latest = (
        ContractAcceptance.objects.filter(accepted_by=person)
        .order_by("-accepted_at")
        .values_list("accepted_at", flat=True)
        .first()
    )
    items = []
    if latest is not None:
        items.append(
            Kept(
                what=_("That you accepted a provider's membership contract or code of ethics, and when (by number)"),
                why=_("Proof of the provider's contract, for the limitation period of a claim: %(years)d years.")
                % {"years": CONTRACT_PROOF_YEARS},
                until=(latest + dt.timedelta(days=365 * CONTRACT_PROOF_YEARS + 2)).date(),
            )
        )
    if VerificationStep.objects.filter(actor=person).exists():
        items.append(
            Kept(
                what=_("The verification decisions you made as staff about providers (by account number)"),
                why=_("The provider's verification record: who checked what, kept while the provider is listed."),
            )
        )
    return items


_BUSINESS = gettext_lazy("A provider's public business details (name, contact address and phone), not a person's.")
_CATALOGUE = gettext_lazy("The catalogue (names of specialties, procedures, offers): no person in it.")

DECLARATION = Declaration(
    app="providers",
    models={
        "providers.ProviderMember": gettext_lazy("The providers you work for, and your role there"),
        "providers.ProviderInvitation": gettext_lazy("Invitations to join a provider sent to your e-mail address"),
        "providers.ContractAcceptance": gettext_lazy("The contracts you accepted on behalf of a provider, and when"),
    },
    not_personal={
        "providers.Provider": gettext_lazy(
            "A provider's public business details (name, contact e-mail and phone); `verified_by` is the id "
            "of the staff member who verified it, acting in their job."
        ),
        "providers.VerificationStep": gettext_lazy(
            "Staff decisions about a provider: the actor is a staff member's id, acting in their job; nothing "
            "about a patient (exported to and kept for the staff member: see `export` and `kept`)."
        ),
        "providers.Location": _BUSINESS,
        "providers.Offering": _CATALOGUE,
        "providers.Credential": gettext_lazy("A practitioner's public diplomas and titles, shown on the listing."),
        "providers.Accreditation": gettext_lazy("The accrediting body of a provider: an organisation."),
        "providers.Specialty": _CATALOGUE,
        "providers.Procedure": _CATALOGUE,
    },
    export=export,
    erase=erase,
    erased=gettext_lazy("Your memberships of providers, and your address on invitations to join one."),
    kept=kept,
    blockers=blockers,
    order=300,
)
