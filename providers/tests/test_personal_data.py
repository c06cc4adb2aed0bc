"""Providers' part of the privacy rights: memberships, invitations, contract proof, the last-admin blocker."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from accounts.services import erasure_subject
from accounts.tests.factories import UserFactory
from providers import services
from providers.models import (
    ContractAcceptance,
    ContractKind,
    ContractVersion,
    MemberRole,
    ProviderInvitation,
    ProviderMember,
)
from providers.personal_data import DECLARATION, blockers, erase, export, kept
from providers.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def dana(clinic, clinic_admin, rival, rival_member):
    """A nurse of Clinique du Lac, invited to Rival Hospital too (not answered yet)."""
    dana = UserFactory(email="dana@example.test")
    MemberFactory(provider=clinic, user=dana, role=MemberRole.STAFF)
    services.invitation_create(provider=rival, actor=rival_member, email="Dana@example.test", role="staff", now=NOW)
    contract = ContractVersion.objects.create(kind=ContractKind.ETHICS, version="t-1", published_at=NOW)
    ContractAcceptance.objects.create(provider=clinic, contract=contract, accepted_by=dana, accepted_at=NOW)
    return dana


def test_the_export_holds_memberships_invitations_and_contracts(dana, clinic, rival):
    section = export(dana, NOW)
    json.dumps(section)

    assert [(m["provider_id"], m["role"]) for m in section["memberships"]] == [(clinic.pk, "staff")]
    [invitation] = section["invitations_received"]
    assert invitation["provider_id"] == rival.pk
    assert invitation["email"] == "dana@example.test"
    assert invitation["status"] == "pending"
    assert section["contracts_accepted"] == [
        {"provider_id": clinic.pk, "contract": "ethics", "version": "t-1", "accepted_at": NOW.isoformat()}
    ]


def test_erasure_ends_memberships_and_pseudonymises_invitations(dana, clinic_admin):
    subject = erasure_subject(dana)

    erase(subject, NOW)
    erase(subject, NOW)  # idempotent

    assert not ProviderMember.objects.filter(user=dana).exists()
    assert ProviderMember.objects.filter(user=clinic_admin).exists()  # nobody else's
    [invitation] = ProviderInvitation.objects.all()
    assert invitation.email == f"erased-{dana.pk}@erased.invalid"
    assert invitation.revoked_at == NOW  # an open invitation to an erased person is closed
    assert not ProviderInvitation.objects.filter(email__iexact="dana@example.test").exists()
    # The contract's proof stays, by account id.
    assert ContractAcceptance.objects.filter(accepted_by=dana).exists()


def test_kept_names_the_contract_proof_until_five_years(dana):
    [item] = kept(dana, NOW)
    assert "contract" in item.what
    assert item.until == (NOW + dt.timedelta(days=5 * 365 + 2)).date()


def test_the_last_administrator_must_hand_over_first(clinic, clinic_admin, dana):
    [blocker] = blockers(clinic_admin, NOW)
    assert "Clinique du Lac" in blocker.what
    assert "Hand over" in blocker.action
    assert blocker.url == f"/providers/dashboard/{clinic.pk}/"
    assert blockers(dana, NOW) == []  # a staff member is not blocked

    ProviderMember.objects.filter(user=dana).update(role=MemberRole.ADMIN)
    assert blockers(clinic_admin, NOW) == []  # a second administrator: nothing to hand over


def test_a_member_is_no_provider_holding_records_about_them(dana):
    assert DECLARATION.providers(dana) == []  # memberships are not records a provider holds on them
